"""Township boundaries (the offline base map) and key routes."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.i18n import t
from layers.safe import escape_columns, text
from layers.style import lean


def township_layer(townships: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Township polygons with a light fill, their names as labels and tooltips."""
    group = folium.FeatureGroup(name=t("layer_townships", lang), show=True)
    folium.GeoJson(
        escape_columns(lean(townships[["code", "name", "geometry"]])),
        style_function=lambda f: {
            "fillColor": "#fbfbf7",
            "fillOpacity": 0.9,
            "color": "#5b6770",
            "weight": 1.0,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code"],
            aliases=[t("col_township", lang), "代码" if lang == "zh" else "Code"],
        ),
        embed=True,
    ).add_to(group)
    for _, row in townships.iterrows():
        p = row.geometry.representative_point()
        folium.Marker(
            [p.y, p.x],
            icon=folium.DivIcon(
                html=f'<div style="font:11px sans-serif;color:#56606a;white-space:nowrap;'
                f'transform:translate(-50%,-50%)">{text(row["name"])}</div>',
                icon_size=(0, 0),
                class_name="hexpatrol-township-label",
            ),
            interactive=False,
        ).add_to(group)
    return group


def route_layer(routes: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Key routes as dashed purple lines with their names."""
    group = folium.FeatureGroup(name=t("layer_routes", lang), show=True)
    folium.GeoJson(
        escape_columns(routes[["name", "geometry"]]),
        style_function=lambda f: {"color": "#6a3d9a", "weight": 3, "dashArray": "8 6"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[t("layer_routes", lang)]),
        embed=True,
    ).add_to(group)
    return group
