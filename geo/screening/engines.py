"""The two engines that run :mod:`geo.screening.sql`: DuckDB (embedded) and Apache Spark.

Both expose the same small interface — register a small table, expose pass files as the
``raw`` table, materialise a step, fetch a result — and differ only in how they read files
and quote names. Progress of long DuckDB steps is polled and reported through a callback;
Spark shows its own stage progress.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import pandas as pd

from geo.screening.inputs import PassGroup, ScreeningInputError
from geo.screening.schema import PASS_HEADERS, map_columns
from geo.screening.sql import Step, duckdb_prelude, spark_prelude

#: progress(label, fraction or None)
Progress = Callable[[str, float | None], None]
#: SQL types of the small tables (the same names work in both engines)
SMALL_TYPES: Final = {
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "object": "STRING",
    "str": "STRING",
    "string": "STRING",
    "bool": "BOOLEAN",
}


class EngineError(ScreeningInputError):
    """The engine could not run (e.g. Spark or Java missing, a master unreachable)."""


class Engine(ABC):
    """What the screening needs from an engine."""

    name: str = ""

    @abstractmethod
    def put(self, name: str, frame: pd.DataFrame) -> None:
        """Register a small table."""

    @abstractmethod
    def columns(self, group: PassGroup) -> tuple[str, list[tuple[str, str]]]:
        """Expose a group of pass files; returns its relation name and (column, type) pairs."""

    @abstractmethod
    def quote(self, name: str) -> str:
        """A column name as an identifier."""

    @abstractmethod
    def time_expr(self, column: str, sql_type: str) -> str:
        """SQL for local epoch seconds of a time column of this type."""

    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run a statement."""

    @abstractmethod
    def materialize(self, step: Step, sql: str, progress: Progress | None) -> None:
        """Run a step's SELECT into a table of the step's name."""

    @abstractmethod
    def fetch(self, sql: str) -> pd.DataFrame:
        """Run a query and return its rows."""

    @abstractmethod
    def drop(self, names: Iterable[str]) -> None:
        """Forget tables no later step needs (frees memory)."""

    def close(self) -> None:
        """Free the engine's resources."""
        return None

    def raw_view(self, groups: list[PassGroup]) -> str:
        """Create the ``raw`` table over all pass groups; returns the checkpoint key column."""
        selects, keys = [], set()

        def raw_time(column: str) -> str:  # one layout: cast only for the rejected rows
            return column if len(groups) == 1 else f"CAST({column} AS STRING)"

        for group in groups:
            relation, cols = self.columns(group)
            mapping = map_columns([c for c, _ in cols], PASS_HEADERS)
            types = dict(cols)
            cp = mapping.get("cp_id") or mapping.get("cp_name")
            missing = [k for k in ("plate", "time") if k not in mapping] + ([] if cp else ["cp_id"])
            if missing:
                where = group.paths[0] if group.paths else "passes"
                raise ScreeningInputError(
                    f"{where}: no column for {missing} (headers: {[c for c, _ in cols]}); name "
                    "them 号牌号码 / plate, 过车时间 / pass_time, 卡口编号 / checkpoint_id"
                )
            keys.add("cp_id" if "cp_id" in mapping else "cp_name")
            q, t = self.quote, mapping["time"]
            assert cp is not None
            selects.append(
                f"SELECT CAST({q(mapping['plate'])} AS STRING) AS plate_raw, "
                f"{self.time_expr(q(t), types[t])} AS t, {raw_time(q(t))} AS time_raw, "
                f"CAST({q(cp)} AS STRING) AS cp_raw FROM {relation}"
            )
        if len(keys) > 1:
            raise ScreeningInputError(
                "passes: some files name checkpoints by id, others by "
                "name; use one (卡口编号) in all files"
            )
        self.execute("CREATE OR REPLACE TEMP VIEW raw AS " + " UNION ALL ".join(selects))
        return keys.pop()


# ---------------------------------------------------------------- DuckDB


class DuckDBEngine(Engine):
    """DuckDB in this process: reads Parquet/CSV directly, spills to ``temp_directory``."""

    name = "duckdb"

    def __init__(
        self,
        *,
        memory_limit: str = "2GB",
        threads: int = 0,
        temp_directory: str = "",
    ) -> None:
        import duckdb

        self._duckdb = duckdb
        self.con = duckdb.connect(":memory:")
        settings = {
            "memory_limit": memory_limit,
            "preserve_insertion_order": "false",
            "enable_progress_bar": "false",
            "TimeZone": "UTC",
        }
        if threads:
            settings["threads"] = str(threads)
        if temp_directory:
            os.makedirs(temp_directory, exist_ok=True)
            settings["temp_directory"] = temp_directory
        for key, value in settings.items():
            self.con.execute(f"SET {key} = '{value}'")
        for statement in duckdb_prelude():
            self.con.execute(statement)
        self._n = 0

    def put(self, name: str, frame: pd.DataFrame) -> None:
        """As :meth:`Engine.put`."""
        self.con.register("_hp_frame", frame)
        cols = ", ".join(
            f'CAST("{c}" AS {SMALL_TYPES.get(str(frame[c].dtype), "STRING")}) AS "{c}"'
            for c in frame.columns
        )
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {cols} FROM _hp_frame")
        self.con.unregister("_hp_frame")

    def quote(self, name: str) -> str:
        """As :meth:`Engine.quote`."""
        return '"' + name.replace('"', '""') + '"'

    def time_expr(self, column: str, sql_type: str) -> str:
        """As :meth:`Engine.time_expr`."""
        kind = sql_type.upper()
        if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
            return f"hp_tstz_sec({column})"
        if kind.startswith("TIMESTAMP"):
            return f"hp_ts_sec(CAST({column} AS TIMESTAMP))"
        return f"hp_text_sec(CAST({column} AS STRING))"

    def _relation(self, group: PassGroup) -> str:
        files = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in group.paths) + "]"
        if group.fmt == "parquet":
            return f"read_parquet({files}, union_by_name = true)"
        if group.fmt == "csv":
            delim = group.delimiter.replace("'", "''")
            if group.header and len(set(group.header)) == len(group.header):
                names = ", ".join("'" + c.replace("'", "''") + "': 'VARCHAR'" for c in group.header)
                layout = f"auto_detect = false, columns = {{{names}}}"
            else:
                layout = "all_varchar = true"
            return (
                f"read_csv({files}, header = true, {layout}, delim = '{delim}', "
                "quote = '\"', escape = '\"', null_padding = true, strict_mode = true, "
                "ignore_errors = true, store_rejects = true)"
            )
        self._n += 1
        name = f"_hp_xlsx{self._n}"
        self.put(
            name,
            pd.DataFrame(group.frame).astype(str).where(pd.DataFrame(group.frame).notna(), None),
        )
        return name

    def columns(self, group: PassGroup) -> tuple[str, list[tuple[str, str]]]:
        """As :meth:`Engine.columns`."""
        relation = self._relation(group)
        try:
            rows = self.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        except self._duckdb.Error as exc:
            raise ScreeningInputError(f"{group.paths[0]}: cannot read ({exc})") from exc
        return relation, [(str(r[0]), str(r[1])) for r in rows]

    def execute(self, sql: str) -> None:
        """As :meth:`Engine.execute`."""
        try:
            self.con.execute(sql)
        except self._duckdb.Error as exc:
            raise EngineError(f"DuckDB: {exc}") from exc

    def materialize(self, step: Step, sql: str, progress: Progress | None) -> None:
        """As :meth:`Engine.materialize`."""
        statement = f"CREATE OR REPLACE TEMP TABLE {step.name} AS {sql}"
        with _polling(self.con, step.label, progress):
            self.execute(statement)

    def fetch(self, sql: str) -> pd.DataFrame:
        """As :meth:`Engine.fetch`."""
        try:
            relation = self.con.sql(sql)
            arrow = getattr(relation, "to_arrow_table", None) or relation.arrow
            return arrow().to_pandas()
        except self._duckdb.Error as exc:
            raise EngineError(f"DuckDB: {exc}") from exc

    def drop(self, names: Iterable[str]) -> None:
        """As :meth:`Engine.drop`."""
        for name in names:
            self.execute(f"DROP TABLE IF EXISTS {name}")

    def unreadable_rows(self) -> tuple[int, pd.DataFrame]:
        """CSV lines the reader could not split into fields, and a few of them.

        A line with an unclosed quote runs on to the end of the file; all the lines it took
        are counted.
        """
        query = """
            SELECT s.file_path AS file, e.line,
              MAX(GREATEST(1, LENGTH(e.csv_line) - LENGTH(REPLACE(e.csv_line, chr(10), ''))))
                AS n,
              MIN(LEFT(e.csv_line, 80)) AS text
            FROM reject_errors e JOIN reject_scans s
              ON e.scan_id = s.scan_id AND e.file_id = s.file_id
            GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line
        """
        try:
            table = self.fetch(query)
        except EngineError:
            return 0, pd.DataFrame()
        return int(table["n"].sum()), table.head(3)

    def close(self) -> None:
        """As :meth:`Engine.close`."""
        self.con.close()


@contextlib.contextmanager
def _polling(con: Any, label: str, progress: Progress | None) -> Iterator[None]:
    """Report DuckDB's query progress every half second while a statement runs."""
    if progress is None:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            value = con.query_progress()
            if value is not None and value >= 0:
                progress(label, min(1.0, value / 100.0))

    progress(label, None)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


# ---------------------------------------------------------------- Spark


def _import_spark() -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - pyspark is a dependency
            raise EngineError("Spark engine needs the pyspark package") from exc
    return SparkSession


class SparkEngine(Engine):
    """Apache Spark (``local[*]``, ``spark://host:7077`` or ``yarn``) through PySpark."""

    name = "spark"

    def __init__(
        self,
        master: str = "local[*]",
        *,
        conf: tuple[tuple[str, str], ...] = (),
        session: Any = None,
    ) -> None:
        self._own = session is None
        self.spark = session or _start_spark(master, conf)
        for statement in spark_prelude():
            self.spark.sql(statement)
        self._n = 0
        self._tables: dict[str, Any] = {}

    def put(self, name: str, frame: pd.DataFrame) -> None:
        """As :meth:`Engine.put`."""
        schema = ", ".join(
            f"`{c}` {SMALL_TYPES.get(str(frame[c].dtype), 'STRING')}" for c in frame.columns
        )
        rows = [tuple(_plain(v) for v in r) for r in frame.itertuples(index=False, name=None)]
        self.spark.createDataFrame(rows, schema).createOrReplaceTempView(name)

    def quote(self, name: str) -> str:
        """As :meth:`Engine.quote`."""
        return "`" + name.replace("`", "``") + "`"

    def time_expr(self, column: str, sql_type: str) -> str:
        """As :meth:`Engine.time_expr`."""
        kind = sql_type.lower()
        if kind == "timestamp_ntz":
            return f"hp_ts_sec({column})"
        if kind == "timestamp":
            return f"hp_tstz_sec({column})"
        return f"hp_text_sec(CAST({column} AS STRING))"

    def columns(self, group: PassGroup) -> tuple[str, list[tuple[str, str]]]:
        """As :meth:`Engine.columns`."""
        self._n += 1
        name = f"_hp_src{self._n}"
        reader = self.spark.read
        try:
            if group.fmt == "parquet":
                frame = reader.option("mergeSchema", "true").parquet(*group.paths)
            elif group.fmt == "csv":
                frame = reader.options(
                    header=True, sep=group.delimiter, encoding=group.encoding, mode="PERMISSIVE"
                ).csv(list(group.paths))
            else:
                data = (
                    pd.DataFrame(group.frame)
                    .astype(str)
                    .where(pd.DataFrame(group.frame).notna(), None)
                )
                self.put(name, data)
                frame = self.spark.table(name)
        except Exception as exc:  # Spark raises AnalysisException and Py4J errors
            where = group.paths[0] if group.paths else "passes"
            raise ScreeningInputError(
                f"{where}: Spark cannot read it ({_first_line(exc)})"
            ) from exc
        frame.createOrReplaceTempView(name)
        return name, [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]

    def execute(self, sql: str) -> None:
        """As :meth:`Engine.execute`."""
        try:
            self.spark.sql(sql)
        except Exception as exc:
            raise EngineError(f"Spark: {_first_line(exc)}") from exc

    def materialize(self, step: Step, sql: str, progress: Progress | None) -> None:
        """As :meth:`Engine.materialize`."""
        if progress is not None:
            progress(step.label, None)
        try:  # a checkpoint cuts the lineage: later steps plan against the stored rows only
            frame = self.spark.sql(sql).localCheckpoint(eager=True)
        except Exception as exc:
            raise EngineError(f"Spark: {_first_line(exc)}") from exc
        old = self._tables.pop(step.name, None)
        frame.createOrReplaceTempView(step.name)
        self._tables[step.name] = frame
        if old is not None:
            old.unpersist()

    def drop(self, names: Iterable[str]) -> None:
        """As :meth:`Engine.drop`."""
        for name in names:
            frame = self._tables.pop(name, None)
            self.spark.catalog.dropTempView(name)
            if frame is not None:
                frame.unpersist()

    def fetch(self, sql: str) -> pd.DataFrame:
        """As :meth:`Engine.fetch`."""
        try:
            frame = self.spark.sql(sql)
            if hasattr(frame, "toArrow"):
                return frame.toArrow().to_pandas()
            rows = frame.collect()  # pragma: no cover - Spark < 4
            return pd.DataFrame([r.asDict() for r in rows], columns=frame.columns)
        except Exception as exc:
            raise EngineError(f"Spark: {_first_line(exc)}") from exc

    def close(self) -> None:
        """As :meth:`Engine.close`."""
        self.spark.catalog.clearCache()
        if self._own:
            self.spark.stop()


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:500] if text else type(exc).__name__


def _start_spark(master: str, conf: tuple[tuple[str, str], ...]) -> Any:
    """A Spark session for the screen: UTC session time (times are wall-clock seconds)."""
    session_cls = _import_spark()
    builder = session_cls.builder.master(master).appName("hexpatrol-screen")
    defaults = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    }
    if master.startswith("local"):
        defaults |= {
            "spark.sql.shuffle.partitions": str(max(2, 2 * (os.cpu_count() or 2))),
            "spark.driver.memory": "3g",
        }
    for key, value in {**defaults, **dict(conf)}.items():
        builder = builder.config(key, value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spark = builder.getOrCreate()
    except Exception as exc:  # no Java, master unreachable …
        raise EngineError(
            f"Spark could not start with master {master!r} ({_first_line(exc)}); is Java 17+ "
            "installed (java -version) and the master reachable?"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark
