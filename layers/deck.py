"""A deck.gl view (pydeck) for city-scale hexagon counts, drawn by the deck.gl inside Streamlit.

Folium is comfortable up to a few thousand hexagons; beyond that the page sends megabytes of
GeoJSON and the browser slows. deck.gl draws H3 cells from their ids on the GPU, so 20k+
cells stay light. No base map style is set, so nothing is fetched from the internet.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.hotspots import GI_CLASSES
from geo.i18n import pick, t
from layers.hexes import with_labels
from layers.legend import Row, score_legend_rows
from layers.safe import escape_columns
from layers.safe import text as script_safe
from layers.style import GI_COLORS, class_colors, classify, lean, score_breaks


def _rgb(hex_color: str, alpha: int) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def deck_legend(
    cells: pd.DataFrame,
    *,
    mode: str = "gi",
    key_areas: gpd.GeoDataFrame | None = None,
    lang: str = "zh",
) -> list[tuple[str, Sequence[Row | tuple[str, str]]]]:
    """The deck.gl view's legend sections (for :func:`layers.legend.legend_html`)."""
    if mode == "gi":
        present = set(cells["gi_class"])
        rows: list[Row | tuple[str, str]] = [
            (GI_COLORS[c], pick(GI_CLASSES[c], lang)) for c in GI_CLASSES if c in present
        ]
        title = t("legend_gi", lang)
    elif mode == "forecast":  # the classes _hex_frame draws (breaks of 100 × the forecast)
        limits = score_breaks(cells["forecast"] * 100)
        rows = [
            (color, f"{low / 100:g} – {high / 100:g}")
            for color, low, high in zip(
                class_colors(len(limits)), [0.0, *limits[:-1]], limits, strict=True
            )
        ]
        title = t("legend_forecast", lang)
    else:
        busy = cells.loc[cells["n"] > 0, "score"]
        limits = score_breaks(busy)
        rows = list(score_legend_rows(limits, class_colors(len(limits))))
        title = t("layer_hex", lang)
    if mode != "forecast":
        rows.append(Row("outline", "#ffffff", t("legend_no_events_blank", lang)))
    sections: list[tuple[str, Sequence[Row | tuple[str, str]]]] = [(title, rows)]
    if key_areas is not None and len(key_areas):
        sections.append(
            (t("layer_key_areas", lang), [Row("dot", "#08306b", t("layer_key_areas", lang))])
        )
    sections.append(
        (t("layer_townships", lang), [Row("line", "#5b6770", t("layer_townships", lang), width=1)])
    )
    return sections


def _key_area_dots(key_areas: gpd.GeoDataFrame | None) -> list[pdk.Layer]:
    """Key areas as dark-blue dots (names escaped for the tooltip)."""
    if key_areas is None or not len(key_areas):
        return []
    pts = key_areas.geometry.representative_point()
    dots = escape_columns(pd.DataFrame({"lon": pts.x, "lat": pts.y, "name": key_areas["name"]}))
    return [
        pdk.Layer(
            "ScatterplotLayer",
            dots,
            get_position=["lon", "lat"],
            get_fill_color=[8, 48, 107, 230],
            get_radius=120,
            radius_min_pixels=3,
            pickable=True,
        )
    ]
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
    lang: str = "zh",
    focus: tuple[list[float], float] | None = None,
) -> pdk.Deck:
    """A pydeck Deck: hexagons (Gi* class, score or forecast), township outlines, key areas.

    ``mode`` is ``gi``, ``score`` or ``forecast`` (next month's expected events, from
    :func:`geo.views.forecast_view`). ``focus`` ((lat, lon), zoom) opens the view there (a
    hotspot chosen in the list); the tooltip speaks ``lang``. Explain it with
    :func:`deck_legend`.
    """
    frame = _hex_frame(with_labels(cells, lang), mode)
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
    layers = [outline, hexes, *_key_area_dots(key_areas)]
    minx, miny, maxx, maxy = townships.total_bounds
    (lat, lon), zoom = focus or (
        [(miny + maxy) / 2, (minx + maxx) / 2],
        float(np.clip(np.log2(360 / max(maxx - minx, 1e-3)) - 0.5, 3, 16)),
    )
    view = pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom - 1)  # deck tiles are 512 px
    # field names are fixed words of ours; the values are escaped above
    n_word, score_word, forecast_word = (
        script_safe(t(k, lang)) for k in ("col_n", "col_score", "col_forecast")
    )
    tooltip = {
        "html": f"{{township}} {{nearest_key_area}} {{name}}<br/>{forecast_word}: {{forecast}}"
        if mode == "forecast"
        else "{gi_label} {township} {nearest_key_area} {name}<br/>"
        f"{n_word}: {{n}} · {score_word}: {{score}}"
    }
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=None, tooltip=tooltip)
