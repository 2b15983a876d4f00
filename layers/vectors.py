"""Base-map vector layers: roads, rivers and villages under the hexagons, labelled by zoom.

The frames come from :func:`geo.regions.load_base_layer` (``name``, ``class``, geometry in
WGS-84). Lines and dots are drawn in the ``hexpatrol-base`` pane, below the hexagons; names
are :mod:`layers.labels` labels that appear from a zoom level on and give way to each other.
"""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import shapely

from geo.i18n import t
from layers.kept import geojson, per_frame
from layers.labels import PRIORITY, Label, Labels
from layers.legend import Row
from layers.safe import escape_columns
from layers.style import lean

#: road class -> (colour, casing colour, weight in pixels, label from zoom)
ROAD_STYLE: Final = {
    "expressway": ("#f2a03d", "#a8601a", 4.0, 11),
    "major": ("#f7d774", "#a08632", 3.0, 12),
    "minor": ("#ffffff", "#8c8c8c", 2.0, 13),
}
RIVER_COLOR: Final = "#6fa8dc"
RIVER_FILL: Final = "#a9cbe8"
VILLAGE_COLOR: Final = "#6b6157"
#: simplification tolerance (degrees, ≈ 5 m): enough for a county map, far less JSON
_SIMPLIFY: Final = 5e-5


def _slim(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out.geometry = out.geometry.simplify(_SIMPLIFY)
    return lean(out)


def _anchor(geom: shapely.Geometry) -> shapely.Point:
    """Where a line's or area's name goes: the middle of its longest part."""
    parts = list(shapely.get_parts(geom))
    part = max(parts, key=lambda g: g.length) if parts else geom
    if part.geom_type == "LineString":
        return shapely.line_interpolate_point(part, 0.5, normalized=True)
    return part.representative_point()


def road_layer(roads: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Roads by class (expressway, major, minor), cased lines with names from zoom 11-13."""
    group = folium.FeatureGroup(name=t("layer_roads", lang), show=True)
    frame = per_frame(
        roads, "roads", lambda: geojson(escape_columns(_slim(roads[["name", "class", "geometry"]])))
    )
    for casing in (True, False):
        folium.GeoJson(
            frame,
            style_function=lambda f, casing=casing: {
                "color": ROAD_STYLE[f["properties"]["class"]][1 if casing else 0],
                "weight": ROAD_STYLE[f["properties"]["class"]][2] + (2 if casing else 0),
                "opacity": 0.9,
            },
            tooltip=None if casing else folium.GeoJsonTooltip(fields=["name"], labels=False),
            interactive=not casing,
            embed=True,
            pane="hexpatrol-base",
        ).add_to(group)
    Labels(per_frame(roads, "road-labels", lambda: _road_labels(roads))).add_to(group)
    return group


def _road_labels(roads: gpd.GeoDataFrame) -> list[Label]:
    labels = []
    for row in roads.itertuples():
        _, _, _, min_zoom = ROAD_STYLE[row[2]]
        p = _anchor(row.geometry)
        kind = f"hexpatrol-label-road road-{row[2]}"
        labels.append(Label(p.y, p.x, row.name, kind, min_zoom, PRIORITY[f"road-{row[2]}"]))
    return labels


def river_layer(rivers: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Rivers (lines) and water areas (polygons) in blue; names from zoom 9 (major) or 11."""
    group = folium.FeatureGroup(name=t("layer_rivers", lang), show=True)
    folium.GeoJson(
        per_frame(
            rivers,
            "rivers",
            lambda: geojson(escape_columns(_slim(rivers[["name", "class", "geometry"]]))),
        ),
        style_function=lambda f: {
            "color": RIVER_COLOR,
            "weight": 3 if f["properties"]["class"] == "major" else 2,
            "fillColor": RIVER_FILL,
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        embed=True,
        pane="hexpatrol-base",
    ).add_to(group)
    Labels(per_frame(rivers, "river-labels", lambda: _river_labels(rivers))).add_to(group)
    return group


def _river_labels(rivers: gpd.GeoDataFrame) -> list[Label]:
    return [
        Label(
            _anchor(row.geometry).y,
            _anchor(row.geometry).x,
            row.name,
            "hexpatrol-label-river",
            9 if row[2] == "major" else 11,
            PRIORITY["river"],
        )
        for row in rivers.itertuples()
    ]


def village_layer(villages: gpd.GeoDataFrame, *, lang: str = "zh") -> folium.FeatureGroup:
    """Villages as small dots from zoom 11 on, their names from zoom 13."""
    group = folium.FeatureGroup(name=t("layer_villages", lang), show=True)
    points = per_frame(villages, "village-points", lambda: _village_points(villages))
    folium.GeoJson(
        per_frame(villages, "villages", lambda: _village_json(points)),
        marker=folium.CircleMarker(
            radius=3,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=VILLAGE_COLOR,
            fill_opacity=0.9,
            class_name="hexpatrol-minz-11",
            pane="hexpatrol-base",
        ),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        embed=True,
        pane="hexpatrol-base",
    ).add_to(group)
    labels = [
        Label(p.y, p.x, name, "hexpatrol-label-village", 13, PRIORITY["village"])
        for p, name in zip(points.geometry, points["name"], strict=True)
    ]
    Labels(labels).add_to(group)
    return group


def _village_json(points: gpd.GeoDataFrame) -> dict[str, object]:
    return geojson(escape_columns(lean(points[["name", "geometry"]])))


def _village_points(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    points = villages.copy()
    points.geometry = points.geometry.representative_point()
    return points


def base_layers(
    layers: dict[str, gpd.GeoDataFrame], *, lang: str = "zh"
) -> tuple[list[folium.FeatureGroup], list[Row]]:
    """The layers present in ``layers`` (rivers, roads, villages) and their legend rows."""
    groups: list[folium.FeatureGroup] = []
    rows: list[Row] = []
    rivers, roads, villages = (layers.get(k) for k in ("rivers", "roads", "villages"))
    if rivers is not None and len(rivers):
        groups.append(river_layer(rivers, lang=lang))
        rows.append(Row("line", RIVER_COLOR, t("layer_rivers", lang), width=4))
    if roads is not None and len(roads):
        groups.append(road_layer(roads, lang=lang))
        for klass in ("expressway", "major", "minor"):
            if (roads["class"] == klass).any():
                color, edge, weight, _ = ROAD_STYLE[klass]
                label = t(f"legend_road_{klass}", lang)
                rows.append(Row("road", color, label, edge=edge, width=weight))
    if villages is not None and len(villages):
        groups.append(village_layer(villages, lang=lang))
        rows.append(Row("dot", VILLAGE_COLOR, t("layer_villages", lang)))
    return groups, rows
