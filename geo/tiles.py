"""Offline base maps: import raster MBTiles (or a z/x/y folder) as tiles the app serves itself.

GIS departments hand out base maps as raster **MBTiles** (an SQLite file: one PNG/JPEG per
tile, rows in the TMS scheme — row 0 at the south — and a ``metadata`` table with the
format, bounds and zoom range). :func:`import_tiles` writes every tile of such a file, or of a
folder of ``z/x/y.png`` tiles, into ``static/tiles/<name>/{z}/{x}/{y}.<ext>`` with a
``tileset.json`` describing it. Streamlit serves that folder at ``/app/static/tiles/<name>/``
(``server.enableStaticServing``), so the map loads its tiles from the app and never from the
network; :func:`tileset` reads the description back for the map.

Streamlit turns static serving off altogether when its folder exceeds 1 GB (the map's own
scripts live there too), so an import that would pass that size is refused: write such a tile
set with ``out_dir`` to a folder a web server of your own serves, and use ``tiles = "custom"``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from geo.config import PROJECT_DIR
from geo.errors import HexpatrolError

#: Where imported tile sets live (served by Streamlit at ``/app/static/tiles``).
TILES_DIR: Final = PROJECT_DIR / "static" / "tiles"
TILES_URL: Final = "/app/static/tiles"
#: Streamlit disables static serving above 1 GB; keep a margin for the map's own assets.
STATIC_LIMIT_BYTES: Final = 900 * 1024 * 1024
NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: magic bytes → tile format
_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"RIFF", "webp"),
)
MAX_ZOOM: Final = 22


class TilesError(HexpatrolError):
    """A tile set cannot be imported or read (with the reason and what to do)."""


@dataclass(frozen=True)
class Tileset:
    """What the map needs to know about an imported tile set.

    Attributes
    ----------
    name : str
        Folder name under :data:`TILES_DIR`, as named in ``hexpatrol.toml`` (``basemap``).
    format : str
        ``png``, ``jpg`` or ``webp``.
    minzoom, maxzoom : int
        The zoom levels present; the map enlarges ``maxzoom`` tiles beyond it.
    bounds : (float, float, float, float)
        West, south, east, north in degrees (WGS-84 / CGCS2000).
    attribution : str
        Source and licence of the tiles, as the file's metadata gives it (plain text).
    tiles : int
        Number of tiles written.
    """

    name: str
    format: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    attribution: str = ""
    tiles: int = 0

    def url(self, base_url: str = TILES_URL) -> str:
        """The XYZ URL template the map loads the tiles from."""
        return f"{base_url}/{self.name}/{{z}}/{{x}}/{{y}}.{self.format}"


def tile_format(data: bytes) -> str | None:
    """``png``, ``jpg`` or ``webp`` from a tile's first bytes; ``None`` for anything else."""
    for magic, name in _MAGIC:
        if data.startswith(magic) and (name != "webp" or data[8:12] == b"WEBP"):
            return name
    return None


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) of XYZ tile ``z/x/y`` (y = 0 at the north)."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tiles_for_bounds(
    bounds: tuple[float, float, float, float], z: int
) -> Iterator[tuple[int, int]]:
    """Every XYZ (x, y) of zoom ``z`` that touches ``bounds`` (west, south, east, north)."""
    w, s, e, n = bounds
    count = 2**z

    def col(lon: float) -> int:
        return min(count - 1, max(0, int((lon + 180) / 360 * count)))

    def row(lat: float) -> int:
        rad = math.radians(max(-85.0511, min(85.0511, lat)))
        y = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * count
        return min(count - 1, max(0, int(y)))

    for x in range(col(w), col(e) + 1):
        for y in range(row(n), row(s) + 1):
            yield x, y


def _check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise TilesError(
            f"tile set name {name!r} is not usable: letters, digits, '-' and '_' only "
            f"(e.g. yunyang-2024)"
        )
    return name


def default_name(path: str | os.PathLike[str]) -> str:
    """A tile-set name from a file or folder name (``云阳 底图.mbtiles`` → ``basemap``)."""
    stem = Path(path).name.removesuffix(".mbtiles")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:64]
    return clean if clean and NAME_RE.match(clean) else "basemap"


def _metadata(con: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        rows = con.execute("SELECT name, value FROM metadata").fetchall()
    except sqlite3.DatabaseError as exc:
        raise TilesError(
            f"{path} is not an MBTiles file (no metadata table: {exc}); export a raster "
            f"MBTiles, e.g. with QGIS 'Generate XYZ tiles (MBTiles)' or gdal_translate -of MBTILES"
        ) from exc
    return {str(k): str(v) for k, v in rows if k is not None and v is not None}


def _mbtiles_rows(
    path: Path, meta: dict[str, str], con: sqlite3.Connection
) -> Iterator[tuple[int, int, int, bytes]]:
    """(z, x, y, data) in the XYZ scheme; the file's TMS rows are flipped."""
    xyz = meta.get("scheme", "tms").strip().lower() == "xyz"
    try:
        cursor = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    except sqlite3.DatabaseError as exc:
        raise TilesError(f"{path}: no readable tiles table ({exc})") from exc
    for z, x, row, data in cursor:
        if not all(isinstance(v, int) for v in (z, x, row)) or not 0 <= z <= MAX_ZOOM:
            raise TilesError(f"{path}: a tile has an invalid position (zoom {z!r}, {x!r}/{row!r})")
        y = row if xyz else 2**z - 1 - row
        yield z, x, y, bytes(data or b"")


def _folder_rows(path: Path, *, tms: bool) -> Iterator[tuple[int, int, int, bytes]]:
    """(z, x, y, data) of a ``z/x/y.ext`` folder (``tms``: y counted from the south)."""
    for file in sorted(path.glob("*/*/*")):
        z_s, x_s, y_s = file.parent.parent.name, file.parent.name, file.stem
        if not (z_s.isdigit() and x_s.isdigit() and y_s.isdigit()) or not file.is_file():
            continue
        z, x, y = int(z_s), int(x_s), int(y_s)
        if z > MAX_ZOOM:
            continue
        yield z, x, (2**z - 1 - y if tms else y), file.read_bytes()


def _parse_bounds(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        w, s, e, n = (float(v) for v in str(text).split(","))
    except (TypeError, ValueError):
        return None
    ok = -180 <= w < e <= 180 and -90 <= s < n <= 90
    return (w, s, e, n) if ok else None


@dataclass
class _Tally:
    """What a tile import has seen so far."""

    format: str | None = None
    count: int = 0
    size: int = 0
    zooms: tuple[int, int] = (MAX_ZOOM + 1, -1)
    extent: tuple[float, float, float, float] = (180.0, 90.0, -180.0, -90.0)

    def add(self, z: int, x: int, y: int, data: bytes, where: str) -> None:
        fmt = tile_format(data)
        if fmt is None:
            hint = " (vector tiles are not supported)" if data[:2] == b"\x1f\x8b" else ""
            raise TilesError(
                f"{where}: tile {z}/{x}/{y} is not a PNG, JPEG or WebP image{hint}; hexpatrol "
                f"needs a raster tile set"
            )
        if self.format not in (None, fmt):
            raise TilesError(f"{where}: tiles mix {self.format} and {fmt}; use one format")
        if not (0 <= x < 2**z and 0 <= y < 2**z):
            raise TilesError(f"{where}: tile {z}/{x}/{y} lies outside zoom level {z}")
        w, s, e, n = tile_bounds(z, x, y)
        self.format = fmt
        self.count += 1
        self.size += len(data)
        self.zooms = (min(self.zooms[0], z), max(self.zooms[1], z))
        ex = self.extent
        self.extent = (min(ex[0], w), min(ex[1], s), max(ex[2], e), max(ex[3], n))


def _static_size(root: Path) -> int:
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.exists() else 0


def _source(
    src: Path, *, tms: bool
) -> tuple[Iterator[tuple[int, int, int, bytes]], dict[str, str], Callable[[], None]]:
    if src.is_dir():
        return _folder_rows(src, tms=tms), {}, lambda: None
    if not src.is_file():
        raise TilesError(f"{src} not found")
    try:
        con = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        meta = _metadata(con, src)
    except sqlite3.DatabaseError as exc:
        raise TilesError(f"{src} is not an SQLite/MBTiles file ({exc})") from exc
    fmt = meta.get("format", "").lower()
    if fmt in ("pbf", "mvt"):
        con.close()
        raise TilesError(
            f"{src} holds vector tiles (format {fmt}); hexpatrol needs raster tiles (png/jpg): "
            f"render them to a raster MBTiles first, e.g. with QGIS 'Generate XYZ tiles'"
        )
    return _mbtiles_rows(src, meta, con), meta, con.close


def import_tiles(
    source: str | os.PathLike[str],
    *,
    name: str | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    tms: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Tileset:
    """Write every tile of an MBTiles file (or a ``z/x/y`` folder) as files the app serves.

    Parameters
    ----------
    source : path
        A raster ``.mbtiles`` file (PNG, JPEG or WebP tiles), or a folder of
        ``{z}/{x}/{y}.png|jpg`` tiles.
    name : str, optional
        Tile-set name (default: from the file name); set ``basemap`` in ``hexpatrol.toml`` to it.
    out_dir : path, optional
        Parent folder to write into instead of :data:`TILES_DIR` (for a tile set served by a
        web server of your own; no size limit then).
    tms : bool
        For a folder: its rows are counted from the south (TMS), as in MBTiles.
    progress : callable, optional
        Called with the number of tiles written so far, every 500 tiles.

    Returns
    -------
    Tileset
        The description written to ``tileset.json``.

    Raises
    ------
    TilesError
        Not a raster tile set, a tile that is not an image or outside its zoom level, mixed
        formats, no tiles, or (in the app's folder) a tile set that would pass Streamlit's
        1 GB static-serving limit. Nothing is left behind then.
    """
    src = Path(source)
    tile_name = _check_name(name or default_name(src))
    root = Path(out_dir) if out_dir is not None else TILES_DIR
    target = root / tile_name
    # an existing set of this name is replaced, so its size does not count
    limit = (
        None
        if out_dir is not None
        else STATIC_LIMIT_BYTES - _static_size(root.parent) + _static_size(target)
    )
    tmp = root / f".{tile_name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    rows, meta, close = _source(src, tms=tms)
    tally = _Tally()
    try:
        for z, x, y, data in rows:
            tally.add(z, x, y, data, str(src))
            if limit is not None and tally.size > limit:
                raise TilesError(
                    f"{src}: the tiles pass the {STATIC_LIMIT_BYTES // 2**20} MB the app can "
                    f"serve itself (Streamlit stops serving static files above 1 GB); import "
                    f"them with --out into a folder your web server serves and set "
                    f'tiles = "custom" (see docs/DEPLOYMENT.md), or export fewer zoom levels'
                )
            path = tmp / str(z) / str(x) / f"{y}.{tally.format}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if progress and tally.count % 500 == 0:
                progress(tally.count)
        if tally.count == 0 or tally.format is None:
            raise TilesError(f"{src} holds no tiles")
        info = Tileset(
            name=tile_name,
            format=tally.format,
            minzoom=tally.zooms[0],
            maxzoom=tally.zooms[1],
            bounds=_parse_bounds(meta.get("bounds")) or tally.extent,
            attribution=meta.get("attribution", "") or meta.get("description", ""),
            tiles=tally.count,
        )
        (tmp / "tileset.json").write_text(
            json.dumps(asdict(info), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        close()
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return info


def tileset(name: str, *, root: str | os.PathLike[str] | None = None) -> Tileset | None:
    """The imported tile set ``name`` (``None`` when it has not been imported)."""
    folder = Path(root) if root is not None else TILES_DIR
    try:
        raw = json.loads((folder / _check_name(name) / "tileset.json").read_text("utf-8"))
        raw["bounds"] = tuple(float(v) for v in raw["bounds"])
        return Tileset(**raw)
    except (OSError, ValueError, TypeError, KeyError, TilesError):
        return None


def list_tilesets(root: str | os.PathLike[str] | None = None) -> list[Tileset]:
    """Every imported tile set under ``root`` (default :data:`TILES_DIR`), by name."""
    folder = Path(root) if root is not None else TILES_DIR
    if not folder.is_dir():
        return []
    found = (tileset(p.name, root=folder) for p in sorted(folder.iterdir()) if p.is_dir())
    return [t for t in found if t is not None]


def remove_tileset(name: str, *, root: str | os.PathLike[str] | None = None) -> bool:
    """Delete an imported tile set; ``False`` when there was none of that name."""
    folder = (Path(root) if root is not None else TILES_DIR) / _check_name(name)
    if not (folder / "tileset.json").is_file():
        return False
    shutil.rmtree(folder)
    return True
