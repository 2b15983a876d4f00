"""Key areas as category badges with labels and their watch radius."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.i18n import t
from layers.labels import PRIORITY
from layers.legend import Row
from layers.safe import Tooltip, text
from layers.style import CATEGORY_BADGES, badge


def _badge(char: str, color: str, label: str) -> str:
    """A disc with the category character; the name beside it (moved by the declutter pass)."""
    return (
        f'<span class="hexpatrol-ka-badge hexpatrol-obstacle" style="position:absolute;left:0;'
        f"top:0;width:20px;height:20px;border-radius:10px;background:{color};color:#fff;"
        f"font:bold 12px/20px sans-serif;text-align:center;border:1.5px solid #fff;"
        f'box-sizing:border-box;box-shadow:0 0 2px #000">{text(char)}</span>'
        f'<span class="hexpatrol-ka-label hexpatrol-declutter hexpatrol-minz-12" '
        f'data-prio="{PRIORITY["ka"]}" data-alt="1" data-pos="r" style="position:absolute;'
        f"left:23px;top:1px;font:12px sans-serif;color:#222;white-space:nowrap;"
        f'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff">{text(label)}</span>'
    )


def key_area_rows(key_areas: gpd.GeoDataFrame, *, lang: str = "zh") -> list[Row]:
    """Legend rows: one badge per category present, and the dashed watch radius."""
    present = [c for c in CATEGORY_BADGES if c in set(key_areas["category"])]
    rows = [
        Row("badge", badge(c, lang)[1], t(f"cat_{c}", lang), char=badge(c, lang)[0])
        for c in present
    ]
    return [*rows, Row("circle", "#555555", t("legend_watch_radius", lang))] if rows else rows


def key_area_layer(key_areas: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """FeatureGroup with one badge marker and one radius circle per key area."""
    group = folium.FeatureGroup(name=t("layer_key_areas", lang), show=True)
    for _, row in key_areas.iterrows():
        point = row.geometry.representative_point()
        char, color = badge(row["category"], lang)
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
                icon_size=(20, 20),
                icon_anchor=(10, 10),
                class_name="hexpatrol-ka",
            ),
            tooltip=Tooltip(tip),
        ).add_to(group)
    return group
