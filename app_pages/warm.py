"""Every account's first map, made before its user asks (the monthly meeting's logins).

When everyone opens hexpatrol at once (42 township accounts, the commanders, the analysts),
each scope's first map was made by its first user: its data set, hotspots, hotspot list and
rendered map, about 1.5 s of one core each, all at the same moment. :func:`start` runs
:func:`warm_all` in a background thread once the server is up: for each distinct scope of
the store's accounts it fills the same shared caches a login fills (``app_pages.common``,
``app_pages.foliummap``), with the filters a user sees first (:meth:`MapFilters.default`) in
the deployment's language. Users who log in meanwhile are served as before; the thread only
takes what is not made yet, and it stops at the first failure (logged), never the server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Final

from streamlit.logger import get_logger

from geo.auth import Scope, account_scopes

LOG = get_logger("hexpatrol.warm")  # Streamlit's log set-up: shown with the server's lines
#: how long to wait for the server before giving up on warming
WAIT_S: Final = 120.0
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


def warm_scope(scope: Scope) -> None:
    """Make ``scope``'s first map: data set, hotspots, hotspot list, the suspects' activity
    (with a pass folder: the screen runs once, for the first scope) and the rendered map."""
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
    view = common.map_view(key, filters, scope)
    common.hot_ranking(key, filters, scope)
    if len(view.cells) <= conf.deck_threshold:  # what the page draws with folium
        options = common.map_options(conf, ds)
        found = suspect_cells(filters.res, filters.periods, scope_=scope)
        layer = suspect_layer(found[0], found[2], ds) if found and len(found[2]) else None
        situation_payload(key, filters, view, view.cells, ds, conf.language, options, layer)


def warm_all(warm: Callable[[Scope], None] = warm_scope) -> int:
    """Warm every account's scope (see :func:`warm_scope`); returns how many were warmed."""
    quiet = [logging.getLogger(name) for name in _QUIET]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    done, began = 0, time.perf_counter()
    try:
        for scope in scopes():
            warm(scope)
            done += 1
    except Exception:  # a broken scope must not take the server down: users see the error
        LOG.exception("warming the first maps stopped after %d scopes", done)
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    LOG.info("first maps of %d scopes ready in %.1f s", done, time.perf_counter() - began)
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


def _run() -> None:
    # the map component registers with the running server only: wait for it first
    if _server_up(WAIT_S):
        warm_all()
    else:
        LOG.warning("the server did not start within %.0f s: first maps not warmed", WAIT_S)


def start() -> threading.Thread:
    """Warm the first maps in a background thread once the server runs (see module doc)."""
    thread = threading.Thread(target=_run, name="hexpatrol-warm", daemon=True)
    thread.start()
    return thread
