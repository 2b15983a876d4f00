"""Coordinate systems: the one place that knows GCJ-02, BD-09 and lat/lon order.

Chinese map apps report positions in GCJ-02 (Amap, Tencent) or BD-09 (Baidu). Everything
inside hexpatrol is WGS-84 (CGCS2000 is treated as WGS-84: they differ by centimetres).
All functions are vectorised over numpy arrays and take/return ``(lon, lat)`` in degrees.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pyproj

if TYPE_CHECKING:
    import geopandas as gpd

FloatArray = npt.NDArray[np.float64]

CRS_NAMES: Final = ("wgs84", "gcj02", "bd09")
_CRS_ALIASES: Final = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "cgcs2000": "wgs84",
    "epsg:4490": "wgs84",
    "gps": "wgs84",
    "天地图": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "火星": "gcj02",
    "火星坐标": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}

_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE: Final = 0.00669342162296594323  # its first eccentricity squared
_X_PI: Final = np.pi * 3000.0 / 180.0


def normalize_crs(name: str) -> str:
    """Return the canonical name (``wgs84``, ``gcj02`` or ``bd09``) of a coordinate system.

    Raises
    ------
    ValueError
        If the name is not one hexpatrol knows; the message lists what is allowed.
    """
    key = str(name).strip().lower().replace("_", "")
    key = _CRS_ALIASES.get(key, _CRS_ALIASES.get(key.replace("-", ""), ""))
    if not key:
        raise ValueError(f"coordinate system was {name!r} but is expected to be one of {CRS_NAMES}")
    return key


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether points fall in the rough box where GCJ-02 applies its offset."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon_a > 72.004) & (lon_a < 137.8347) & (lat_a > 0.8293) & (lat_a < 55.8271)


def _offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS-84 position (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift WGS-84 positions to GCJ-02 (what Amap displays)."""
    lon_a, lat_a = _arrays(lon, lat)
    dlon, dlat = _offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: FloatArray,
    lat: FloatArray,
    start_lon: FloatArray,
    start_lat: FloatArray,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Positions p with ``forward(p) == (lon, lat)``, by fixed-point iteration from a start."""
    xlon, xlat = start_lon, start_lat
    for _ in range(max_iter):
        flon, flat = forward(xlon, xlat)
        elon, elat = flon - lon, flat - lat
        xlon, xlat = xlon - elon, xlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return xlon, xlat


def gcj02_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Invert GCJ-02 to WGS-84 by fixed-point iteration (error below ``tol`` degrees).

    The common one-step inverse is off by up to ~1 m; iterating the forward transform
    converges to ~1e-9 degrees in a handful of steps.
    """
    glon, glat = _arrays(lon, lat)
    return _invert(wgs84_to_gcj02, glon, glat, glon.copy(), glat.copy(), tol, max_iter)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift GCJ-02 positions to BD-09 (Baidu)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Shift BD-09 (Baidu) positions to GCJ-02, inverting :func:`gcj02_to_bd09` exactly.

    The common closed-form inverse is off by up to ~2e-6 degrees (~0.2 m); it is the start
    of a fixed-point iteration on the forward transform that ends below ``tol`` degrees.
    """
    blon, blat = _arrays(lon, lat)
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    start = z * np.cos(theta), z * np.sin(theta)
    return _invert(gcj02_to_bd09, blon, blat, *start, tol, max_iter)


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 (Baidu) positions to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 positions to BD-09 (Baidu)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, crs: npt.ArrayLike | str
) -> tuple[FloatArray, FloatArray]:
    """Convert positions given in ``crs`` (one name, or one name per point) to WGS-84."""
    lon_a, lat_a = _arrays(lon, lat)
    if isinstance(crs, str):
        names = np.full(lon_a.shape, normalize_crs(crs), dtype=object)
    else:
        names = np.array([normalize_crs(c) for c in np.asarray(crs, dtype=object)], dtype=object)
    out_lon, out_lat = lon_a.copy(), lat_a.copy()
    for name, convert in (("gcj02", gcj02_to_wgs84), ("bd09", bd09_to_wgs84)):
        sel = names == name
        if sel.any():
            out_lon[sel], out_lat[sel] = convert(lon_a[sel], lat_a[sel])
    return out_lon, out_lat


#: Mean earth radius (IUGG), metres: the one used for every distance in hexpatrol.
EARTH_M: Final = 6_371_008.8


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres between points given in degrees (element-wise)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_M * np.arcsin(np.sqrt(np.clip(h, 0, 1))), dtype=np.float64)


@functools.lru_cache(maxsize=128)
def _epsg(code: int) -> pyproj.CRS:
    return pyproj.CRS.from_epsg(code)


def utm_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """The WGS 84 / UTM zone of the centre of ``frame``'s bounds (metres, for distances).

    What ``frame.estimate_utm_crs()`` returns, without its query of the PROJ database (about
    0.15 s a call, paid on every rerun of a page that names places): the zone is
    ``floor((lon + 180) / 6) + 1``, north (EPSG:326zz) or south (EPSG:327zz) of the equator.

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
        Anything with a CRS and at least one geometry.

    Returns
    -------
    pyproj.CRS
        The UTM zone's CRS (one object per zone, shared).

    Raises
    ------
    ValueError
        When ``frame`` has no CRS or no non-empty geometry.
    """
    if frame.crs is None:
        raise ValueError("cannot pick a UTM zone for geometries without a CRS")
    wgs = frame if frame.crs.equals(_epsg(4326)) else frame.to_crs(4326)
    west, south, east, north = wgs.total_bounds
    if not np.isfinite([west, south, east, north]).all():
        raise ValueError("cannot pick a UTM zone for empty geometries")
    lon, lat = (west + east) / 2.0, (south + north) / 2.0
    zone = min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)
    return _epsg((32600 if lat >= 0 else 32700) + zone)
