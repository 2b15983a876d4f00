"""Write hexpatrol's SYNTHETIC demo base map: roads, villages, rivers and a raster MBTiles.

示意底图 — 合成演示数据. No real map data can be fetched here, so the demo draws its own:

- ``demo/roads.geojson``: a road network joining the 42 township seats (a minimum spanning
  tree of the seats plus a few loops), roads from the nearest seat to each key area, and an
  expressway through the demo's expressway exits. Names are "A—B公路(示意)"; ``class`` is
  ``expressway``, ``major`` (the roads from the county town to the main towns) or ``minor``.
- ``demo/villages.geojson``: invented village points (6-14 per township) with invented
  names; they are not real villages.
- ``demo/rivers.geojson``: the Yangtze (长江) as a band through the riverside seats and two
  tributaries (澎溪河, 汤溪河) as lines — their courses are approximations, not surveyed.
- with ``--tiles FILE.mbtiles``: a raster MBTiles (PNG, zoom 8-13) drawn from those layers,
  as a GIS department would hand one out; ``make assets`` imports it as the tile set ``demo``.

Only the seats, the township polygons and the county outline come from the reference files
(``data/reference/README.md``). The same ``--seed`` gives the same files.
"""

from __future__ import annotations

import argparse
import io
import math
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from PIL import Image, ImageDraw
from scipy.sparse.csgraph import minimum_spanning_tree

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from geo.tiles import tile_bounds, tiles_for_bounds  # noqa: E402

DEMO = ROOT / "demo"
NOTE = "synthetic demo layer, not real map data / 示意,合成演示数据"
METRIC = 32649  # UTM 49N: the county lies in it
COUNTY_TOWN = ("双江街道", "青龙街道", "人和街道", "盘龙街道")
MAIN_TOWNS = ("江口镇", "南溪镇", "云阳镇", "故陵镇", "巴阳镇", "龙角镇", "黄石镇", "路阳镇")
#: the Yangtze through the riverside seats, west to east (an approximation)
YANGTZE = [
    (108.40, 30.905),
    (108.52, 30.915),
    (108.59, 30.922),
    (108.66, 30.915),
    (108.712, 30.918),
    (108.76, 30.945),
    (108.82, 30.975),
    (108.88, 30.988),
    (108.95, 30.955),
    (109.02, 30.945),
    (109.08, 30.935),
    (109.16, 30.962),
    (109.26, 30.985),
]
TRIBUTARIES = {
    "澎溪河(示意)": ["高阳镇", "黄石镇", (108.712, 30.93)],
    "汤溪河(示意)": ["江口镇", "南溪镇", "云安镇", (108.882, 30.99)],
}
FIRST = "石黄青柏桂龙凤双新和太平永安三合大小高长清桥花竹杨槐梨桃松柳金银玉马牛白乌鹿"
LAST = ("村", "湾", "坝", "坪", "沟", "岭", "垭", "坡", "岩", "溪村", "河村", "嘴")
STYLE = {  # class -> (casing colour, fill colour, width in pixels at zoom 13)
    "expressway": ("#b86b1d", "#f6b35b", 7.0),
    "major": ("#b59b3c", "#fce49a", 5.5),
    "minor": ("#9a9a9a", "#ffffff", 3.5),
}


def seats(townships: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The township seats as points (metric CRS) with their names."""
    pts = gpd.GeoDataFrame(
        {"name": townships["name"], "code": townships["code"]},
        geometry=gpd.points_from_xy(townships["seat_lon"], townships["seat_lat"]),
        crs=4326,
    )
    return pts.to_crs(METRIC)


def wiggle(a: shapely.Point, b: shapely.Point, rng: np.random.Generator) -> shapely.LineString:
    """A road-like line from ``a`` to ``b``: smoothed sideways noise, ends fixed (metres)."""
    length = a.distance(b)
    n = max(3, int(length / 400))
    t = np.linspace(0, 1, n)
    noise = np.cumsum(rng.normal(0, 1, n))
    noise -= np.linspace(noise[0], noise[-1], n)  # both ends back on the straight line
    kernel = np.ones(5) / 5
    noise = np.convolve(np.pad(noise, 2, mode="edge"), kernel, mode="valid")
    noise -= np.linspace(noise[0], noise[-1], n)  # smoothing moved the ends: back again
    amp = min(0.06 * length, 900) / max(np.abs(noise).max(), 1e-9)
    dx, dy = b.x - a.x, b.y - a.y
    nx, ny = -dy / max(length, 1e-9), dx / max(length, 1e-9)
    xs = a.x + t * dx + noise * amp * nx
    ys = a.y + t * dy + noise * amp * ny
    return shapely.LineString(np.column_stack([xs, ys]))


def chaikin(coords: list[tuple[float, float]], rounds: int = 3) -> list[tuple[float, float]]:
    """A smoother line through ``coords`` (Chaikin corner cutting; ends kept)."""
    pts = np.asarray(coords, dtype=float)
    for _ in range(rounds):
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        pts = np.vstack([pts[:1], np.column_stack([q, r]).reshape(-1, 2), pts[-1:]])
    return [tuple(p) for p in pts.tolist()]


def _short(name: str) -> str:
    for suffix in ("土家族乡", "街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


def seat_edges(pts: gpd.GeoDataFrame) -> list[tuple[int, int]]:
    """Minimum spanning tree of the seats plus each leaf's second-nearest seat (loops)."""
    xy = np.column_stack([pts.geometry.x, pts.geometry.y])
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    tree = minimum_spanning_tree(dist).tocoo()
    edges = {tuple(sorted((int(i), int(j)))) for i, j in zip(tree.row, tree.col, strict=True)}
    degree = np.bincount(np.array(list(edges)).ravel(), minlength=len(xy))
    for i in np.flatnonzero(degree == 1):
        for j in np.argsort(dist[i])[1:3]:
            if dist[i, j] < 16_000:
                edges.add(tuple(sorted((int(i), int(j)))))
    return sorted(edges)  # type: ignore[arg-type]


def make_roads(
    townships: gpd.GeoDataFrame, key_areas: gpd.GeoDataFrame, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    pts = seats(townships)
    names = pts["name"].tolist()
    main = {names.index(n) for n in (*COUNTY_TOWN, *MAIN_TOWNS) if n in names}
    rows = []
    for i, j in seat_edges(pts):
        klass = "major" if i in main and j in main else "minor"
        line = wiggle(pts.geometry.iloc[i], pts.geometry.iloc[j], rng)
        rows.append((f"{_short(names[i])}—{_short(names[j])}公路(示意)", klass, line))
    ka = key_areas.to_crs(METRIC)
    exits = ka[ka["category"].isin(["expressway_exit", "service_area"])]
    order = exits.iloc[np.argsort(-exits.geometry.y.to_numpy())]  # north to south
    stops = [shapely.Point(108.80, 31.33)] if len(order) else []
    stops = [gpd.GeoSeries(stops, crs=4326).to_crs(METRIC).iloc[0], *order.geometry]
    stops.append(gpd.GeoSeries([shapely.Point(108.50, 30.80)], crs=4326).to_crs(METRIC).iloc[0])
    for a, b in zip(stops, stops[1:], strict=False):
        rows.append(("高速公路(示意)", "expressway", wiggle(a, b, rng)))
    network = shapely.union_all([r[2] for r in rows])
    for row in ka.itertuples():
        if row.geometry.distance(network) > 300:
            start = pts.geometry.iloc[int(np.argmin(pts.distance(row.geometry)))]
            rows.append((f"至{row.name}道路(示意)", "minor", wiggle(start, row.geometry, rng)))
    roads = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "class": [r[1] for r in rows], "note": NOTE},
        geometry=[r[2] for r in rows],
        crs=METRIC,
    )
    return roads.to_crs(4326).set_geometry(roads.to_crs(4326).geometry.set_precision(1e-5))


def village_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct invented village names (黄桷湾, 石板坝, …)."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        first = "".join(rng.choice(list(FIRST), size=int(rng.integers(1, 3))))
        name = first + str(rng.choice(LAST))
        if name not in seen and len(name) >= 2:
            seen.add(name)
            out.append(name)
    return out


def make_villages(
    townships: gpd.GeoDataFrame, rivers: gpd.GeoDataFrame, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    towns = townships.to_crs(METRIC)
    water = shapely.prepared.prep(rivers.to_crs(METRIC).geometry.buffer(600).union_all())
    seat_pts = seats(townships)
    points, codes = [], []
    for (_, town), seat in zip(towns.iterrows(), seat_pts.geometry, strict=True):
        want = int(rng.integers(6, 15))
        minx, miny, maxx, maxy = town.geometry.bounds
        inner = shapely.prepared.prep(town.geometry.buffer(-300))
        found: list[shapely.Point] = []
        for _ in range(4000):
            if len(found) == want:
                break
            p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            far = p.distance(seat) > 1200 and all(p.distance(q) > 1500 for q in found)
            if far and inner.contains(p) and not water.contains(p):
                found.append(p)
        points += found
        codes += [town["code"]] * len(found)
    villages = gpd.GeoDataFrame(
        {"name": village_names(rng, len(points)), "township_code": codes, "note": NOTE},
        geometry=points,
        crs=METRIC,
    ).to_crs(4326)
    return villages.set_geometry(villages.geometry.set_precision(1e-5))


def make_rivers(townships: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    seat_xy = zip(townships["seat_lon"], townships["seat_lat"], strict=True)
    at = dict(zip(townships["name"], seat_xy, strict=True))
    yangtze = gpd.GeoSeries([shapely.LineString(chaikin(YANGTZE))], crs=4326).to_crs(METRIC)
    smooth = yangtze.iloc[0].simplify(10).segmentize(300)
    band = smooth.buffer(450, cap_style="flat").simplify(40)
    rows = [("长江(示意)", "major", band)]
    for name, stops in TRIBUTARIES.items():
        coords = [at[s] if isinstance(s, str) else s for s in stops]
        line = gpd.GeoSeries([shapely.LineString(coords)], crs=4326).to_crs(METRIC).iloc[0]
        parts = [
            wiggle(shapely.Point(a), shapely.Point(b), rng)
            for a, b in zip(line.coords, line.coords[1:], strict=False)
        ]
        rows.append((name, "minor", shapely.line_merge(shapely.union_all(parts))))
    rivers = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "class": [r[1] for r in rows], "note": NOTE},
        geometry=[r[2] for r in rows],
        crs=METRIC,
    ).to_crs(4326)
    return rivers.set_geometry(rivers.geometry.set_precision(1e-5))


# ---------------------------------------------------------------- raster tiles

SCALE = 2  # draw at twice the size, then shrink: smooth lines without an antialiasing engine


def _pixels(geom: shapely.Geometry, z: int, x: int, y: int) -> Iterable[list[tuple[float, float]]]:
    """Pixel rings/paths of ``geom`` in tile ``z/x/y`` (drawn at :data:`SCALE`)."""
    size = 256 * SCALE * 2**z
    for part in shapely.get_parts(geom):
        if part.is_empty:
            continue
        rings = (
            [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        )
        for ring in rings:
            if len(ring.coords) < 2 and not isinstance(ring, shapely.Point):
                continue
            lon, lat = np.asarray(ring.coords).T[:2]
            px = (lon + 180) / 360 * size - x * 256 * SCALE
            rad = np.radians(lat)
            py = (1 - np.log(np.tan(rad) + 1 / np.cos(rad)) / math.pi) / 2 * size - y * 256 * SCALE
            yield list(zip(px.tolist(), py.tolist(), strict=True))


def render_tile(layers: dict[str, gpd.GeoDataFrame], z: int, x: int, y: int) -> bytes:
    """One 256×256 PNG tile of the demo base map."""
    img = Image.new("RGB", (256 * SCALE, 256 * SCALE), "#e4e4de")
    draw = ImageDraw.Draw(img)
    box = shapely.box(*tile_bounds(z, x, y)).buffer(0.01)
    for geom in layers["outline"].geometry.intersection(box):
        for ring in _pixels(geom, z, x, y):
            draw.polygon(ring, fill="#f3f0e6")
    width = 2 ** (z - 13) * SCALE  # line widths shrink as the map zooms out
    for row in layers["rivers"].itertuples():
        geom = row.geometry.intersection(box)
        for path in _pixels(geom, z, x, y):
            if row.geometry.geom_type.endswith("Polygon"):
                draw.polygon(path, fill="#a9cbe8", outline="#8fb6da")
            else:
                draw.line(path, fill="#a9cbe8", width=max(1, round(4 * width)), joint="curve")
    for casing in (True, False):
        for klass in ("minor", "major", "expressway"):
            edge, fill, w = STYLE[klass]
            for geom in layers["roads"].loc[layers["roads"]["class"] == klass].geometry:
                for path in _pixels(geom.intersection(box), z, x, y):
                    px = max(1, round((w + (2 if casing else 0)) * width))
                    draw.line(path, fill=edge if casing else fill, width=px, joint="curve")
    if z >= 11:
        r = max(2, round(3 * width * 2))
        for pt in layers["villages"].geometry.intersection(box):
            for (px, py), *_ in _pixels(pt, z, x, y):
                draw.rectangle([px - r, py - r, px + r, py + r], fill="#d8cdbd", outline="#b9ab96")
    out = io.BytesIO()
    img.resize((256, 256), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_mbtiles(layers: dict[str, gpd.GeoDataFrame], path: Path, zooms: range) -> int:
    """Render every tile over the county at ``zooms`` into a raster MBTiles file (TMS rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    bounds = tuple(float(v) for v in layers["outline"].total_bounds)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    meta = {
        "name": "云阳县示意底图 (synthetic demo)",
        "format": "png",
        "type": "baselayer",
        "bounds": ",".join(f"{v:.5f}" for v in bounds),
        "minzoom": str(zooms.start),
        "maxzoom": str(zooms.stop - 1),
        "attribution": "示意底图(合成演示数据,非真实地图)",
    }
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    count = 0
    for z in zooms:
        for x, y in tiles_for_bounds(bounds, z):  # type: ignore[arg-type]
            con.execute(
                "INSERT INTO tiles VALUES (?, ?, ?, ?)",
                (z, x, 2**z - 1 - y, render_tile(layers, z, x, y)),
            )
            count += 1
    con.commit()
    con.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO, help="folder of the demo layers")
    parser.add_argument("--seed", type=int, default=20251001)
    parser.add_argument("--tiles", type=Path, help="also write this raster MBTiles file")
    parser.add_argument("--max-zoom", type=int, default=13)
    parser.add_argument("--layers-only", action="store_true", help="no MBTiles")
    args = parser.parse_args(argv)
    townships = gpd.read_file(DEMO / "townships.geojson")
    key_areas = gpd.read_file(DEMO / "key_areas.geojson")
    files = {name: args.out / f"{name}.geojson" for name in ("roads", "villages", "rivers")}
    if not all(f.is_file() for f in files.values()) or args.layers_only or not args.tiles:
        rng = np.random.default_rng(args.seed)
        rivers = make_rivers(townships, rng)
        made = {
            "rivers": rivers,
            "roads": make_roads(townships, key_areas, rng),
            "villages": make_villages(townships, rivers, rng),
        }
        for name, gdf in made.items():
            text = gdf.to_json(ensure_ascii=False, drop_id=True)
            files[name].write_text(text, encoding="utf-8")
            print(f"{files[name]}: {len(gdf)} features")
    if args.tiles:
        layers = {name: gpd.read_file(path) for name, path in files.items()}
        outline = ROOT / "reference" / "yunyang_county_outline_wgs84.geojson"
        layers["outline"] = gpd.read_file(outline)
        n = write_mbtiles(layers, args.tiles, range(8, args.max_zoom + 1))
        print(f"{args.tiles}: {n} tiles (zoom 8-{args.max_zoom})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
