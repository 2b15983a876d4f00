"""Sidebar filters of the map page (UI only: widgets in, plain values out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import streamlit as st

from app_pages.session import recall, remember_all
from geo.config import Settings
from geo.dataset import Dataset, date_span
from geo.i18n import t
from geo.periods import PERIOD_KEYS
from geo.views import EventQuery, canonical_towns

#: how the hexagons are coloured
MAP_MODES: Final = ("gi", "score", "forecast")


@dataclass(frozen=True)
class MapFilters:
    """What the user chose in the sidebar (hashable, so it can key a cache)."""

    start: dt.date
    end: dt.date
    kinds: tuple[str, ...]
    towns: tuple[str, ...]
    periods: tuple[str, ...]
    res: int
    weights: tuple[float, float]
    mode: str
    show_trends: bool
    show_points: bool

    @classmethod
    def default(cls, ds: Dataset, s: Settings) -> MapFilters:
        """What the sidebar shows a user who has chosen nothing yet."""
        first, last = date_span(ds.events)
        weights = (float(s.case_weight), float(s.tip_weight))
        res = s.h3_resolution
        return cls(first, last, ("case", "tip"), (), (), res, weights, "gi", False, False)

    def query(self) -> EventQuery:
        """The events and hexagons chosen (what :func:`geo.views.hotspot_view` takes)."""
        return EventQuery(
            res=self.res,
            start=self.start,
            end=self.end,
            kinds=self.kinds,
            township_codes=self.towns,
            periods=self.periods,
        )


def _kept(key: str, default: object, allowed: Callable[[object], object] | None = None) -> None:
    """Give widget ``key`` the value the session kept (another page, a reload) before it draws.

    ``allowed`` repairs a kept value that no longer fits (a township outside the scope, a
    date outside the data).
    """
    if key in st.session_state:
        return
    value = recall(key, default)
    st.session_state[key] = allowed(value) if allowed is not None else value


def _dates(first: dt.date, last: dt.date) -> Callable[[object], object]:
    def fit(value: object) -> tuple[dt.date, ...]:
        try:
            start, end = (dt.date.fromisoformat(str(v)) for v in value)
        except (TypeError, ValueError):
            return (first, last)
        return (min(max(start, first), last), max(min(end, last), first))

    return fit


def _keep(values: dict[str, object]) -> None:
    """Remember the filters with the session (dates as ISO text), in one write."""
    kept: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, tuple | list):
            value = [v.isoformat() if isinstance(v, dt.date) else v for v in value]
        kept[key] = value
    remember_all(kept)


def _sidebar(ds: Dataset, s: Settings, lang: str) -> dict[str, object]:
    names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    d = MapFilters.default(ds, s)  # also for a scope without events
    first, last = d.start, d.end
    _kept("map_dates", [first.isoformat(), last.isoformat()], _dates(first, last))
    _kept("map_periods", list(d.periods), lambda v: [k for k in v if k in PERIOD_KEYS])
    _kept("map_kinds", list(d.kinds), lambda v: [k for k in v if k in ("case", "tip")])
    _kept("map_towns", list(d.towns), lambda v: [c for c in v if c in names])
    _kept("map_res", d.res, lambda v: v if v in (7, 8, 9, 10) else d.res)
    _kept("map_mode", d.mode, lambda v: v if v in MAP_MODES else d.mode)
    for key, default in (("map_trends", d.show_trends), ("map_points", d.show_points)):
        _kept(key, default, bool)
    _kept("map_case_w", d.weights[0], float)
    _kept("map_tip_w", d.weights[1], float)
    choose = t("choose", lang)
    with st.sidebar:
        st.header(t("filters", lang))
        st.date_input(t("date_range", lang), min_value=first, max_value=last, key="map_dates")
        st.multiselect(
            t("periods", lang),
            PERIOD_KEYS,
            format_func=lambda k: t(f"period_{k}", lang),
            placeholder=choose,
            help=t("periods_help", lang),
            key="map_periods",
        )
        st.multiselect(
            t("kinds", lang),
            ["case", "tip"],
            format_func=lambda k: t(f"kind_{k}", lang),
            placeholder=choose,
            key="map_kinds",
        )
        st.multiselect(
            t("townships", lang),
            list(names),
            format_func=names.__getitem__,
            placeholder=choose,
            key="map_towns",
        )
        st.select_slider(
            t("resolution", lang), options=[7, 8, 9, 10], help=t("res_help", lang), key="map_res"
        )
        st.radio(
            t("layer_mode", lang),
            MAP_MODES,
            format_func=lambda m: t(f"mode_{m}", lang),
            horizontal=True,
            key="map_mode",
        )
        st.checkbox(t("show_trends", lang), key="map_trends")
        st.checkbox(t("show_incidents", lang), key="map_points")
        with st.expander(t("weights", lang)):
            st.caption(t("weights_help", lang))
            st.number_input(t("case_weight", lang), 0.0, 10.0, step=0.5, key="map_case_w")
            st.number_input(t("tip_weight", lang), 0.0, 10.0, step=0.5, key="map_tip_w")
    keys = ["map_dates", "map_periods", "map_kinds", "map_towns", "map_res", "map_mode"]
    keys += ["map_trends", "map_points", "map_case_w", "map_tip_w"]
    return {k: st.session_state[k] for k in keys}


def map_filters(ds: Dataset, s: Settings, lang: str) -> MapFilters:
    """Draw the sidebar filters (as the user last left them) and return the choices."""
    v = _sidebar(ds, s, lang)
    _keep(v)
    dates = v["map_dates"]
    if not (isinstance(dates, tuple | list) and dates):  # cleared by the user: the whole span
        dates = date_span(ds.events)
    start, end = dates[0], dates[-1]  # one date typed so far: that day
    return MapFilters(
        start,
        end,
        tuple(v["map_kinds"]),
        canonical_towns(v["map_towns"], list(ds.townships["code"])),
        tuple(p for p in PERIOD_KEYS if p in v["map_periods"]),  # one order: one cache key
        int(v["map_res"]),
        (float(v["map_case_w"]), float(v["map_tip_w"])),
        str(v["map_mode"]),
        bool(v["map_trends"]),
        bool(v["map_points"]),
    )
