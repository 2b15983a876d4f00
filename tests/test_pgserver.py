"""The ``db_url`` fixture: a fresh, empty database on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import pgserver

metadata = sa.MetaData()
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("township", sa.String(40), nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = sa.create_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


def test_round_trip(engine: sa.Engine, db_url: str) -> None:
    assert engine.dialect.name == db_url.split(":", 1)[0].split("+", 1)[0]
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(cases),
            [{"township": "云阳镇", "weight": 1.0}, {"township": "双江街道", "weight": 0.5}],
        )
    with engine.connect() as conn:
        rows = conn.execute(sa.select(cases.c.township, cases.c.weight).order_by(cases.c.id)).all()
    assert [tuple(r) for r in rows] == [("云阳镇", 1.0), ("双江街道", 0.5)]


def test_rollback(engine: sa.Engine) -> None:
    metadata.create_all(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(sa.insert(cases), {"township": "云阳镇", "weight": 1.0})
        raise RuntimeError("abort")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one() == 0


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_an_empty_database(engine: sa.Engine, run: int) -> None:
    # Runs twice per backend: a table left behind by another test would show up here.
    assert sa.inspect(engine).get_table_names() == []
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(cases), {"township": f"run {run}", "weight": 1.0})


def test_databases_are_isolated(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A second database on the same backend, made the way the fixture makes them, is separate.
    first = sa.create_engine(db_url)
    if db_url.startswith("sqlite"):
        other_url = f"sqlite:///{tmp_path_factory.mktemp('other')}/store.sqlite"
        other_db = None
    else:
        url = sa.make_url(db_url)
        other_db = f"{url.database}_other"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{other_db}"')
        other_url = url.set(database=other_db).render_as_string(hide_password=False)
    second = sa.create_engine(other_url)
    try:
        metadata.create_all(first)
        with first.begin() as conn:
            conn.execute(sa.insert(cases), {"township": "云阳镇", "weight": 1.0})
        assert sa.inspect(second).get_table_names() == []
        metadata.create_all(second)
        with second.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one() == 0
        with first.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one() == 1
    finally:
        first.dispose()
        second.dispose()
        if other_db is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{other_db}" WITH (FORCE)')
            admin.dispose()


def test_find_bindir_picks_the_highest_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9.6", "15", "16", "notaversion"):
        bindir = tmp_path / version / "bin"
        bindir.mkdir(parents=True)
        for tool in ("initdb", "pg_ctl"):
            (bindir / tool).write_text("#!/bin/sh\n")
            (bindir / tool).chmod(0o755)
    (tmp_path / "17" / "bin").mkdir(parents=True)  # client only: no initdb, no pg_ctl
    monkeypatch.setattr(pgserver, "_BIN_GLOB", f"{tmp_path}/*/bin")
    assert pgserver.find_bindir() == tmp_path / "16" / "bin"


def test_find_bindir_without_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgserver, "_BIN_GLOB", f"{tmp_path}/*/bin")
    with pytest.raises(pgserver.PostgresNotFound, match="postgresql"):
        pgserver.find_bindir()
