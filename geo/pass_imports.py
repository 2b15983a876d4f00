"""Checkpoint-pass imports (过车数据导入): batches like the ledgers', kept as Parquet files.

A pass file (CSV in UTF-8 or GBK, XLSX or Parquet; any header spelling of
:data:`geo.screening.schema.PASS_HEADERS`) goes into the deployment's pass folder
(``<data_dir>/screening``, :func:`deployment_folder`) in two steps:

- :func:`preview_passes` reads and checks it — nothing is written: rows read, passes to
  store, rows rejected with their reason and row number (the screen's reasons, plus
  ``past_retention`` for passes already older than the retention), repeats of passes already
  stored or of an earlier row of the file, passes at checkpoints missing from the checkpoint
  list (kept: they count once the checkpoint is added), the days covered. Plates and times
  are read by the same SQL functions as the screen (:func:`geo.screening.sql.duckdb_prelude`).
- :func:`commit_passes` writes the new passes as one Parquet file
  (``passes/batch-<first day>-<batch>.parquet``: ``plate``, ``pass_time``, ``cp_id``), atomically
  (a temporary file renamed), records the batch in the store's ``pass_batches`` table and the
  audit log, then applies the retention (:func:`prune_passes`).

:func:`undo_passes` deletes a batch's file (refused while a later batch left out repeats of
its passes: undo that one first). :func:`prune_passes` deletes passes older than
``[screening] passes_retention_days`` from the Parquet files of the pass folder (files
rewritten, empty files removed) and says how many passes and days went; it never touches
the demo's folder. :func:`save_checkpoints` puts a checkpoint list in place.

No pass row of any vehicle is returned for display: rejected rows carry their row number,
reason and the faulty cell, plates masked (``渝F·B****``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from geo.config import Settings
from geo.errors import HexpatrolError, LedgerReadError
from geo.privacy import mask_plate
from geo.schema import TZ, utc_now
from geo.screening.core import load_checkpoints
from geo.screening.engines import DuckDBEngine
from geo.screening.features import T_MIN, local_now
from geo.screening.inputs import (
    PASS_SUFFIXES,
    Checkpoints,
    ScreeningInputError,
    _columns,
    _frame,
    _sniff_csv,
    group_pass_files,
)
from geo.screening.schema import CHECKPOINT_HEADERS, PASS_HEADERS, map_columns
from geo.store import Store, pass_batches
from geo.vehicles import PassFolder

#: the deployment's pass folder in the data directory (the demo's is never written)
DEPLOYMENT_FOLDER: Final = "screening"
#: why a pass row is not stored: the screen's reasons, and one of the retention
PASS_REJECTS: Final = (
    "missing_plate",
    "bad_time",
    "future_time",
    "not_plate",
    "unknown_checkpoint",
    "past_retention",
)
#: rejected rows kept with their details (all are counted)
MAX_REJECT_ROWS: Final = 5000
#: rows written per Parquet row group (and per progress step)
CHUNK: Final = 200_000
#: columns of a stored batch file (spellings the screen reads)
STORED_COLUMNS: Final = ("plate", "pass_time", "cp_id")

Progress = Callable[[int, int], None]


class PassImportError(HexpatrolError):
    """A pass import, undo or prune cannot go ahead (the message says why and what to do)."""


def deployment_folder(data_dir: str | os.PathLike[str]) -> PassFolder:
    """The pass folder imports write to: ``<data_dir>/screening``."""
    return PassFolder(Path(data_dir) / DEPLOYMENT_FOLDER)


@dataclass(frozen=True)
class PassPreview:
    """What committing a pass file would store; nothing is written until committed.

    Attributes
    ----------
    file_name, file_sha256 : str
        The file as uploaded.
    passes : DataFrame
        The passes to store: ``plate`` (cleaned), ``t`` (local epoch seconds), ``cp_id``.
    rejects : DataFrame
        ``row``, ``reason`` (a code of :data:`PASS_REJECTS`), ``column`` (``plate``,
        ``time``, ``checkpoint``), ``value`` (plates masked); at most
        :data:`MAX_REJECT_ROWS` rows.
    counts : dict
        ``rows`` read, ``new`` (to store), ``rejected``, ``duplicates`` (already stored),
        ``repeated`` (repeats within the file), ``unknown_cp`` (new passes at checkpoints
        not in the list), and one count per reject reason (``reject_<code>``).
    first_day, last_day : date or None
        The days of the new passes.
    unknown_checkpoints : tuple of str
        Checkpoint ids of the file missing from the checkpoint list (first 20).
    same_file : str
        The batch that already imported a file with the same content ("" if none).
    stamp : str
        The pass folder's state at the preview; the commit refuses if it changed.
    """

    file_name: str
    file_sha256: str
    passes: pd.DataFrame
    rejects: pd.DataFrame
    counts: dict[str, int]
    first_day: dt.date | None
    last_day: dt.date | None
    unknown_checkpoints: tuple[str, ...] = ()
    same_file: str = ""
    stamp: str = ""


@dataclass(frozen=True)
class PruneResult:
    """What a retention run deleted (all zero when nothing was old enough)."""

    cutoff: dt.date | None
    n_passes: int = 0
    n_days: int = 0
    files_rewritten: tuple[str, ...] = ()
    files_removed: tuple[str, ...] = ()
    not_parquet: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PassCommit:
    """A committed batch and the retention applied after it."""

    batch_id: str
    path: Path
    n_stored: int
    pruned: PruneResult


# ---------------------------------------------------------------- reading


def _source_path(source: str | os.PathLike[str] | bytes, name: str, tmp: str) -> Path:
    if not isinstance(source, bytes):
        path = Path(source)
        if not path.is_file():
            raise PassImportError(f"{path}: file not found", zh=f"{path}:找不到文件")
        return path
    suffix = Path(name).suffix.lower()
    path = Path(tmp) / f"upload{suffix}"
    path.write_bytes(source)
    return path


def read_pass_file(path: Path) -> tuple[pd.DataFrame, str, bool]:
    """A pass file as ``plate_raw``, ``time_raw``, ``cp_raw`` indexed by row number.

    Parameters
    ----------
    path : Path
        CSV/TXT/TSV (UTF-8 or GBK, title lines above the header skipped), XLSX or Parquet.

    Returns
    -------
    frame : DataFrame
        Index: the row as a spreadsheet shows it (header = row 1 for CSV and XLSX; the
        record number for Parquet).
    key : str
        ``cp_id`` when checkpoints are named by id, ``cp_name`` when by name.
    typed_time : bool
        Whether ``time_raw`` holds timestamps (naive local time) rather than text.

    Raises
    ------
    PassImportError
        Unknown file type, unreadable file, or a missing plate, time or checkpoint column.
    """
    suffix = path.suffix.lower()
    if suffix not in PASS_SUFFIXES:
        raise PassImportError(
            f"{path.name}: pass files must be CSV, XLSX or Parquet",
            zh=f"{path.name}:过车文件须为 CSV、XLSX 或 Parquet",
        )
    try:
        body = _read_csv(path) if suffix in (".csv", ".txt", ".tsv") else _read_other(path)
    except (ScreeningInputError, LedgerReadError) as exc:
        raise PassImportError(str(exc), zh=getattr(exc, "zh", None)) from exc
    cols = map_columns([str(c) for c in body.columns], PASS_HEADERS)
    key = "cp_id" if "cp_id" in cols else "cp_name"
    missing = [k for k in ("plate", "time") if k not in cols] + ([] if key in cols else ["cp_id"])
    if missing:
        raise PassImportError(
            f"{path.name}: no column for {missing} (headers: {[str(c) for c in body.columns]}); "
            "name them 号牌号码 / plate, 过车时间 / pass_time, 卡口编号 / checkpoint_id",
            zh=f"{path.name}:缺少列 {missing};请把列名写成 号牌号码、过车时间、卡口编号",
        )
    times = body[cols["time"]]
    typed = bool(pd.api.types.is_datetime64_any_dtype(times))
    if typed and getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    frame = pd.DataFrame(
        {
            "plate_raw": body[cols["plate"]].astype(object),
            "time_raw": times if typed else times.astype(object),
            "cp_raw": body[cols[key]].astype(object),
        },
        index=body.index,
    )
    return frame, key, typed


def _read_csv(path: Path) -> pd.DataFrame:
    encoding, skip, delimiter, _ = _sniff_csv(str(path))
    try:
        body = pd.read_csv(
            path,
            encoding="utf-8-sig" if encoding == "utf-8" else encoding,
            sep=delimiter,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise PassImportError(
            f"{path.name}: cannot read the CSV ({str(exc).strip()}); check quotes and "
            "delimiters on that line",
            zh=f"{path.name}:无法读取 CSV({str(exc).strip()});请检查该行的引号和分隔符",
        ) from exc
    body.index = pd.RangeIndex(skip + 2, skip + 2 + len(body), name="row")
    return body.dropna(how="all")


def _read_other(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".parquet":
        try:
            body = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for broken files
            raise PassImportError(f"{path.name}: not a readable Parquet file ({exc})") from exc
        body.index = pd.RangeIndex(1, len(body) + 1, name="row")
        return body
    frame = _frame(path, "passes")
    body, _ = _columns(frame, PASS_HEADERS, ("plate", "time"), f"{path.name}")
    return body


# ---------------------------------------------------------------- checking

_CLASSIFY: Final = """
SELECT row, plate, t, cp_id, plate_raw, time_text, cp_raw, unknown_cp,
  CASE
    WHEN plate IS NULL OR plate = '' THEN 'missing_plate'
    WHEN t IS NULL OR t < {t_min} THEN 'bad_time'
    WHEN t > {t_future} THEN 'future_time'
    WHEN NOT COALESCE(hp_plate_ok(plate), FALSE) THEN 'not_plate'
    WHEN cp_id IS NULL OR cp_id = '' THEN 'unknown_checkpoint'
    WHEN t < {t_keep} THEN 'past_retention'
    ELSE NULL END AS reason
FROM (
  SELECT s.row, CASE WHEN COALESCE(hp_plate_ok(s.plate_raw), FALSE) THEN s.plate_raw
      ELSE hp_plate(s.plate_raw) END AS plate,
    {time} AS t, s.plate_raw, CAST(s.time_raw AS VARCHAR) AS time_text, s.cp_raw,
    COALESCE(k.cp_id, {own_id}) AS cp_id, k.cp_id IS NULL AS unknown_cp
  FROM src s LEFT JOIN cp k ON trim(CAST(s.cp_raw AS VARCHAR)) = k.{key}
)
"""


def _local_seconds(when: dt.datetime) -> int:
    return int((when - dt.datetime(1970, 1, 1)).total_seconds())


def retention_cutoff(retention_days: int, now: dt.datetime | None = None) -> dt.date | None:
    """The first day kept under a retention of ``retention_days`` (``None``: keep all).

    ``now`` defaults to the current time in the deployment's time zone (see
    :func:`geo.screening.features.local_now`).
    """
    today = local_now(now).date()
    return None if retention_days <= 0 else today - dt.timedelta(days=retention_days)


def _classify(
    eng: DuckDBEngine,
    frame: pd.DataFrame,
    key: str,
    typed: bool,
    cps: Checkpoints,
    bounds: tuple[int, int],
) -> None:
    """The ``checked`` table: every row with its cleaned plate, time, checkpoint id, reason."""
    src = frame.reset_index(names="row")
    src["plate_raw"] = src["plate_raw"].map(lambda v: None if v is None or v != v else str(v))
    src["cp_raw"] = src["cp_raw"].map(lambda v: None if v is None or v != v else str(v))
    if not typed:
        src["time_raw"] = src["time_raw"].map(lambda v: None if v is None or v != v else str(v))
    eng.con.register("src", src)
    eng.put("cp", cps.table[["cp_id", "cp_name"]].astype(object))
    own_id = "NULLIF(trim(CAST(s.cp_raw AS VARCHAR)), '')" if key == "cp_id" else "NULL"
    sql = _CLASSIFY.format(
        t_min=T_MIN,
        t_future=bounds[1],
        t_keep=bounds[0],
        time=eng.time_expr("s.time_raw", "TIMESTAMP" if typed else "VARCHAR"),
        own_id=own_id,
        key=key,
    )
    eng.execute(f"CREATE TEMP TABLE checked AS {sql}")


def _stored(eng: DuckDBEngine, folder: PassFolder, cps: Checkpoints, lo: int, hi: int) -> None:
    """The ``stored`` table: distinct (plate, t, cp_id) of the folder's passes in [lo, hi]."""
    files = [str(p) for p in folder.pass_files()]
    empty = "SELECT CAST(NULL AS VARCHAR) AS plate, CAST(NULL AS BIGINT) AS t, "
    empty += "CAST(NULL AS VARCHAR) AS cp_id WHERE FALSE"
    if not files:
        eng.execute(f"CREATE TEMP TABLE stored AS {empty}")
        return
    with tempfile.TemporaryDirectory(prefix="hexpatrol-passes-") as tmp:
        key = eng.raw_view(group_pass_files(files, tmp))
        cp = "trim(r.cp_raw)" if key == "cp_id" else "k.cp_id"
        join = "" if key == "cp_id" else "LEFT JOIN cp k ON trim(r.cp_raw) = k.cp_name"
        eng.execute(
            "CREATE TEMP TABLE stored AS SELECT DISTINCT hp_plate(r.plate_raw) AS plate, r.t, "
            f"{cp} AS cp_id FROM raw r {join} WHERE r.t BETWEEN {lo} AND {hi}"
        )


def _rejects(eng: DuckDBEngine) -> tuple[pd.DataFrame, dict[str, int]]:
    counts = eng.fetch(
        "SELECT reason, count(*) AS n FROM checked WHERE reason IS NOT NULL GROUP BY reason"
    )
    rows = eng.fetch(
        "SELECT row, reason, plate_raw, time_text, cp_raw FROM checked WHERE reason IS NOT NULL "
        f"ORDER BY row LIMIT {MAX_REJECT_ROWS}"
    )
    column = rows["reason"].map(
        {
            "missing_plate": "plate",
            "not_plate": "plate",
            "bad_time": "time",
            "future_time": "time",
            "past_retention": "time",
            "unknown_checkpoint": "checkpoint",
        }
    )
    value = np.where(
        column.eq("plate"),
        rows["plate_raw"].map(lambda v: mask_plate(v) if isinstance(v, str) else ""),
        np.where(column.eq("time"), rows["time_text"], rows["cp_raw"]),
    )
    table = pd.DataFrame(
        {
            "row": rows["row"].astype("int64"),
            "reason": rows["reason"].astype(object),
            "column": column.astype(object),
            "value": pd.Series(value, dtype=object).fillna(""),
        }
    )
    found = dict(zip(counts["reason"], counts["n"].astype(int), strict=True))
    return table, {f"reject_{r}": int(found.get(r, 0)) for r in PASS_REJECTS}


def _new_passes(eng: DuckDBEngine) -> pd.DataFrame:
    """Accepted rows: ``plate``, ``t``, ``cp_id``, ``unknown_cp``, ``dup`` (stored|file|None)."""
    return eng.fetch(
        """
        SELECT a.plate, a.t, a.cp_id, a.unknown_cp,
          CASE WHEN s.plate IS NOT NULL THEN 'stored' WHEN a.n > 1 THEN 'file' END AS dup
        FROM (SELECT *, row_number() OVER (PARTITION BY plate, t, cp_id ORDER BY row) AS n
              FROM checked WHERE reason IS NULL) a
        LEFT JOIN stored s ON a.plate = s.plate AND a.t = s.t AND a.cp_id = s.cp_id
        ORDER BY a.t, a.cp_id, a.plate
        """
    )


def _days(seconds: pd.Series) -> tuple[dt.date | None, dt.date | None]:
    if seconds.empty:
        return None, None
    epoch = dt.date(1970, 1, 1)
    return (
        epoch + dt.timedelta(days=int(seconds.min()) // 86400),
        epoch + dt.timedelta(days=int(seconds.max()) // 86400),
    )


def preview_passes(
    store: Store,
    folder: PassFolder,
    source: str | os.PathLike[str] | bytes,
    *,
    settings: Settings,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> PassPreview:
    """Read and check a pass file against the checkpoint list and the stored passes.

    Parameters
    ----------
    store : Store
        The deployment's store (an earlier batch of the same file is named).
    folder : PassFolder
        The pass folder written to (:func:`deployment_folder`); its ``checkpoints.csv``
        must exist (:func:`save_checkpoints`).
    source : path or bytes
        The pass file, or its bytes (then ``name`` gives the file name and type).
    settings : Settings
        Townships (for the checkpoint list) and ``[screening] passes_retention_days``.
    name : str, optional
        The file name shown and recorded (default: the path's name).
    now : datetime, optional
        Naive local time: passes more than a day after it are ``future_time`` (default:
        the machine's clock).

    Returns
    -------
    PassPreview
        Counts, rejects, the passes to store and the days they cover.

    Raises
    ------
    PassImportError
        No checkpoint list, an unreadable file or a missing column.
    """
    now = local_now(now)
    label = name or Path(os.fspath(source) if not isinstance(source, bytes) else "upload").name
    cps = _folder_checkpoints(folder, settings)
    keep_from = retention_cutoff(settings.screening.passes_retention_days, now)
    lo = T_MIN if keep_from is None else _local_seconds(dt.datetime.combine(keep_from, dt.time()))
    bounds = (lo, _local_seconds(now) + 86400)
    with tempfile.TemporaryDirectory(prefix="hexpatrol-import-") as tmp:
        path = _source_path(source, label, tmp)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        frame, key, typed = read_pass_file(path)
        eng = DuckDBEngine(temp_directory=os.path.join(tmp, "duckdb"))
        try:
            _classify(eng, frame, key, typed, cps, bounds)
            rejects, reject_counts = _rejects(eng)
            span = eng.fetch("SELECT min(t) AS lo, max(t) AS hi FROM checked WHERE reason IS NULL")
            lo_t, hi_t = span["lo"].iloc[0], span["hi"].iloc[0]
            lo_t, hi_t = (0, -1) if pd.isna(lo_t) else (int(lo_t), int(hi_t))
            _stored(eng, folder, cps, lo_t, hi_t)
            checked = _new_passes(eng)
        finally:
            eng.close()
    return _preview(label, digest, frame, checked, rejects, reject_counts, store, folder)


def _preview(
    label: str,
    digest: str,
    frame: pd.DataFrame,
    checked: pd.DataFrame,
    rejects: pd.DataFrame,
    reject_counts: dict[str, int],
    store: Store,
    folder: PassFolder,
) -> PassPreview:
    new = checked[checked["dup"].isna()]
    unknown = new.loc[new["unknown_cp"].astype(bool), "cp_id"]
    counts = {
        "rows": len(frame),
        "new": len(new),
        "rejected": sum(reject_counts.values()),
        "duplicates": int(checked["dup"].eq("stored").sum()),
        "repeated": int(checked["dup"].eq("file").sum()),
        "unknown_cp": len(unknown),
        **reject_counts,
    }
    first, last = _days(new["t"])
    passes = new[["plate", "t", "cp_id"]].reset_index(drop=True)
    passes = passes.astype({"plate": object, "cp_id": object, "t": "int64"})
    return PassPreview(
        label,
        digest,
        passes,
        rejects,
        counts,
        first,
        last,
        tuple(sorted(set(unknown))[:20]),
        _same_file(store, digest),
        folder.stamp() if folder.checkpoints.is_file() else "",
    )


def _folder_checkpoints(folder: PassFolder, settings: Settings) -> Checkpoints:
    if not folder.checkpoints.is_file():
        raise PassImportError(
            f"no checkpoint list at {folder.checkpoints}: load one first (卡口清单: 卡口编号, "
            "卡口名称, 经度, 纬度, 卡口类型, 所属乡镇), in the import page or with "
            "hexpatrol passes checkpoints FILE",
            zh=f"尚无卡口清单({folder.checkpoints}):请先导入卡口清单(卡口编号、卡口名称、"
            "经度、纬度、卡口类型、所属乡镇),可在本页或用 hexpatrol passes checkpoints 命令",
        )
    try:
        return load_checkpoints(folder.checkpoints, settings)
    except (ScreeningInputError, LedgerReadError) as exc:
        raise PassImportError(f"{folder.checkpoints}: {exc}") from exc


def _same_file(store: Store, digest: str) -> str:
    with store.read() as conn:
        found = conn.execute(
            sa.select(pass_batches.c.batch_id).where(
                (pass_batches.c.file_sha256 == digest) & (pass_batches.c.status == "committed")
            )
        ).first()
    return "" if found is None else str(found[0])


# ---------------------------------------------------------------- committing


def _write_parquet(passes: pd.DataFrame, target: Path, progress: Progress | None) -> None:
    """The passes as a Parquet file, written beside ``target`` and renamed onto it."""
    schema = pa.schema(
        [("plate", pa.string()), ("pass_time", pa.timestamp("s")), ("cp_id", pa.string())]
    )
    tmp = target.with_name(f".{target.name}.part")
    total = len(passes)
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for start in range(0, max(total, 1), CHUNK):
                part = passes.iloc[start : start + CHUNK]
                table = pa.table(
                    {
                        "plate": pa.array(part["plate"], pa.string()),
                        "pass_time": pa.array(part["t"].to_numpy("int64"), pa.int64()).cast(
                            pa.timestamp("s")
                        ),
                        "cp_id": pa.array(part["cp_id"], pa.string()),
                    },
                    schema=schema,
                )
                writer.write_table(table)
                if progress is not None:
                    progress(min(start + CHUNK, total), total)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def commit_passes(
    store: Store,
    folder: PassFolder,
    preview: PassPreview,
    *,
    username: str,
    settings: Settings,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> PassCommit:
    """Store a previewed pass file as one batch, then apply the retention.

    Parameters
    ----------
    store : Store
        Where the batch is recorded (``pass_batches``) and audited (``passes_import``).
    folder : PassFolder
        The pass folder the preview was made against.
    preview : PassPreview
        From :func:`preview_passes`.
    username : str
        Who imports.
    settings : Settings
        ``[screening] passes_retention_days`` for the retention run after the commit.
    progress : callable, optional
        Called with (passes written, passes to write).
    now : datetime, optional
        Naive local time for the retention (default: the machine's clock).

    Returns
    -------
    PassCommit
        The batch id, its file, the passes stored and what the retention deleted.

    Raises
    ------
    PassImportError
        Nothing new to store, or the pass folder changed since the preview.
    """
    if preview.counts["new"] == 0:
        raise PassImportError(
            "nothing to import: every pass of the file is rejected or already stored",
            zh="没有可导入的过车记录:文件中的记录均为问题行或已在库中",
        )
    if preview.stamp != folder.stamp():
        raise PassImportError(
            "the pass folder changed since the preview (another import?); preview the file again",
            zh="预览后过车数据已有变化(可能有其他导入);请重新预览该文件",
        )
    local = dt.datetime.now(TZ)  # the batch name reads in local time
    batch = f"P{local:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    day = preview.first_day or local_now().date()
    target = folder.passes / f"batch-{day:%Y%m%d}-{batch}.parquet"
    folder.passes.mkdir(parents=True, exist_ok=True)
    _write_parquet(preview.passes, target, progress)
    try:
        _record(store, preview, batch, target.name, username)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    pruned = prune_passes(
        store,
        folder,
        days=settings.screening.passes_retention_days,
        username=username,
        now=now,
    )
    return PassCommit(batch, target, preview.counts["new"], pruned)


def _record(store: Store, preview: PassPreview, batch: str, stored: str, username: str) -> None:
    c = preview.counts
    with store.write() as conn:
        conn.execute(
            pass_batches.insert().values(
                batch_id=batch,
                created_at=utc_now(),
                username=username,
                file_name=preview.file_name[:255],
                file_sha256=preview.file_sha256,
                stored_file=stored,
                n_rows=c["rows"],
                n_stored=c["new"],
                n_rejected=c["rejected"],
                n_duplicates=c["duplicates"],
                n_unknown_cp=c["unknown_cp"],
                n_pruned=0,
                first_day=preview.first_day,
                last_day=preview.last_day,
                status="committed",
            )
        )
        detail = {
            "batch": batch,
            "file": preview.file_name,
            "stored": c["new"],
            "rejected": c["rejected"],
            "duplicates": c["duplicates"] + c["repeated"],
            "first": str(preview.first_day),
            "last": str(preview.last_day),
        }
        store.log(username, "passes_import", detail=detail, conn=conn)


def pass_batch_table(store: Store) -> pd.DataFrame:
    """The pass batches, newest first (columns of the ``pass_batches`` table)."""
    with store.read() as conn:
        query = sa.select(pass_batches).order_by(pass_batches.c.created_at.desc())
        return pd.read_sql(query, conn)


def undo_passes(store: Store, folder: PassFolder, batch_id: str, *, username: str) -> int:
    """Take a pass batch back out: delete its file, mark it undone, audit it.

    Parameters
    ----------
    store : Store
        The deployment's store.
    folder : PassFolder
        The pass folder holding the batch's file.
    batch_id : str
        The batch (``P…``).
    username : str
        Who undoes it (audited as ``passes_undo``).

    Returns
    -------
    int
        Passes deleted (those the file still held; retention may have taken some).

    Raises
    ------
    PassImportError
        Unknown or already undone batch, or a later batch left out repeats of its passes
        (they would be lost: undo that batch first).
    """
    with store.write() as conn:
        row = conn.execute(
            sa.select(pass_batches).where(pass_batches.c.batch_id == batch_id)
        ).first()
        if row is None:
            raise PassImportError(f"no pass batch {batch_id!r}", zh=f"没有过车批次 {batch_id}")
        if row.status != "committed":
            raise PassImportError(
                f"pass batch {batch_id} is {row.status}; nothing to undo",
                zh=f"过车批次 {batch_id} 已撤销或已过保留期,无需撤销",
            )
        _check_later(conn, row)
        path = folder.passes / row.stored_file
        n = pq.ParquetFile(path).metadata.num_rows if path.is_file() else 0
        conn.execute(
            pass_batches.update()
            .where(pass_batches.c.batch_id == batch_id)
            .values(status="undone", undone_at=utc_now(), undone_by=username)
        )
        detail = {"batch": batch_id, "file": row.file_name, "removed": n}
        store.log(username, "passes_undo", detail=detail, conn=conn)
        path.unlink(missing_ok=True)
    return n


def _check_later(conn: sa.Connection, row: sa.Row) -> None:
    """Refuse when a later committed batch with repeats of stored passes overlaps its days."""
    if row.first_day is None:
        return
    later = (
        conn.execute(
            sa.select(pass_batches.c.batch_id).where(
                (pass_batches.c.created_at > row.created_at)
                & (pass_batches.c.status == "committed")
                & (pass_batches.c.n_duplicates > 0)
                & (pass_batches.c.first_day <= row.last_day)
                & (pass_batches.c.last_day >= row.first_day)
            )
        )
        .scalars()
        .all()
    )
    if later:
        names = ", ".join(later)
        raise PassImportError(
            f"pass batch {row.batch_id}: later batch(es) {names} left out passes already "
            "stored by it; undo those first, or their passes would be lost",
            zh=f"过车批次 {row.batch_id}:之后的批次 {names} 因重复而未写入部分过车记录,"
            "撤销本批会丢失这些记录;请先撤销这些批次",
        )


# ---------------------------------------------------------------- retention


def _time_column(eng: DuckDBEngine, path: Path) -> str | None:
    rows = eng.con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(path)})").fetchall()
    cols = map_columns([str(r[0]) for r in rows], PASS_HEADERS)
    if "time" not in cols:
        return None
    kind = dict((str(r[0]), str(r[1])) for r in rows)[cols["time"]]
    return eng.time_expr(eng.quote(cols["time"]), kind)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _prune_file(eng: DuckDBEngine, path: Path, cut: int) -> tuple[int, set[int], bool]:
    """Delete the passes before ``cut`` from one Parquet file: (deleted, their days, removed)."""
    t = _time_column(eng, path)
    if t is None:
        return 0, set(), False
    src = f"read_parquet({_lit(path)})"
    days = eng.fetch(f"SELECT DISTINCT {t} // 86400 AS d FROM {src} WHERE {t} < {cut}")
    counts = eng.fetch(
        f"SELECT count(*) FILTER (WHERE {t} < {cut}) AS old, count(*) AS n FROM {src}"
    )
    old, n = int(counts["old"].iloc[0]), int(counts["n"].iloc[0])
    if old == 0:
        return 0, set(), False
    if old == n:
        path.unlink()
        return old, set(days["d"].astype(int)), True
    tmp = path.with_name(f".{path.name}.part")
    eng.execute(
        f"COPY (SELECT * FROM {src} WHERE {t} IS NULL OR {t} >= {cut}) TO {_lit(tmp)} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    os.replace(tmp, path)
    return old, set(days["d"].astype(int)), False


def prune_passes(
    store: Store,
    folder: PassFolder,
    *,
    days: int,
    username: str,
    now: dt.datetime | None = None,
) -> PruneResult:
    """Delete passes older than ``days`` days from the Parquet files of ``folder``.

    Parameters
    ----------
    store : Store
        Where the deletion is audited (``passes_prune``) and the batches' counts updated
        (a batch whose file is emptied becomes ``expired``).
    folder : PassFolder
        The deployment's pass folder (never the demo's).
    days : int
        ``[screening] passes_retention_days``: passes on days before today minus ``days``
        are deleted; 0 keeps everything.
    username : str
        Who (or which job) prunes.
    now : datetime, optional
        Naive local time (default: the machine's clock).

    Returns
    -------
    PruneResult
        The first day kept, passes and days deleted, files rewritten and removed, and pass
        files that are not Parquet (not pruned: convert or delete them by hand).
    """
    cutoff = retention_cutoff(days, now)
    if cutoff is None:
        return PruneResult(None)
    cut = _local_seconds(dt.datetime.combine(cutoff, dt.time()))
    files = folder.pass_files()
    other = tuple(p.name for p in files if p.suffix.lower() != ".parquet")
    deleted: dict[str, int] = {}
    removed, all_days = [], set()
    with tempfile.TemporaryDirectory(prefix="hexpatrol-prune-") as tmp:
        eng = DuckDBEngine(temp_directory=os.path.join(tmp, "duckdb"))
        try:
            for path in (p for p in files if p.suffix.lower() == ".parquet"):
                n, found, gone = _prune_file(eng, path, cut)
                if n:
                    deleted[path.name] = n
                    all_days |= found
                    if gone:
                        removed.append(path.name)
        finally:
            eng.close()
    result = PruneResult(
        cutoff,
        sum(deleted.values()),
        len(all_days),
        tuple(sorted(set(deleted) - set(removed))),
        tuple(sorted(removed)),
        other,
    )
    if result.n_passes:
        _record_prune(store, result, deleted, username)
    return result


def _record_prune(
    store: Store, result: PruneResult, deleted: dict[str, int], username: str
) -> None:
    with store.write() as conn:
        for name, n in deleted.items():
            values: dict[str, object] = {"n_pruned": pass_batches.c.n_pruned + n}
            if name in result.files_removed:
                values["status"] = "expired"
            conn.execute(
                pass_batches.update()
                .where(
                    (pass_batches.c.stored_file == name) & (pass_batches.c.status == "committed")
                )
                .values(**values)
            )
        detail = {
            "passes": result.n_passes,
            "days": result.n_days,
            "before": str(result.cutoff),
            "files": len(result.files_rewritten) + len(result.files_removed),
        }
        store.log(username, "passes_prune", detail=detail, conn=conn)


# ---------------------------------------------------------------- checkpoint list


def save_checkpoints(
    store: Store,
    folder: PassFolder,
    source: str | os.PathLike[str] | bytes,
    *,
    settings: Settings,
    username: str,
    name: str | None = None,
) -> Checkpoints:
    """Check a checkpoint list and put it in the pass folder as ``checkpoints.csv``.

    Parameters
    ----------
    store : Store
        Where it is audited (``checkpoints_import``).
    folder : PassFolder
        The deployment's pass folder; a list already there is kept as
        ``checkpoints.previous.csv``.
    source : path or bytes
        CSV (UTF-8/GBK), XLSX or Parquet with 卡口编号, 经度, 纬度 (and 卡口名称, 卡口类型,
        所属乡镇 …; see :func:`geo.screening.inputs.read_checkpoints`).
    settings : Settings
        Townships and key areas the list is read with.
    username : str
        Who loads it.
    name : str, optional
        The file name (needed with bytes: it gives the type).

    Returns
    -------
    Checkpoints
        The list as the screen reads it, with its warnings.

    Raises
    ------
    PassImportError
        The file cannot be read or has no usable checkpoint.
    """
    label = name or Path(os.fspath(source) if not isinstance(source, bytes) else "upload").name
    with tempfile.TemporaryDirectory(prefix="hexpatrol-cp-") as tmp:
        path = _source_path(source, label, tmp)
        try:
            body, _ = _columns(
                _frame(path, "checkpoint"), CHECKPOINT_HEADERS, ("cp_id", "lon", "lat"), label
            )
            body.columns = [str(c) for c in body.columns]
            cps = load_checkpoints(body.reset_index(drop=True), settings)
        except (ScreeningInputError, LedgerReadError) as exc:
            raise PassImportError(str(exc), zh=getattr(exc, "zh", None)) from exc
    folder.root.mkdir(parents=True, exist_ok=True)
    part = folder.root / ".checkpoints.csv.part"
    body.to_csv(part, index=False, encoding="utf-8")
    if folder.checkpoints.is_file():
        os.replace(folder.checkpoints, folder.root / "checkpoints.previous.csv")
    os.replace(part, folder.checkpoints)
    detail = {"file": label, "checkpoints": len(cps.table)}
    store.log(username, "checkpoints_import", detail=detail)
    return cps
