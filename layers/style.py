"""Colours, class breaks and category badges shared by the layers."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

#: ColorBrewer YlOrRd, 5 classes (light = low, dark red = high).
SCORE_COLORS: Final = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")

#: category -> (badge character, badge colour)
CATEGORY_BADGES: Final[dict[str, tuple[str, str]]] = {
    "hsr_station": ("铁", "#1f4e9c"),
    "bus_terminal": ("站", "#2b7bba"),
    "shopping": ("商", "#8e44ad"),
    "residential": ("住", "#6d6875"),
    "hospital": ("医", "#c0392b"),
    "school": ("校", "#e67e22"),
    "rural_market": ("集", "#2e8b57"),
    "expressway_exit": ("高", "#34495e"),
    "service_area": ("服", "#34495e"),
    "scenic": ("景", "#16a085"),
}

#: category -> badge letter in English (the Chinese badge character is Chinese text)
CATEGORY_LETTERS: Final[dict[str, str]] = {
    "hsr_station": "T",
    "bus_terminal": "B",
    "shopping": "M",
    "residential": "R",
    "hospital": "H",
    "school": "S",
    "rural_market": "F",
    "expressway_exit": "X",
    "service_area": "A",
    "scenic": "V",
}


def badge(category: str, lang: str = "zh") -> tuple[str, str]:
    """Badge character (a letter in English) and colour of a key-area category."""
    char, color = CATEGORY_BADGES.get(category, ("?", "#555"))
    return (char if lang == "zh" else CATEGORY_LETTERS.get(category, "?")), color


KIND_COLORS: Final = {"case": "#b2182b", "tip": "#2166ac"}

#: suspect vehicle activity (ColorBrewer Purples, 3 classes) and its hexagons' outline
SUSPECT_COLORS: Final = ("#cbc9e2", "#9e9ac8", "#6a51a3")
SUSPECT_EDGE: Final = "#3f007d"

#: Gi* class -> fill colour (ColorBrewer RdBu, hot = red)
GI_COLORS: Final = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "ns": "#dddddd",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
}

#: emerging-trend category -> outline colour
TREND_COLORS: Final = {
    "new_hot": "#e7298a",
    "consecutive_hot": "#d95f02",
    "intensifying_hot": "#7a0177",
    "persistent_hot": "#1b7837",
    "diminishing_hot": "#66a61e",
    "sporadic_hot": "#e6ab02",
    "oscillating_hot": "#a6761d",
    "historical_hot": "#666666",
    "new_cold": "#1f78b4",
    "consecutive_cold": "#1f78b4",
    "intensifying_cold": "#08519c",
    "persistent_cold": "#08519c",
    "diminishing_cold": "#6baed6",
    "sporadic_cold": "#6baed6",
    "oscillating_cold": "#6baed6",
    "historical_cold": "#9ecae1",
}


def score_breaks(scores: npt.ArrayLike, n_classes: int = len(SCORE_COLORS)) -> list[float]:
    """Upper class limits for ``scores``: quantiles of the non-zero values, made distinct.

    Returns at most ``n_classes`` increasing limits; the last equals the maximum.
    """
    values = np.asarray(scores, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return [0.0]
    qs = np.quantile(values, [0.5, 0.75, 0.9, 0.97, 1.0][-n_classes:])
    breaks = sorted({float(round(q, 1) if q < 10 else round(q)) for q in qs})
    breaks[-1] = float(values.max())
    return breaks


def classify(scores: npt.ArrayLike, breaks: list[float]) -> npt.NDArray[np.int_]:
    """Class index (0 = lowest) of each score for the given upper limits."""
    idx = np.searchsorted(np.asarray(breaks), np.asarray(scores, dtype=float), side="left")
    return np.clip(idx, 0, len(breaks) - 1)


def class_colors(n_breaks: int) -> list[str]:
    """The palette colours used for ``n_breaks`` classes (darkest always last)."""
    return list(SCORE_COLORS[-n_breaks:])


#: Coordinates sent to the browser are rounded to this grid (degrees): 1e-5° ≈ 1 m.
GRID_DEG: Final = 1e-5


def lean(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy with coordinates snapped to :data:`GRID_DEG`, so the map's JSON stays small."""
    out = frame.copy()
    out.geometry = shapely.set_precision(out.geometry.values, GRID_DEG)
    return out
