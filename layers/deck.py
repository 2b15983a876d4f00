"""A deck.gl view (pydeck) for city-scale hexagon counts, drawn by the deck.gl inside Streamlit.

Folium is comfortable up to a few thousand hexagons; beyond that the page sends megabytes of
GeoJSON and the browser slows. deck.gl draws H3 cells from their ids on the GPU, so 20k+
cells stay light. No base map style is set, so nothing is fetched from the internet.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from layers.safe import escape_columns
from layers.style import GI_COLORS, class_colors, classify, lean, score_breaks


def _rgb(hex_color: str, alpha: int) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


COLUMNS = ("h3_cell", "n", "score", "gi_class", "gi_label", "township", "nearest_key_area")


def _hex_frame(cells: pd.DataFrame, mode: str) -> pd.DataFrame:
    """The hexagons to draw with their colour (by Gi* class, score or forecast)."""
    frame = cells[[c for c in (*COLUMNS, "forecast") if c in cells.columns]].copy()
    value = "forecast" if mode == "forecast" else "score"
    if mode == "gi":
        frame["color"] = [_rgb(GI_COLORS[c], 60 if c == "ns" else 200) for c in frame["gi_class"]]
    else:
        frame = frame[frame["n"] > 0] if mode == "score" else frame
        scaled = frame[value] * (100 if mode == "forecast" else 1)  # breaks round to 0.1
        limits = score_breaks(scaled)
        colors = class_colors(len(limits))
        frame["color"] = [_rgb(colors[i], 190) for i in classify(scaled, limits)]
    for col, digits in (("score", 1), ("forecast", 2)):
        if col in frame:
            frame[col] = frame[col].round(digits)
    return frame


def deck_map(
    cells: pd.DataFrame,
    townships: gpd.GeoDataFrame,
    *,
    mode: str = "gi",
    key_areas: gpd.GeoDataFrame | None = None,
) -> pdk.Deck:
    """A pydeck Deck: hexagons (Gi* class, score or forecast), township outlines, key areas.

    ``mode`` is ``gi``, ``score`` or ``forecast`` (next month's expected events, from
    :func:`geo.views.forecast_view`).
    """
    frame = _hex_frame(cells, mode)
    frame = escape_columns(frame)  # the tooltip writes names into innerHTML
    hexes = pdk.Layer(
        "H3HexagonLayer",
        frame,
        get_hexagon="h3_cell",
        get_fill_color="color",
        pickable=True,
        stroked=False,
        extruded=False,
    )
    outline = pdk.Layer(
        "GeoJsonLayer",
        escape_columns(lean(townships[["name", "geometry"]])).__geo_interface__,
        stroked=True,
        filled=False,
        get_line_color=[91, 103, 112, 255],
        line_width_min_pixels=1,
    )
    layers = [outline, hexes]
    if key_areas is not None and len(key_areas):
        pts = key_areas.geometry.representative_point()
        dots = pd.DataFrame({"lon": pts.x, "lat": pts.y, "name": key_areas["name"]})
        dots = escape_columns(dots)
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                dots,
                get_position=["lon", "lat"],
                get_fill_color=[8, 48, 107, 230],
                get_radius=120,
                radius_min_pixels=3,
                pickable=True,
            )
        )
    minx, miny, maxx, maxy = townships.total_bounds
    view = pdk.ViewState(
        latitude=(miny + maxy) / 2,
        longitude=(minx + maxx) / 2,
        zoom=float(np.clip(np.log2(360 / max(maxx - minx, 1e-3)) - 0.5, 3, 16)),
    )
    tooltip = {
        "html": "{township} {nearest_key_area} {name}<br/>{forecast}"
        if mode == "forecast"
        else "{gi_label} {township} {nearest_key_area} {name}<br/>n={n} score={score}"
    }
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=None, tooltip=tooltip)
