"""Suspect vehicle activity (嫌疑车辆活动): the hexagons of checkpoints listed suspects passed.

Takes :func:`geo.activity.suspect_activity`'s table (counts per H3 cell, no plate) with
hexagon polygons; draws each cell in one of three purples by its grade-weighted activity,
with a thick dark outline so a single cell stays visible at county zoom, and a tooltip of
its passes, vehicles and passes per key period in the user's language.
"""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import numpy as np

from geo.activity import TOOLTIP_PERIODS
from geo.i18n import t
from layers.legend import Row, score_legend_rows
from layers.safe import escape_columns
from layers.style import SUSPECT_COLORS, SUSPECT_EDGE, classify, lean

#: tooltip fields, in order (``township`` only when the frame has names)
FIELDS: Final = (
    "township",
    "passes",
    "vehicles",
    "vehicles_high",
    "activity",
    *(f"passes_{p}" for p in TOOLTIP_PERIODS),
)


def activity_breaks(values: np.ndarray) -> list[float]:
    """Upper limits of up to three classes of activity (thirds of the cells), distinct."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return [0.0]
    limits = sorted({round(float(q), 1) for q in np.quantile(v, [1 / 3, 2 / 3])} - {0.0})
    return [x for x in limits if x < v.max()] + [round(float(v.max()), 1)]


def suspect_layer(
    cells: gpd.GeoDataFrame, *, lang: str = "zh", show: bool = True
) -> tuple[folium.FeatureGroup, list[Row | tuple[str, str]]]:
    """The activity hexagons as a layer of their own, and the legend rows that explain them.

    Parameters
    ----------
    cells : GeoDataFrame
        :data:`geo.activity.ACTIVITY_COLUMNS` with hexagon polygons
        (:func:`geo.cells.cells_to_frame`) and optionally ``township`` (names).
    lang : {"zh", "en"}
        Language of the layer's name, tooltip and legend.
    show : bool, default True
        Whether the layer is on when the map opens (it can be switched in the map's
        layer control either way).

    Returns
    -------
    group : FeatureGroup
        Named 嫌疑车辆活动 in the layer control; empty when ``cells`` is.
    rows : list
        Legend rows: the activity classes (empty when nothing is drawn).
    """
    group = folium.FeatureGroup(name=t("layer_suspects", lang), show=show)
    if cells.empty:
        return group, []
    fields = [f for f in FIELDS if f in cells.columns]
    frame = escape_columns(lean(cells[["h3_cell", *fields, "geometry"]]))
    frame["activity"] = frame["activity"].astype(float).round(1)
    limits = activity_breaks(frame["activity"].to_numpy())
    colors = list(SUSPECT_COLORS[-len(limits) :])
    frame["fill"] = [colors[i] for i in classify(frame["activity"], limits)]
    folium.GeoJson(
        frame,
        name=t("layer_suspects", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.75,
            "color": SUSPECT_EDGE,
            "weight": 3,
        },
        highlight_function=lambda f: {"weight": 4.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            fields=fields,
            aliases=[t(f"sa_col_{f}", lang) for f in fields],
            localize=True,
            sticky=True,
        ),
        embed=True,
    ).add_to(group)
    rows: list[Row | tuple[str, str]] = [
        Row("fill", color, text, edge=SUSPECT_EDGE, opacity=0.75)
        for color, text in score_legend_rows(limits, colors)
    ]
    return group, rows
