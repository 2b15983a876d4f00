"""Start the app warm: the store ready and the pages' code loaded before the first user.

``python -m app_pages.launch [options of streamlit run]`` is what ``make run`` and
``hexpatrol serve`` start. Before the server listens it opens and migrates the store, creates
the demo accounts (on the demo only), loads the ledgers into an empty store and imports what
the pages use (geopandas, folium, the analysis modules). Streamlit would otherwise do all of
that for the first person who opens the app, who then waited 15-30 s for the login form; with
it the first page comes in a few seconds (docs/BENCHMARKS.md, cold start).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Final

APP: Final = Path(__file__).resolve().parents[1] / "app.py"
#: the modules of app_pages that pages import (the others are the pages themselves) ...
LIBRARY: Final = (
    "session",
    "look",
    "widgets",
    "hotlist",
    "plan_form",
    "common",
    "suspects",
    "pass_import",
)
#: ... but for those that load a Streamlit component (streamlit-folium's map): a component
#: registers itself with the server only when first imported inside a page's run, so these
#: are left to the first page; the libraries they draw with are loaded here
COMPONENT_MODULES: Final = ("foliummap", "mapview", "vehicle_view")
WARM_LIBRARIES: Final = ("folium", "branca", "jinja2")
#: what the launcher itself starts beside the server (:mod:`app_pages.warm`: every account's
#: first map, made once the server runs, which is when it loads the component modules)
SERVER_TASKS: Final = ("warm",)
#: Streamlit's caches say "No runtime found" when decorated before the server runs
_CACHE_LOGGERS: Final = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
)


def prepare() -> None:
    """Get the store ready (see :func:`geo.dataset.prepare_store`) and load the pages' code."""
    from geo.config import load_settings
    from geo.dataset import prepare_store

    prepare_store(load_settings(os.environ.get("HEXPATROL_CONFIG")))
    import streamlit  # noqa: F401  (its loggers exist from here on)

    loggers = [logging.getLogger(name) for name in _CACHE_LOGGERS]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.ERROR)
    try:
        for name in (*WARM_LIBRARIES, *(f"app_pages.{m}" for m in LIBRARY)):
            importlib.import_module(name)
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    """Prepare, then run ``streamlit run app.py`` with ``argv`` in this process.

    Parameters
    ----------
    argv : list of str, optional
        Options for ``streamlit run`` (``--server.port 8501`` …); default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 2 when the settings or the store are unusable (the message says why).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from geo.errors import HexpatrolError

    try:
        prepare()
    except HexpatrolError as exc:
        print(f"hexpatrol: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # e.g. PostgreSQL not (yet) reachable
        why = (str(exc).splitlines() or [""])[0]
        print(f"hexpatrol: the store cannot be opened: {why}", file=sys.stderr)
        return 2
    from streamlit.web import cli

    from app_pages import warm

    warm.start()  # every account's first map, once the server is up
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
