"""Place names for positions: "青龙街道 · 云阳县人民医院 约330米" instead of a hexagon id.

A commander reads places, not H3 ids. :func:`nearest_places` finds for each point its
township, the nearest key area within reach, or else the nearest village of the base map's
village layer, and the distance; :func:`place_text` words it in the user's language;
:func:`hotspot_ranking` lists the top cells of a hotspot view with their places.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.coords import utm_crs
from geo.i18n import t
from geo.regions import township_of

#: a key area farther than this is no landmark for a place (a village is tried instead)
KEY_AREA_REACH_M: Final = 1500.0
#: a village farther than this is no landmark either (only the township is named)
VILLAGE_REACH_M: Final = 3000.0


def _nearest(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], points: gpd.GeoDataFrame | None
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """Name of and distance (m) to the nearest of ``points`` for each position."""
    names = np.full(len(lon), "", dtype=object)
    dist = np.full(len(lon), np.inf)
    if points is None or points.empty or not len(lon):
        return names, dist
    here = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    metric = utm_crs(here)
    where = points.to_crs(metric)
    where = where.set_geometry(where.geometry.representative_point())
    (i, j), d = where.sindex.nearest(here.to_crs(metric).geometry, return_distance=True)
    names[i] = where["name"].astype(str).to_numpy()[j]
    dist[i] = d
    return names, dist


def nearest_places(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    townships: gpd.GeoDataFrame,
    key_areas: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The township and the nearest landmark of each position.

    Parameters
    ----------
    lat, lon : array-like
        Positions in degrees (WGS-84).
    townships : GeoDataFrame
        ``code``, ``name`` polygons.
    key_areas, villages : GeoDataFrame, optional
        Landmarks with ``name``: a key area within :data:`KEY_AREA_REACH_M` is preferred,
        then a village within :data:`VILLAGE_REACH_M`.

    Returns
    -------
    DataFrame
        ``township`` (name, "" outside every township), ``place`` (landmark name or "") and
        ``place_m`` (metres to it, rounded to 10; NaN without a landmark), one row per input.
    """
    lat_a = np.asarray(lat, dtype=float)
    lon_a = np.asarray(lon, dtype=float)
    codes = township_of(lon_a, lat_a, townships)
    names = dict(zip(townships["code"], townships["name"], strict=True))
    ka_name, ka_m = _nearest(lon_a, lat_a, key_areas)
    vi_name, vi_m = _nearest(lon_a, lat_a, villages)
    use_ka = ka_m <= KEY_AREA_REACH_M
    use_vi = ~use_ka & (vi_m <= VILLAGE_REACH_M)
    place = np.where(use_ka, ka_name, np.where(use_vi, vi_name, ""))
    meters = np.where(use_ka, ka_m, np.where(use_vi, vi_m, np.nan))
    return pd.DataFrame(
        {
            "township": [names.get(c, "") if c else "" for c in codes],
            "place": place,
            "place_m": np.round(meters, -1),
        }
    )


def distance_text(meters: float, lang: str = "zh") -> str:
    """``约330米`` / ``约1.2公里`` (``about 330 m`` / ``about 1.2 km``)."""
    if not np.isfinite(meters):
        return ""
    if meters < 1000:
        return t("place_m", lang, m=int(round(meters, -1)))
    return t("place_km", lang, km=f"{meters / 1000:.1f}")


def place_text(township: str, place: str, meters: float, lang: str = "zh") -> str:
    """``青龙街道 · 云阳县人民医院 约330米``; the township alone without a landmark."""
    parts = [p for p in (township, place) if p]
    text = " · ".join(parts) if parts else t("place_unknown", lang)
    far = distance_text(meters, lang) if place else ""
    return f"{text} {far}".strip()


def hotspot_ranking(
    cells: pd.DataFrame,
    *,
    townships: gpd.GeoDataFrame,
    key_areas: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
    top: int = 10,
) -> pd.DataFrame:
    """The ``top`` cells to look at first, with their places.

    Cells with events only: significant hot spots first (99%, 95%, 90%, each by Gi* z),
    then the busiest of the rest by score.

    Returns
    -------
    DataFrame
        ``rank``, ``h3_cell``, ``lat``, ``lon``, ``township``, ``place``, ``place_m``,
        ``n``, ``score``, ``gi_class`` and ``trend`` (``no_pattern`` when unknown).
    """
    busy = cells[cells["n"] > 0].copy()
    gi = busy["gi_class"] if "gi_class" in busy else pd.Series("ns", index=busy.index)
    order = {"hot_99": 0, "hot_95": 1, "hot_90": 2}
    busy["_tier"] = gi.map(order).fillna(3)
    busy["_z"] = busy["gi_z"] if "gi_z" in busy else 0.0
    busy = busy.sort_values(["_tier", "_z", "score"], ascending=[True, False, False]).head(top)
    centres = np.array([h3.cell_to_latlng(c) for c in busy["h3_cell"]]).reshape(-1, 2)
    places = nearest_places(
        centres[:, 0],
        centres[:, 1],
        townships=townships,
        key_areas=key_areas,
        villages=villages,
    )
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(busy) + 1),
            "h3_cell": busy["h3_cell"].to_numpy(),
            "lat": np.round(centres[:, 0], 5),
            "lon": np.round(centres[:, 1], 5),
            "township": places["township"].to_numpy(),
            "place": places["place"].to_numpy(),
            "place_m": places["place_m"].to_numpy(),
            "n": busy["n"].astype(int).to_numpy(),
            "score": busy["score"].to_numpy(dtype=float),
            "gi_class": gi.loc[busy.index].to_numpy(),
            "trend": (
                busy["trend"] if "trend" in busy else pd.Series("no_pattern", index=busy.index)
            )
            .fillna("no_pattern")
            .to_numpy(),
        }
    )
