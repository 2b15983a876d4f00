"""Sidebar filters of the map page (UI only: widgets in, plain values out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from geo.config import Settings
from geo.dataset import Dataset, date_span
from geo.i18n import t
from geo.periods import PERIOD_KEYS


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


def map_filters(ds: Dataset, s: Settings, lang: str) -> MapFilters:
    """Draw the sidebar filters and return the choices."""
    names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    first, last = date_span(ds.events)  # also for a scope without events
    with st.sidebar:
        st.header(t("filters", lang))
        period = st.date_input(
            t("date_range", lang), value=(first, last), min_value=first, max_value=last
        )
        periods = st.multiselect(
            t("periods", lang),
            PERIOD_KEYS,
            format_func=lambda k: t(f"period_{k}", lang),
            placeholder=t("choose", lang),
            help=t("periods_help", lang),
        )
        kinds = st.multiselect(
            t("kinds", lang),
            ["case", "tip"],
            default=["case", "tip"],
            format_func=lambda k: t(f"kind_{k}", lang),
            placeholder=t("choose", lang),
        )
        towns = st.multiselect(
            t("townships", lang),
            list(names),
            format_func=names.__getitem__,
            placeholder=t("choose", lang),
        )
        res = st.select_slider(
            t("resolution", lang),
            options=[7, 8, 9, 10],
            value=s.h3_resolution,
            help=t("res_help", lang),
        )
        mode = st.radio(
            t("layer_mode", lang),
            ["gi", "score", "forecast"],
            format_func=lambda m: t(f"mode_{m}", lang),
            horizontal=True,
        )
        show_trends = st.checkbox(t("show_trends", lang), value=False)
        show_points = st.checkbox(t("show_incidents", lang), value=False)
        with st.expander(t("weights", lang)):
            st.caption(t("weights_help", lang))
            case_w = st.number_input(t("case_weight", lang), 0.0, 10.0, s.case_weight, 0.5)
            tip_w = st.number_input(t("tip_weight", lang), 0.0, 10.0, s.tip_weight, 0.5)
    start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (first, last)
    return MapFilters(
        start,
        end,
        tuple(kinds),
        tuple(towns),
        tuple(periods),
        int(res),
        (float(case_w), float(tip_w)),
        str(mode),
        bool(show_trends),
        bool(show_points),
    )
