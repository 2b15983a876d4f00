"""Read case and tip ledgers into the canonical event schema; every row accepted or rejected.

Ledgers come as CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX (every sheet) or GeoJSON,
with Chinese or English headers, sometimes a title line above the header, times in many local
spellings and coordinates in WGS-84, GCJ-02 or BD-09. :func:`read_ledger` reads the file
(:mod:`geo.sheets`), runs one parser per field (:mod:`geo.fields`) and assembles one frame of
accepted events plus a reject table (sheet row number, column, value, reason), and guarantees
``rows in = accepted + rejected``. Tipster identities are returned in a separate frame and
never appear among the events, nor in the original rows kept for reject downloads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import normalize_crs, to_wgs84
from geo.errors import LedgerReadError
from geo.fields import (
    KIND_VALUES,
    Problem,
    blank,
    infer_kind,
    parse_ids,
    parse_kinds,
    parse_plates,
    parse_positions,
    parse_seats,
    parse_texts,
    parse_time,
    parse_times,
    parse_townships,
    split_pair,
)
from geo.schema import (
    EVENT_COLUMNS,
    HEADER_ALIASES,
    REJECT_COLUMNS,
    TEXT_FIELDS,
    TIPSTER_COLUMNS,
    TZ,
)
from geo.sheets import ALIAS_LOOKUP, Sheet, map_headers, norm_header, read_sheets, read_table

__all__ = [
    "EVENT_COLUMNS",
    "HEADER_ALIASES",
    "KIND_VALUES",
    "REASONS",
    "REJECT_COLUMNS",
    "TIPSTER_COLUMNS",
    "TZ",
    "IngestResult",
    "is_tipster",
    "map_headers",
    "parse_time",
    "read_ledger",
    "read_ledgers",
    "read_table",
    "split_pair",
]

#: reason code -> (English, Chinese) message templates; {value} and {extra} are filled in.
REASONS: Final[dict[str, tuple[str, str]]] = {
    "missing_time": (
        "no time given; fill in the date and time (e.g. 2025-10-01 20:30)",
        "缺少时间;请填写日期和时间(如 2025-10-01 20:30)",
    ),
    "bad_time": (
        "time {value!r} not understood; write it as 2025-10-01 20:30",
        "无法识别时间 {value!r};请写成 2025-10-01 20:30",
    ),
    "future_time": (
        "time {value!r} lies in the future; check the year",
        "时间 {value!r} 晚于当前时间;请核对年份",
    ),
    "too_old": (
        "time {value!r} is before 2000; check the year",
        "时间 {value!r} 早于2000年;请核对年份",
    ),
    "missing_coord": (
        "no coordinates; fill in longitude and latitude in degrees",
        "缺少经纬度;请填写以度为单位的经度和纬度",
    ),
    "bad_coord": (
        "coordinate {value!r} is not a number in degrees",
        "坐标 {value!r} 不是以度为单位的数字",
    ),
    "coord_range": (
        "coordinate {value!r} out of range (longitude -180..180, latitude -90..90)",
        "坐标 {value!r} 超出范围(经度 -180..180,纬度 -90..90)",
    ),
    "swapped_coord": (
        "longitude and latitude look swapped ({extra}); swap the two columns",
        "经度和纬度疑似填反({extra});请交换两列",
    ),
    "outside_area": (
        "point ({extra}) lies outside every township of the study area; check the "
        "coordinates and their coordinate system",
        "坐标点({extra})不在辖区任何乡镇范围内;请核对坐标及坐标系",
    ),
    "bad_crs": (
        "coordinate system {value!r} unknown; use wgs84, gcj02 (Amap/Tencent) or bd09 (Baidu)",
        "未知坐标系 {value!r};请填写 wgs84、gcj02(高德/腾讯)或 bd09(百度)",
    ),
    "missing_kind": (
        "record type missing; write 查处 (case) or 举报 (tip), or pass --kind",
        "缺少记录类型;请填写“查处”或“举报”,或在导入时指定类型",
    ),
    "bad_kind": (
        "record type {value!r} unknown; write 查处/case or 举报/tip",
        "无法识别记录类型 {value!r};请填写“查处”或“举报”",
    ),
    "bad_seats": (
        "seats {value!r} is not a whole number between 1 and 80",
        "座位数 {value!r} 应为 1 到 80 之间的整数",
    ),
    "unknown_township": (
        "township {value!r} is not in the township list; use its name or 9-digit code",
        "乡镇 {value!r} 不在乡镇名录中;请填写乡镇名称或9位代码",
    ),
    "duplicate_id": (
        "event id {value!r} already used on row {extra}; give each record its own id",
        "编号 {value!r} 与第 {extra} 行重复;每条记录应有唯一编号",
    ),
    "bad_geometry": (
        "geometry is not a point ({value}); give one location per record",
        "几何类型不是点({value});每条记录应为一个位置点",
    ),
    "two_digit_year": (
        "date {value!r} has a two-digit year; write the full date, e.g. 2025-10-01 20:30",
        "日期 {value!r} 的年份只有两位;请写完整日期,如 2025-10-01 20:30",
    ),
    "ambiguous_date": (
        "date {value!r} could be day/month or month/day; write it as 2025-10-01 20:30",
        "日期 {value!r} 无法确定是“日/月”还是“月/日”;请写成 2025-10-01 20:30",
    ),
    "no_date": (
        "time {value!r} has no date; write the date too, e.g. 2025-10-01 20:30",
        "时间 {value!r} 缺少日期;请连同日期填写,如 2025-10-01 20:30",
    ),
    "incomplete_date": (
        "date {value!r} lacks the day; write a full date, e.g. 2025-10-01",
        "日期 {value!r} 不完整(缺少日);请写完整日期,如 2025-10-01",
    ),
    "several_plates": (
        "several plates in one cell ({value}); write one record per vehicle",
        "一个单元格里有多个车牌({value});每辆车请单独填一行",
    ),
    "bad_plate": (
        "plate {value!r} has characters no plate has; check it",
        "车牌 {value!r} 含有车牌中不会出现的字符;请核对",
    ),
    "too_long": (
        "{value!r} is longer than {extra} characters; shorten it or check the column",
        "内容 {value!r} 超过 {extra} 个字符;请精简或检查是否填错列",
    ),
    "outside_scope": (
        "point ({extra}) lies outside your township; send the row to the county or to the "
        "township it lies in",
        "坐标点({extra})不在本乡镇辖区内;请报送县级或坐标所在乡镇",
    ),
}


@dataclass
class IngestResult:
    """What :func:`read_ledger` returns.

    Attributes
    ----------
    events : pandas.DataFrame
        Accepted rows in the canonical schema (:data:`EVENT_COLUMNS`), coordinates in WGS-84.
    rejects : pandas.DataFrame
        One line per problem found (:data:`REJECT_COLUMNS`); a row may have several. With
        several files or sheets, a ``file`` column first says which.
    tipsters : pandas.DataFrame
        Confidential tipster identities keyed by ``event_id``; keep apart, never render.
    raw : pandas.DataFrame
        The input as read (all text), indexed by sheet row number, for the reject download;
        tipster columns are left out of it.
    header_map : dict
        Input header -> canonical column, for the user to check.
    notes : list of (str, str)
        What the user should know that is not a rejected row (English, Chinese): sheets not
        read, rows that named another township than their position.
    kind_guess : str or None
        The record type read from the headers (``case``/``tip``) for rows without one.
    """

    events: pd.DataFrame
    rejects: pd.DataFrame
    tipsters: pd.DataFrame
    raw: pd.DataFrame
    header_map: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    kind_guess: str | None = None

    @property
    def n_rows(self) -> int:
        """Data rows read from the file."""
        return len(self.raw)

    @property
    def n_accepted(self) -> int:
        """Rows accepted as events."""
        return len(self.events)

    @property
    def n_rejected(self) -> int:
        """Rows rejected (each counted once, however many problems it has)."""
        if self.rejects.empty:
            return 0
        keys = ["file", "row"] if "file" in self.rejects.columns else ["row"]
        return len(self.rejects.drop_duplicates(keys))

    def rejects_with_rows(self) -> pd.DataFrame:
        """Reject table joined with the original row values, for a user to fix and resend."""
        if self.rejects.empty:
            return self.rejects.copy()
        original = self.raw.add_prefix("原始_").reset_index()
        if "file" in self.rejects.columns:
            original = original.rename(columns={"原始_file": "file"})
            return self.rejects.merge(original, on=["file", "row"], how="left")
        return self.rejects.merge(original, on="row", how="left")


_TIPSTER_HEADER: Final = re.compile(
    r"举报|报案|报警人|线人|投诉|来电|反映人|联系人|联系方式|联系电话|手机|电话|身份证|证件号"
    r"|tipster|informant|reporter|complainant|caller|phone|mobile|contact",
    re.I,
)


def is_tipster(header: object) -> bool:
    """Whether a column may hold a tipster's identity or contact: kept out of everything else.

    Any spelling of the tipster columns, repeated ones (``联系电话.2``) and complainant or
    contact headers (投诉人, 来电号码, 联系人, 手机号 …). Such columns reach nothing but
    :attr:`IngestResult.tipsters` — not the original rows copied into reject tables either.
    """
    text = re.sub(r"\.\d+$", "", str(header).strip())
    canon = ALIAS_LOOKUP.get(norm_header(text))
    if canon in ("tipster_name", "tipster_phone"):
        return True
    return bool(_TIPSTER_HEADER.search(text)) and canon is None


def _reject_frame(problems: Sequence[tuple[int, str, object, str, object]]) -> pd.DataFrame:
    """Reject lines from (sheet row, column, value, reason code, detail)."""
    records = []
    for row, column, value, code, extra in problems:
        shown = "" if blank(value) else str(value)
        en, zh = REASONS[code]
        records.append(
            {
                "row": int(row),
                "column": column,
                "value": shown,
                "reason_code": code,
                "reason": en.format(value=shown, extra=extra),
                "reason_zh": zh.format(value=shown, extra=extra),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(REJECT_COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    return frame.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Options:
    crs: str
    kind: str | None
    townships: gpd.GeoDataFrame | None
    now: pd.Timestamp
    scope: str | None


def _cells(frame: pd.DataFrame, header_map: dict[str, str]) -> dict[str, np.ndarray]:
    """Each input column (canonical name) as an object array; absent ones all ``None``."""
    mapped = frame[list(header_map)].rename(columns=header_map)
    empty = np.full(len(frame), None, dtype=object)
    return {c: mapped[c].to_numpy(object) if c in mapped else empty for c in HEADER_ALIASES}


def _positions(
    cells: dict[str, np.ndarray], frame: pd.DataFrame, opt: _Options
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Problem]]:
    """WGS-84 positions of every row (NaN where unusable), source CRS, problems."""
    geom = frame["__geom_type"].to_numpy() if "__geom_type" in frame.columns else None
    lon, lat, crs_in, problems = parse_positions(cells, geom, opt.crs)
    ok = ~np.isnan(lon)
    for name in ("gcj02", "bd09"):
        sel = ok & (crs_in == name)
        if sel.any():
            lon[sel], lat[sel] = to_wgs84(lon[sel], lat[sel], name)
    return lon, lat, crs_in, problems


def _hash_keys(
    kinds: np.ndarray, times: pd.Series, lon: np.ndarray, lat: np.ndarray, plates: np.ndarray
) -> Callable[[int], str]:
    """What an id-less row's id is a hash of, exactly as stores hold it since version 1.

    (A missing plate was spelt ``nan`` when another row of the sheet had a plate and
    ``None`` otherwise; kept, so re-importing an id-less ledger finds its records.)
    """
    missing = "nan" if any(p is not None for p in plates) else "None"

    def key(i: int) -> str:
        t = None if pd.isna(times.iat[i]) else times.iat[i]
        p = missing if plates[i] is None else plates[i]
        return f"{kinds[i]}|{t}|{lon[i]:.6f}|{lat[i]:.6f}|{p}"

    return key


def _parse(frame: pd.DataFrame, header_map: dict[str, str], opt: _Options) -> dict[str, object]:
    """Run every field parser; returns the columns and all problems (by position)."""
    cells = _cells(frame, header_map)
    kinds, problems = parse_kinds(cells, opt.kind)
    has_date = "date" in header_map.values()
    times, precision, found = parse_times(cells, opt.now, has_date=has_date)
    lon, lat, crs_in, found_xy = _positions(cells, frame, opt)
    seats, found_seats = parse_seats(cells)
    plates, found_plates = parse_plates(cells)
    texts, found_text = parse_texts(cells, TEXT_FIELDS)
    codes, found_towns, mismatched = parse_townships(cells, lon, lat, opt.townships, opt.scope)
    ids, found_ids = parse_ids(cells, _hash_keys(kinds, times, lon, lat, plates))
    problems += found + found_xy + found_seats + found_plates + found_text + found_towns
    return {
        "columns": {
            "event_id": ids,
            "kind": kinds,
            "occurred_at": times.to_numpy(),
            "time_precision": precision,
            "lat": lat,
            "lon": lon,
            "crs_in": crs_in,
            "township_code": codes,
            "seats": seats,
            "plate": plates,
            **texts,
        },
        "problems": problems + found_ids,
        "mismatched": mismatched,
        "tipsters": {c: cells[c] for c in ("tipster_name", "tipster_phone")},
    }


def _problem_rows(
    problems: list[Problem], rows: np.ndarray, inverse: dict[str, str]
) -> list[tuple[int, str, object, str, object]]:
    """Problems by position → by sheet row, with the user's own column names."""
    out = []
    for i, canon, value, code, extra in problems:
        if code == "duplicate_id":
            extra = int(rows[int(str(extra))])
        out.append((int(rows[i]), inverse.get(canon, canon), value, code, extra))
    return out


def _assemble(frame: pd.DataFrame, parsed: dict[str, object]) -> tuple[pd.DataFrame, np.ndarray]:
    """Accepted events (canonical columns and types) and the mask of rows kept."""
    rows = frame.index.to_numpy()
    bad = {i for i, *_ in parsed["problems"]}  # type: ignore[attr-defined]
    keep = np.array([i not in bad for i in range(len(rows))], dtype=bool)
    columns = {**parsed["columns"], "row": rows}  # type: ignore[dict-item]
    events = pd.DataFrame({c: columns[c] for c in EVENT_COLUMNS})[keep].reset_index(drop=True)
    # utc=True keeps the column tz-aware even when no row was accepted
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], utc=True).dt.tz_convert(TZ)
    events["seats"] = events["seats"].astype("Int64")
    events["row"] = events["row"].astype(np.int64)
    return events, keep


def _tipsters(parsed: dict[str, object], keep: np.ndarray) -> pd.DataFrame:
    from geo.fields import text

    found = parsed["tipsters"]
    ids = parsed["columns"]["event_id"]  # type: ignore[index]
    frame = pd.DataFrame(
        {
            "event_id": ids,
            "tipster_name": [text(v) for v in found["tipster_name"]],  # type: ignore[index]
            "tipster_phone": [text(v) for v in found["tipster_phone"]],  # type: ignore[index]
        }
    )[keep]
    has = frame["tipster_name"].notna() | frame["tipster_phone"].notna()
    return frame[has].reset_index(drop=True)


def _raw(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as text, without tipster columns or internal ones (for reject downloads)."""
    drop = [c for c in frame.columns if c.startswith("__") or is_tipster(c)]
    return frame.drop(columns=drop).map(lambda v: "" if blank(v) else str(v))


def _read_sheet(frame: pd.DataFrame, opt: _Options) -> IngestResult:
    """One sheet's rows → events, rejects, tipsters."""
    header_map = map_headers([c for c in frame.columns if not c.startswith("__")])
    guess = None
    if opt.kind is None and "kind" not in header_map.values():
        guess = infer_kind(list(frame.columns))
        opt = _Options(opt.crs, guess, opt.townships, opt.now, opt.scope)
    parsed = _parse(frame, header_map, opt)
    inverse = {v: k for k, v in header_map.items()}
    problems = _problem_rows(parsed["problems"], frame.index.to_numpy(), inverse)  # type: ignore[arg-type]
    events, keep = _assemble(frame, parsed)
    notes = _mismatch_note(int(parsed["mismatched"]))  # type: ignore[call-overload]
    return IngestResult(
        events=events,
        rejects=_reject_frame(problems),
        tipsters=_tipsters(parsed, keep),
        raw=_raw(frame),
        header_map=header_map,
        notes=notes,
        kind_guess=guess,
    )


def _mismatch_note(n: int) -> list[tuple[str, str]]:
    if not n:
        return []
    return [
        (
            f"{n} rows name another township than the one their position lies in; they were "
            "given the township of their position",
            f"{n} 行填写的乡镇与坐标所在乡镇不一致,已按坐标所在乡镇归属",
        )
    ]


def _skipped_notes(skipped: list[tuple[str, int]]) -> list[tuple[str, str]]:
    return [
        (
            f"sheet {name!r} was not read: it has no ledger header (a time and a position "
            f"column); {n} non-empty rows",
            f"工作表“{name}”未读取:没有台账表头(时间列和经纬度列),共 {n} 行非空内容",
        )
        for name, n in skipped
    ]


def _not_a_ledger(label: str, sheet: Sheet) -> LedgerReadError:
    found = [c for c in sheet.frame.columns if not str(c).startswith("column_")][:8]
    return LedgerReadError(
        f"{label}: not recognised as a ledger: it needs a time column (e.g. 发生时间, 时间) and "
        f"coordinates (经度 and 纬度, or 经纬度); found {found}",
        zh=f"{label}:未识别为台账:需要时间列(如 发生时间、时间)和经纬度列(经度、纬度,或 经纬度);"
        f"文件中的列为 {'、'.join(map(str, found)) or '(无)'}",
    )


def _no_kind(label: str) -> LedgerReadError:
    return LedgerReadError(
        f"{label}: the record type is unknown: the ledger has no 类型 column and its headers "
        "do not say whether it lists cases or tips; choose the type (--kind case|tip)",
        zh=f"{label}:无法判断记录类型:台账没有“类型”列,表头也看不出是查处案件还是举报线索;"
        "请选择记录类型(查处/举报)",
    )


def read_ledger(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    crs: str | None = None,
    kind: str | None = None,
    townships: gpd.GeoDataFrame | None = None,
    now: pd.Timestamp | None = None,
    scope: str | None = None,
) -> IngestResult:
    """Read a ledger and split it into accepted events and rejected rows.

    Parameters
    ----------
    source : path or bytes
        The ledger file; with bytes, ``name`` gives the file name (for its format).
    crs : {"wgs84", "gcj02", "bd09"}, optional
        Coordinate system of rows without a ``crs``/坐标系 column value. Default WGS-84.
    kind : {"case", "tip"}, optional
        Record type of rows without a 类型/kind value. Without it, the headers decide when
        they can (案件编号/查处时间 → case, 线索编号/举报人 → tip; see ``kind_guess``).
    townships : GeoDataFrame, optional
        Jurisdiction polygons (``code``, ``name``). When given, each row's township is the
        one its point lies in; points outside all of them, and named townships that do not
        exist, are rejected.
    now : Timestamp, optional
        Reference time for "in the future" (default: the current time).
    scope : str, optional
        A township code: rows whose point lies outside that township are rejected (a
        township's own import), whatever their 乡镇 cell says. Needs ``townships``.

    Returns
    -------
    IngestResult
        ``n_rows == n_accepted + n_rejected`` always holds.

    Raises
    ------
    LedgerReadError
        When the file itself cannot be read, is not a ledger (no time or position column),
        or its record type cannot be told; bad rows never raise.
    """
    label = name or (Path(source).name if not isinstance(source, bytes) else "ledger")
    book = read_sheets(source, name=name)
    default_kind = KIND_VALUES.get(str(kind).strip().lower()) if kind else None
    if kind and default_kind is None:
        raise ValueError(f"kind was {kind!r} but is expected to be 'case' or 'tip'")
    opt = _Options(
        normalize_crs(crs) if crs else "wgs84",
        default_kind,
        townships,
        now if now is not None else pd.Timestamp.now(tz=TZ),
        scope,
    )
    parts = []
    for sheet in book.sheets:
        parts.append((_sheet_label(label, sheet, len(book.sheets)), _check(label, sheet, opt)))
    result = parts[0][1] if len(parts) == 1 else _stack(parts)
    result.notes = _skipped_notes(book.skipped) + result.notes
    return result


def _sheet_label(label: str, sheet: Sheet, n_sheets: int) -> str:
    return f"{label} · {sheet.name}" if n_sheets > 1 else label


def _check(label: str, sheet: Sheet, opt: _Options) -> IngestResult:
    """One sheet read, after checking it is a ledger whose record type can be told."""
    from geo.sheets import is_ledger_header

    canon = set(map_headers(list(sheet.frame.columns)).values())
    if "__geom_type" in sheet.frame.columns:
        canon.add("__geom_type")
    if len(sheet.frame) and not is_ledger_header(canon):
        raise _not_a_ledger(label, sheet)
    result = _read_sheet(sheet.frame, opt)
    if opt.kind is None and result.kind_guess is None and "kind" not in canon and len(sheet.frame):
        raise _no_kind(label)
    return result


def _without_repeats(
    label: str, res: IngestResult, seen: dict[str, tuple[str, int]]
) -> tuple[IngestResult, list[pd.DataFrame]]:
    """A part with the ids already seen in earlier parts moved to its rejects (per file)."""
    repeat = res.events["event_id"].isin(list(seen))
    repeats = res.events[repeat]
    files = repeats.get("source_file", pd.Series(label, index=repeats.index))
    extra = []
    for file, group in repeats.groupby(files, sort=False):
        problems = [
            (
                rec.row,
                "event_id",
                rec.event_id,
                "duplicate_id",
                "{1} ({0})".format(*seen[rec.event_id]),
            )
            for rec in group.itertuples()
        ]
        extra.append(_reject_frame(problems).assign(file=file))
    kept = res.events[~repeat]
    for rec in kept.itertuples():
        seen[rec.event_id] = (getattr(rec, "source_file", label), int(rec.row))
    tips = res.tipsters[res.tipsters["event_id"].isin(kept["event_id"])]
    return IngestResult(kept, res.rejects, tips, res.raw, res.header_map, res.notes), extra


def _stack(parts: list[tuple[str, IngestResult]]) -> IngestResult:
    """Several files or sheets as one result (rejects and rows keep a ``file`` column)."""
    seen: dict[str, tuple[str, int]] = {}
    events, rejects, tipsters, raws, extra = [], [], [], [], []
    for label, res in parts:
        res.events["source_file"] = res.events.get("source_file", label)
        res, repeats = _without_repeats(label, res, seen)
        extra += repeats
        events.append(res.events)
        rejects.append(res.rejects.assign(file=res.rejects.get("file", label)))
        raws.append(res.raw.assign(file=res.raw.get("file", label)))
        tipsters.append(res.tipsters)
    rejects += extra
    rejects = [r for r in rejects if len(r)] or [pd.DataFrame(columns=["file", *REJECT_COLUMNS])]
    stacked = pd.concat(rejects, ignore_index=True)
    return IngestResult(
        events=pd.concat(events, ignore_index=True),
        rejects=stacked[["file", *REJECT_COLUMNS]],
        tipsters=pd.concat(tipsters, ignore_index=True),
        raw=pd.concat([r[["file", *[c for c in r.columns if c != "file"]]] for r in raws]),
        header_map={k: v for _, r in parts for k, v in r.header_map.items()},
        notes=[n for _, r in parts for n in r.notes],
        kind_guess=next((r.kind_guess for _, r in parts if r.kind_guess), None),
    )


def read_ledgers(
    sources: list[str | os.PathLike[str]],
    *,
    townships: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
) -> IngestResult:
    """Read several ledgers and stack them (rejects keep a ``file`` column).

    An event id used again in a later file is rejected there (the first one is kept, and
    only its tipster).
    """
    parts = [(Path(src).name, read_ledger(src, townships=townships, crs=crs)) for src in sources]
    return _stack(parts)
