"""Frames the pages show, computed from a :class:`~geo.dataset.Dataset` (no UI code)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.cells import annotate_cells, cells_to_frame
from geo.dataset import Dataset, filter_events
from geo.ensemble import Outlook, next_month
from geo.errors import HexpatrolError
from geo.forecast import MonthlySeries, flag_top
from geo.hotspots import (
    GI_CLASSES,
    TREND_CATEGORIES,
    StudyArea,
    emerging_hotspots,
    hotspots,
    key_area_risk,
)
from geo.i18n import pick
from geo.periods import select_period


def summary_counts(events: pd.DataFrame, cells: pd.DataFrame) -> dict[str, int]:
    """Headline numbers: events, cases, tips, non-empty cells."""
    return {
        "events": len(events),
        "cases": int((events["kind"] == "case").sum()),
        "tips": int((events["kind"] == "tip").sum()),
        "cells": int((cells["n"] > 0).sum()) if "n" in cells.columns else len(cells),
    }


class StudyAreaError(HexpatrolError, ValueError):
    """A study area given to a view is of another H3 resolution than the view's."""


def _check_area(area: StudyArea, res: int) -> StudyArea:
    """``area`` if it is at ``res``; cells of another resolution would count nothing."""
    if area.res != res:
        raise StudyAreaError(
            f"area was built at H3 resolution {area.res} but the view asks for {res}: "
            f"build it with study_area(ds, res={res}, ...)",
            zh=f"研究区域的分辨率({area.res})与所选分辨率({res})不一致",
        )
    return area


def study_area(
    ds: Dataset, *, res: int, k: int = 1, township_codes: Collection[str] | None = None
) -> StudyArea:
    """The study area of the selected townships (all when none), with its weights.

    Cells of the townships' events that lie just outside the polygons are included, so the
    area never needs rebuilding for them.
    """
    towns = ds.townships
    events = ds.events
    if township_codes:
        towns = towns[towns["code"].isin(list(township_codes))]
        events = events[events["township_code"].isin(list(township_codes))]
    extra = events[f"cell_{res}"].unique() if f"cell_{res}" in events else []
    return StudyArea.from_townships(towns, res, k, extra=list(extra))


def period_events(
    ds: Dataset,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: Collection[str] | None = None,
    township_codes: Collection[str] | None = None,
    periods: Sequence[str] = (),
    hours: tuple[dt.time, dt.time] | None = None,
) -> pd.DataFrame:
    """Events of the dates, kinds, townships, hours and periods (all must hold)."""
    events = filter_events(
        ds.events,
        start=start,
        end=end,
        kinds=kinds,
        township_codes=township_codes,
        hours=hours,
    )
    if periods:
        events = events[select_period(ds.labels.loc[events.index], periods)]
    return events


@dataclass(frozen=True)
class EventQuery:
    """Which events a view takes, and the hexagons it counts them in (the map's filters).

    Attributes
    ----------
    res : int
        H3 resolution of the hexagons, 7 (coarse, ~5 km²) to 10 (fine, ~0.015 km²); the
        events carry their cells at these resolutions.
    start, end : date, optional
        First and last local day (Asia/Shanghai) of the events, both included.
    kinds : tuple of str, optional
        Record kinds counted (``case``, ``tip``); ``None`` or empty for all.
    township_codes : tuple of str, optional
        Townships analysed; ``None`` or empty for every township of the data set. They
        limit the events (by their ``township_code``), the study area and the key areas.
    periods : tuple of str, default ()
        Period labels that must all hold (:data:`geo.periods.PERIOD_KEYS`, e.g.
        ``("night", "holiday")``; ``"!night"`` excludes a period); empty for all events.
    hours : (time, time), optional
        Local clock window [from, to), which may wrap midnight; day-precision events are
        left out when it is given (see :func:`geo.dataset.filter_events`).

    Examples
    --------
    >>> import datetime as dt
    >>> EventQuery(8, start=dt.date(2025, 10, 1), periods=["night"]).periods
    ('night',)
    """

    res: int
    start: dt.date | None = None
    end: dt.date | None = None
    kinds: tuple[str, ...] | None = None
    township_codes: tuple[str, ...] | None = None
    periods: tuple[str, ...] = ()
    hours: tuple[dt.time, dt.time] | None = None

    def __post_init__(self) -> None:  # any collection in, tuples kept (hashable, comparable)
        for name in ("kinds", "township_codes", "periods"):
            value = getattr(self, name)
            if isinstance(value, str):  # one kind, one code, one period
                value = (value,)
            if value is not None and name != "periods":  # a set of values: any order
                value = tuple(sorted(value))
            if value is not None:
                object.__setattr__(self, name, tuple(value))

    def filters(self) -> dict[str, Any]:
        """As keywords of :func:`period_events` (everything but ``res``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "res"}


@dataclass(frozen=True)
class GiOptions:
    """How Gi* runs in a deployment: the keywords of :func:`hotspot_view` that settings give.

    Attributes
    ----------
    weights : (float, float), default (1.0, 0.5)
        What a case and a tip count for.
    k : int, default 1
        Rings of neighbours around each cell.
    transform : str, default "none"
        Count transform before Gi* (``none`` or ``log1p``).
    fdr : bool, default True
        Correct the significance for many cells (false discovery rate).
    """

    weights: tuple[float, float] = (1.0, 0.5)
    k: int = 1
    transform: str = "none"
    fdr: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> GiOptions:
        """The options of a :class:`geo.config.Settings` (``case_weight``, ``gi_k`` …)."""
        weights = (float(settings.case_weight), float(settings.tip_weight))
        return cls(weights, int(settings.gi_k), str(settings.gi_transform), bool(settings.fdr))

    def keywords(self) -> dict[str, Any]:
        """As keywords of :func:`hotspot_view`."""
        return asdict(self)


def _query(
    query: EventQuery | None, gi: GiOptions | None, keywords: dict[str, Any]
) -> tuple[EventQuery, GiOptions]:
    """``query`` and ``gi`` with the fields given one by one as ``keywords`` put in."""
    if query is not None and not isinstance(query, EventQuery):
        raise TypeError(f"query was {query!r} but is expected to be an EventQuery (or keywords)")
    ours = {f.name for f in fields(EventQuery)}
    theirs = {f.name for f in fields(GiOptions)}
    unknown = sorted(set(keywords) - ours - theirs)
    if unknown:
        raise TypeError(f"unexpected keyword arguments {unknown}")
    asked = {k: v for k, v in keywords.items() if k in ours}
    query = replace(query, **asked) if query is not None else EventQuery(**asked)
    gi = replace(gi or GiOptions(), **{k: v for k, v in keywords.items() if k in theirs})
    return query, gi


def canonical_towns(chosen: list[str], available: list[str]) -> tuple[str, ...]:
    """The townships chosen, in the data's order; every one of them is the same as none.

    A township account that picks its own township, or a commander who picks all 42, sees
    the same map as with no choice: one cache key for both, so it is made once (issue 19).
    """
    picked = set(chosen)
    if picked >= set(available):
        return ()
    return tuple(code for code in available if code in picked)


@dataclass
class HotspotView:
    """Everything the map page shows for one set of filters.

    ``cells`` are the hexagons worth drawing (with events, or significant) with counts,
    Gi* statistics, trend category and names; ``stats`` has every study-area cell;
    ``series`` the monthly counts and z of every cell; ``risk`` the key-area risk table.
    """

    events: pd.DataFrame
    cells: gpd.GeoDataFrame
    stats: pd.DataFrame
    series: pd.DataFrame
    risk: pd.DataFrame


def hotspot_view(
    ds: Dataset,
    query: EventQuery | None = None,
    *,
    gi: GiOptions | None = None,
    lang: str | None = "zh",
    area: StudyArea | None = None,
    trends: bool = True,
    **keywords: Any,
) -> HotspotView:
    """Filter events (dates, kinds, townships, periods) and compute hotspots and trends.

    The study area is the selected townships (all when none is selected): Gi* compares
    each cell with that area only, and its empty cells count as zeros. Pass ``area``
    (from :func:`study_area`) to reuse one already built; ``trends=False`` skips the
    monthly trend analysis (every cell then has trend ``no_pattern``). With ``lang=None``
    the view holds codes and numbers only (``gi_class``, ``trend``, the risk ``level`` and
    its evidence), so a cached view serves every language; otherwise ``gi_label``,
    ``trend_label``, the risk's ``level_label`` and ``reasons`` are added in ``lang``.

    Parameters
    ----------
    ds : Dataset
        The data in the user's scope (:func:`geo.dataset.load_dataset`).
    query : EventQuery, optional
        Which events and which resolution (see :class:`EventQuery`); may be left out when
        ``res`` and the other fields come as keywords.
    gi : GiOptions, optional
        Event weights, rings, transform and FDR of Gi* (see :class:`GiOptions`; the
        settings' via ``GiOptions.from_settings``). ``k`` is used only to build the study
        area: a given ``area`` brings its own. With ``fdr`` the monthly trend slices are
        tested on adjusted p-values too.
    **keywords
        Fields of :class:`EventQuery` or :class:`GiOptions` one by one (``res=8,
        periods=["night"], weights=(1, 0)``), put over ``query`` and ``gi``.
    lang : {"zh", "en"} or None, default "zh"
        Language of the added labels; ``None`` adds none.
    area : StudyArea, optional
        A study area built before (:func:`study_area`) for the same ``res`` and
        townships; default: built here from ``township_codes`` and ``k``. It is widened by
        any event cell it lacks. One of another resolution raises :class:`StudyAreaError`.
    trends : bool, default True
        Run the monthly emerging-hotspot analysis
        (:func:`geo.hotspots.emerging_hotspots`).

    Returns
    -------
    HotspotView
        ``events`` (the filtered events), ``cells`` (GeoDataFrame of the hexagons with an
        event, a significant Gi* class or a trend, with township and key-area names),
        ``stats`` (every study-area cell: ``h3_cell, n, n_case, n_tip, score, gi_z, gi_p,
        gi_q, gi_class, trend`` and the labels), ``series`` (monthly ``h3_cell, period, n,
        score, gi_z, significant``; empty without ``trends``) and ``risk``
        (:func:`geo.hotspots.key_area_risk` of the key areas in the townships).

    Raises
    ------
    ValueError
        When ``periods`` names an unknown period, ``transform`` is not ``none`` or
        ``log1p``, or ``lang`` is neither ``zh``, ``en`` nor ``None`` (with key areas).
    StudyAreaError
        When ``area`` is of another H3 resolution than ``res`` (a ``ValueError`` too).
    TypeError
        When a keyword is no field of either, or ``res`` is given by neither.
    """
    query, gi = _query(query, gi, keywords)
    events = period_events(ds, **query.filters())
    res, township_codes = query.res, query.township_codes
    if area is None:
        area = study_area(ds, res=res, k=gi.k, township_codes=township_codes)
    area = _check_area(area, res)
    area = area.including(events[f"cell_{res}"] if f"cell_{res}" in events else [])
    w = {"case": gi.weights[0], "tip": gi.weights[1]}
    stats = hotspots(events, area, weights=w, transform=gi.transform, fdr=gi.fdr)
    if trends:
        cell_trends, series = emerging_hotspots(
            events, area, weights=w, transform=gi.transform, fdr=gi.fdr
        )
    else:
        cell_trends = pd.DataFrame({"h3_cell": area.cells, "trend": "no_pattern"})
        series = pd.DataFrame(columns=["h3_cell", "period", "n", "score", "gi_z", "significant"])
    stats = stats.merge(cell_trends, on="h3_cell", how="left")
    stats["trend"] = stats["trend"].fillna("no_pattern")
    if lang is not None:
        stats["gi_label"] = stats["gi_class"].map(lambda c: pick(GI_CLASSES[c], lang))
        stats["trend_label"] = stats["trend"].map(lambda c: pick(TREND_CATEGORIES[c], lang))
    shown = stats[(stats["n"] > 0) | (stats["gi_class"] != "ns") | (stats["trend"] != "no_pattern")]
    cells = annotate_cells(cells_to_frame(shown.reset_index(drop=True)), ds.townships, ds.key_areas)
    key_areas = ds.key_areas
    if township_codes and "township_code" in key_areas.columns:
        key_areas = key_areas[key_areas["township_code"].isin(list(township_codes))]
    risk = (
        key_area_risk(key_areas, stats, cell_trends, lang=lang)
        if len(key_areas) and len(stats)
        else pd.DataFrame(columns=["id", "name", "category", "level", "events"])
    )
    return HotspotView(events, cells, stats, series, risk)


@dataclass
class ForecastView:
    """Next month's default forecast for the map: the riskiest cells, annotated.

    ``cells`` has ``h3_cell``, ``forecast`` (expected weighted events next month), township
    and nearest key area; ``record`` is the forecast's track record at 5% of the area.
    ``outlook`` is None when the filters leave no event.
    """

    cells: gpd.GeoDataFrame
    outlook: Outlook | None
    record: dict[str, float]


def forecast_view(
    ds: Dataset,
    *,
    res: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: Collection[str] | None = None,
    township_codes: Collection[str] | None = None,
    periods: Sequence[str] = (),
    weights: tuple[float, float] = (1.0, 0.5),
    area: StudyArea | None = None,
    shown_share: float = 0.10,
) -> ForecastView:
    """The default forecast of the month after ``end`` from the filtered events.

    Parameters
    ----------
    ds : Dataset
        The data in the user's scope.
    res : int
        H3 resolution.
    start, end : date, optional
        Events the forecast learns from (local dates, both included); the forecast is of
        the month after ``end``'s month (default: after the last event).
    kinds, township_codes, periods :
        As :func:`hotspot_view`: only these events count (a night view forecasts night).
    weights : (float, float)
        Weight of a case and of a tip.
    area : StudyArea, optional
        The study area (default: the selected townships), at ``res``.
    shown_share : float
        At most this share of the area is drawn: the riskiest cells that together hold 95%
        of the risk above the background (the risk of a cell no method flags).

    Returns
    -------
    ForecastView

    Raises
    ------
    StudyAreaError
        When ``area`` is of another H3 resolution than ``res``.
    """
    if area is not None:
        _check_area(area, res)
    events = period_events(
        ds, start=start, end=end, kinds=kinds, township_codes=township_codes, periods=periods
    )
    empty = gpd.GeoDataFrame({"h3_cell": [], "forecast": []}, geometry=[], crs=4326)
    if events.empty:
        return ForecastView(annotate_cells(empty, ds.townships, ds.key_areas), None, {})
    if area is None:
        area = study_area(ds, res=res, township_codes=township_codes)
    last = end or events["occurred_at"].max().date()
    series = MonthlySeries.from_events(
        events,
        area,
        weights={"case": weights[0], "tip": weights[1]},
        last_month=pd.Period(last, freq="M"),
    )
    outlook = next_month(series, months=12)
    frame = pd.DataFrame({"h3_cell": outlook.cells, "forecast": outlook.risk})
    frame = frame.iloc[flag_top(outlook.risk, math.ceil(shown_share * len(frame)))]
    excess = frame["forecast"] - outlook.risk.min()
    before = (excess.cumsum() - excess) / max(float(excess.sum()), 1e-12)
    frame = frame[(before < 0.95) & (excess > 0)].reset_index(drop=True)
    cells = annotate_cells(cells_to_frame(frame), ds.townships, ds.key_areas)
    return ForecastView(cells, outlook, outlook.track_record(0.05))
