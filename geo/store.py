"""The persistent store: events, import batches, rejects, tipsters (kept apart), users, audit.

SQLAlchemy Core over SQLite (the default: one file in the deployment's data directory, WAL
mode, so the app reads while an import writes) or PostgreSQL by URL. The URL comes from, in
order: an explicit argument (``--db``), ``$HEXPATROL_DB_URL``, the settings'
``database_url``, then ``sqlite:///<data_dir>/hexpatrol.sqlite``.

The schema is versioned: :data:`MIGRATIONS` is a list of steps, each applied once, in order,
inside one transaction, and the version is recorded in ``schema_version``. Opening a store
brings it up to date, so an upgrade of hexpatrol never loses data; a store written by a newer
hexpatrol is refused rather than damaged.

Writers take one lock for their whole transaction (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL): concurrent imports queue and both land, readers are never blocked, and a
process killed mid-import leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.errors import HexpatrolError
from geo.schema import EVENT_COLUMNS, EVENT_FIELDS, TZ, utc_now

#: the options row counting changes of the data (see :meth:`Store.revision`)
_VERSION: Final = "data_version"
#: PostgreSQL advisory-lock key that serialises writers (any constant unique to hexpatrol).
_PG_LOCK: Final = 0x4E58_5041
#: first half of the two-part advisory-lock keys of :meth:`Store.exclusive`
_PG_KEYED: Final = 0x4C4F_4749

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("batch_id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_new", sa.Integer, nullable=False),
    sa.Column("n_changed", sa.Integer, nullable=False),
    sa.Column("n_unchanged", sa.Integer, nullable=False),
    sa.Column("n_rejected", sa.Integer, nullable=False),
    sa.Column("n_flagged", sa.Integer, nullable=False),
    sa.Column("scope", sa.String(64), nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False),  # committed | undone
    sa.Column("undone_at", sa.DateTime),
    sa.Column("undone_by", sa.String(64)),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)


_SQL_TYPES: Final = {"text": sa.Text, "int": sa.Integer, "float": sa.Float, "time": sa.DateTime}


def _event_columns() -> list[sa.Column[Any]]:
    """The events table's columns: :data:`geo.schema.EVENT_FIELDS` plus provenance."""
    cols: list[sa.Column[Any]] = []
    for f in EVENT_FIELDS:
        kind = sa.String(f.length) if f.type == "str" else _SQL_TYPES[f.type]
        cols.append(sa.Column(f.name, kind, nullable=not f.required))
        if f.name == "event_id":
            cols.append(sa.Column("batch_id", sa.String(40), nullable=False, index=True))
        if f.name == "plate":  # plate without spaces or dots, upper case
            cols.append(sa.Column("plate_key", sa.String(32)))
    cols += [
        sa.Column("source_file", sa.Text),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("dup_of", sa.String(128)),  # set when a reviewer confirms a duplicate
    ]
    return cols


events = sa.Table(
    "events",
    metadata,
    *_event_columns(),
    sa.PrimaryKeyConstraint("event_id"),
    sa.Index("ix_events_township_time", "township_code", "occurred_at"),
    sa.Index("ix_events_plate_key", "plate_key"),
)

#: Previous versions of events that a batch replaced; undoing that batch puts them back.
event_history = sa.Table(
    "event_history",
    metadata,
    sa.Column("replaced_by", sa.String(40), nullable=False, index=True),
    *_event_columns(),
)

tipsters = sa.Table(
    "tipsters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(128), nullable=False, index=True),
    sa.Column("batch_id", sa.String(40), nullable=False, index=True),
    sa.Column("tipster_name", sa.Text),
    sa.Column("tipster_phone", sa.Text),
)

rejects = sa.Table(
    "rejects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(40), nullable=False, index=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("column_name", sa.Text, nullable=False),
    sa.Column("value", sa.Text),
    sa.Column("reason_code", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reason_zh", sa.Text, nullable=False),
    sa.Column("original", sa.JSON),
    sa.Column("file", sa.Text),  # file (and sheet) of the row, when a batch read several
)

review = sa.Table(
    "review",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(40), nullable=False, index=True),
    sa.Column("event_id", sa.String(128), nullable=False, index=True),
    sa.Column("other_id", sa.String(128), nullable=False, index=True),
    sa.Column("rule", sa.String(32), nullable=False),
    sa.Column("minutes", sa.Float),
    sa.Column("metres", sa.Float),
    sa.Column("decision", sa.String(16)),  # None (open) | duplicate | distinct
    sa.Column("decided_by", sa.String(64)),
    sa.Column("decided_at", sa.DateTime),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("township_code", sa.String(32)),
    sa.Column("display_name", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("scope", sa.String(64), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)

#: Key areas as edited in the app; while empty, the settings' key-area file is used.
key_areas = sa.Table(
    "key_areas",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("radius_m", sa.Float, nullable=False),
    sa.Column("township_code", sa.String(32)),
    sa.Column("market_days", sa.Text),
    sa.Column("market_hours", sa.Text),
    sa.Column("name_en", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
)

#: Failed logins per user name, counted before the password is checked (see geo.auth).
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", sa.DateTime, nullable=False),
    sa.Column("locked_until", sa.DateTime),
)

#: Logins that survive a reload: a random token in the browser's cookie, its hash here.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("end_reason", sa.String(16)),  # logout | expired | removed | changed | password
    sa.Column("ui_state", sa.JSON),  # the pages' choices (filters, month …) for a reload
)

#: Vehicles put on the blacklist by hand (from the screening page), beside the plates the
#: rules find in the events (geo.blacklist): the plate in full, where it was seen, who and why.
blacklist_entries = sa.Table(
    "blacklist_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plate", sa.String(32), nullable=False, index=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("township_codes", sa.Text, nullable=False, server_default=""),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("added_by", sa.String(64), nullable=False),
)

#: Checkpoint-pass imports (geo.pass_imports): one Parquet file per batch in the pass folder,
#: this row says what it holds; undo deletes the file, retention shrinks or removes it.
pass_batches = sa.Table(
    "pass_batches",
    metadata,
    sa.Column("batch_id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("stored_file", sa.String(255), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_stored", sa.Integer, nullable=False),
    sa.Column("n_rejected", sa.Integer, nullable=False),
    sa.Column("n_duplicates", sa.Integer, nullable=False),  # of passes stored before
    sa.Column("n_unknown_cp", sa.Integer, nullable=False),
    sa.Column("n_pruned", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_day", sa.Date),
    sa.Column("last_day", sa.Date),
    sa.Column("status", sa.String(16), nullable=False),  # committed | undone | expired
    sa.Column("undone_at", sa.DateTime),
    sa.Column("undone_by", sa.String(64)),
)

options = sa.Table(
    "options",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)


def _create(*tables: sa.Table) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        metadata.create_all(conn, tables=list(tables), checkfirst=True)

    return step


def _add_column(table: sa.Table, name: str) -> Callable[[Connection], None]:
    """A step adding ``table.c[name]`` to a store made before it existed."""

    def step(conn: Connection) -> None:
        if name in {c["name"] for c in sa.inspect(conn).get_columns(table.name)}:
            return  # created by an earlier step from today's table definition
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {kind}'))

    return step


def _steps(*steps: Callable[[Connection], None]) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        for one in steps:
            one(conn)

    return step


#: Schema steps; step ``i`` brings the store from version ``i`` to ``i + 1``. Append only:
#: never edit a step that has shipped, add a new one (e.g. ``ALTER TABLE … ADD COLUMN``).
MIGRATIONS: Final[tuple[Callable[[Connection], None], ...]] = (
    _create(batches, events, event_history, tipsters, rejects, review, users, audit, options),
    _create(key_areas),
    _steps(_create(login_attempts, sessions), _add_column(rejects, "file")),
    _create(blacklist_entries),
    _create(pass_batches),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)

DATA_TABLES: Final = ("events", "event_history", "tipsters", "review")


class StoreError(HexpatrolError):
    """The store refuses an operation (unknown batch, undo out of order, newer schema)."""


def default_url(data_dir: str | os.PathLike[str]) -> str:
    """The SQLite file of a deployment's data directory."""
    return f"sqlite:///{Path(data_dir).resolve() / 'hexpatrol.sqlite'}"


def resolve_url(
    url: str | None = None,
    *,
    configured: str = "",
    data_dir: str | os.PathLike[str] | None = None,
) -> str:
    """The database URL to use: ``url``, ``$HEXPATROL_DB_URL``, ``configured``, the default."""
    chosen = url or os.environ.get("HEXPATROL_DB_URL") or configured
    if chosen:
        return chosen
    if data_dir is None:
        raise StoreError("no database URL given and no data directory to put one in")
    return default_url(data_dir)


def utc_naive(ts: pd.Series) -> pd.Series:
    """Tz-aware timestamps as naive UTC (how the store keeps them)."""
    return ts.dt.tz_convert("UTC").dt.tz_localize(None)


class Store:
    """One database; cheap to keep for a process's lifetime (engines pool connections).

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:////srv/hexpatrol/var/hexpatrol.sqlite`` or
        ``postgresql+psycopg://user:pass@host/db``. A SQLite file's folder is created.
    migrate : bool
        Bring the schema up to date on open (default). ``False`` is for tests of migrations.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self._revision: tuple[str, float] | None = None  # see revision()
        self._writes = 0
        parsed = sa.make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sa.create_engine(
                url,
                connect_args={"timeout": 120},
                poolclass=sa.pool.NullPool,
                hide_parameters=True,  # errors never echo record values (tipsters, plates)
            )
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        elif self.dialect == "postgresql":
            self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
        else:
            raise StoreError(
                f"database URL {parsed.render_as_string(hide_password=True)!r}: only "
                "sqlite:/// and postgresql+psycopg:// are supported"
            )
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.engine.dispose()
                raise

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({sa.make_url(self.url).render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, holding the writers' lock until commit or rollback."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(hexpatrol_write=True)
            try:
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK)))
                    yield conn
            finally:  # committed or not: read the revision again (see revision)
                self._writes += 1
                self._revision = None

    @contextmanager
    def exclusive(self, key: str) -> Iterator[Connection]:
        """A short write transaction serialised with others of the same ``key`` only.

        For counters that must not race (failed logins): on PostgreSQL an advisory lock per
        key, so it never waits behind an import; SQLite has one writer at a time anyway.
        """
        with self.engine.connect() as conn:
            conn = conn.execution_options(hexpatrol_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(
                        sa.select(sa.func.pg_advisory_xact_lock(_PG_KEYED, sa.func.hashtext(key)))
                    )
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One consistent read (never blocked by a writer)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------ schema

    def version(self) -> int:
        """Schema version of the database (0 for an empty one)."""
        with self.read() as conn:
            return _version(conn)

    def migrate(self, target: int = SCHEMA_VERSION) -> int:
        """Apply the missing schema steps up to ``target``; returns the new version."""
        if self.version() == target:  # up to date: no writer's lock (imports may be running)
            return target
        with self.write() as conn:
            current = _version(conn)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the database has schema version {current}, newer than this hexpatrol "
                    f"({SCHEMA_VERSION}); upgrade hexpatrol instead of opening it with this one"
                )
            for step in MIGRATIONS[current:target]:
                step(conn)
            if target > current:
                if current == 0:
                    metadata.create_all(conn, tables=[schema_version])
                    conn.execute(schema_version.insert().values(version=target))
                else:
                    conn.execute(schema_version.update().values(version=target))
            return max(current, target)

    # ------------------------------------------------------------ reading

    def revision(self, max_age: float = 0.0) -> str:
        """Changes whenever the data change (imports, undos, reviews, key areas): a cache key.

        A counter bumped in the same transaction as the change (:meth:`bump`), so it needs
        no clocks: hosts sharing one database always agree.

        Parameters
        ----------
        max_age : float
            Seconds a revision read by this object may be reused (default 0: read it now).
            A page asks for it several times per rerun; each read opened a database
            connection (issue 19). A write through this object forgets the kept one, so only
            changes made by other processes are seen up to ``max_age`` late.

        Returns
        -------
        str
            The revision.
        """
        kept = self._revision
        if max_age > 0 and kept is not None and time.monotonic() - kept[1] < max_age:
            return kept[0]
        began, writes = time.monotonic(), self._writes
        with self.read() as conn:
            revision = read_revision(conn)
        if writes == self._writes:  # no write of ours ended meanwhile: keep it
            self._revision = (revision, began)
        return revision

    def bump(self, conn: Connection) -> None:
        """Count one change of the data, inside the writing transaction ``conn``."""
        found = conn.execute(sa.select(options.c.value).where(options.c.name == _VERSION))
        current = found.scalar()
        if current is None:
            conn.execute(options.insert().values(name=_VERSION, value=1))
        else:
            conn.execute(
                options.update().where(options.c.name == _VERSION).values(value=int(current) + 1)
            )

    def n_batches(self) -> int:
        """Committed or undone batches in the store."""
        with self.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(batches)).scalar_one())

    def events(
        self,
        *,
        township_codes: Sequence[str] | None = None,
        include_duplicates: bool = False,
    ) -> pd.DataFrame:
        """Stored events in the canonical schema (no tipster fields), local time.

        ``township_codes`` restricts the rows in the database query itself (a scope, not a
        display filter); confirmed duplicates are left out unless asked for.
        """
        cols = [events.c[c] for c in (*EVENT_COLUMNS, "source_file", "batch_id")]
        query = sa.select(*cols).order_by(events.c.occurred_at, events.c.event_id)
        if not include_duplicates:
            query = query.where(events.c.dup_of.is_(None))
        if township_codes is not None:
            query = query.where(events.c.township_code.in_(list(township_codes)))
        with self.read() as conn:
            frame = pd.read_sql(query, conn)
        return _events_frame(frame)

    def table(self, name: str) -> pd.DataFrame:
        """A whole table, rows in a stable order (for tests and backups)."""
        tab = metadata.tables[name]
        order = list(tab.primary_key.columns) or list(tab.columns)
        with self.read() as conn:
            return pd.read_sql(sa.select(tab).order_by(*order), conn)

    def batches(self) -> pd.DataFrame:
        """One row per import batch, newest first."""
        with self.read() as conn:
            return pd.read_sql(sa.select(batches).order_by(batches.c.created_at.desc()), conn)

    def batch_rejects(self, batch_id: str) -> pd.DataFrame:
        """A batch's rejected rows, with the original row values (tipster fields never)."""
        with self.read() as conn:
            frame = pd.read_sql(
                sa.select(rejects).where(rejects.c.batch_id == batch_id).order_by(rejects.c.id),
                conn,
            )
        return frame.drop(columns=["id"])

    # ------------------------------------------------------------ audit and options

    def log(
        self,
        username: str,
        action: str,
        *,
        scope: str = "",
        detail: str | Mapping[str, Any] = "",
        conn: Connection | None = None,
    ) -> None:
        """Append one line to the audit log (in ``conn``'s transaction when given).

        ``detail`` is text, or a mapping of values kept as JSON so that the audit page can
        word it in the reader's language (:func:`geo.i18n.audit_text`).
        """
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        row = {
            "at": utc_now(),
            "username": username,
            "action": action,
            "scope": scope,
            "detail": text[:2000],
        }
        if conn is not None:
            conn.execute(audit.insert().values(**row))
            return
        # a log line needs no writers' lock: on PostgreSQL it never waits behind an import
        with self.engine.connect() as c:
            c = c.execution_options(hexpatrol_write=self.dialect == "sqlite")
            with c.begin():
                c.execute(audit.insert().values(**row))

    def audit_log(self, limit: int = 1000) -> pd.DataFrame:
        """The newest ``limit`` audit lines, newest first, times in local time."""
        with self.read() as conn:
            frame = pd.read_sql(sa.select(audit).order_by(audit.c.id.desc()).limit(limit), conn)
        frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize("UTC").dt.tz_convert(TZ)
        return frame

    def get_option(self, name: str, default: Any = None) -> Any:
        """A user-set option (e.g. blacklist thresholds), or ``default``."""
        with self.read() as conn:
            value = conn.execute(sa.select(options.c.value).where(options.c.name == name))
            found = value.scalar()
        return default if found is None else found

    def set_option(self, name: str, value: Any, *, username: str) -> None:
        """Save a user-set option and audit the change."""
        with self.write() as conn:
            conn.execute(options.delete().where(options.c.name == name))
            conn.execute(options.insert().values(name=name, value=value))
            self.log(username, "option", detail={"name": name, "value": value}, conn=conn)


def read_revision(conn: Connection) -> str:
    """:meth:`Store.revision` inside an open transaction."""
    found = conn.execute(sa.select(options.c.value).where(options.c.name == _VERSION))
    return str(found.scalar() or 0)


def _version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(schema_version.c.version)).scalar() or 0)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # hand transaction control to the "begin" hook below (SQLAlchemy's documented recipe)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a committed batch survives a power cut
    cur.execute("PRAGMA busy_timeout=120000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("hexpatrol_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _events_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Database rows → the canonical event frame (types as :mod:`geo.ingest` makes them)."""
    times = pd.to_datetime(frame["occurred_at"])
    frame["occurred_at"] = times.dt.tz_localize("UTC").dt.tz_convert(TZ)
    frame["seats"] = pd.to_numeric(frame["seats"]).astype("Int64")
    frame["row"] = pd.to_numeric(frame["row"]).fillna(0).astype(np.int64)
    for col in ("lat", "lon"):
        frame[col] = frame[col].astype(np.float64)
    for col in ("event_id", "kind", "time_precision", "crs_in"):
        frame[col] = frame[col].astype("str")
    return frame.reset_index(drop=True)


def open_store(
    url: str | None = None,
    *,
    configured: str = "",
    data_dir: str | os.PathLike[str] | None = None,
) -> Store:
    """Open (and migrate) the store named by :func:`resolve_url`."""
    return Store(resolve_url(url, configured=configured, data_dir=data_dir))
