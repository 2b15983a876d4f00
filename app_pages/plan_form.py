"""The patrol-plan form (UI only: widgets in, a :class:`PlanRequest` out)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.config import Settings
from geo.dataset import Dataset, date_span
from geo.i18n import t
from geo.planning import PLAN_PERIODS, PlanRequest


def plan_form(ds: Dataset, s: Settings, lang: str) -> PlanRequest | None:
    """The patrol-plan options; returns a request when the user presses the button."""
    ka = ds.key_areas
    names = dict(zip(ka["id"], ka["name"], strict=True))
    default_fixed = [
        i
        for i, c in zip(ka["id"], ka["category"], strict=True)
        if c in ("hsr_station", "hospital", "shopping")
    ]
    last = date_span(ds.events)[1]
    national_day = dt.date(last.year, 10, 1) if last.month >= 10 else dt.date(last.year - 1, 10, 1)
    with st.form("plan"):
        c1, c2, c3 = st.columns(3)
        period = c1.selectbox(
            t("plan_period", lang), PLAN_PERIODS, format_func=lambda p: t(f"period_{p}", lang)
        )
        teams = c2.number_input(t("plan_teams", lang), 0, 60, 6)
        radius = c3.slider(t("plan_radius", lang), 200, 3000, 1000, 100)
        c4, c5, c6 = st.columns(3)
        hours = c4.slider(
            t("plan_hours", lang),
            dt.time(0),
            dt.time(23, 59),
            (dt.time(18), dt.time(23)),
            step=dt.timedelta(minutes=30),
        )
        size = c5.slider(t("plan_team_size", lang), 3, 5, 4)
        shifts = c6.number_input(t("plan_shifts", lang), 1, 3, 1)
        fixed = st.multiselect(
            t("plan_fixed", lang),
            list(names),
            default=default_fixed,
            format_func=names.__getitem__,
            placeholder=t("choose", lang),
        )
        c7, c8, c9 = st.columns(3)
        rotate = c7.checkbox(t("plan_rotation", lang), value=True)
        span = c8.date_input(
            t("plan_days", lang), value=(national_day, national_day + dt.timedelta(days=6))
        )
        factor = c9.number_input(t("plan_holiday_factor", lang), 1.0, 4.0, 2.0, 0.5)
        c10, c11 = st.columns(2)
        exact = c10.toggle(t("plan_exact", lang), value=True, help=t("plan_exact_help", lang))
        seed = c11.number_input(t("plan_seed", lang), 0, 10_000, 0)
        with st.expander(t("plan_travel", lang)):
            bases = st.multiselect(
                t("plan_bases", lang),
                list(names),
                format_func=names.__getitem__,
                placeholder=t("choose", lang),
            )
            travel = st.slider(t("plan_max_travel", lang), 1000, 50_000, 15_000, 1000)
        go = st.form_submit_button(t("plan_go", lang), type="primary")
    if not go:
        return None
    days: tuple[dt.date, ...] = ()
    if rotate and isinstance(span, tuple) and len(span) == 2:
        days = tuple(span[0] + dt.timedelta(days=i) for i in range((span[1] - span[0]).days + 1))
    return PlanRequest(
        period=period,
        teams=int(teams),
        team_size=int(size),
        radius_m=float(radius),
        fixed_posts=tuple(fixed),
        days=days,
        holiday_factor=float(factor),
        shifts=int(shifts),
        hours=tuple(hours) if period == "custom" else None,
        exact=bool(exact),
        seed=int(seed),
        weights=(s.case_weight, s.tip_weight),
        bases=tuple(
            (ka.loc[ka["id"] == b].geometry.iloc[0].y, ka.loc[ka["id"] == b].geometry.iloc[0].x)
            for b in bases
        ),
        max_travel_m=float(travel) if bases else None,
    )
