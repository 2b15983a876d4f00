"""Cached loaders of the checkpoint screen (车辆筛查, the map's suspect layer, the planner's
weight, the briefing's section): shared by every session, scoped per user.

The screen runs once per change of the pass files (:func:`screening_key`); what a user sees of
it is cut to their scope (:mod:`geo.vehicles`). Kept apart from :mod:`app_pages.common` (the
data set, the map's views, plans and briefings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages.common import all_townships, scope, settings, store
from app_pages.session import is_demo, lang
from geo.activity import suspect_activity, suspect_passes
from geo.auth import Scope
from geo.briefsuspects import MonthScreens, previous_month, screen_month
from geo.dataset import region_key_areas
from geo.errors import HexpatrolError
from geo.i18n import t
from geo.planning import PlanRequest
from geo.screening.inputs import known_from_events
from geo.screening.report import suspects_to_xlsx
from geo.vehicles import (
    PassFolder,
    Screening,
    find_pass_folder,
    only_grades,
    scoped_result,
    screen_folder,
    vehicle_passes,
)

# ---------------------------------------------------------------- vehicle screening (车辆筛查)


def pass_folder() -> PassFolder | None:
    """The deployment's pass folder, or the demo's (see :func:`geo.vehicles.find_pass_folder`)."""
    return find_pass_folder(settings().data_dir)


def screening_key(folder: PassFolder) -> str:
    """Cache key of a screen: settings, the pass files' sizes and times, the store's revision."""
    return f"{settings()!r}|{folder.root}|{folder.stamp()}|{store().revision()}"


@st.cache_resource(max_entries=4, show_spinner=False)  # one shared screen, never copied
def _screening(key: str, _folder: PassFolder) -> Screening:
    """The county's screen (every scope cuts its own list from it; the key is hashed)."""
    s = settings()
    known = known_from_events(store().events())  # past cases make known plates
    return screen_folder(_folder, s, all_townships(s, repr(s)), known=known)


def screening(folder: PassFolder) -> tuple[str, Screening]:
    """The screen of ``folder`` and its key, computed once per change of the inputs."""
    key = screening_key(folder)
    with st.spinner(t("vh_screening", lang())):
        return key, _screening(key, folder)


@st.cache_resource(max_entries=6, show_spinner=False)
def _month_screening(key: str, month: str, _folder: PassFolder) -> Screening | None:
    """One calendar month's screen for the briefings (once per month and change of inputs)."""
    s = settings()
    known = known_from_events(store().events())  # as the page's screen: the same grades
    return screen_month(_folder, s, all_townships(s, repr(s)), month, known=known)


def briefing_screens(month: str) -> tuple[str, MonthScreens | None]:
    """The screens of ``month`` and the month before, and their cache key ("", None without
    a pass folder: the briefing then has no section on suspect vehicles)."""
    folder = pass_folder()
    if folder is None:
        return "", None
    key = screening_key(folder)
    with st.spinner(t("brief_screening", lang())):
        current = _month_screening(key, month, folder)
        before = _month_screening(key, previous_month(month), folder)
    return f"{key}|{month}", MonthScreens(month, current, before)


@st.cache_data(max_entries=64, show_spinner=False)
def _vehicle_passes(
    key: str, scope_key: str, vehicle_id: str, _folder: PassFolder, _scope: Scope
) -> pd.DataFrame:
    """One listed vehicle's passes as ``_scope`` (hashed as ``scope_key``) may see them."""
    return vehicle_passes(_folder, settings(), _screening(key, _folder), _scope, vehicle_id)


def listed_vehicle_passes(key: str, folder: PassFolder, vehicle_id: str) -> pd.DataFrame:
    """:func:`geo.vehicles.vehicle_passes` for the logged-in user, cached per scope."""
    return _vehicle_passes(key, repr(scope()), vehicle_id, folder, scope())


@st.cache_data(max_entries=16, show_spinner=False)
def _screening_xlsx(
    key: str, scope_key: str, grades: tuple[str, ...], lang: str, _folder: PassFolder, _scope: Scope
) -> bytes:
    result = scoped_result(_screening(key, _folder), _scope)
    result = replace(result, suspects=only_grades(result.suspects, grades))
    return suspects_to_xlsx(result, lang, synthetic=is_demo(settings()))


def screening_xlsx(key: str, folder: PassFolder, grades: tuple[str, ...], lang: str) -> bytes:
    """The user's list of the chosen grades as an Excel workbook (formula-safe)."""
    return _screening_xlsx(key, repr(scope()), grades, lang, folder, scope())


# ---------------------------------------------------------------- suspect activity (map, plan)


@st.cache_resource(max_entries=4, show_spinner=False)
def _suspect_passes(key: str, _folder: PassFolder) -> pd.DataFrame:
    """The listed suspects' passes with their periods: county-wide, no plate, once a screen."""
    s = settings()
    every = all_townships(s, repr(s))
    key_areas = region_key_areas(s, every, store=store())  # market days of every township
    return suspect_passes(_folder, s, _screening(key, _folder), key_areas=key_areas)


@st.cache_resource(max_entries=128, show_spinner=False)
def _suspect_cells(
    key: str,
    scope_key: str,
    res: int,
    periods: tuple[str, ...],
    hours: tuple[dt.time, dt.time] | None,
    towns: tuple[str, ...],
    _folder: PassFolder,
    _scope: Scope,
) -> tuple[tuple[dt.date, dt.date], pd.DataFrame]:
    """The screen's window and the activity per cell ``_scope`` (hashed as ``scope_key``) sees."""
    passes = _suspect_passes(key, _folder)
    cells = suspect_activity(
        passes, _scope, res=res, periods=periods, hours=hours, township_codes=towns
    )
    return _screening(key, _folder).result.window, cells


def suspect_cells(
    res: int,
    periods: Sequence[str] = (),
    *,
    hours: tuple[dt.time, dt.time] | None = None,
    towns: Sequence[str] = (),
    scope_: Scope | None = None,
) -> tuple[str, tuple[dt.date, dt.date], pd.DataFrame] | None:
    """Suspect activity per cell for the logged-in user (:func:`geo.activity.suspect_activity`).

    Cached per (screen, scope, resolution, periods, hours, townships): the screen runs once
    per change of the pass files (shared with 车辆筛查), the cells once per choice. Returns
    ``None`` without a pass folder, else the screen's key, its window and the cells; raises
    what the screen raises when the passes cannot be screened.
    """
    folder = pass_folder()
    if folder is None:
        return None
    key, who = screening_key(folder), scope_ or scope()  # ``scope_``: warming up
    with st.spinner(t("sa_computing", lang())):
        window, cells = _suspect_cells(
            key, repr(who), res, tuple(periods), hours, tuple(towns), folder, who
        )
    return key, window, cells


def plan_activity(request: PlanRequest) -> pd.DataFrame | None:
    """The suspect activity a plan asks for (its period, hours, resolution, townships).

    ``None`` when the request's weight is 0, there is no pass folder, or the passes cannot
    be screened (said on the page); the plan then says nothing was blended.
    """
    if request.suspect_weight <= 0:
        return None
    try:
        found = suspect_cells(
            request.res, request.period_keys, hours=request.hours, towns=request.township_codes
        )
    except (HexpatrolError, OSError, ValueError) as exc:
        message = exc.text(lang()) if isinstance(exc, HexpatrolError) else str(exc)
        st.warning(t("sa_failed", lang(), msg=message))
        return None
    return None if found is None else found[2]
