"""Import workflow: preview a ledger against the store, commit it as one batch, undo a batch.

A ledger row becomes one of:

* **rejected** — it failed validation (:mod:`geo.ingest`), or lies outside the importer's
  township scope; stored with its original values and the reason, downloadable to fix;
* **new** — its event id is not in the store yet;
* **unchanged** — the store has the same id with the same content (weekly ledgers are often
  cumulative): skipped, nothing written;
* **changed** — same id, different content (say, a tip now verified): the stored row is
  replaced and its previous version kept, so undoing the batch puts it back.

New and changed events that look like an event already known — the same plate within
``minutes`` and ``metres``, or another tip about the same vehicle within ``tip_days`` — are
**flagged for review**, never merged silently. A reviewer marks a flag ``duplicate`` (the
event then drops out of every analysis) or ``distinct``.

Everything of a batch is written in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.coords import haversine_m
from geo.ingest import REASONS, IngestResult, read_ledger, read_ledgers
from geo.privacy import mask_plate
from geo.schema import EVENT_COLUMNS, PLATE_PLACEHOLDERS, TZ, utc_now
from geo.sheets import map_headers
from geo.store import (
    Store,
    StoreError,
    batches,
    event_history,
    events,
    read_revision,
    rejects,
    review,
    tipsters,
    utc_naive,
)

#: rows per INSERT round trip (progress is reported per chunk)
CHUNK: Final = int(os.environ.get("HEXPATROL_IMPORT_CHUNK", "500"))
#: most values in one SQL ``IN (…)`` list (SQLite allows 999 parameters)
SQL_CHUNK: Final = 900
#: stored columns compared to tell an unchanged row from a changed one
_CONTENT: Final = tuple(c for c in EVENT_COLUMNS if c not in ("event_id", "row"))
_STORED: Final = (*EVENT_COLUMNS, "source_file")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DuplicateRules:
    """When two events are probably the same incident (flagged, never merged).

    Attributes
    ----------
    minutes, metres : float
        Same plate within this many minutes and metres (default 30 min, 500 m).
    tip_days : float
        Tips about the same plate within this many days (default 7): one seed region saw
        about three tips per vehicle.
    """

    minutes: float = 30.0
    metres: float = 500.0
    tip_days: float = 7.0


@dataclass
class ImportPreview:
    """What committing a ledger would do; nothing is written until :func:`commit_import`.

    Attributes
    ----------
    result : IngestResult
        The ledger as read: accepted events, rejects (with reasons), original rows.
    new, changed, unchanged : DataFrame
        Accepted events split by what the store holds (see the module docstring).
    flags : DataFrame
        Likely duplicates: ``event_id``, ``other_id``, ``rule``, ``minutes``, ``metres``.
    file_name, file_sha256 : str
        Provenance recorded with the batch.
    scope : str
        The township code the importer was limited to ("" for the whole region).
    revision, rules
        The store's revision the comparison was made against, and the duplicate rules:
        when both are unchanged at commit, the comparison is not made a second time.
    """

    result: IngestResult
    new: pd.DataFrame
    changed: pd.DataFrame
    unchanged: pd.DataFrame
    flags: pd.DataFrame
    file_name: str
    file_sha256: str
    scope: str = ""
    revision: str = ""
    rules: DuplicateRules | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Rows read, new, changed, unchanged, rejected and flagged."""
        return _Split(self.result, self.new, self.changed, self.unchanged, self.flags).counts()


def content_hash(frame: pd.DataFrame) -> pd.Series:
    """A stable digest of each event's content (everything but its id and sheet row)."""
    times = utc_naive(frame["occurred_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    parts = []
    for col in _CONTENT:
        if col == "occurred_at":
            parts.append(times)
        elif col in ("lat", "lon"):
            parts.append(frame[col].round(7).astype(str))
        elif col in frame.columns:
            parts.append(frame[col].astype("string").fillna("").astype(str))
        else:
            parts.append(pd.Series("", index=frame.index))
    joined = parts[0].str.cat(parts[1:], sep="\x1f") if len(frame) else parts[0]
    return joined.map(lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())


def _file_bytes(source: str | os.PathLike[str] | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def _move_to_rejects(
    result: IngestResult, bad: pd.Series, column: str, code: str, en: str, zh: str
) -> IngestResult:
    """Move the accepted rows where ``bad`` holds to the rejects, with a reason."""
    if not bad.any():
        return result
    rows = result.events[bad.to_numpy()]
    extra = pd.DataFrame(
        {
            **({"file": rows["source_file"]} if "file" in result.rejects.columns else {}),
            "row": rows["row"],
            "column": column,
            "value": rows[column],
            "reason_code": code,
            "reason": en,
            "reason_zh": zh,
        }
    )
    kept = result.events[~bad.to_numpy()].reset_index(drop=True)
    return IngestResult(
        events=kept,
        rejects=pd.concat([result.rejects, extra], ignore_index=True),
        tipsters=result.tipsters[result.tipsters["event_id"].isin(kept["event_id"])],
        raw=result.raw,
        header_map=result.header_map,
    )


def _scope_rejects(result: IngestResult, scope: str) -> IngestResult:
    """Move accepted rows outside ``scope`` (a township code) to the rejects."""
    outside = result.events["township_code"].astype("string").fillna("") != scope
    en, zh = REASONS["outside_scope"]
    where = f"{scope}"
    return _move_to_rejects(
        result,
        outside,
        "township_code",
        "outside_scope",
        en.format(extra=where),
        zh.format(extra=where),
    )


def preview_import(
    store: Store,
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    crs: str | None = None,
    kind: str | None = None,
    townships: gpd.GeoDataFrame | None = None,
    scope: str | None = None,
    rules: DuplicateRules | None = None,
    now: pd.Timestamp | None = None,
) -> ImportPreview:
    """Read a ledger and compare it with the store (nothing is written).

    Parameters
    ----------
    store : Store
    source : path or bytes
        The ledger (any format :func:`geo.ingest.read_ledger` reads).
    name : str, optional
        File name (needed with bytes, for the format and the batch record).
    crs, kind, townships, now
        As for :func:`geo.ingest.read_ledger`.
    scope : str, optional
        A township code: rows outside it are rejected (a township user's import).
    rules : DuplicateRules, optional
        When to flag likely duplicates.
    """
    data = _file_bytes(source)
    file_name = name or Path(str(source)).name
    result = read_ledger(
        data,
        name=file_name,
        crs=crs,
        kind=kind,
        townships=townships,
        now=now,
        scope=scope if townships is not None else None,  # the point decides the township
    )
    result.events["source_file"] = result.events.get("source_file", file_name)
    if scope:  # without polygons, the township the rows name
        result = _scope_rejects(result, scope)
    return compare(store, result, file_name, hashlib.sha256(data).hexdigest(), scope, rules)


def compare(
    store: Store,
    result: IngestResult,
    file_name: str,
    file_sha256: str,
    scope: str | None = None,
    rules: DuplicateRules | None = None,
) -> ImportPreview:
    """An import preview of ledger rows already read (see :func:`preview_import`)."""
    with store.read() as conn:
        revision = read_revision(conn)
        result, new, changed, unchanged = _split(conn, result, scope)
        flags = _find_duplicates(conn, _undecided(new, changed), rules, scope)
    return ImportPreview(
        revision=revision,
        rules=rules,
        result=result,
        new=new,
        changed=changed,
        unchanged=unchanged,
        flags=flags,
        file_name=file_name,
        file_sha256=file_sha256,
        scope=scope or "",
    )


def _stored(conn: Connection, ids: Sequence[str]) -> pd.DataFrame:
    """Hash, township and duplicate mark of the stored events among ``ids``."""
    cols = [events.c.event_id, events.c.content_hash, events.c.township_code, events.c.dup_of]
    parts = [
        pd.read_sql(sa.select(*cols).where(events.c.event_id.in_(list(part))), conn)
        for part in (ids[i : i + SQL_CHUNK] for i in range(0, len(ids), SQL_CHUNK))
    ]
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if found.empty:
        found = pd.DataFrame(columns=["event_id", "content_hash", "township_code", "dup_of"])
    return found.set_index("event_id")


def _split(
    conn: Connection, result: IngestResult, scope: str | None
) -> tuple[IngestResult, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows new, changed or unchanged against the store (and ids taken, for a township).

    A township import may not touch a record another township owns: a row whose id is
    stored under another township is rejected (ids are often plain serial numbers).
    """
    stored = _stored(conn, result.events["event_id"].tolist())
    if scope:
        owner = result.events["event_id"].map(stored["township_code"])
        taken = owner.notna() & (owner != scope)
        result = _move_to_rejects(
            result,
            taken,
            "event_id",
            "id_taken",
            "this id belongs to another township's record; give the row its own id or ask "
            "the county to import it",
            "该编号已被其他乡镇的记录使用;请使用本乡镇自己的编号,或交县级导入",
        )
    frame = result.events.assign(content_hash=content_hash(result.events))
    known = frame["event_id"].map(stored["content_hash"])
    is_new = known.isna()
    same = ~is_new & (known == frame["content_hash"])
    changed = frame[~is_new & ~same].reset_index(drop=True)
    # a reviewer's "duplicate" decision survives a new version of the record
    changed["dup_of"] = changed["event_id"].map(stored["dup_of"])
    return (
        result,
        frame[is_new].reset_index(drop=True),
        changed,
        frame[same].reset_index(drop=True),
    )


def _undecided(new: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Rows to look for duplicates of: not those a reviewer already marked as one."""
    return pd.concat([new, changed[changed["dup_of"].isna()]])


def plate_key(plates: pd.Series) -> pd.Series:
    """Plates compared loosely: upper case, no spaces, dots or dashes.

    ``""`` when missing or a placeholder (无牌, 不详 …): such records are not one vehicle.
    """
    text = plates.astype("string").str.strip()
    text = text.mask(text.str.lower().isin(PLATE_PLACEHOLDERS))
    return text.str.upper().str.replace(r"[\s·.\-]", "", regex=True).fillna("")


_FLAG_COLUMNS: Final = ("event_id", "other_id", "rule", "minutes", "metres")
#: candidates looked at on each side of an event (nearest in time first): bounds the work
#: and memory of the search when one plate has thousands of records
NEIGHBOURS: Final = 32
#: incoming events compared per step (each against at most 2 * NEIGHBOURS others)
_STEP: Final = 20_000


def _known(conn: Connection, inc: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    """Stored events with one of the incoming plates (a township's own only)."""
    keys = sorted(set(inc["key"]))
    stored = []
    cols = [events.c.event_id, events.c.kind, events.c.occurred_at, events.c.lat, events.c.lon]
    for i in range(0, len(keys), SQL_CHUNK):
        stored.append(
            pd.read_sql(
                sa.select(*cols, events.c.plate_key.label("key")).where(
                    events.c.plate_key.in_(keys[i : i + SQL_CHUNK]),
                    events.c.dup_of.is_(None),
                    events.c.township_code == scope if scope else sa.true(),
                ),
                conn,
            )
        )
    known = pd.concat(stored, ignore_index=True)
    return known[~known["event_id"].isin(set(inc["event_id"]))]


@dataclass(frozen=True)
class _Points:
    """Incoming events first, then stored ones, as plain arrays sorted by plate and time."""

    ids: np.ndarray
    tip: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    secs: np.ndarray
    value: np.ndarray  # plate code * 2**36 + minute: sorts by plate, then time
    order: np.ndarray
    n_inc: int


def _points(inc: pd.DataFrame, known: pd.DataFrame) -> _Points:
    secs = np.concatenate(
        [_seconds(utc_naive(inc["occurred_at"])), _seconds(pd.to_datetime(known["occurred_at"]))]
    )
    both = pd.concat([inc.drop(columns="occurred_at"), known.drop(columns="occurred_at")])
    codes = pd.factorize(both["key"])[0].astype(np.int64)
    value = codes * (1 << 36) + (secs - secs.min()) // 60
    return _Points(
        ids=both["event_id"].to_numpy(object),
        tip=(both["kind"] == "tip").to_numpy(bool),
        lat=both["lat"].to_numpy(float),
        lon=both["lon"].to_numpy(float),
        secs=secs,
        value=value,
        order=np.argsort(value, kind="stable"),
        n_inc=len(inc),
    )


def _candidates(pts: _Points, left: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(incoming, other) index pairs within ``window`` minutes, at most NEIGHBOURS a side."""
    ranked = pts.value[pts.order]
    rank = np.empty(len(pts.order), dtype=np.int64)
    rank[pts.order] = np.arange(len(pts.order))
    lo = np.searchsorted(ranked, pts.value[left] - window, side="left")
    hi = np.searchsorted(ranked, pts.value[left] + window, side="right")
    lo = np.maximum(lo, rank[left] - NEIGHBOURS)
    hi = np.minimum(hi, rank[left] + NEIGHBOURS + 1)
    counts = hi - lo
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    right = pts.order[starts + np.arange(int(counts.sum()))]
    left = np.repeat(left, counts)
    # not itself; within the batch each pair once (the later-listed event points back)
    keep = (right != left) & ((right >= pts.n_inc) | (right < left))
    return left[keep], right[keep]


def _best(pts: _Points, left: np.ndarray, right: np.ndarray, rules: DuplicateRules) -> Any:
    """The closest match of each incoming event: a same-place one before a tip one."""
    minutes = np.abs(pts.secs[left] - pts.secs[right]) / 60.0
    metres = haversine_m(pts.lat[left], pts.lon[left], pts.lat[right], pts.lon[right])
    near = (minutes <= rules.minutes) & (metres <= rules.metres)
    tips = pts.tip[left] & pts.tip[right] & (minutes <= rules.tip_days * 1440) & ~near
    sel = near | tips
    left, right, minutes, metres, near = left[sel], right[sel], minutes[sel], metres[sel], near[sel]
    order = np.lexsort((metres, minutes, ~near, left))
    first = order[np.unique(left[order], return_index=True)[1]]
    return pd.DataFrame(
        {
            "event_id": pts.ids[left[first]],
            "other_id": pts.ids[right[first]],
            "rule": np.where(near[first], "same_plate_near", "tip_same_vehicle"),
            "minutes": np.round(minutes[first], 1),
            "metres": np.round(metres[first], 0),
        }
    )


def _find_duplicates(
    conn: Connection, frame: pd.DataFrame, rules: DuplicateRules | None, scope: str | None
) -> pd.DataFrame:
    """Pairs (incoming event, other event) that are probably the same incident.

    One flag per incoming event, its closest match. Memory stays bounded whatever the data:
    the search runs :data:`_STEP` events at a time, each against at most
    :data:`NEIGHBOURS` records of the same plate on either side in time. Records without a
    plate (or with a placeholder such as 无牌) are never matched. A township import is
    compared with its own township's records only (the flags are shown to the importer, and
    must not reveal a neighbour's).
    """
    rules = rules or DuplicateRules()
    empty = pd.DataFrame(columns=list(_FLAG_COLUMNS))
    inc = frame[["event_id", "kind", "occurred_at", "lat", "lon"]].assign(
        key=plate_key(frame["plate"])
    )
    inc = inc[inc["key"] != ""]
    if inc.empty:
        return empty
    pts = _points(inc, _known(conn, inc, scope))
    window = int(max(rules.minutes, rules.tip_days * 1440)) + 1
    found = [
        _best(pts, *_candidates(pts, np.arange(a, min(a + _STEP, pts.n_inc)), window), rules)
        for a in range(0, pts.n_inc, _STEP)
    ]
    out = pd.concat(found, ignore_index=True)
    return out.sort_values("event_id").reset_index(drop=True) if len(out) else empty


def _seconds(naive_utc: pd.Series) -> Any:
    """Whole seconds since 1970 of naive UTC timestamps, whatever their unit."""
    return ((naive_utc - pd.Timestamp(0)) // pd.Timedelta(seconds=1)).to_numpy(np.int64)


def _records(frame: pd.DataFrame, **extra: Any) -> list[dict[str, Any]]:
    """Event rows as dicts for an INSERT (None for missing, naive UTC times)."""
    out = frame[[*_STORED, "content_hash"]].copy()
    out["dup_of"] = frame["dup_of"] if "dup_of" in frame.columns else None
    out["occurred_at"] = utc_naive(out["occurred_at"])
    out["plate_key"] = plate_key(out["plate"]).replace("", None)
    out = out.astype(object).where(out.notna(), None)
    records = out.to_dict("records")
    for rec in records:
        rec["occurred_at"] = rec["occurred_at"].to_pydatetime()
        if rec["seats"] is not None:
            rec["seats"] = int(rec["seats"])
        rec["row"] = int(rec["row"])
        rec["lat"], rec["lon"] = float(rec["lat"]), float(rec["lon"])
        rec.update(extra)
    return records


def _new_batch_id(now: dt.datetime) -> str:
    """``B<local date-time>-<random>``: the date and time a user reads in the batch list."""
    local = now.replace(tzinfo=dt.UTC).astimezone(TZ)  # the store keeps naive UTC
    return f"B{local:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class _Split:
    """What a commit writes: the ledger as read, split against the store, and the flags."""

    result: IngestResult
    new: pd.DataFrame
    changed: pd.DataFrame
    unchanged: pd.DataFrame
    flags: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Rows read, new, changed, unchanged, rejected and flagged (one flag per event)."""
        return {
            "rows": self.result.n_rows,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "rejected": self.result.n_rejected,
            "flagged": int(self.flags["event_id"].nunique()) if len(self.flags) else 0,
        }


def _current_split(
    conn: Connection, preview: ImportPreview, rules: DuplicateRules | None
) -> _Split:
    """The preview's comparison when the store has not changed since, else a fresh one."""
    if preview.revision and read_revision(conn) == preview.revision and rules == preview.rules:
        return _Split(
            preview.result, preview.new, preview.changed, preview.unchanged, preview.flags
        )
    result, new, changed, unchanged = _split(conn, preview.result, preview.scope)
    flags = _find_duplicates(conn, _undecided(new, changed), rules, preview.scope)
    return _Split(result, new, changed, unchanged, flags)


def _keep_previous_versions(conn: Connection, changed: pd.DataFrame, batch_id: str) -> None:
    """Move the stored versions of changed events to event_history (for an exact undo)."""
    ids = changed["event_id"].tolist()
    cols = list(events.columns)
    for part in (ids[i : i + SQL_CHUNK] for i in range(0, len(ids), SQL_CHUNK)):
        conn.execute(
            event_history.insert().from_select(
                ["replaced_by", *[c.name for c in cols]],
                sa.select(sa.literal(batch_id), *cols).where(events.c.event_id.in_(part)),
            )
        )
        conn.execute(events.delete().where(events.c.event_id.in_(part)))


def _write_events(
    conn: Connection, split: _Split, batch_id: str, progress: Progress | None
) -> int:
    """Insert the new and changed events in chunks (with progress); returns how many."""
    rows = _records(pd.concat([split.new, split.changed], ignore_index=True), batch_id=batch_id)
    for i in range(0, len(rows), CHUNK):
        conn.execute(events.insert(), rows[i : i + CHUNK])
        if progress is not None:
            progress(min(i + CHUNK, len(rows)), len(rows))
    return len(rows)


def _write_extras(conn: Connection, split: _Split, batch_id: str) -> None:
    """The batch's tipsters (of written events only), rejects and review flags."""
    written = set(split.new["event_id"]) | set(split.changed["event_id"])
    tips = split.result.tipsters[split.result.tipsters["event_id"].isin(written)]
    if len(tips):
        recs = tips.astype(object).where(tips.notna(), None).to_dict("records")
        conn.execute(tipsters.insert(), [{**r, "batch_id": batch_id} for r in recs])
    bad = _reject_records(split.result, batch_id)
    if bad:
        conn.execute(rejects.insert(), bad)
    if len(split.flags):
        recs = split.flags.astype(object).to_dict("records")
        conn.execute(review.insert(), [{**r, "batch_id": batch_id} for r in recs])


def commit_import(
    store: Store,
    preview: ImportPreview,
    *,
    username: str,
    note: str = "",
    rules: DuplicateRules | None = None,
    progress: Progress | None = None,
    only_if_empty: bool = False,
) -> str | None:
    """Write a previewed ledger as one batch, in one transaction.

    New events are inserted; changed ones replace the stored version, which is kept so that
    :func:`undo_batch` can put it back; unchanged rows are skipped. The batch record (with
    its counts), the tipsters of the written events, the rejects with their original
    values, the review flags and an audit-log entry are written in the same transaction,
    and the store's revision is bumped. A batch is recorded even when every row is
    unchanged or rejected.

    Parameters
    ----------
    store : Store
        Where to write.
    preview : ImportPreview
        From :func:`preview_import` (or :func:`compare`). If the store changed since (another
        import, an undo, a review), the comparison is made again under the writers' lock,
        so that change is taken into account; otherwise the preview's is used as it is.
        Its ``scope`` and file name and hash are recorded with the batch.
    username : str
        Who imports (batch record and audit log).
    note : str, default ""
        Kept with the batch.
    rules : DuplicateRules, optional
        When to flag likely duplicates (``None``: the defaults). Rules other than the
        preview's also make the comparison run again.
    progress : callable, optional
        ``progress(done, total)`` after each chunk of :data:`CHUNK` events written (500
        unless ``$HEXPATROL_IMPORT_CHUNK`` says otherwise); ``progress(0, 0)`` once when
        no event is written.
    only_if_empty : bool, default False
        Write nothing (and return ``None``) when the store already has a batch, checked
        under the writers' lock (how :func:`seed` loads the first data only once).

    Returns
    -------
    str or None
        The new batch's id (``B<yyyymmdd>-<hhmmss>-<6 hex digits>``, UTC); ``None`` only
        with ``only_if_empty`` on a store that already has a batch.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        When the database refuses a write; the transaction is rolled back, so nothing of
        the batch is stored.
    """
    batch_id = _new_batch_id(utc_now())
    with store.write() as conn:
        has_batches = conn.execute(sa.select(sa.func.count()).select_from(batches)).scalar_one()
        if only_if_empty and has_batches:
            return None
        split = _current_split(conn, preview, rules)
        counts = split.counts()
        conn.execute(
            batches.insert().values(
                batch_id=batch_id,
                created_at=utc_now(),
                username=username,
                file_name=preview.file_name[:255],
                file_sha256=preview.file_sha256,
                scope=preview.scope,
                status="committed",
                note=note,
                **{f"n_{k}": v for k, v in counts.items()},
            )
        )
        if len(split.changed):
            _keep_previous_versions(conn, split.changed, batch_id)
        total = _write_events(conn, split, batch_id, progress)
        _write_extras(conn, split, batch_id)
        store.bump(conn)
        detail = {"batch": batch_id, "file": preview.file_name, **counts}
        store.log(username, "import", scope=preview.scope, detail=detail, conn=conn)
    if progress is not None and total == 0:
        progress(0, 0)
    return batch_id


def _reject_records(result: IngestResult, batch_id: str) -> list[dict[str, Any]]:
    if result.rejects.empty:
        return []
    raw = result.raw
    by_file = "file" in raw.columns and "file" in result.rejects.columns
    keys = list(zip(raw["file"], raw.index, strict=True)) if by_file else list(raw.index)
    values = raw.drop(columns=["file"], errors="ignore")
    position = {key: i for i, key in enumerate(keys)}
    out = []
    for rec in result.rejects.to_dict("records"):
        row = int(rec["row"])
        at = position.get((rec["file"], row) if by_file else row)
        original: dict[str, str] = {}
        if at is not None:
            cells = values.iloc[at]
            original = {str(k): str(v) for k, v in cells.items() if str(v) != ""}
        value = rec["value"]
        out.append(
            {
                "batch_id": batch_id,
                "row": row,
                "column_name": str(rec["column"]),
                "value": None if value is None or pd.isna(value) else str(value),
                "reason_code": str(rec["reason_code"]),
                "reason": str(rec["reason"]),
                "reason_zh": str(rec["reason_zh"]),
                "original": original,
                "file": rec["file"] if by_file else None,
            }
        )
    return out


def _check_undoable(conn: sa.Connection, batch_id: str) -> None:
    """Refuse to undo an unknown or undone batch, or one a later batch changed again."""
    found = conn.execute(
        sa.select(batches.c.status).where(batches.c.batch_id == batch_id)
    ).scalar()
    if found is None:
        raise StoreError(
            f"no import batch {batch_id!r}; `hexpatrol batches` lists them",
            zh=f"没有导入批次 {batch_id}",
        )
    if found != "committed":
        raise StoreError(
            f"batch {batch_id} was already undone", zh=f"批次 {batch_id} 已经撤销过了"
        )
    later = conn.execute(
        sa.select(event_history.c.replaced_by)
        .where(event_history.c.batch_id == batch_id)
        .distinct()
    ).scalars()
    blocking = sorted(set(later))
    if blocking:
        raise StoreError(
            f"batch {batch_id} cannot be undone before {', '.join(blocking)}, which "
            "changed some of its events again; undo those first",
            zh=f"批次 {batch_id} 的部分记录又被后来的批次 {'、'.join(blocking)} 更新过;"
            "请先撤销那些批次",
        )


def undo_batch(store: Store, batch_id: str, *, username: str) -> dict[str, int]:
    """Take a committed batch back out; the store returns to its state before it.

    Events the batch added are deleted, events it changed get their previous version back,
    its tipster rows and review flags go, and flags of other batches that point at an event
    it added go with them (as do "duplicate of" marks pointing there). A batch whose events
    a later batch changed again is refused (undo that later batch first). Returns counts of
    what was removed and restored.
    """
    with store.write() as conn:
        _check_undoable(conn, batch_id)
        # the records this batch added (not those it changed: they stay, in their old version)
        replaced = sa.select(event_history.c.event_id).where(
            event_history.c.replaced_by == batch_id
        )
        mine = sa.select(events.c.event_id).where(
            events.c.batch_id == batch_id, events.c.event_id.not_in(replaced.scalar_subquery())
        )
        conn.execute(
            review.delete().where(
                (review.c.batch_id == batch_id) | review.c.other_id.in_(mine.scalar_subquery())
            )
        )
        conn.execute(
            events.update().where(events.c.dup_of.in_(mine.scalar_subquery())).values(dup_of=None)
        )
        removed = conn.execute(events.delete().where(events.c.batch_id == batch_id)).rowcount
        cols = [c.name for c in events.columns]
        restored = conn.execute(
            sa.select(sa.func.count())
            .select_from(event_history)
            .where(event_history.c.replaced_by == batch_id)
        ).scalar_one()
        conn.execute(
            events.insert().from_select(
                cols,
                sa.select(*[event_history.c[c] for c in cols]).where(
                    event_history.c.replaced_by == batch_id
                ),
            )
        )
        conn.execute(event_history.delete().where(event_history.c.replaced_by == batch_id))
        conn.execute(tipsters.delete().where(tipsters.c.batch_id == batch_id))
        conn.execute(
            batches.update()
            .where(batches.c.batch_id == batch_id)
            .values(status="undone", undone_at=utc_now(), undone_by=username)
        )
        store.bump(conn)
        store.log(
            username,
            "undo",
            detail={"batch": batch_id, "removed": int(removed), "restored": int(restored)},
            conn=conn,
        )
    return {"removed": int(removed), "restored": int(restored)}


_DIFF_COLUMNS: Final = tuple(c for c in EVENT_COLUMNS if c not in ("event_id", "row"))


def batch_changes(
    store: Store,
    batch_id: str,
    *,
    township_codes: Collection[str] | None = None,
    mask: bool = True,
) -> pd.DataFrame:
    """What a batch wrote: each record it added or changed, and for a change, what changed.

    Columns ``change`` (``added``/``changed``), ``event_id``, ``kind``, ``occurred_at``
    (local), ``township_code``, ``fields`` (``status: 核实中 → 属实; …``) and ``diffs`` (the
    same as ``(column, old, new)`` triples, for wording at the page). Records a later
    batch changed again are listed in the version this batch wrote. ``township_codes``
    limits the rows (a township's view); ``mask`` masks plates and persons in ``fields``.
    """
    cols = [events.c[c] for c in (*EVENT_COLUMNS, "batch_id")]
    hist = [event_history.c[c] for c in (*EVENT_COLUMNS, "batch_id")]
    with store.read() as conn:
        now = pd.read_sql(sa.select(*cols).where(events.c.batch_id == batch_id), conn)
        later = pd.read_sql(sa.select(*hist).where(event_history.c.batch_id == batch_id), conn)
        before = pd.read_sql(sa.select(*hist).where(event_history.c.replaced_by == batch_id), conn)
    written = pd.concat([now, later], ignore_index=True).drop_duplicates("event_id")
    if township_codes is not None:
        written = written[written["township_code"].isin(list(township_codes))]
    old = before.set_index("event_id")

    def shown(col: str, value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if mask and col == "plate":
            return mask_plate(value)
        if mask and col == "party":
            return str(value)[:1] + "**"
        return str(value)

    fields: list[str] = []
    diffs: list[list[tuple[str, str, str]]] = []
    for rec in written.to_dict("records"):
        if rec["event_id"] not in old.index:
            fields.append("")
            diffs.append([])
            continue
        prev = old.loc[rec["event_id"]]
        found = [
            (c, shown(c, prev[c]), shown(c, rec[c]))
            for c in _DIFF_COLUMNS
            if shown(c, prev[c]) != shown(c, rec[c])
        ]
        diffs.append(found)
        fields.append("; ".join(f"{c}: {a} → {b}" for c, a, b in found))
    out = pd.DataFrame(
        {
            "change": ["changed" if e in old.index else "added" for e in written["event_id"]],
            "event_id": written["event_id"],
            "kind": written["kind"],
            "occurred_at": pd.to_datetime(written["occurred_at"])
            .dt.tz_localize("UTC")
            .dt.tz_convert(TZ),
            "township_code": written["township_code"],
            "fields": fields,
            "diffs": diffs,
        }
    )
    return out.sort_values(["change", "occurred_at"], ascending=[False, True]).reset_index(
        drop=True
    )


def mask_originals(table: pd.DataFrame) -> pd.DataFrame:
    """Reject rows with the plate and person cells of their ``original`` row masked."""
    out = table.copy()

    def masked(original: object) -> object:
        if not isinstance(original, dict):
            return original
        canon = map_headers(list(original))
        return {
            k: mask_plate(v)
            if canon.get(k) == "plate"
            else (str(v)[:1] + "**" if canon.get(k) == "party" and v else v)
            for k, v in original.items()
        }

    if "original" in out.columns:
        out["original"] = out["original"].map(masked)
    return out


def review_flags(store: Store, *, open_only: bool = True) -> pd.DataFrame:
    """Likely-duplicate flags awaiting (or past) a reviewer's decision."""
    query = sa.select(review).order_by(review.c.id)
    if open_only:
        query = query.where(review.c.decision.is_(None))
    with store.read() as conn:
        return pd.read_sql(query, conn)


def decide(store: Store, flag_id: int, decision: str, *, username: str) -> None:
    """Record a reviewer's decision on a flag: ``duplicate`` or ``distinct``.

    ``duplicate`` marks the flagged event as a copy of the other one, so it leaves every
    analysis (it stays in the store; undoing its batch still works).
    """
    if decision not in ("duplicate", "distinct"):
        raise ValueError(f"decision was {decision!r} but must be 'duplicate' or 'distinct'")
    with store.write() as conn:
        flag = conn.execute(sa.select(review).where(review.c.id == flag_id)).one_or_none()
        if flag is None:
            raise StoreError(f"no review flag {flag_id}")
        conn.execute(
            review.update()
            .where(review.c.id == flag_id)
            .values(decision=decision, decided_by=username, decided_at=utc_now())
        )
        if decision == "duplicate":
            conn.execute(
                events.update()
                .where(events.c.event_id == flag.event_id)
                .values(dup_of=flag.other_id)
            )
        elif flag.decision == "duplicate":  # changing one's mind puts the record back
            conn.execute(
                events.update()
                .where(events.c.event_id == flag.event_id, events.c.dup_of == flag.other_id)
                .values(dup_of=None)
            )
        store.bump(conn)
        detail = {"event": flag.event_id, "other": flag.other_id, "decision": decision}
        store.log(username, "review", detail=detail, conn=conn)


def seed(
    store: Store,
    files: Sequence[str | os.PathLike[str]],
    *,
    townships: gpd.GeoDataFrame | None = None,
    progress: Progress | None = None,
) -> str | None:
    """Import the settings' ledger files as one batch into a store that never had one.

    This is how a fresh deployment (and the demo) starts with data; afterwards the store is
    the only source. Returns the batch id, or ``None`` when the store already had batches
    (also when another process seeded it first).
    """
    if not files or store.n_batches():
        return None
    result = read_ledgers(list(files), townships=townships)
    digest = hashlib.sha256()
    for path in files:
        digest.update(Path(path).read_bytes())
    names = ", ".join(Path(p).name for p in files)
    preview = compare(store, result, names[:255], digest.hexdigest())
    return commit_import(
        store,
        preview,
        username="system",
        note="initial load from the settings' events files",
        progress=progress,
        only_if_empty=True,
    )


def batch_table(store: Store, *, scopes: Collection[str] | None = None) -> pd.DataFrame:
    """Batches for display: local times, newest first; ``scopes`` limits to those scopes."""
    frame = store.batches()
    if scopes is not None:
        frame = frame[frame["scope"].isin(list(scopes))]
    for col in ("created_at", "undone_at"):
        frame[col] = pd.to_datetime(frame[col]).dt.tz_localize("UTC").dt.tz_convert(TZ)
    return frame.reset_index(drop=True)
