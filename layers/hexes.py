"""H3 hexagons coloured by score, with a tooltip per cell."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.i18n import t
from layers.style import class_colors, classify, score_breaks

TOOLTIP_FIELDS = ("n", "n_case", "n_tip", "score", "township", "nearest_key_area", "key_area_m")


def hex_layer(
    cells: gpd.GeoDataFrame, *, lang: str = "zh", breaks: list[float] | None = None
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """FeatureGroup of hexagons from :func:`geo.cells.cells_to_frame` output.

    ``cells`` needs ``h3_cell``, ``score`` and the :data:`TOOLTIP_FIELDS` (as made by
    :func:`geo.cells.annotate_cells`). Returns the group, the class limits and their colours
    for the legend.
    """
    group = folium.FeatureGroup(name=t("layer_hex", lang), show=True)
    breaks = breaks if breaks is not None else score_breaks(cells["score"])
    colors = class_colors(len(breaks))
    if cells.empty:
        return group, breaks, colors
    frame = cells[["h3_cell", *TOOLTIP_FIELDS, "geometry"]].copy()
    frame["fill"] = [colors[i] for i in classify(frame["score"], breaks)]
    frame["score"] = frame["score"].round(1)
    frame["key_area_m"] = frame["key_area_m"].round(0)
    folium.GeoJson(
        frame,
        name=t("layer_hex", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.72,
            "color": "#7a4a12",
            "weight": 0.4,
        },
        highlight_function=lambda f: {"weight": 2.0, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(
            fields=list(TOOLTIP_FIELDS),
            aliases=[t(f"col_{f}", lang) for f in TOOLTIP_FIELDS],
            localize=True,
            sticky=True,
        ),
        embed=True,
    ).add_to(group)
    return group, breaks, colors
