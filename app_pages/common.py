"""State and cached loaders shared by the pages (the only place pages get data from)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import streamlit as st

from app_pages.session import is_demo, lang, settings, store
from app_pages.widgets import MapFilters
from geo.auth import Scope, User
from geo.briefdoc import section_tables, to_docx, to_pdf
from geo.briefing import Briefing
from geo.briefmap import deployment_briefing
from geo.briefsuspects import MonthScreens
from geo.config import Settings
from geo.dataset import Dataset, load_dataset, settings_townships
from geo.evaluate import backtest, patrol_backtest, summarize
from geo.export import PlanDocuments, PlanPackage, plan_documents, plan_package
from geo.fonts import missing_for_print
from geo.hotspots import StudyArea
from geo.i18n import t
from geo.memo import SharedMemo, frames_bytes
from geo.places import hotspot_ranking
from geo.planning import PlanRequest
from geo.tiles import tileset
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


#: seconds a page may reuse the store's revision: another worker's import shows that late
REVISION_AGE_S: Final = 1.0
#: memory the shared map views of one server process may take (the oldest go first)
VIEW_BYTES: Final = 512e6


def data_key(scope_: Scope | None = None) -> str:
    """Cache key of the current data: settings, the user's (or ``scope_``'s) scope and the
    store's revision (read at most once a second: :data:`REVISION_AGE_S`)."""
    return f"{settings()!r}|{scope_ or scope()}|{store().revision(REVISION_AGE_S)}"


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


@st.cache_resource(max_entries=256, show_spinner=False)
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


def _view_bytes(view: HotspotView) -> float:
    return frames_bytes(view.events, view.cells, view.stats, view.series, view.risk)


@st.cache_resource
def _views() -> SharedMemo[HotspotView]:
    """The map views of every session (cleared with Streamlit's resource caches): a township's
    is a few kB, the county's some MB, so the budget is in bytes (:data:`VIEW_BYTES`)."""
    return SharedMemo(1024, weigh=_view_bytes, max_weight=VIEW_BYTES)


def map_view(key: str, filters: MapFilters, _scope: Scope | None = None) -> HotspotView:
    """Hotspots, trends and risk for the sidebar choices (one shared object per choice, any
    language; never modified). ``_scope``: see :func:`_data`."""

    def make() -> HotspotView:
        conf = settings()
        area = _area(key, filters.res, conf.gi_k, filters.towns, _scope)
        return hotspot_view(
            _data(key, _scope),
            filters.query(),
            gi=replace(GiOptions.from_settings(conf), weights=filters.weights),
            lang=None,  # codes only: the page words them, so one result serves both languages
            area=area,
        )

    return _views().get((key, filters), make)


@st.cache_resource(max_entries=1024, show_spinner=False)
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
_PLANS: SharedMemo[PlanPackage] = SharedMemo(128)
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
    return plan_of(data_key(), current_dataset(), scope(), request, progress, activity)


def plan_of(
    key: str,
    ds: Dataset,
    scope_: Scope,
    request: PlanRequest,
    progress: Callable[[float, str], None] | None = None,
    activity: pd.DataFrame | None = None,
) -> PlanPackage:
    """The plan of data ``key`` (``ds``, ``scope_``) for ``request`` (see :func:`shared_plan`;
    the warm-up makes each scope's default plan with it)."""
    blended = None if activity is None else int(pd.util.hash_pandas_object(activity).sum())
    town = scope_.township_code is not None and len(ds.townships) > 0
    place = str(ds.townships["name"].iloc[0]) if town else None

    def make() -> PlanPackage:
        return plan_package(
            ds, request, settings(), progress=progress, activity=activity, place=place
        )

    return _PLANS.get((key, request, blended), make)


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
