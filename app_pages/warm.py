"""Every account's first map, made before its user asks (the monthly meeting's logins).

When everyone opens hexpatrol at once (42 township accounts, the commanders, the analysts),
each scope's first map was made by its first user: its data set, hotspots, hotspot list and
rendered map, about 1.5 s of one core each, all at the same moment. :func:`start` runs
:func:`warm_all` in a background thread once the server is up: for each distinct scope of
the store's accounts it fills the same shared caches a login fills (``app_pages.common``,
``app_pages.foliummap``), with the filters a user sees first (:meth:`MapFilters.default`) in
the deployment's language; then each scope's 夜间 map, its default patrol plan (the plan
form's starting values) and its maps of the other patrol periods (双休日, 法定节假日, 逢场日,
上下学时段): what the meeting looks at next. Users who log in
meanwhile are served as before; the thread only takes what is not made yet, and it stops at
the first failure (logged), never the server. ``$HEXPATROL_WARM``: ``all`` (default),
``first`` (first maps only) or ``off``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from streamlit.logger import get_logger

from geo.auth import Scope, account_scopes
from geo.periods import PERIOD_KEYS
from geo.planning import PLAN_PERIODS, default_request

LOG = get_logger("hexpatrol.warm")  # Streamlit's log set-up: shown with the server's lines
#: how long to wait for the server before giving up on warming
WAIT_S: Final = 120.0
#: the patrol periods (those of :data:`geo.planning.PLAN_PERIODS` the map filters by) whose
#: maps are made for every scope after the first maps
PERIODS: Final = tuple(p for p in PLAN_PERIODS if p in PERIOD_KEYS)
#: the job that makes a scope's default plan (:func:`warm_plan`)
PLAN: Final = "plan"
#: what ``$HEXPATROL_WARM`` may say
MODES: Final = ("all", "first", "off")
#: Streamlit's loggers that complain about work outside a page's run
_QUIET: Final = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def scopes() -> list[Scope]:
    """The scopes to warm: those of the store's accounts (:func:`geo.auth.account_scopes`)."""
    from app_pages.common import store

    return account_scopes(store())


def warm_scope(scope: Scope, period: str | None = None) -> None:
    """Make ``scope``'s first map: data set, hotspots, hotspot list, the suspects' activity
    (with a pass folder: the screen runs once, for the first scope) and the rendered map;
    with ``period``, its map of that period instead (the first filters plus that period)."""
    from app_pages import common
    from app_pages.mapview import situation_payload, suspect_layer
    from app_pages.suspects import suspect_cells
    from app_pages.widgets import MapFilters

    conf = common.settings()
    key = common.data_key(scope)
    ds = common.dataset(conf, key, scope)
    if common.data_key(scope) != key:  # that first load seeded an empty store
        key = common.data_key(scope)
        ds = common.dataset(conf, key, scope)
    filters = MapFilters.default(ds, conf)
    if period is not None:
        filters = replace(filters, periods=(period,))
    view = common.map_view(key, filters, scope)
    common.hot_ranking(key, filters, scope)
    if len(view.cells) <= conf.deck_threshold:  # what the page draws with folium
        options = common.map_options(conf, ds)
        found = suspect_cells(filters.res, filters.periods, scope_=scope)
        layer = suspect_layer(found[0], found[2], ds) if found and len(found[2]) else None
        situation_payload(key, filters, view, view.cells, ds, conf.language, options, layer)


def warm_plan(scope: Scope) -> None:
    """Make ``scope``'s plan for the plan form's starting values and its map (what
    生成巡逻方案 shows when pressed without a change: :func:`geo.planning.default_request`)."""
    from app_pages import common
    from app_pages.mapview import plan_payload

    conf = common.settings()
    key = common.data_key(scope)
    ds = common.dataset(conf, key, scope)
    if not ds.events.empty:  # the page makes no plan without events
        request = default_request(ds, (conf.case_weight, conf.tip_weight), conf.periods)
        made = common.plan_of(key, ds, scope, request)
        plan_payload(key, made, ds, conf.language, common.map_options(conf, ds))


def jobs(found: list[Scope], mode: str) -> list[tuple[Scope, str | None]]:
    """What to make, in order: every first map; with ``mode`` "all" then every 夜间 map,
    every default plan (period :data:`PLAN`) and the other periods' maps."""
    todo: list[tuple[Scope, str | None]] = [(s, None) for s in found]
    if mode == "all":
        todo += [(s, period) for s in found for period in PERIODS[:1]]
        todo += [(s, PLAN) for s in found]
        todo += [(s, period) for period in PERIODS[1:] for s in found]
    return todo


def _warm_one(scope: Scope, what: str | None) -> None:
    if what == PLAN:
        warm_plan(scope)
    else:
        warm_scope(scope, what)


def warm_all(warm: Callable[[Scope, str | None], None] = _warm_one, mode: str = "all") -> int:
    """Warm every account's scope (see :func:`jobs`); returns how many things were made.

    ``mode`` "first": the first maps only; "all": then each scope's map of each patrol
    period (:data:`PERIODS`) and its default plan, what a commander or a township leader
    looks at next.
    """
    quiet = [logging.getLogger(name) for name in _QUIET]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    done, todo, began = 0, [], time.perf_counter()
    try:
        todo = jobs(scopes(), mode)
        for scope, what in todo:
            warm(scope, what)
            done += 1
    except Exception:  # a broken scope must not take the server down: users see the error
        LOG.exception("warming stopped after %d of %d maps and plans", done, len(todo))
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    LOG.info("%d maps and plans ready in %.1f s", done, time.perf_counter() - began)
    return done


def _server_up(timeout: float) -> bool:
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeState

    ready = {RuntimeState.NO_SESSIONS_CONNECTED, RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED}
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if Runtime.exists() and Runtime.instance().state in ready:
            return True
        time.sleep(0.5)
    return False


def mode() -> str:
    """What to warm: ``$HEXPATROL_WARM`` ("all", the default; "first"; "off")."""
    value = os.environ.get("HEXPATROL_WARM", "all").strip().lower() or "all"
    if value not in MODES:
        LOG.warning("HEXPATROL_WARM=%r is not one of %s: warming all", value, ", ".join(MODES))
        return "all"
    return value


def _run() -> None:
    # the map component registers with the running server only: wait for it first
    if mode() == "off":
        return
    if _server_up(WAIT_S):
        warm_all(mode=mode())
    else:
        LOG.warning("the server did not start within %.0f s: first maps not warmed", WAIT_S)


def start() -> threading.Thread:
    """Warm the first maps in a background thread once the server runs (see module doc)."""
    thread = threading.Thread(target=_run, name="hexpatrol-warm", daemon=True)
    thread.start()
    return thread
