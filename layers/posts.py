"""Patrol posts with numbered badges and their coverage circles."""

from __future__ import annotations

import folium
import pandas as pd

from geo.i18n import t
from layers.safe import Tooltip, text

POST_COLORS = {"fixed": "#08306b", "mobile": "#d94801"}


def posts_layer(posts: pd.DataFrame, *, radius_m: float, lang: str = "zh") -> folium.FeatureGroup:
    """One numbered badge and one coverage circle per post (``post, kind, lat, lon, name``)."""
    group = folium.FeatureGroup(name=t("layer_posts", lang), show=True)
    for row in posts.itertuples():
        color = POST_COLORS.get(str(row.kind), "#444")
        folium.Circle(
            location=[row.lat, row.lon],
            radius=float(radius_m),
            color=color,
            weight=2,
            fill=True,
            fill_opacity=0.08,
        ).add_to(group)
        label = text(row.post)
        tip = (
            f"<b>{text(row.name)}</b><br>{text(t(f'kind_{row.kind}', lang))}"
            f"<br>{text(t('col_risk_covered', lang))}: {float(row.risk_covered):.1f}"
        )
        folium.Marker(
            location=[row.lat, row.lon],
            icon=folium.DivIcon(
                html=(
                    f'<div class="hexpatrol-post" style="width:24px;height:24px;'
                    f"border-radius:4px;background:{color};color:#fff;"
                    f"font:bold 13px/24px sans-serif;text-align:center;border:2px solid #fff;"
                    f'box-shadow:0 0 3px #000">{label}</div>'
                ),
                icon_size=(24, 24),
                icon_anchor=(12, 12),
            ),
            tooltip=Tooltip(tip),
        ).add_to(group)
    return group
