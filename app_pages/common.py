"""State and cached loaders shared by the pages (the only place pages get data from)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from app_pages.session import is_demo, lang, settings, store
from app_pages.widgets import MapFilters
from geo.activity import suspect_activity, suspect_passes
from geo.auth import Scope, User
from geo.briefdoc import section_tables, to_docx, to_pdf
from geo.briefing import Briefing
from geo.briefmap import deployment_briefing
from geo.briefsuspects import MonthScreens, previous_month, screen_month
from geo.config import Settings
from geo.dataset import Dataset, load_dataset, region_key_areas, settings_townships
from geo.errors import HexpatrolError
from geo.evaluate import backtest, patrol_backtest, summarize
from geo.export import PlanDocuments, PlanPackage, plan_documents, plan_package
from geo.fonts import missing_for_print
from geo.hotspots import StudyArea
from geo.i18n import t
from geo.memo import SharedMemo
from geo.places import hotspot_ranking
from geo.planning import PlanRequest
from geo.screening.inputs import known_from_events
from geo.screening.report import suspects_to_xlsx
from geo.tiles import tileset
from geo.vehicles import (
    PassFolder,
    Screening,
    find_pass_folder,
    only_grades,
    scoped_result,
    screen_folder,
    vehicle_passes,
)
from geo.views import (
    ForecastView,
    GiOptions,
    HotspotView,
    forecast_view,
    hotspot_view,
    period_events,
    study_area,
)
from layers.assets import missing_files

__all__ = ["is_demo", "lang", "settings", "store"]


def user() -> User:
    """The logged-in user (app.py lets no page run without one)."""
    found = st.session_state.get("user")
    if not isinstance(found, User):  # pragma: no cover - app.py stops before any page
        st.stop()
    return found


def scope() -> Scope:
    """What the logged-in user may see; every data call below goes through it."""
    return user().scope


def data_key(scope_: Scope | None = None) -> str:
    """Cache key of the current data: settings, the user's (or ``scope_``'s) scope and the
    store's revision."""
    return f"{settings()!r}|{scope_ or scope()}|{store().revision()}"


@st.cache_resource(max_entries=96, show_spinner=False)
def dataset(_settings: Settings, key: str, _scope: Scope) -> Dataset:
    """The data in ``_scope`` (``key`` is what the cache hashes: see :func:`data_key`).

    One object for every session of the scope, read by every page and never modified: a
    cache of copies (``st.cache_data``) unpickled the whole data set on every rerun of every
    session (issue 19).
    """
    return load_dataset(_settings, store=store(), scope=_scope)


def current_dataset() -> Dataset:
    """The logged-in user's data, cached across reruns and users of the same scope."""
    with st.spinner(t("loading_data", lang())):  # shown only when it takes a while
        return dataset(settings(), data_key(), scope())


def _data(key: str, scope_: Scope | None) -> Dataset:
    """The data set of ``key``: of ``scope_`` when given (warming up), else the user's."""
    if scope_ is None:
        return current_dataset()
    return dataset(settings(), key, scope_)


def demo_banner() -> None:
    """Say plainly that the demo data are synthetic."""
    if is_demo(settings()):
        st.caption(f"⚠️ {t('synthetic_banner', lang())} {t('synthetic_basemap', lang())}")


@st.cache_resource(max_entries=128, show_spinner=False)
def _area(
    key: str, res: int, k: int, towns: tuple[str, ...], _scope: Scope | None = None
) -> StudyArea:
    """Study area per (data, resolution, k, townships); immutable, so shared."""
    return study_area(_data(key, _scope), res=res, k=k, township_codes=towns)


def _filter_args(filters: MapFilters) -> dict[str, Any]:
    """The sidebar choices as the keywords both views take."""
    return {
        "res": filters.res,
        "start": filters.start,
        "end": filters.end,
        "kinds": filters.kinds,
        "township_codes": filters.towns,
        "periods": filters.periods,
        "weights": filters.weights,
    }


@st.cache_resource(max_entries=128, show_spinner=False)
def map_view(key: str, filters: MapFilters, _scope: Scope | None = None) -> HotspotView:
    """Hotspots, trends and risk for the sidebar choices (one shared object per choice, any
    language; never modified). ``_scope``: see :func:`_data`."""
    conf = settings()
    area = _area(key, filters.res, conf.gi_k, filters.towns, _scope)
    return hotspot_view(
        _data(key, _scope),
        filters.query(),
        gi=replace(GiOptions.from_settings(conf), weights=filters.weights),
        lang=None,  # codes only: the page words them, so one result serves both languages
        area=area,
    )


@st.cache_resource(max_entries=128, show_spinner=False)
def hot_ranking(key: str, filters: MapFilters, _scope: Scope | None = None) -> pd.DataFrame:
    """The map's top hotspot cells with their places (one shared frame per choice)."""
    ds = _data(key, _scope)
    return hotspot_ranking(
        map_view(key, filters, _scope).cells,
        townships=ds.townships,
        key_areas=ds.key_areas,
        villages=ds.base_layers.get("villages"),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def next_month_view(key: str, filters: MapFilters) -> ForecastView:
    """Next month's default forecast for the sidebar choices (one shared object per choice)."""
    return forecast_view(
        current_dataset(),
        **_filter_args(filters),
        area=_area(key, filters.res, settings().gi_k, filters.towns),
    )


def forecast_cells(filters: MapFilters, lang: str) -> gpd.GeoDataFrame:
    """Next month's risk hexagons for the map, with a caption that says what they are."""
    with st.spinner(t("forecasting", lang)):
        view = next_month_view(data_key(), filters)
    if view.outlook is None:
        st.info(t("forecast_none", lang))
        return view.cells
    hit = view.record["hit_rate"]
    st.caption(
        t(
            "forecast_caption",
            lang,
            month=view.outlook.month,
            months=int(view.record["months"]),
            hit=f"{hit:.1%}" if hit == hit else "—",
        )
    )
    return view.cells


@st.cache_resource
def all_townships(_settings: Settings, key: str) -> gpd.GeoDataFrame:
    """Every township polygon (reference data, not records), for checking imported rows.

    A township account's import is checked against all of them, so a row of another
    township is rejected as such ("outside your jurisdiction"), not as lying nowhere.
    """
    return settings_townships(_settings)


def tile_options(conf: Settings) -> dict[str, Any]:
    """The base map every map page passes to ``situation_map``: tiles and vector layers.

    Says plainly on the page what is missing: the map's scripts (``make assets``) or the
    imported tile set named by ``basemap``.
    """
    missing = assets_missing()
    if missing:
        st.error(t("assets_missing", lang(), n=len(missing), first=missing[0]))
    options = map_options(conf, current_dataset())
    if conf.tiles == "local" and options["tileset"] is None:
        st.warning(t("tiles_missing", lang(), name=conf.basemap))
    return options


def map_options(conf: Settings, ds: Dataset) -> dict[str, Any]:
    """The tiles and vector layers of ``ds``'s maps (what :func:`tile_options` returns)."""
    return {
        "tiles": conf.tiles,
        "tile_url": conf.tile_url,
        "tile_attribution": conf.tile_attribution,
        "tianditu_key": conf.tianditu_key,
        "tileset": tileset(conf.basemap) if conf.tiles == "local" else None,
        "base": ds.base_layers,
    }


@st.cache_resource(ttl=60, show_spinner=False)
def assets_missing() -> list[str]:
    """Map script files that are not on this machine (checked once a minute)."""
    return missing_files()


def warn_dataset(ds: Dataset, lang: str) -> None:
    """Show what could not be labelled or loaded, so nothing is lost silently."""
    for message in ds.warnings:
        st.warning(message)
    if not ds.rejects.empty:
        with st.expander(t("load_rejects_note", lang, n=ds.rejects["row"].nunique())):
            st.dataframe(ds.rejects, hide_index=True)


@st.cache_data(max_entries=8, show_spinner=False)
def backtest_summary(key: str, res: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling monthly backtest of every method on the loaded events (cached per settings)."""
    metrics = backtest(current_dataset().events, res=res)
    return metrics, summarize(metrics)


@st.cache_data(max_entries=8, show_spinner=False)
def patrol_backtest_table(
    key: str, res: int, period: str, teams: int, radius_m: float
) -> pd.DataFrame:
    """Plans on the forecast vs on last month's counts, month by month (cached per choice)."""
    conf = settings()
    return patrol_backtest(
        period_events(current_dataset(), periods=[period]),
        res=res,
        teams=teams,
        radius_m=radius_m,
        area=_area(key, res, conf.gi_k, ()),
        weights={"case": conf.case_weight, "tip": conf.tip_weight},
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def briefing_view(
    key: str, month: str, township: str | None, screens_key: str, _screens: MonthScreens | None
) -> tuple[Briefing, dict[str, list[tuple[str, pd.DataFrame]]]]:
    """One briefing (text, drawings) and the tables after its sections, shared by every
    session (``_screens`` from :func:`briefing_screens`, hashed as ``screens_key``)."""
    conf = settings()
    briefing = deployment_briefing(
        current_dataset(), month, conf, township=township, screens=_screens
    )
    return briefing, section_tables(briefing)


#: briefings' DOCX and PDF, made when someone downloads them, once for everyone
_BRIEF_DOCX: SharedMemo[bytes] = SharedMemo(16)
_BRIEF_PDF: SharedMemo[bytes] = SharedMemo(16)


def briefing_documents_later(
    briefing: Briefing, key: tuple[str, ...]
) -> tuple[Callable[[], bytes], Callable[[], bytes]]:
    """What makes the briefing's DOCX and its PDF (LibreOffice) when a button is pressed.

    ``key`` names the briefing (data, month, township, screens). Nothing is written, and
    nothing sent to the browser, until someone asks for a file.
    """
    synthetic = is_demo(settings())

    def docx() -> bytes:
        return _BRIEF_DOCX.get(key, lambda: to_docx(briefing, synthetic=synthetic))

    def pdf() -> bytes:
        return _BRIEF_PDF.get(key, lambda: to_pdf(docx()))

    return docx, pdf


#: plans, once per data, scope and request for every session; their documents likewise
_PLANS: SharedMemo[PlanPackage] = SharedMemo(32)
_PLAN_DOCUMENTS: SharedMemo[PlanDocuments] = SharedMemo(16)


def shared_plan(
    request: PlanRequest,
    progress: Callable[[float, str], None] | None = None,
    activity: pd.DataFrame | None = None,
) -> PlanPackage:
    """The logged-in user's plan for ``request``: made once for all users of the same scope.

    ``progress`` reports only when this call makes the plan (not when it is already made);
    ``activity`` is the suspect activity the request's weight blends in (:func:`plan_activity`).
    """
    ds, conf = current_dataset(), settings()
    blended = None if activity is None else int(pd.util.hash_pandas_object(activity).sum())
    town = scope().township_code is not None and len(ds.townships) > 0
    place = str(ds.townships["name"].iloc[0]) if town else None

    def make() -> PlanPackage:
        return plan_package(ds, request, conf, progress=progress, activity=activity, place=place)

    return _PLANS.get((data_key(), request, blended), make)


def plan_documents_later(plan: PlanPackage) -> Callable[[], PlanDocuments]:
    """What makes ``plan``'s map, workbook and page when a download button is pressed.

    The download buttons take it as deferred data: nothing is drawn or written, and nothing
    sent to the browser, until someone asks for a file (then once for everyone).
    """
    ds, conf, key = current_dataset(), settings(), (data_key(), plan.request, id(plan))
    synthetic = is_demo(conf)
    return lambda: _PLAN_DOCUMENTS.get(
        key, lambda: plan_documents(ds, plan, conf, synthetic=synthetic)
    )


def warn_print_tools(conf: Settings, lang: str) -> None:
    """Say plainly what printed briefings lack on this machine (CJK font, LibreOffice)."""
    missing = missing_for_print(conf.cjk_font)
    if missing:
        what = "、".join(t(f"missing_{m}", lang) for m in missing)
        st.warning(t("brief_missing", lang, what=what, fix=t("missing_fix", lang)))


# ---------------------------------------------------------------- vehicle screening (车辆筛查)


def pass_folder() -> PassFolder | None:
    """The deployment's pass folder, or the demo's (see :func:`geo.vehicles.find_pass_folder`)."""
    return find_pass_folder(settings().data_dir)


def screening_key(folder: PassFolder) -> str:
    """Cache key of a screen: settings, the pass files' sizes and times, the store's revision."""
    return f"{settings()!r}|{folder.root}|{folder.stamp()}|{store().revision()}"


@st.cache_data(max_entries=4, show_spinner=False)
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


@st.cache_data(max_entries=6, show_spinner=False)
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


@st.cache_data(max_entries=4, show_spinner=False)
def _suspect_passes(key: str, _folder: PassFolder) -> pd.DataFrame:
    """The listed suspects' passes with their periods: county-wide, no plate, once a screen."""
    s = settings()
    every = all_townships(s, repr(s))
    key_areas = region_key_areas(s, every, store=store())  # market days of every township
    return suspect_passes(_folder, s, _screening(key, _folder), key_areas=key_areas)


@st.cache_data(max_entries=64, show_spinner=False)
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
