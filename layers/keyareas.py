"""Key areas as category badges with labels and their watch radius."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.i18n import t
from layers.safe import Tooltip, text
from layers.style import CATEGORY_BADGES


def _badge(char: str, color: str, label: str) -> str:
    return (
        f'<div style="display:flex;align-items:center;gap:3px;white-space:nowrap;">'
        f'<span class="hexpatrol-ka-badge" style="display:inline-block;width:20px;height:20px;'
        f"border-radius:10px;"
        f"background:{color};color:#fff;font:bold 12px/20px sans-serif;text-align:center;"
        f'border:1.5px solid #fff;box-shadow:0 0 2px #000">{text(char)}</span>'
        f'<span class="hexpatrol-ka-label" style="font:12px sans-serif;color:#222;'
        f'text-shadow:0 0 3px #fff,0 0 3px #fff">{text(label)}</span></div>'
    )


def key_area_layer(key_areas: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """FeatureGroup with one badge marker and one radius circle per key area."""
    group = folium.FeatureGroup(name=t("layer_key_areas", lang), show=True)
    for _, row in key_areas.iterrows():
        point = row.geometry.representative_point()
        char, color = CATEGORY_BADGES.get(row["category"], ("?", "#555"))
        name = row["name"] if lang == "zh" or not row.get("name_en") else row["name_en"]
        category = t(f"cat_{row['category']}", lang)
        tip = f"<b>{text(name)}</b><br>{text(category)}"
        days = row.get("market_days")
        if isinstance(days, str) and days:
            tip += f"<br>{text(t('col_market_days', lang))}: {text(days)}"
        folium.Circle(
            location=[point.y, point.x],
            radius=float(row["radius_m"]),
            color=color,
            weight=1,
            fill=False,
            dash_array="4 4",
        ).add_to(group)
        folium.Marker(
            location=[point.y, point.x],
            icon=folium.DivIcon(
                html=_badge(char, color, str(name)),
                icon_size=(180, 22),
                icon_anchor=(10, 11),
                class_name="hexpatrol-ka",
            ),
            tooltip=Tooltip(tip),
        ).add_to(group)
    return group
