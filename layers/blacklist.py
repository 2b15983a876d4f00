"""黑名单 layers: blacklisted vehicles at their last position, flagged key areas' circles.

Both draw tables of :mod:`geo.blacklist` as they are: plates are shown exactly as the table
holds them, so pass a masked table (the default of
:func:`geo.blacklist.vehicle_blacklist`) to anyone but a commander.
"""

from __future__ import annotations

import math
from typing import Final

import folium
import geopandas as gpd
import pandas as pd

from geo.blacklist import key_area_ids
from geo.i18n import STRINGS, t
from layers.safe import Tooltip, text

#: Outline of blacklisted vehicles and flagged key areas (dark red).
WATCH_COLOR: Final = "#7f0000"
_FILL: Final = "#bd0026"
#: Decimals of coordinates sent to the browser (1e-5° ≈ 1 m, as layers.style.GRID_DEG).
_DECIMALS: Final = 5


def _day(value: object) -> str:
    stamp = pd.Timestamp(value) if value is not None else pd.NaT
    return "" if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def vehicle_layer(table: pd.DataFrame, lang: str = "zh") -> folium.FeatureGroup:
    """FeatureGroup with one dark-red marker per listed vehicle at its last position.

    ``table`` is :func:`geo.blacklist.vehicle_blacklist`'s output; the tooltip shows its
    ``plate`` (as given: masked by default), the event counts and first/last seen dates.
    Rows without a finite position are skipped.
    """
    group = folium.FeatureGroup(name=t("layer_bl_vehicles", lang), show=True)
    for row in table.itertuples(index=False):
        lat, lon = float(row.last_lat), float(row.last_lon)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        counts = t("bl_counts", lang, n=row.n_events, cases=row.n_cases, tips=row.n_tips)
        seen = t("bl_seen", lang, first=_day(row.first_seen), last=_day(row.last_seen))
        tip = (
            f"<b>{text(row.plate)}</b><br>{text(counts)}<br>{text(seen)}"
        )
        folium.CircleMarker(
            location=[round(lat, _DECIMALS), round(lon, _DECIMALS)],
            radius=6,
            color=WATCH_COLOR,
            weight=2,
            fill=True,
            fill_color=_FILL,
            fill_opacity=0.8,
            tooltip=Tooltip(tip),
        ).add_to(group)
    return group


def watchlist_layer(
    table: pd.DataFrame, key_areas: gpd.GeoDataFrame, lang: str = "zh"
) -> folium.FeatureGroup:
    """FeatureGroup with a dark-red circle (``radius_m``) around each flagged key area.

    ``table`` is :func:`geo.blacklist.key_area_watchlist`'s output, matched to
    ``key_areas`` by ``id``; unflagged areas and ids not in ``key_areas`` are not drawn.
    The tooltip names the area and its category, this and the previous window's event
    counts, the growth and the reasons.
    """
    group = folium.FeatureGroup(name=t("layer_bl_areas", lang), show=True)
    if table.empty or key_areas.empty:
        return group
    areas = key_areas
    if areas.crs is not None and not areas.crs.equals("EPSG:4326"):
        areas = areas.to_crs(4326)
    position = {ka_id: i for i, ka_id in enumerate(key_area_ids(areas))}
    reasons = {"count": t("bl_reason_count", lang), "growth": t("bl_reason_growth", lang)}
    for row in table[table["flagged"].astype(bool)].itertuples(index=False):
        i = position.get(str(row.id))
        if i is None:
            continue
        area = areas.iloc[i]
        point = area.geometry.representative_point()
        name = str(row.name)
        if lang != "zh" and isinstance(area.get("name_en"), str) and area.get("name_en"):
            name = str(area["name_en"])
        category_key = f"cat_{row.category}"
        lines = [
            f"<b>{text(name)}</b>",
            text(t(category_key, lang) if category_key in STRINGS else ""),
            text(t("bl_area_counts", lang, n=row.n_window, prev=row.n_previous)),
        ]
        growth = float(row.growth)
        if math.isfinite(growth):
            lines.append(text(t("bl_growth", lang, x=growth)))
        why = [reasons[r] for r in str(row.reason).split("+") if r in reasons]
        lines.append(text(";".join(why) if lang == "zh" else "; ".join(why)))
        folium.Circle(
            location=[round(point.y, _DECIMALS), round(point.x, _DECIMALS)],
            radius=float(row.radius_m),
            color=WATCH_COLOR,
            weight=3,
            fill=True,
            fill_color=_FILL,
            fill_opacity=0.08,
            tooltip=Tooltip("<br>".join(line for line in lines if line)),
        ).add_to(group)
    return group
