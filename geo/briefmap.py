"""The briefing's figures: the county hotspot map with an inset, and the 12-month trend.

The map shows the whole county and, below it, an inset of the densest area with readable
key-area and road names; the trend chart counts cases and tips per month. Both are sized for
an A4 page of 公文 (156 mm type width).
"""

from __future__ import annotations

from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.briefing import Briefing, compose
from geo.briefsuspects import MonthScreens
from geo.config import Settings
from geo.coords import utm_crs
from geo.dataset import Dataset
from geo.hotspots import GI_CLASSES
from geo.staticmap import (
    GI_COLORS,
    MapLabel,
    cjk_figure,
    draw_base,
    north_arrow,
    place_labels,
    png,
    scale_bar,
)
from geo.views import GiOptions

MM: Final = 1 / 25.4
#: the map page's figure: the type area (156 mm) less room for the 附件 heading
MAP_SIZE_MM: Final = (156.0, 196.0)
TREND_SIZE_MM: Final = (156.0, 110.0)
#: radius (m) of the window whose events decide where the inset goes
DENSE_RADIUS_M: Final = 2500.0


def densest_extent(
    cells: gpd.GeoDataFrame, crs: Any, *, aspect: float, min_size_m: float = 4000.0
) -> tuple[float, float, float, float] | None:
    """The box (metres in ``crs``) around the busiest cluster of cells, ``aspect`` = w/h.

    The centre is the cell with the most events within :data:`DENSE_RADIUS_M`; the box
    holds the busy cells near it (with events, within twice that radius), at least
    ``min_size_m`` across. ``None`` without events.
    """
    busy = cells[cells["n"] > 0]
    if busy.empty:
        return None
    pts = busy.to_crs(crs).geometry.centroid
    xy = np.column_stack([pts.x, pts.y])
    n = busy["n"].to_numpy(dtype=float)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    weight = (dist <= DENSE_RADIUS_M) @ n
    cx, cy = xy[int(np.argmax(weight))]
    near = dist[int(np.argmax(weight))] <= 2 * DENSE_RADIUS_M
    near &= n >= np.quantile(n[near], 0.5) if near.any() else near
    minx, miny = xy[near].min(axis=0) - 800
    maxx, maxy = xy[near].max(axis=0) + 800
    w = max(maxx - minx, min_size_m, (maxy - miny) * aspect)
    h = w / aspect
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    return (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)


def _hexes(ax: Any, cells: gpd.GeoDataFrame, crs: Any, *, busy_only: bool) -> None:
    shown = cells[cells["n"] > 0] if busy_only else cells[cells["gi_class"] != "ns"]
    if busy_only:
        shown = pd.concat([shown, cells[(cells["n"] == 0) & (cells["gi_class"] != "ns")]])
    if shown.empty:
        return
    frame = shown.to_crs(crs)
    colors = [GI_COLORS.get(c, "#eeeeee") for c in frame["gi_class"]]
    frame.plot(ax=ax, color=colors, edgecolor="#7a4a12", linewidth=0.15, alpha=0.85, zorder=3)


def _key_area_labels(keys: gpd.GeoDataFrame, high: set[str], size: float) -> list[MapLabel]:
    return [
        MapLabel(
            p.x,
            p.y,
            str(name),
            priority=2 if name in high else 1,
            size=size,
            color="#08306b",
            bold=name in high,
        )
        for p, name in zip(keys.geometry, keys["name"], strict=True)
    ]


def _legend(ax: Any, roads: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=GI_COLORS[c], edgecolor="#7a4a12", label=GI_CLASSES[c][0])
        for c in ("hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99")
    ]
    handles.append(Line2D([], [], marker="^", color="#08306b", linestyle="", label="重点区域"))
    if roads:
        handles.append(Line2D([], [], color="#e08a2c", linewidth=1.6, label="高速公路"))
        handles.append(Line2D([], [], color="#c9a227", linewidth=1.1, label="国道省道县道"))
        handles.append(Line2D([], [], color="#8fbde3", linewidth=3, label="河流"))
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=6.5,
        title="图例",
        title_fontsize=7,
        frameon=True,
        framealpha=0.92,
    )


def _county(ax: Any, ds: Dataset, b: Briefing, towns: gpd.GeoDataFrame, crs: Any) -> None:
    draw_base(ax, towns, ds.base_layers, crs)
    if b.cells is not None and len(b.cells):
        _hexes(ax, b.cells, crs, busy_only=True)
    keys = _scoped_keys(ds, b).to_crs(crs)
    if len(keys):
        ax.scatter(keys.geometry.x, keys.geometry.y, s=14, marker="^", color="#08306b", zorder=5)
    towns_m = towns.to_crs(crs)
    labels = [
        MapLabel(p.x, p.y, str(name), priority=3, size=6.5, color="#4b555d")
        for p, name in zip(towns_m.geometry.representative_point(), towns["name"], strict=True)
    ]
    ax.set_axis_off()
    minx, miny, maxx, maxy = towns_m.total_bounds
    pad = (maxx - minx) * 0.03
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    place_labels(ax, labels, centred=True)
    scale_bar(ax, (minx, miny, maxx, maxy))
    north_arrow(ax)
    _legend(ax, bool(ds.base_layers))


def _scoped_keys(ds: Dataset, b: Briefing) -> gpd.GeoDataFrame:
    keys = ds.key_areas
    if b.township_code is not None:
        keys = keys[keys["township_code"] == b.township_code]
    return keys


def _inset(
    ax: Any, ds: Dataset, b: Briefing, towns: gpd.GeoDataFrame, crs: Any, box: tuple[float, ...]
) -> None:
    minx, miny, maxx, maxy = box
    draw_base(ax, towns, ds.base_layers, crs, villages=True)
    if b.cells is not None and len(b.cells):
        _hexes(ax, b.cells, crs, busy_only=True)
    keys = _scoped_keys(ds, b).to_crs(crs)
    keys = keys[keys.intersects(shapely.box(minx, miny, maxx, maxy))]
    high = set(b.risk.loc[b.risk["level"] == "high", "name"]) if len(b.risk) else set()
    ax.scatter(keys.geometry.x, keys.geometry.y, s=22, marker="^", color="#08306b", zorder=5)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    labels = _key_area_labels(keys, high, 7.5)
    roads = ds.base_layers.get("roads")
    if roads is not None and len(roads):
        for geom, name in zip(roads.to_crs(crs).geometry, roads["name"], strict=True):
            part = geom.intersection(shapely.box(minx, miny, maxx, maxy))
            if not part.is_empty and part.length > (maxx - minx) * 0.25:
                mid = shapely.line_interpolate_point(
                    shapely.line_merge(part) if part.geom_type != "LineString" else part,
                    0.5,
                    normalized=True,
                )
                mid = mid if mid.geom_type == "Point" else part.representative_point()
                labels.append(MapLabel(mid.x, mid.y, str(name), size=6, color="#7a5a12"))
    place_labels(ax, labels)
    scale_bar(ax, box, fontsize=7)
    north_arrow(ax, fontsize=8)


def render_map(ds: Dataset, b: Briefing, *, dpi: int = 200, font_file: str | None = None) -> bytes:
    """PNG of the month's Gi* hot spots: the whole county, and an inset of the densest area.

    Sized to fill the map page of the A4 briefing (:data:`MAP_SIZE_MM`); both maps have a
    scale bar and a north arrow, the county map a legend, the inset readable key-area and
    road names (labels that would overlap are moved or left out).
    """
    towns = (
        ds.townships
        if b.township_code is None
        else ds.townships[ds.townships["code"] == b.township_code]
    )
    crs = utm_crs(towns)
    width, height = (v * MM for v in MAP_SIZE_MM)
    with cjk_figure(font_file) as plt:
        fig = plt.figure(figsize=(width, height))
        top = fig.add_axes((0.0, 0.38, 1.0, 0.62))
        bottom = fig.add_axes((0.01, 0.005, 0.98, 0.34))
        _county(top, ds, b, towns, crs)
        aspect = (0.98 * width) / (0.34 * height)
        box = densest_extent(b.cells, crs, aspect=aspect) if b.cells is not None else None
        if box is None:
            bottom.set_axis_off()
        else:
            _inset(bottom, ds, b, towns, crs, box)
            from matplotlib.patches import Rectangle

            top.add_patch(
                Rectangle(
                    (box[0], box[1]),
                    box[2] - box[0],
                    box[3] - box[1],
                    fill=False,
                    edgecolor="#222222",
                    linewidth=1.0,
                    zorder=7,
                )
            )
            top.annotate(
                "放大区",
                (box[0], box[1]),
                xytext=(-3, 0),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=6.5,
                zorder=7,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
            bottom.set_title("热点最密集区域放大图", fontsize=9, loc="left")
        return png(fig, dpi=dpi)


def render_trend(b: Briefing, *, dpi: int = 200, font_file: str | None = None) -> bytes:
    """PNG of cases and tips per month over the 12 months up to the briefing's month."""
    from matplotlib.ticker import MaxNLocator

    monthly = b.monthly
    width, height = (v * MM for v in TREND_SIZE_MM)
    with cjk_figure(font_file) as plt:
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        x = np.arange(len(monthly))
        labels = [
            f"{int(m[5:])}月" if i and m[5:] != "01" else f"{m[:4]}年\n{int(m[5:])}月"
            for i, m in enumerate(monthly["month"])
        ]
        for offset, col, name, color in (
            (-0.2, "cases", "查处案件", "#b2182b"),
            (0.2, "tips", "举报线索", "#2166ac"),
        ):
            bars = ax.bar(x + offset, monthly[col], width=0.4, label=name, color=color)
            ax.bar_label(bars, labels=[str(int(v)) for v in monthly[col]], fontsize=6, padding=1)
        ax.set_xticks(x, labels, fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylabel("起(条)", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False, loc="upper left")
        return png(fig, dpi=dpi)


def deployment_briefing(
    ds: Dataset,
    month: str,
    settings: Settings,
    *,
    township: str | None = None,
    teams: int = 6,
    screens: MonthScreens | None = None,
) -> Briefing:
    """The briefing of ``month`` as a deployment makes it, its map and trend chart drawn.

    Parameters
    ----------
    ds : Dataset
        The data in the user's scope.
    month : str
        ``YYYY-MM``.
    settings : Settings
        Region name, periods, Gi* options and the CJK font file of the deployment.
    township : str, optional
        A township's code for its own briefing; default the whole of ``ds``.
    teams : int, default 6
        Mobile teams of next month's suggested night plan.
    screens : MonthScreens, optional
        The month's checkpoint-pass screens (:func:`geo.briefsuspects.month_screens`, for
        the deployment's pass folder); without them the section on suspect vehicles is left
        out.

    Returns
    -------
    Briefing
        :func:`geo.briefing.compose`'s, with ``map_png`` and ``trend_png`` filled in.
    """
    b = compose(
        ds,
        month,
        township=township,
        region_name=settings.region_name,
        periods=settings.periods,
        teams=teams,
        gi=GiOptions.from_settings(settings),
        screens=screens,
    )
    font = str(settings.cjk_font) if settings.cjk_font else None
    b.map_png = render_map(ds, b, font_file=font)
    b.trend_png = render_trend(b, font_file=font)
    return b
