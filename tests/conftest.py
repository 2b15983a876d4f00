"""Shared fixtures: the demo data set (loaded once), small literal frames, and store databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from geo.config import Settings
from geo.dataset import Dataset, load_dataset
from tests.pgserver import PgServer, PostgresNotFound

# the app servers tests start warm each account's first map only, not every period's map
# as a deployment does (app_pages.warm): two cores are shared by the whole suite
os.environ.setdefault("HEXPATROL_WARM", "first")


@pytest.fixture(scope="session")
def demo() -> Dataset:
    """The bundled synthetic Yunyang data set."""
    return load_dataset(Settings())


@pytest.fixture
def two_townships() -> gpd.GeoDataFrame:
    """Two adjacent 0.1° squares: 甲镇 (west) and 乙乡 (east)."""
    return gpd.GeoDataFrame(
        {"code": ["500235001", "500235002"], "name": ["甲镇", "乙乡"]},
        geometry=[shapely.box(108.6, 30.9, 108.7, 31.0), shapely.box(108.7, 30.9, 108.8, 31.0)],
        crs=4326,
    )


def make_events(
    rows: list[tuple[str, float, float]], start: str = "2025-10-01 20:00"
) -> pd.DataFrame:
    """Canonical-looking events from (kind, lat, lon) triples, one minute apart."""
    times = pd.date_range(start, periods=len(rows), freq="min", tz="Asia/Shanghai")
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "kind": [r[0] for r in rows],
            "occurred_at": times,
            "lat": [r[1] for r in rows],
            "lon": [r[2] for r in rows],
            "township_code": None,
        }
    )


# --- Store tests against SQLite and a real PostgreSQL server --------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """Base URL (no database) of a PostgreSQL server for the whole session.

    HEXPATROL_TEST_PG_URL names an existing server (a superuser URL, e.g.
    ``postgresql+psycopg://me:pw@127.0.0.1:5432/``); otherwise a throwaway cluster is started
    from Debian's binaries and removed at the end. Without the binaries the PostgreSQL tests
    are skipped, except in CI (env CI set), where they fail.
    """
    external = os.environ.get("HEXPATROL_TEST_PG_URL")
    if external:
        url = make_url(external)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        yield url.set(database="").render_as_string(hide_password=False)
        return
    try:
        server = PgServer()
    except PostgresNotFound as e:
        message = f"{e}; or set HEXPATROL_TEST_PG_URL to a running server"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with server as base_url:
        yield base_url


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database, once on SQLite and once on PostgreSQL.

    The PostgreSQL server starts on first use, once per session; each test gets its own
    database, dropped afterwards.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite"
        return
    base = make_url(request.getfixturevalue("pg_server_url"))
    name = f"hexpatrol_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(
        base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _session_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the app and the command line at a throwaway SQLite store, never ``var/``."""
    old = os.environ.get("HEXPATROL_DB_URL")
    path = tmp_path_factory.mktemp("store") / "session.sqlite"
    os.environ["HEXPATROL_DB_URL"] = f"sqlite:///{path}"
    yield
    if old is None:
        os.environ.pop("HEXPATROL_DB_URL", None)
    else:
        os.environ["HEXPATROL_DB_URL"] = old
