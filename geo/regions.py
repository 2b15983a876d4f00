"""Jurisdictions and key areas: loading, validation and point-in-polygon look-ups."""

from __future__ import annotations

import functools
import os
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.errors import ConfigError

KEY_AREA_CATEGORIES: Final = (
    "hsr_station",
    "bus_terminal",
    "shopping",
    "residential",
    "hospital",
    "school",
    "rural_market",
    "expressway_exit",
    "service_area",
    "scenic",
)


def _stamp(path: str | os.PathLike[str]) -> tuple[int, int]:
    """Size and modification time of a file; ``(-1, -1)`` for what is no plain file."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):  # e.g. a "zip://…" address GDAL reads itself
        return -1, -1
    return found.st_size, found.st_mtime_ns


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, stamp: tuple[int, int]) -> gpd.GeoDataFrame:
    """One read of a reference file per version (``stamp``: size, modification time)."""
    return gpd.read_file(path)


def _read(path: str | os.PathLike[str], what: str, required: set[str]) -> gpd.GeoDataFrame:
    """A township, key-area, route or base-layer file, in EPSG:4326.

    The file is read once per version for the whole process (every scope's data set reads
    the same reference files): a changed file is read again.
    """
    try:
        gdf = _read_cached(os.fspath(path), _stamp(path)).copy()
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise ConfigError(f"{what} file {path} cannot be read: {exc}") from exc
    missing = required - set(gdf.columns)
    if missing:
        raise ConfigError(
            f"{what} file {path} lacks columns {sorted(missing)}; it has {sorted(gdf.columns)}"
        )
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    return gdf.to_crs(4326)


def load_townships(
    path: str | os.PathLike[str], *, code_field: str = "code", name_field: str = "name"
) -> gpd.GeoDataFrame:
    """Township polygons with string ``code`` and ``name``, in EPSG:4326.

    ``code_field``/``name_field`` name the file's own columns (e.g. ``XZQDM``, ``XZQMC``).
    """
    gdf = _read(path, "township", {code_field, name_field, "geometry"})
    gdf = gdf.rename(columns={code_field: "code", name_field: "name"})
    gdf["code"] = gdf["code"].astype(str).str.strip()
    dup = gdf["code"][gdf["code"].duplicated()]
    if not dup.empty:
        raise ConfigError(f"township file {path}: duplicate codes {sorted(set(dup))}")
    return gdf


def _read_point_table(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """A CSV/XLSX of key areas with ``lat``/``lon`` (or 纬度/经度) columns, as points."""
    suffix = os.path.splitext(str(path))[1].lower()
    try:
        table = (
            pd.read_excel(path, dtype=object)
            if suffix in (".xlsx", ".xlsm")
            else pd.read_csv(path, dtype=object, encoding="utf-8-sig")
        )
    except Exception as exc:  # many reader errors; all mean "cannot read"
        raise ConfigError(f"key-area file {path} cannot be read: {exc}") from exc
    table = table.rename(
        columns={
            "纬度": "lat",
            "经度": "lon",
            "名称": "name",
            "类别": "category",
            "半径米": "radius_m",
            "逢场日": "market_days",
            "乡镇代码": "township_code",
        }
    )
    if not {"lat", "lon"} <= set(table.columns):
        raise ConfigError(f"key-area file {path} needs lat and lon (纬度, 经度) columns")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    bad = table.index[lat.isna() | lon.isna()].tolist()
    if bad:
        raise ConfigError(
            f"key-area file {path}: rows {[b + 2 for b in bad]} have no usable "
            f"lat/lon (numbers in degrees, WGS-84)"
        )
    return gpd.GeoDataFrame(
        table.drop(columns=["lat", "lon"]), geometry=gpd.points_from_xy(lon, lat), crs=4326
    )


def load_key_areas(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Key areas with ``name``, ``category``, ``radius_m`` (default 300 m), in EPSG:4326.

    GeoJSON/Shapefile/GeoPackage, or a CSV/XLSX table with ``lat``/``lon`` columns.
    """
    if str(path).lower().endswith((".csv", ".xlsx", ".xlsm")):
        gdf = _read_point_table(path)
        missing = {"name", "category"} - set(gdf.columns)
        if missing:
            raise ConfigError(f"key-area file {path} lacks columns {sorted(missing)}")
    else:
        gdf = _read(path, "key-area", {"name", "category", "geometry"})
    bad = sorted(set(gdf["category"]) - set(KEY_AREA_CATEGORIES))
    if bad:
        raise ConfigError(
            f"key-area file {path}: categories {bad} unknown; allowed: {KEY_AREA_CATEGORIES}"
        )
    if "radius_m" not in gdf.columns:
        gdf["radius_m"] = 300.0
    gdf["radius_m"] = pd.to_numeric(gdf["radius_m"], errors="coerce").fillna(300.0)
    if "id" not in gdf.columns:
        gdf["id"] = [f"ka{i:03d}" for i in range(len(gdf))]
    return gdf


def load_routes(path: str | os.PathLike[str]) -> gpd.GeoDataFrame | None:
    """Key routes (lines) with ``name``; ``None`` when the file does not exist."""
    if not os.path.exists(path):
        return None
    return _read(path, "route", {"name", "geometry"})


def township_of(
    lon: npt.ArrayLike, lat: npt.ArrayLike, townships: gpd.GeoDataFrame
) -> npt.NDArray[np.object_]:
    """Code of the township polygon containing each point (``None`` outside all of them)."""
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    out = np.full(len(points), None, dtype=object)
    if len(points) == 0:
        return out
    point_idx, poly_idx = townships.sindex.query(points, predicate="intersects")
    # a point on a shared border belongs to the first polygon listed
    first = pd.Series(poly_idx).groupby(point_idx).min()
    out[first.index.to_numpy()] = townships["code"].to_numpy()[first.to_numpy()]
    return out


# ---------------------------------------------------------------- base-map vector layers

#: words of road-class columns (Chinese or OSM-style English) -> expressway / major / minor
ROAD_CLASS_WORDS: Final = {
    "expressway": ("高速", "expressway", "motorway", "freeway"),
    "major": (
        "国道",
        "省道",
        "县道",
        "主干",
        "快速",
        "一级",
        "二级",
        "national",
        "provincial",
        "county",
        "trunk",
        "primary",
        "secondary",
        "major",
    ),
}
BASE_LAYER_KINDS: Final = {
    "roads": ("LineString", "MultiLineString"),
    "villages": ("Point", "MultiPoint"),
    "rivers": ("LineString", "MultiLineString", "Polygon", "MultiPolygon"),
}


def road_class(value: object) -> str:
    """``expressway``, ``major`` or ``minor`` for a road-class value (``国道``, ``G42``, …)."""
    text = str(value or "").strip().lower()
    if text[:1] == "g" and text[1:].isdigit() and len(text) <= 3:  # G42: 国家高速 numbers
        return "expressway"
    for klass, words in ROAD_CLASS_WORDS.items():
        if any(w in text for w in words):
            return klass
    return "minor"


def load_base_layer(
    path: str | os.PathLike[str],
    kind: str,
    *,
    name_field: str = "name",
    class_field: str = "class",
    clip: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """A base-map layer (roads, villages or rivers) with ``name`` and ``class``, in EPSG:4326.

    Parameters
    ----------
    path : path
        GeoJSON, Shapefile or GeoPackage in any CRS (none given: WGS-84 / CGCS2000).
    kind : str
        ``roads``, ``villages`` or ``rivers``: geometries of other types are left out.
    name_field, class_field : str
        The file's own columns for the label and (roads, rivers) the class; a missing class
        column means every feature is ``minor`` (rivers: polygons are ``major``).
    clip : shapely geometry, optional
        Keep only features that intersect it (e.g. the user's townships).

    Returns
    -------
    GeoDataFrame
        ``name`` (text, may be empty), ``class`` and ``geometry``.

    Raises
    ------
    ConfigError
        The file cannot be read, lacks ``name_field``, or ``kind`` is unknown.
    """
    if kind not in BASE_LAYER_KINDS:
        raise ConfigError(f"kind was {kind!r} but is expected to be in {tuple(BASE_LAYER_KINDS)}")
    gdf = _read(path, kind, {name_field, "geometry"})
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf[gdf.geom_type.isin(BASE_LAYER_KINDS[kind])]
    if clip is not None:
        gdf = gdf[gdf.intersects(clip)]
    names = gdf[name_field].astype("string").fillna("").str.strip().astype(object)
    raw_class = gdf[class_field] if class_field in gdf.columns else pd.Series("", index=gdf.index)
    if kind == "roads":
        classes = [road_class(v) for v in raw_class]
    elif kind == "rivers":
        major = ("major", "主要", "干流")
        classes = [
            "major" if g.endswith("Polygon") or str(c).lower() in major else "minor"
            for g, c in zip(gdf.geom_type, raw_class, strict=True)
        ]
    else:
        classes = ["village"] * len(gdf)
    return gpd.GeoDataFrame(
        {"name": names.to_numpy(), "class": classes}, geometry=gdf.geometry.to_numpy(), crs=4326
    ).reset_index(drop=True)
