"""Printed maps (briefing, patrol plan) drawn with matplotlib: one look for both.

The helpers draw the base map (township fills and outlines, rivers, roads, villages) in a
metric CRS, a scale bar in metres or kilometres, a north arrow, and labels that give way to
each other (a label that would overlap one already placed tries the other sides of its
point, then is left out). Chinese text uses the CJK font of :mod:`geo.fonts`, registered
by its file.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Final

import geopandas as gpd
import numpy as np

from geo.fonts import matplotlib_family

GI_COLORS: Final = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "ns": "#eeeeee",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
}
ROAD_STYLE: Final = {  # class -> (colour, width in points)
    "expressway": ("#e08a2c", 1.6),
    "major": ("#c9a227", 1.1),
    "minor": ("#9a9a9a", 0.6),
}
RIVER_COLOR: Final = "#8fbde3"
POST_COLORS: Final = {"fixed": "#08306b", "mobile": "#d94801"}


_DRAWING = threading.RLock()  # matplotlib's settings are global: one drawing at a time


def _figure(**kwargs: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _subplots(**kwargs: Any) -> tuple[Any, Any]:
    fig = _figure(**kwargs)
    return fig, fig.subplots()


@contextmanager
def cjk_figure(font_file: str | None = None) -> Iterator[Any]:
    """Figure makers (``figure``, ``subplots``) drawing with the CJK font, on the Agg canvas.

    Figures are made without ``pyplot``, whose global figure list and backend switching are
    not safe when several sessions of the app draw at once; drawings are serialised because
    the font settings (``rcParams``) are global too.
    """
    import matplotlib

    family = matplotlib_family(font_file)
    rc: dict[str, Any] = {"font.family": [family, "DejaVu Sans"]} if family else {}
    rc["axes.unicode_minus"] = False
    with _DRAWING, matplotlib.rc_context(rc):  # type: ignore[arg-type]
        yield SimpleNamespace(figure=_figure, subplots=_subplots)


def png(fig: Any, *, dpi: int = 200) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def draw_base(
    ax: Any,
    townships: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame],
    crs: Any,
    *,
    villages: bool = False,
) -> None:
    """Townships (light fill, grey outline), rivers, roads and (optionally) village dots."""
    townships.to_crs(crs).plot(ax=ax, facecolor="#f7f5ee", edgecolor="#8a939a", linewidth=0.5)
    rivers = layers.get("rivers")
    if rivers is not None and len(rivers):
        r = rivers.to_crs(crs)
        areas = r[r.geom_type.str.endswith("Polygon")]
        lines = r[~r.geom_type.str.endswith("Polygon")]
        if len(areas):
            areas.plot(ax=ax, color=RIVER_COLOR, linewidth=0)
        if len(lines):
            lines.plot(ax=ax, color=RIVER_COLOR, linewidth=1.0)
    roads = layers.get("roads")
    if roads is not None and len(roads):
        r = roads.to_crs(crs)
        for klass in ("minor", "major", "expressway"):
            part = r[r["class"] == klass]
            if len(part):
                color, width = ROAD_STYLE[klass]
                part.plot(ax=ax, color=color, linewidth=width, zorder=2)
    dots = layers.get("villages")
    if villages and dots is not None and len(dots):
        v = dots.to_crs(crs)
        ax.scatter(v.geometry.x, v.geometry.y, s=3, color="#7d7468", zorder=2, linewidths=0)


def nice_length(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k metres) near a fifth of ``width_m``."""
    target = max(width_m / 5, 1.0)
    base = 10 ** np.floor(np.log10(target))
    return float(base * (5 if target / base >= 5 else 2 if target / base >= 2 else 1))


def scale_bar(ax: Any, extent: Sequence[float], *, fontsize: float = 7) -> None:
    """A metric scale bar in the lower left of ``extent`` (minx, miny, maxx, maxy metres)."""
    minx, miny, maxx, maxy = extent
    length = nice_length(maxx - minx)
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=2.5, solid_capstyle="butt")
    ax.plot([x0, x0 + length / 2], [y0, y0], color="white", linewidth=1.2, solid_capstyle="butt")
    label = f"{length / 1000:g} 千米" if length >= 1000 else f"{length:g} 米"
    ax.text(x0 + length / 2, y0 + (maxy - miny) * 0.015, label, ha="center", fontsize=fontsize)


def north_arrow(ax: Any, *, fontsize: float = 9) -> None:
    """An arrow and 北 in the upper right corner of the axes."""
    ax.annotate(
        "北",
        xy=(0.95, 0.96),
        xytext=(0.95, 0.88),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=fontsize,
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


@dataclass(frozen=True)
class MapLabel:
    """A label to place: position (map units), text, priority (high first) and style."""

    x: float
    y: float
    text: str
    priority: int = 0
    size: float = 7.0
    color: str = "#222222"
    bold: bool = False
    around: bool = True  # may sit left/above/below its point when right is taken


_SPOTS: Final = ((4, 0, "left", "center"), (-4, 0, "right", "center"), (0, 5, "center", "bottom"))
_SPOTS_ALL: Final = (*_SPOTS, (0, -5, "center", "top"))


def place_labels(ax: Any, labels: Sequence[MapLabel], *, centred: bool = False) -> int:
    """Draw labels by priority, each where it overlaps none drawn before; how many were left out.

    ``centred`` puts labels on their point (area names) instead of beside it.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    taken: list[Any] = []
    frame = ax.get_window_extent(renderer)
    dropped = 0
    for lb in sorted(labels, key=lambda item: -item.priority):
        spots = (
            [(0, 0, "center", "center")] if centred else (_SPOTS_ALL if lb.around else _SPOTS[:1])
        )
        for dx, dy, ha, va in spots:
            art = ax.annotate(
                lb.text,
                (lb.x, lb.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=lb.size,
                color=lb.color,
                fontweight="bold" if lb.bold else "normal",
                zorder=6,
            )
            box = art.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            art.remove()
        else:
            dropped += 1
    return dropped
