"""Offline base maps: MBTiles and z/x/y folders become tiles the app serves itself."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from geo import tiles as tiles_mod
from geo.cli import main
from geo.tiles import (
    TilesError,
    default_name,
    import_tiles,
    list_tilesets,
    remove_tileset,
    tile_bounds,
    tile_format,
    tiles_for_bounds,
    tileset,
)

COUNTY = (108.41, 30.58, 109.25, 31.44)


def png_tile(color: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buf, format="PNG")
    return buf.getvalue()


def make_mbtiles(
    path: Path,
    zooms: range = range(8, 10),
    *,
    bounds: tuple[float, float, float, float] = COUNTY,
    color: str = "#ff00ff",
    fmt: str = "png",
    data: bytes | None = None,
) -> int:
    """A raster MBTiles covering ``bounds`` (TMS rows, as the spec has them); tile count."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    meta = {
        "name": "test",
        "format": fmt,
        "bounds": ",".join(map(str, bounds)),
        "attribution": "<b>县局</b> 测绘",
    }
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    tile = data if data is not None else png_tile(color)
    n = 0
    for z in zooms:
        for x, y in tiles_for_bounds(bounds, z):
            con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, tile))
            n += 1
    con.commit()
    con.close()
    return n


def test_mbtiles_rows_are_flipped_to_xyz(tmp_path: Path) -> None:
    src = tmp_path / "one.mbtiles"
    con = sqlite3.connect(src)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
    red, blue = png_tile("red"), png_tile("blue")
    con.execute("INSERT INTO tiles VALUES (1, 0, 0, ?)", (red,))  # TMS row 0 = the south
    con.execute("INSERT INTO tiles VALUES (1, 1, 1, ?)", (blue,))
    con.commit()
    con.close()
    info = import_tiles(src, name="flip", out_dir=tmp_path / "out")
    assert (tmp_path / "out/flip/1/0/1.png").read_bytes() == red  # XYZ y = 2^z - 1 - row
    assert (tmp_path / "out/flip/1/1/0.png").read_bytes() == blue
    assert info.minzoom == info.maxzoom == 1 and info.tiles == 2 and info.format == "png"
    assert info.bounds[0] == -180 and info.bounds[2] == 180  # from the tiles: no metadata


def test_import_describes_the_tileset(tmp_path: Path) -> None:
    n = make_mbtiles(tmp_path / "county.mbtiles")
    info = import_tiles(tmp_path / "county.mbtiles", out_dir=tmp_path / "t")
    assert info.name == "county" and info.tiles == n and (info.minzoom, info.maxzoom) == (8, 9)
    assert info.bounds == COUNTY and info.attribution == "<b>县局</b> 测绘"
    assert info.url("/app/static/tiles") == "/app/static/tiles/county/{z}/{x}/{y}.png"
    back = tileset("county", root=tmp_path / "t")
    assert back == info
    assert [t.name for t in list_tilesets(tmp_path / "t")] == ["county"]
    assert json.loads((tmp_path / "t/county/tileset.json").read_text())["tiles"] == n
    assert (
        remove_tileset("county", root=tmp_path / "t")
        and tileset("county", root=tmp_path / "t") is None
    )


def test_folder_of_tiles_xyz_and_tms(tmp_path: Path) -> None:
    folder = tmp_path / "xyz"
    (folder / "3" / "6").mkdir(parents=True)
    (folder / "3" / "6" / "3.png").write_bytes(png_tile("green"))
    (folder / "README.txt").write_text("not a tile")
    xyz = import_tiles(folder, name="a", out_dir=tmp_path / "o")
    assert (tmp_path / "o/a/3/6/3.png").is_file() and xyz.tiles == 1
    import_tiles(folder, name="b", out_dir=tmp_path / "o", tms=True)
    assert (tmp_path / "o/b/3/6/4.png").is_file()


class TestRefusals:
    def test_vector_tiles(self, tmp_path: Path) -> None:
        make_mbtiles(tmp_path / "v.mbtiles", fmt="pbf", data=b"\x1f\x8b\x08vector")
        with pytest.raises(TilesError, match="vector tiles"):
            import_tiles(tmp_path / "v.mbtiles", out_dir=tmp_path / "o")

    def test_tile_that_is_no_image_leaves_nothing(self, tmp_path: Path) -> None:
        make_mbtiles(tmp_path / "x.mbtiles", fmt="png", data=b"<html>not a tile</html>")
        with pytest.raises(TilesError, match="not a PNG, JPEG or WebP"):
            import_tiles(tmp_path / "x.mbtiles", name="x", out_dir=tmp_path / "o")
        assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())

    def test_not_sqlite_and_missing(self, tmp_path: Path) -> None:
        (tmp_path / "bad.mbtiles").write_bytes(b"hello")
        with pytest.raises(TilesError, match="MBTiles"):
            import_tiles(tmp_path / "bad.mbtiles", out_dir=tmp_path / "o")
        with pytest.raises(TilesError, match="not found"):
            import_tiles(tmp_path / "none.mbtiles", out_dir=tmp_path / "o")

    def test_tile_outside_its_zoom(self, tmp_path: Path) -> None:
        src = tmp_path / "o.mbtiles"
        make_mbtiles(src, range(8, 9))
        con = sqlite3.connect(src)
        con.execute("INSERT INTO tiles VALUES (2, 9, 0, ?)", (png_tile("red"),))
        con.commit()
        con.close()
        with pytest.raises(TilesError, match="outside zoom level 2"):
            import_tiles(src, out_dir=tmp_path / "out")

    def test_bad_names(self, tmp_path: Path) -> None:
        make_mbtiles(tmp_path / "a.mbtiles", range(8, 9))
        with pytest.raises(TilesError, match="not usable"):
            import_tiles(tmp_path / "a.mbtiles", name="../../etc", out_dir=tmp_path)
        assert default_name("云阳 底图.mbtiles") == "basemap"
        assert default_name("/x/yunyang-2024.mbtiles") == "yunyang-2024"

    def test_past_the_static_limit(self, tmp_path: Path, monkeypatch) -> None:
        make_mbtiles(tmp_path / "big.mbtiles", range(8, 11))
        monkeypatch.setattr(tiles_mod, "TILES_DIR", tmp_path / "static" / "tiles")
        monkeypatch.setattr(tiles_mod, "STATIC_LIMIT_BYTES", 2000)
        with pytest.raises(TilesError, match="--out"):
            import_tiles(tmp_path / "big.mbtiles")
        assert not (tmp_path / "static/tiles/big").exists()


def test_cli_basemap(tmp_path: Path, capsys) -> None:
    make_mbtiles(tmp_path / "c.mbtiles", range(8, 9))
    out = str(tmp_path / "tiles")
    assert (
        main(["basemap", "import", str(tmp_path / "c.mbtiles"), "--name", "c1", "--out", out]) == 0
    )
    assert "-> tile set 'c1'" in capsys.readouterr().out
    assert main(["basemap", "list", "--out", out]) == 0
    assert capsys.readouterr().out.startswith("c1: ")
    assert main(["basemap", "import", str(tmp_path / "nope.mbtiles"), "--out", out]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["basemap", "remove", "c1", "--out", out]) == 0
    assert main(["basemap", "remove", "c1", "--out", out]) == 2


def test_tile_format_sniffing() -> None:
    assert tile_format(png_tile("red")) == "png"
    assert tile_format(b"\xff\xd8\xff\xe0rest") == "jpg"
    assert tile_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert tile_format(b"RIFF\x00\x00\x00\x00WAVE") is None


@given(lon=st.floats(-179.9, 179.9), lat=st.floats(-84.0, 84.0), z=st.integers(0, 18))
def test_the_tile_of_a_point_contains_it(lon: float, lat: float, z: int) -> None:
    ((x, y),) = list(tiles_for_bounds((lon, lat, lon, lat), z))
    w, s, e, n = tile_bounds(z, x, y)
    assert w - 1e-9 <= lon <= e + 1e-9 and s - 1e-9 <= lat <= n + 1e-9
