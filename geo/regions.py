"""Jurisdictions and key areas: loading, validation and point-in-polygon look-ups."""

from __future__ import annotations

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


def _read(path: str | os.PathLike[str], what: str, required: set[str]) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path)
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


def load_townships(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Township polygons with string ``code`` and ``name``, in EPSG:4326."""
    gdf = _read(path, "township", {"code", "name", "geometry"})
    gdf["code"] = gdf["code"].astype(str).str.strip()
    dup = gdf["code"][gdf["code"].duplicated()]
    if not dup.empty:
        raise ConfigError(f"township file {path}: duplicate codes {sorted(set(dup))}")
    return gdf


def load_key_areas(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Key areas with ``name``, ``category``, ``radius_m`` (default 300 m), in EPSG:4326."""
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
