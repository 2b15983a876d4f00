"""The patrol-plan form (UI only: widgets in, a :class:`PlanRequest` out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo.config import Settings
from geo.dataset import Dataset, date_span
from geo.i18n import t
from geo.periods import HolidayBlock
from geo.planning import (
    FORM_DEFAULTS,
    PLAN_PERIODS,
    PlanRequest,
    default_fixed_posts,
    holiday_choices,
    period_window,
)


def holiday_preset(where: Any, last: dt.date, s: Settings, lang: str) -> HolidayBlock | None:
    """Choose a statutory holiday from the holiday calendar; its days fill the rotation.

    Offered: the holidays of the data's last year and the next; the default is the first
    one after the data end (the next to plan for), else the latest.
    """
    blocks, default = holiday_choices(last, s.periods)
    if not blocks:
        return None

    def label(i: int | None) -> str:
        if i is None:
            return t("plan_preset_own", lang)
        block = blocks[i]
        names = "、".join(t(f"holiday_{k}", lang) for k in block.keys)
        return t(
            "plan_preset",
            lang,
            year=block.first.year,
            names=names,
            first=block.first,
            last=block.last,
            n=len(block.days),
        )

    choice = where.selectbox(
        t("plan_preset_label", lang),
        [None, *range(len(blocks))],
        index=default + 1,
        format_func=label,
        key="plan_preset",
    )
    return None if choice is None else blocks[choice]


def plan_form(ds: Dataset, s: Settings, lang: str, *, suspects: bool = False) -> PlanRequest | None:
    """The patrol-plan options; returns a request when the user presses the button.

    ``suspects`` (there are checkpoint passes) offers the weight of suspect activity.
    """
    names = dict(zip(ds.key_areas["id"], ds.key_areas["name"], strict=True))
    d = FORM_DEFAULTS  # one definition with geo.planning.default_request
    last = date_span(ds.events)[1]  # also for a scope without events
    # outside the form, so the hours and the days follow the choice at once
    p1, p2 = st.columns(2)
    period = p1.selectbox(
        t("plan_period", lang),
        PLAN_PERIODS,
        format_func=lambda p: t(f"period_{p}", lang),
        key="plan_period",
    )
    preset = holiday_preset(p2, last, s, lang)
    week = dt.timedelta(days=d.rotation_days - 1)
    with st.form("plan"):
        c1, c2, c3 = st.columns(3)
        teams = c2.number_input(t("plan_teams", lang), 0, 60, d.teams)
        radius = c3.slider(t("plan_radius", lang), 200, 3000, d.radius_m, 100)
        hours = _hours(c1, period, s, lang)
        c5, c6 = st.columns(2)
        size = c5.slider(t("plan_team_size", lang), 3, 5, d.team_size)
        shifts = c6.number_input(t("plan_shifts", lang), 1, 3, d.shifts)
        fixed = _fixed_posts(ds, names, lang)
        c7, c8, c9 = st.columns(3)
        rotate = c7.checkbox(t("plan_rotation", lang), value=True)
        span = c8.date_input(
            t("plan_days", lang),
            value=(preset.first, preset.last) if preset else (last, last + week),
            key=f"plan_days_{preset.first if preset else 'own'}",
        )
        factor = c9.number_input(t("plan_holiday_factor", lang), 1.0, 4.0, d.holiday_factor, 0.5)
        c10, c11 = st.columns(2)
        exact = c10.toggle(t("plan_exact", lang), value=d.exact, help=t("plan_exact_help", lang))
        seed = c11.number_input(t("plan_seed", lang), 0, 10_000, d.seed)
        bases, travel = _travel_limit(ds, names, lang)
        weight = _suspect_weight(lang) if suspects else 0.0
        if not st.form_submit_button(t("plan_go", lang), type="primary", key="plan_go"):
            return None
    return PlanRequest(
        period=period,
        teams=int(teams),
        team_size=int(size),
        radius_m=float(radius),
        fixed_posts=tuple(fixed),
        days=_days(span) if rotate else (),
        holiday_factor=float(factor),
        shifts=int(shifts),
        hours=tuple(hours) if hours else None,
        exact=bool(exact),
        seed=int(seed),
        weights=(s.case_weight, s.tip_weight),
        bases=bases,
        max_travel_m=float(travel) if bases else None,
        suspect_weight=weight,
    )


def _fixed_posts(ds: Dataset, names: dict[str, str], lang: str) -> list[str]:
    """The key areas staffed every day (by default :func:`default_fixed_posts`)."""
    return st.multiselect(
        t("plan_fixed", lang),
        list(names),
        default=list(default_fixed_posts(ds.key_areas)),
        format_func=names.__getitem__,
        placeholder=t("choose", lang),
    )


def _suspect_weight(lang: str) -> float:
    """The weight of suspect vehicles' activity in the risk: 0 (off) by default."""
    value = st.slider(
        t("plan_suspect_weight", lang),
        0.0,
        1.0,
        0.0,
        0.05,
        help=t("plan_suspect_help", lang),
        key="plan_suspect_weight",
    )
    return float(value)


def _days(span: object) -> tuple[dt.date, ...]:
    """Every day of a chosen (first, last) range; none while the range is half chosen."""
    if not (isinstance(span, tuple) and len(span) == 2):
        return ()
    first, last = span
    return tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))


def _hours(col: Any, period: str, s: Settings, lang: str) -> tuple[dt.time, dt.time] | None:
    """Hours of a custom period (a slider); other periods show their own window, read-only."""
    if period == "custom":
        start, end = col.slider(
            t("plan_hours", lang),
            dt.time(0),
            dt.time(23, 59),
            (dt.time(18), dt.time(23)),
            step=dt.timedelta(minutes=30),
        )
        return start, end
    col.text_input(t("plan_window_label", lang), period_window(period, s.periods), disabled=True)
    return None


def _travel_limit(
    ds: Dataset, names: dict[str, str], lang: str
) -> tuple[tuple[tuple[float, float], ...], float]:
    """The optional bases (lat, lon) and the farthest a mobile post may lie from one."""
    key_areas = ds.key_areas
    with st.expander(t("plan_travel", lang)):
        chosen = st.multiselect(
            t("plan_bases", lang),
            list(names),
            format_func=names.__getitem__,
            placeholder=t("choose", lang),
        )
        travel = st.slider(
            t("plan_max_travel", lang), 1000, 50_000, FORM_DEFAULTS.max_travel_m, 1000
        )
    points = [key_areas.loc[key_areas["id"] == base].geometry.iloc[0] for base in chosen]
    return tuple((p.y, p.x) for p in points), float(travel)
