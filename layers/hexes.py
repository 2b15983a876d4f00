"""H3 hexagons coloured by score or by Gi* class, a trend overlay, with tooltips."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt

from geo.hotspots import GI_CLASSES, TREND_CATEGORIES
from geo.i18n import pick, t
from layers.legend import Row, score_legend_rows
from layers.safe import escape_columns
from layers.style import GI_COLORS, TREND_COLORS, class_colors, classify, lean, score_breaks

TOOLTIP_FIELDS = ("n", "n_case", "n_tip", "score", "township", "nearest_key_area", "key_area_m")
GI_FIELDS = ("gi_label", "gi_z", "trend_label")
FORECAST_FIELDS = ("forecast", "township", "nearest_key_area", "key_area_m")
MODES = ("score", "gi", "forecast")


def with_labels(cells: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    """Cells with their Gi* class and trend in words, and a note on hot cells without events.

    Views cached for every language hold codes only (``gi_class``, ``trend``); the words
    are added here, at the map's edge. A hot cell without events of its own is hot because
    of its neighbours, and its tooltip says so.
    """
    out = cells.copy()
    if "gi_class" in out:
        words = out["gi_class"].map(lambda c: pick(GI_CLASSES.get(c), lang))
        lonely = out["gi_class"].astype(str).str.startswith("hot") & (out["n"] == 0)
        out["gi_label"] = words.where(~lonely, words + t("hot_by_neighbours", lang))
    if "trend" in out:
        out["trend_label"] = out["trend"].map(lambda c: pick(TREND_CATEGORIES.get(c), lang))
    return out


def _tooltip_frame(cells: gpd.GeoDataFrame, fields: tuple[str, ...]) -> gpd.GeoDataFrame:
    # names (townships, key areas) are user data: escaped before the tooltip's innerHTML
    frame = escape_columns(lean(cells[["h3_cell", *fields, "geometry"]]))
    for col, digits in (("score", 1), ("key_area_m", 0), ("gi_z", 2), ("forecast", 2)):
        if col in frame:
            frame[col] = frame[col].round(digits)
    return frame


def _breaks(values: npt.ArrayLike, mode: str) -> list[float]:
    """Class limits: the score's, or for a forecast (small fractions) two significant digits."""
    if mode == "score":
        return score_breaks(values)
    v = np.asarray(values, dtype=float)
    if not v.size:
        return [0.0]
    top = float(f"{v.max():.3g}")  # values above it still fall in the last class
    limits = {float(f"{q:.2g}") for q in np.quantile(v, [0.5, 0.75, 0.9, 0.97])}
    return [*sorted(x for x in limits if x < top), top]


def _gi_style(
    frame: gpd.GeoDataFrame, classes: np.ndarray, lang: str
) -> list[tuple[str, str] | Row]:
    """Colour ``frame``'s cells by Gi* class (in place); the legend rows."""
    rows: list[tuple[str, str] | Row] = [
        (GI_COLORS[c], GI_CLASSES[c][0 if lang == "zh" else 1])
        for c in GI_CLASSES
        if c in set(classes)
    ]
    strong = np.isin(classes, ["hot_99", "hot_95"])
    frame["fill"] = [GI_COLORS[c] for c in classes]
    frame["opacity"] = np.where(classes == "ns", 0.35, 0.8)
    # strong hot cells get a dark edge so they stand out even at county zoom
    frame["edge"] = np.where(strong, "#67000d", "#7a4a12")
    frame["edge_w"] = np.where(strong, 1.6, 0.4)
    rows.append(Row("outline", "#ffffff", t("legend_no_events_blank", lang)))
    return rows


def hex_layer(
    cells: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    mode: str = "score",
    breaks: list[float] | None = None,
) -> tuple[folium.FeatureGroup, list[tuple[str, str] | Row]]:
    """FeatureGroup of hexagons and the legend rows (colour, label) that explain it.

    ``mode="score"`` colours by weighted score in quantile classes; ``mode="gi"`` by Gi*
    class (needs ``gi_class``, ``gi_label``, ``gi_z``, ``trend_label`` as made by
    :func:`geo.views.hotspot_view`); ``cells`` then needs ``h3_cell`` and
    :data:`TOOLTIP_FIELDS`. ``mode="forecast"`` colours by next month's expected events in
    quantile classes and needs :data:`FORECAST_FIELDS` (:func:`geo.views.forecast_view`).
    """
    if mode not in MODES:
        raise ValueError(f"mode was {mode!r} but is expected to be in {MODES}")
    cells = with_labels(cells, lang)
    group = folium.FeatureGroup(name=t("layer_hex", lang), show=True)
    # cells without events are left blank (the legend says so), except Gi* cold spots; a
    # forecast draws the cells it was given (the riskiest ones)
    if mode == "forecast":
        shown = cells
    else:
        shown = cells[(cells["n"] > 0) | (cells["gi_class"] != "ns" if mode == "gi" else False)]
    if shown.empty:
        return group, []
    fields = (
        FORECAST_FIELDS
        if mode == "forecast"
        else TOOLTIP_FIELDS + (GI_FIELDS if mode == "gi" else ())
    )
    frame = _tooltip_frame(shown, fields)
    rows: list[tuple[str, str] | Row]
    if mode in ("score", "forecast"):
        value = "score" if mode == "score" else "forecast"
        limits = breaks if breaks is not None else _breaks(shown[value], mode)
        colors = class_colors(len(limits))
        blank = Row("outline", "#ffffff", t("legend_no_events_blank", lang))
        rows = [*score_legend_rows(limits, colors), *([blank] if mode == "score" else [])]
        frame["fill"] = [colors[i] for i in classify(frame[value], limits)]
        frame["opacity"] = 0.72
        frame["edge"] = "#7a4a12"
        frame["edge_w"] = 0.4
    else:
        rows = _gi_style(frame, shown["gi_class"].to_numpy(), lang)
    folium.GeoJson(
        frame,
        name=t("layer_hex", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": f["properties"]["opacity"],
            "color": f["properties"]["edge"],
            "weight": f["properties"]["edge_w"],
        },
        highlight_function=lambda f: {"weight": 2.0, "color": "#222"},
        tooltip=folium.GeoJsonTooltip(
            fields=list(fields),
            aliases=[t(f"col_{f}", lang) for f in fields],
            localize=True,
            sticky=True,
        ),
        embed=True,
    ).add_to(group)
    return group, rows


def trend_layer(
    cells: gpd.GeoDataFrame, *, lang: str = "zh"
) -> tuple[folium.FeatureGroup, list[tuple[str, str]]]:
    """Outlines of cells with an emerging-trend category (not "no pattern"), and legend rows."""
    group = folium.FeatureGroup(name=t("layer_trend", lang), show=True)
    cells = with_labels(cells, lang)
    shown = cells[cells["trend"] != "no_pattern"]
    if shown.empty:
        return group, []
    frame = _tooltip_frame(shown, ("trend_label", "n", "gi_label"))
    frame["edge"] = shown["trend"].map(TREND_COLORS).fillna("#555").to_numpy()
    folium.GeoJson(
        frame,
        style_function=lambda f: {
            "fill": False,
            "color": f["properties"]["edge"],
            "weight": 2.5,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["trend_label", "n", "gi_label"],
            aliases=[t("col_trend_label", lang), t("col_n", lang), t("col_gi_label", lang)],
        ),
        embed=True,
    ).add_to(group)
    present = [c for c in TREND_CATEGORIES if c in set(shown["trend"])]
    return group, [(TREND_COLORS.get(c, "#555"), pick(TREND_CATEGORIES[c], lang)) for c in present]
