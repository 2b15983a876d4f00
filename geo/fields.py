"""Field parsers of a ledger: each turns cells into values and a list of problems.

:func:`geo.ingest.read_ledger` runs them one after the other and assembles the events; a
parser never raises on a bad cell, it reports a :data:`Problem` (position in the sheet, input
column, value, reason code, detail). The reason codes and their messages are
:data:`geo.ingest.REASONS`.

Dates follow one policy: a date the parser cannot be sure of is rejected with the fix, never
guessed. ``25-10-01`` (which century, which order?), ``01/10/2025`` (1 October or 10 January?),
``2025-10`` (which day?) and a time with no date (``20:30``) are rejected; ``13/10/2025`` is
not ambiguous and is read as 13 October.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Mapping
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import FIELDS, PLATE_PLACEHOLDERS, TZ

#: (position in the sheet's rows, input column, value, reason code, detail)
Problem = tuple[int, str, object, str, object]
Cells = Mapping[str, np.ndarray]

KIND_VALUES: Final = {
    "case": "case",
    "cases": "case",
    "查处": "case",
    "案件": "case",
    "查处案件": "case",
    "案例": "case",
    "c": "case",
    "tip": "tip",
    "tips": "tip",
    "举报": "tip",
    "线索": "tip",
    "举报线索": "tip",
    "t": "tip",
}


def blank(value: object) -> bool:
    """Whether a cell is empty (None, NaN, NaT or only spaces)."""
    if isinstance(value, str):
        return not value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return str(value).strip() == ""


def text(value: object) -> str | None:
    """A cell as trimmed text (``None`` when blank); ``12.0`` from Excel stays ``12``."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- times

_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９：／－．", "0123456789:/-.")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CN_TIME = re.compile(r"(\d{1,2})\s*[时点:：]\s*(\d{1,2})?\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?")
_DAYPART = re.compile(
    r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|夜里)\s*(\d{1,2})(?=\s*[:：点时])"
)
_CN_CLOCK = re.compile(r"(\d{1,2})\s*[点时]\s*(?:(\d{1,2})\s*分)?\s*(?:(\d{1,2})\s*秒)?")
_CLOCK = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _CLOCK)
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _CLOCK)
_YY = re.compile(r"(\d{2})([-/.])(\d{1,2})\2(\d{1,2})" + _CLOCK)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s*(\d{2})(\d{2})(\d{2})?)?")
_TIME_ONLY = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
_PARTIAL = re.compile(r"\d{4}(\s*[-/.年]\s*\d{1,2}\s*月?)?")


def _clock(m: re.Match[str]) -> str:
    """``9点``, ``20时15分``, ``8点30分10秒`` → ``09:00:00``, ``20:15:00``, ``08:30:10``."""
    hh, mm, ss = (int(m.group(k) or 0) for k in (1, 2, 3))
    return f" {hh:02d}:{mm:02d}:{ss:02d}"


def _to_24h(m: re.Match[str]) -> str:
    """``下午8`` → ``20``, ``凌晨12`` → ``0``, ``中午1`` → ``13`` (the hour only)."""
    part, hour = m.group(1), int(m.group(2))
    if part in ("下午", "傍晚", "晚上", "夜间", "夜里") and hour < 12:
        hour += 12
    elif part == "中午" and hour < 11:
        hour += 12
    elif part == "凌晨" and hour == 12:
        hour = 0
    return f" {hour:02d}"


def _normalise(value: str) -> str:
    """Chinese dates, day parts and clock words rewritten as ``2025-10-01 20:15:00``."""
    text_ = value.strip().translate(_FULLWIDTH)
    text_ = _CN_CLOCK.sub(_clock, _DAYPART.sub(_to_24h, text_))
    m = _CN_DATE.search(text_)
    if m:
        rest = text_[m.end() :].strip()
        date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        t = _CN_TIME.search(rest)
        if t and t.start() == 0:
            hh, mm, ss = (int(t.group(k) or 0) for k in (1, 2, 3))
            rest = f"{hh:02d}:{mm:02d}:{ss:02d}" + rest[t.end() :]
        text_ = f"{text_[: m.start()]}{date} {rest}".strip()
    return re.sub(r"\s+", " ", text_).strip()


def localize(ts: pd.Timestamp) -> pd.Timestamp | None:
    """Timestamp in Asia/Shanghai (naive = local time); None for NaT.

    Local times made ambiguous or skipped by China's 1986-1991 summer time are resolved
    rather than raised on.
    """
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        return ts.tz_convert(TZ)
    out = ts.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward")
    return None if pd.isna(out) else out


def _offset(text_: str | None) -> dt.timezone | None:
    if not text_:
        return None
    if text_ == "Z":
        return dt.UTC
    digits = text_[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return dt.timezone(dt.timedelta(minutes=minutes if text_[0] == "+" else -minutes))


def _build(
    y: int, mo: int, d: int, clock: tuple[str | None, ...], zone: str | None
) -> tuple[pd.Timestamp | None, str, str]:
    hh, mm, ss = clock
    try:
        stamp = dt.datetime(y, mo, d, int(hh or 0), int(mm or 0), int(ss or 0))
        tz = _offset(zone)
    except (ValueError, OverflowError):
        return None, "", "bad_time"
    ts = pd.Timestamp(stamp.replace(tzinfo=tz) if tz else stamp)
    local = localize(ts)
    return (local, "minute" if hh is not None else "day", "") if local is not None else (
        None,
        "",
        "bad_time",
    )


def _from_text(value: str) -> tuple[pd.Timestamp | None, str, str]:
    norm = _normalise(value)
    m = _YMD.fullmatch(norm)
    if m:
        return _build(int(m[1]), int(m[3]), int(m[4]), (m[5], m[6], m[7]), m[8])
    m = _COMPACT.fullmatch(norm)
    if m:
        clock = (m[4], m[5], m[6]) if m[4] else (None, None, None)
        return _build(int(m[1]), int(m[2]), int(m[3]), clock, None)
    m = _DMY.fullmatch(norm)
    if m:
        a, b = int(m[1]), int(m[3])
        if a <= 12 and b <= 12 and a != b:
            return None, "", "ambiguous_date"
        day, month = (a, b) if a > 12 else (b, a)
        return _build(int(m[4]), month, day, (m[5], m[6], m[7]), m[8])
    if _YY.fullmatch(norm):
        return None, "", "two_digit_year"
    if _TIME_ONLY.fullmatch(norm):
        return None, "", "no_date"
    if _PARTIAL.fullmatch(norm):
        return None, "", "incomplete_date"
    return None, "", "bad_time"


def _from_number(value: float) -> tuple[pd.Timestamp | None, str, str]:
    serial = float(value) if -1e300 < value < 1e300 else math.nan  # huge ints overflow
    if 0 <= serial < 1:  # an Excel cell holding a time of day only
        return None, "", "no_date"
    if not 20000 < serial < 80000:  # Excel serial dates 1954..2119
        return None, "", "bad_time"
    ts = (pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")).round("min")
    local = localize(ts)
    return (local, "minute" if serial % 1 else "day", "") if local is not None else (
        None,
        "",
        "bad_time",
    )


def parse_time_checked(value: object) -> tuple[pd.Timestamp | None, str, str]:
    """One local time: (Asia/Shanghai timestamp or None, precision, reason code).

    Precision is ``minute`` when a clock time was given and ``day`` for a bare date. The
    reason code says why a value was not taken: ``bad_time``, ``two_digit_year``,
    ``ambiguous_date``, ``no_date`` (a time of day only) or ``incomplete_date`` (a year or a
    month without the day); ``""`` when it was.
    """
    if blank(value):
        return None, "", ""
    if isinstance(value, dt.time):
        return None, "", "no_date"
    if isinstance(value, dt.datetime | pd.Timestamp):
        ts = pd.Timestamp(value)
        precision = "day" if (ts.hour, ts.minute, ts.second) == (0, 0, 0) else "minute"
        local = localize(ts)
        return (local, precision, "") if local is not None else (None, "", "bad_time")
    if isinstance(value, dt.date):
        return localize(pd.Timestamp(value)), "day", ""
    if isinstance(value, bool):
        return None, "", "bad_time"
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            return _from_number(float(value))
        except OverflowError:  # an int too large for a float
            return None, "", "bad_time"
    return _from_text(str(value))


def parse_time(value: object) -> tuple[pd.Timestamp | None, str]:
    """One local time: (Asia/Shanghai timestamp or None, precision); see parse_time_checked."""
    ts, precision, _ = parse_time_checked(value)
    return (ts, precision) if ts is not None else (None, "")


def _time_cell(cells: Cells, i: int, has_date: bool) -> tuple[object, str]:
    """The time value of row ``i`` and the input column it came from (date + clock joined)."""
    value = cells["occurred_at"][i]
    if not blank(value) or not has_date:
        return value, "occurred_at"
    date_v, clock_v = cells["date"][i], cells["clock"][i]
    if blank(date_v):
        return date_v, "date"
    if isinstance(date_v, dt.datetime | dt.date):
        date_v = date_v.strftime("%Y-%m-%d")
    elif isinstance(date_v, int | float) and not isinstance(date_v, bool):
        ts, _, _ = _from_number(float(date_v))
        date_v = ts.strftime("%Y-%m-%d") if ts is not None else date_v
    clock_s = "" if blank(clock_v) else str(clock_v).strip()
    return f"{str(date_v).strip().split(' ')[0]} {clock_s}".strip(), "date"


_PLAIN = r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
_PARTS = ("year", "month", "day", "hour", "minute", "second")


def _plain_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The common spellings (``2025-10-01 20:15``, ``2025/10/1``) parsed all at once.

    Returns local times (NaT where a value is not such a spelling or not a real date, to be
    parsed one by one) and whether each had a clock time.
    """
    text_ = values.where(values.map(lambda v: isinstance(v, str)), "")
    parts = text_.astype(str).str.extract(_PLAIN)
    parts.columns = list(_PARTS)
    clock = parts["hour"].notna()
    found = parts.dropna(subset=["year"]).fillna("0").astype(np.int64)
    naive = pd.to_datetime(found, errors="coerce")
    local = naive.dt.tz_localize(
        TZ, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return local.reindex(values.index), clock


def _one_by_one(
    values: pd.Series, columns: list[str], todo: np.ndarray
) -> tuple[dict[int, pd.Timestamp], dict[int, str], list[Problem]]:
    """Rows the fast path did not take, through :func:`parse_time_checked`."""
    times: dict[int, pd.Timestamp] = {}
    precision: dict[int, str] = {}
    problems: list[Problem] = []
    for i in np.flatnonzero(todo).tolist():
        value = values.iat[i]
        if blank(value):
            problems.append((i, columns[i], value, "missing_time", ""))
            continue
        ts, prec, code = parse_time_checked(value)
        if ts is None:
            problems.append((i, columns[i], value, code or "bad_time", ""))
        else:
            times[i], precision[i] = ts, prec
    return times, precision, problems


def parse_times(
    cells: Cells, now: pd.Timestamp, *, has_date: bool = False
) -> tuple[pd.Series, np.ndarray, list[Problem]]:
    """Times of every row (one column, or 日期 + 时刻), their precision, and the problems.

    ``has_date``: the ledger has a 日期 column, used where the time column is empty.
    Returns local times (NaT where rejected), ``minute``/``day`` per row and the problems.
    """
    n = len(cells["occurred_at"])
    pairs = [_time_cell(cells, i, has_date) for i in range(n)]
    values = pd.Series([v for v, _ in pairs], dtype=object)
    columns = [c for _, c in pairs]
    times, clock = _plain_times(values)
    precision = np.where(clock.to_numpy(), "minute", "day").astype(object)
    slow, slow_prec, problems = _one_by_one(values, columns, times.isna().to_numpy())
    if slow:
        at = list(slow)
        times = times.astype(object)
        times.iloc[at] = [slow[i] for i in at]
        times = pd.to_datetime(times, utc=True).dt.tz_convert(TZ)
        precision[at] = [slow_prec[i] for i in at]
    late = (times > now + pd.Timedelta(days=1)).to_numpy()
    early = (times.dt.year < 2000).to_numpy()
    for i in np.flatnonzero(late | early).tolist():
        problems.append((i, columns[i], values.iat[i], "future_time" if late[i] else "too_old", ""))
    times[late | early] = pd.NaT
    precision[times.isna().to_numpy()] = ""
    return times, precision, sorted(problems, key=lambda p: p[0])


# ---------------------------------------------------------------- kinds, seats, plates, text


def infer_kind(headers: list[str]) -> str | None:
    """``case`` or ``tip`` when the headers say which ledger this is, else ``None``."""
    from geo.schema import CASE_HEADERS, TIP_HEADERS

    names = {h.strip() for h in headers}
    case, tip = bool(names & set(CASE_HEADERS)), bool(names & set(TIP_HEADERS))
    return "case" if case and not tip else "tip" if tip and not case else None


def parse_kinds(cells: Cells, default: str | None) -> tuple[np.ndarray, list[Problem]]:
    """Record type of each row: the 类型 cell, else ``default`` (given or inferred)."""
    values = cells["kind"]
    kinds = np.full(len(values), None, dtype=object)
    problems: list[Problem] = []
    for i, value in enumerate(values):
        if blank(value):
            if default is None:
                problems.append((i, "kind", value, "missing_kind", ""))
            kinds[i] = default
            continue
        kinds[i] = KIND_VALUES.get(str(value).strip().lower())
        if kinds[i] is None:
            problems.append((i, "kind", value, "bad_kind", ""))
    return kinds, problems


def number(value: object) -> float | None:
    """A number in degrees or units: ``108.7``, ``108°42'30"``, ``108度42分``, ``E108.7``."""
    if blank(value):
        return None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        try:
            num = float(value)
        except OverflowError:
            return None
    else:
        try:
            num = float(value)  # type: ignore[arg-type]  # the usual case: "108.65"
        except (TypeError, ValueError):
            num_ = _text_number(str(value).strip().translate(_FULLWIDTH))
            if num_ is None:
                return None
            num = num_
    return num if math.isfinite(num) else None  # "nan", "inf", "1e999" are not degrees


_DMS = re.compile(
    r"[EeNn东北]?\s*(\d{1,3}(?:\.\d+)?)\s*[°度]\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′分])?"
    r"\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:[\"″秒]|''))?\s*[EeNn东北]?"
)


def _text_number(text_: str) -> float | None:
    dms = _DMS.fullmatch(text_)
    if dms and (dms.group(2) or dms.group(3)):  # 108°42'30.5" / 108度42分30.5秒
        deg, minutes, seconds = (float(dms.group(k) or 0) for k in (1, 2, 3))
        if minutes >= 60 or seconds >= 60:
            return None
        return deg + minutes / 60 + seconds / 3600
    text_ = text_.replace("°", "").replace("度", "").replace(",", "")
    text_ = re.sub(r"^[EeNn东北]\s*|\s*[EeNn东北]$", "", text_)
    try:
        return float(text_)
    except ValueError:
        return None


def parse_seats(cells: Cells) -> tuple[np.ndarray, list[Problem]]:
    """Seats as whole numbers 1-80 (``7座`` and ``7人`` too)."""
    values = cells["seats"]
    seats = np.full(len(values), pd.NA, dtype=object)
    problems: list[Problem] = []
    for i, value in enumerate(values):
        if blank(value):
            continue
        num = number(str(value).replace("座", "").replace("人", ""))
        if num is None or num != int(num) or not 1 <= num <= 80:
            problems.append((i, "seats", value, "bad_seats", ""))
        else:
            seats[i] = int(num)
    return seats, problems


_PLATE_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·.\-\s()（）]+")
_PLATE_CORE = re.compile(r"[\u4e00-\u9fff][A-Za-z][·.\-\s]?[A-Za-z0-9]{4,6}")


def plate_or_none(value: object) -> str | None:
    """The plate of a cell in upper case, or ``None`` for blanks and placeholders (无牌, 不详)."""
    shown = text(value)
    if shown is None or shown.lower() in PLATE_PLACEHOLDERS:
        return None
    return shown.upper()


def parse_plates(cells: Cells) -> tuple[np.ndarray, list[Problem]]:
    """Plates (upper case); placeholders become no plate; several plates in one cell rejected."""
    values = cells["plate"]
    plates = np.full(len(values), None, dtype=object)
    problems: list[Problem] = []
    limit = FIELDS["plate"].length or 32
    for i, value in enumerate(values):
        plate = plate_or_none(value)
        if plate is None:
            continue
        if len(_PLATE_CORE.findall(plate)) > 1:
            problems.append((i, "plate", value, "several_plates", ""))
        elif len(plate) > limit:
            problems.append((i, "plate", value, "too_long", limit))
        elif not _PLATE_CHARS.fullmatch(plate):
            problems.append((i, "plate", value, "bad_plate", ""))
        else:
            plates[i] = plate
    return plates, problems


def parse_texts(
    cells: Cells, names: tuple[str, ...]
) -> tuple[dict[str, np.ndarray], list[Problem]]:
    """Free-text fields trimmed, each at most its schema length."""
    out: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for name in names:
        limit = FIELDS[name].length
        values = np.array([text(v) for v in cells[name]], dtype=object)
        if limit:
            for i, value in enumerate(values):
                if value is not None and len(value) > limit:
                    problems.append((i, name, value[:60] + "…", "too_long", limit))
        out[name] = values
    return out, problems


# ---------------------------------------------------------------- ids


def parse_ids(cells: Cells, keys: Callable[[int], str]) -> tuple[np.ndarray, list[Problem]]:
    """Event ids: the ledger's, else a hash of the row's ``keys``; repeats, long ids rejected.

    A repeated id's problem names the first row (position) that used it, in the detail.
    """
    values = cells["event_id"]
    ids = np.full(len(values), None, dtype=object)
    first: dict[str, int] = {}
    problems: list[Problem] = []
    limit = FIELDS["event_id"].length or 128
    for i, value in enumerate(values):
        given = text(value)
        if given is None:
            ids[i] = "h-" + hashlib.sha1(keys(i).encode()).hexdigest()[:12]
        elif len(given) > limit:
            problems.append((i, "event_id", given[:60] + "…", "too_long", limit))
            continue
        else:
            ids[i] = given.removesuffix(".0")  # 1001.0: an Excel number saved as text
        if ids[i] in first:
            shown = value if given is not None else ids[i]
            problems.append((i, "event_id", shown, "duplicate_id", first[ids[i]]))
        else:
            first[ids[i]] = i
    return ids, problems


# ---------------------------------------------------------------- positions and townships

_PAIR = re.compile(r"^\s*\(?\s*([^,，;；\s]+)\s*[,，;；\s]\s*([^,，;；\s)]+)\s*\)?\s*$")


def split_pair(value: object) -> tuple[float | None, float | None]:
    """(lon, lat) from one cell holding both, e.g. ``108.7,30.9`` or ``30.9，108.7``.

    The order is read from the values: in China longitudes are 73-136, latitudes 3-54.
    """
    if blank(value):
        return None, None
    m = _PAIR.match(str(value))
    if not m:
        return None, None
    a, b = number(m.group(1)), number(m.group(2))
    if a is None or b is None:
        return None, None
    if 3 <= a <= 54 and 73 <= b <= 136:
        return b, a
    return a, b


def _position(cells: Cells, i: int) -> tuple[float, float] | Problem:
    """Row ``i``'s (lon, lat) in degrees as written, or the problem with it."""
    lon_v, lat_v, pair_v = cells["lon"][i], cells["lat"][i], cells["lonlat"][i]
    if blank(lon_v) and blank(lat_v) and not blank(pair_v):
        x, y = split_pair(pair_v)
        if x is None or y is None:
            return (i, "lonlat", pair_v, "bad_coord", "")
        shown: tuple[str, object, object] = ("lonlat", pair_v, pair_v)
    else:
        if blank(lon_v) or blank(lat_v):
            return (i, "lon" if blank(lon_v) else "lat", "", "missing_coord", "")
        x, y = number(lon_v), number(lat_v)
        if x is None or y is None:
            bad = ("lon", lon_v) if x is None else ("lat", lat_v)
            return (i, bad[0], bad[1], "bad_coord", "")
        shown = ("", lon_v, lat_v)
    if 73 <= y <= 136 and 3 <= x <= 54:  # China's longitudes sit in the latitude column
        return (i, shown[0] or "lat", shown[2], "swapped_coord", f"{x}, {y}")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        bad = ("lon", shown[1]) if not -180 <= x <= 180 else ("lat", shown[2])
        return (i, shown[0] or bad[0], bad[1], "coord_range", "")
    return x, y


def parse_positions(
    cells: Cells, geom_types: np.ndarray | None, default_crs: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Problem]]:
    """Longitudes and latitudes as written (NaN where unusable), each row's CRS, problems."""
    from geo.coords import normalize_crs

    n = len(cells["lon"])
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    crs_in = np.full(n, default_crs, dtype=object)
    problems: list[Problem] = []
    for i in range(n):
        if geom_types is not None and geom_types[i] != "Point":
            problems.append((i, "geometry", geom_types[i], "bad_geometry", ""))
            continue
        if not blank(cells["crs"][i]):
            try:
                crs_in[i] = normalize_crs(str(cells["crs"][i]))
            except ValueError:
                problems.append((i, "crs", cells["crs"][i], "bad_crs", ""))
                continue
        got = _position(cells, i)
        if len(got) == 2:
            lon[i], lat[i] = got
        else:
            problems.append(got)
    return lon, lat, crs_in, problems


def township_index(townships: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Every way a ledger names a township (code, name, short name) -> its code."""
    if townships is None:
        return {}
    index: dict[str, str] = {}
    for code, name in zip(townships["code"], townships["name"], strict=True):
        index[str(code)] = str(code)
        index[str(name)] = str(code)
        short = re.sub(r"(街道|镇|乡|土家族乡)$", "", str(name))
        index.setdefault(short, str(code))
    return index


def _named_townships(
    cells: Cells, townships: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, list[Problem]]:
    """The township each row names (a code), unknown names reported."""
    index = township_index(townships)
    limit = FIELDS["township_code"].length or 32
    codes = np.full(len(cells["township"]), None, dtype=object)
    problems: list[Problem] = []
    for i, value in enumerate(cells["township"]):
        name = text(value)
        if name is None:
            continue
        name = name.removesuffix(".0")  # a code typed as a number: 500235002.0
        if townships is None:
            if len(name) > limit:
                problems.append((i, "township", name[:60] + "…", "too_long", limit))
            codes[i] = name
        elif name in index:
            codes[i] = index[name]
        else:
            problems.append((i, "township", value, "unknown_township", ""))
    return codes, problems


def parse_townships(
    cells: Cells,
    lon: np.ndarray,
    lat: np.ndarray,
    townships: gpd.GeoDataFrame | None,
    scope: str | None = None,
) -> tuple[np.ndarray, list[Problem], int]:
    """Each row's township code, the problems, and how many named another township.

    With polygons, the point decides: a point outside every township is rejected, and so is,
    for a township's import (``scope``), a point outside that township — whatever the 乡镇
    column says. A row whose 乡镇 names another township than its point is counted (the
    third value) and takes its point's township. Without polygons the named township is kept.
    """
    from geo.regions import township_of

    named, problems = _named_townships(cells, townships)
    if townships is None:
        return named, problems, 0
    codes = np.full(len(lon), None, dtype=object)
    ok = ~np.isnan(lon)
    inside = township_of(lon[ok], lat[ok], townships)
    mismatched = 0
    for j, i in enumerate(np.flatnonzero(ok).tolist()):
        column, value, where = _place_cell(cells, i)
        if inside[j] is None:
            problems.append((i, column, value, "outside_area", where))
        elif scope is not None and inside[j] != scope:
            problems.append((i, column, value, "outside_scope", where))
        else:
            codes[i] = inside[j]
            mismatched += int(named[i] is not None and named[i] != inside[j])
    return codes, problems, mismatched


def _place_cell(cells: Cells, i: int) -> tuple[str, object, str]:
    """Row ``i``'s position column, its cell, and the position as written (for messages)."""
    if blank(cells["lon"][i]) and not blank(cells["lonlat"][i]):
        pair = str(cells["lonlat"][i]).strip()
        return "lonlat", cells["lonlat"][i], pair
    return "lon", cells["lon"][i], f"{text(cells['lon'][i])}, {text(cells['lat'][i])}"
