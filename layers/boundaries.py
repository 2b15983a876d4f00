"""Township boundaries (the offline base map) and key routes."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.i18n import t
from layers.kept import geojson, per_frame
from layers.labels import PRIORITY, Label, Labels
from layers.safe import escape_columns
from layers.style import lean


def township_layer(
    townships: gpd.GeoDataFrame, *, lang: str = "zh", over_tiles: bool = False
) -> folium.FeatureGroup:
    """Township polygons with their names as labels and tooltips.

    Without tiles (``over_tiles=False``) the polygons are the base map and get a light fill;
    over tiles they are outlines with a faint fill, so the tiles show through.
    """
    group = folium.FeatureGroup(name=t("layer_townships", lang), show=True)
    fill = 0.12 if over_tiles else 0.9
    folium.GeoJson(
        per_frame(
            townships,
            "townships",
            lambda: geojson(escape_columns(lean(townships[["code", "name", "geometry"]]))),
        ),
        style_function=lambda f: {
            "fillColor": "#fbfbf7",
            "fillOpacity": fill,
            "color": "#5b6770",
            "weight": 1.2 if over_tiles else 1.0,
            "dashArray": "6 3" if over_tiles else None,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code"],
            aliases=[t("col_township", lang), "代码" if lang == "zh" else "Code"],
        ),
        embed=True,
        pane="hexpatrol-towns",
    ).add_to(group)
    Labels(per_frame(townships, "township-labels", lambda: _labels(townships))).add_to(group)
    return group


def _labels(townships: gpd.GeoDataFrame) -> list[Label]:
    labels = []
    for _, row in townships.iterrows():
        p = row.geometry.representative_point()
        kind = "hexpatrol-township-label hexpatrol-label-township"
        labels.append(Label(p.y, p.x, str(row["name"]), kind, 1, PRIORITY["township"]))
    return labels


def route_layer(routes: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Key routes as dashed purple lines with their names."""
    group = folium.FeatureGroup(name=t("layer_routes", lang), show=True)
    folium.GeoJson(
        per_frame(routes, "routes", lambda: geojson(escape_columns(routes[["name", "geometry"]]))),
        style_function=lambda f: {"color": "#6a3d9a", "weight": 3, "dashArray": "8 6"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[t("layer_routes", lang)]),
        embed=True,
    ).add_to(group)
    return group
