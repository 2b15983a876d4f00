"""Read case and tip ledgers into the canonical event schema; every row accepted or rejected.

Ledgers come as CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX or GeoJSON, with Chinese or
English headers, sometimes a title line above the header, times in many local spellings and
coordinates in WGS-84, GCJ-02 or BD-09. :func:`read_ledger` maps all of that to one frame of
accepted events plus a reject table (sheet row number, column, value, reason), and guarantees
``rows in = accepted + rejected``. Tipster identities are returned in a separate frame and
never appear among the events.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import normalize_crs, to_wgs84
from geo.errors import LedgerReadError
from geo.regions import township_of

TZ: Final = ZoneInfo("Asia/Shanghai")

#: canonical column -> accepted header spellings (compared without case, spaces or "_").
HEADER_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "event_id": ("event_id", "id", "编号", "案件编号", "线索编号", "案号", "记录编号"),
    "kind": ("kind", "类型", "类别", "事件类型", "记录类型", "type"),
    "occurred_at": (
        "occurred_at",
        "datetime",
        "time",
        "发生时间",
        "时间",
        "案发时间",
        "举报时间",
        "查处时间",
        "日期时间",
        "受理时间",
        "发现时间",
        "登记时间",
        "检查时间",
        "违法时间",
    ),
    "date": ("date", "日期", "发生日期", "查处日期", "举报日期"),
    "clock": ("clock", "time_of_day", "时刻", "发生时刻"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "lonlat": ("lonlat", "coordinates", "经纬度", "坐标", "位置坐标", "经纬度坐标", "gps坐标"),
    "crs": ("crs", "坐标系", "coord_system", "coordinate_system"),
    "township": (
        "township",
        "township_code",
        "乡镇",
        "乡镇街道",
        "所属乡镇",
        "乡镇代码",
        "街镇",
        "所在乡镇",
        "所属镇街",
        "镇街",
        "辖区",
    ),
    "plate": ("plate", "车牌", "车牌号", "车牌号码", "号牌", "号牌号码", "车辆号牌"),
    "vehicle_type": ("vehicle_type", "车辆类型", "车型", "车辆种类"),
    "seats": ("seats", "座位数", "核定座位", "座位", "核载人数", "核载座位", "核定载客"),
    "offence": ("offence", "offense", "违法行为", "案由", "违法类型"),
    "address": ("address", "地点", "地址", "发生地点", "位置", "详细地址", "发生地址"),
    "status": ("status", "状态", "核实情况", "核实结果", "办理状态", "处理结果"),
    "source": ("source", "来源", "线索来源"),
    "unit": ("unit", "handling_unit", "办案单位", "查处单位"),
    "party": (
        "party",
        "driver",
        "当事人",
        "当事人姓名",
        "驾驶人",
        "驾驶人姓名",
        "驾驶员",
        "违法行为人",
        "违法人员",
    ),
    "tipster_name": ("tipster_name", "举报人", "举报人姓名"),
    "tipster_phone": ("tipster_phone", "举报人电话", "联系电话", "举报人联系方式", "举报人手机"),
}

EVENT_COLUMNS: Final = (
    "event_id",
    "kind",
    "occurred_at",
    "time_precision",
    "lat",
    "lon",
    "crs_in",
    "township_code",
    "vehicle_type",
    "seats",
    "plate",
    "offence",
    "address",
    "status",
    "source",
    "unit",
    "party",
    "row",
)
TIPSTER_COLUMNS: Final = ("event_id", "tipster_name", "tipster_phone")
REJECT_COLUMNS: Final = ("row", "column", "value", "reason_code", "reason", "reason_zh")

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
}


@dataclass
class IngestResult:
    """What :func:`read_ledger` returns.

    Attributes
    ----------
    events : pandas.DataFrame
        Accepted rows in the canonical schema (:data:`EVENT_COLUMNS`), coordinates in WGS-84.
    rejects : pandas.DataFrame
        One line per problem found (:data:`REJECT_COLUMNS`); a row may have several.
    tipsters : pandas.DataFrame
        Confidential tipster identities keyed by ``event_id``; keep apart, never render.
    raw : pandas.DataFrame
        The input as read (all text), indexed by sheet row number, for the reject download;
        tipster columns are left out of it.
    header_map : dict
        Input header -> canonical column, for the user to check.
    """

    events: pd.DataFrame
    rejects: pd.DataFrame
    tipsters: pd.DataFrame
    raw: pd.DataFrame
    header_map: dict[str, str] = field(default_factory=dict)

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


def _norm_header(text: object) -> str:
    return re.sub(r"[\s_\-()（）:：*]", "", str(text)).lower()


_ALIAS_LOOKUP: Final = {
    _norm_header(alias): canon for canon, aliases in HEADER_ALIASES.items() for alias in aliases
}


_TIPSTER_HEADER: Final = re.compile(r"举报|报案人|报警人|线人|tipster|informant|reporter", re.I)


def is_tipster(header: object) -> bool:
    """Whether a column holds tipster identity: any tipster spelling, not only the first.

    Such columns are kept out of everything but :attr:`IngestResult.tipsters` (also the
    original rows copied into reject tables), however many a ledger has.
    """
    canon = _ALIAS_LOOKUP.get(_norm_header(header))
    if canon in ("tipster_name", "tipster_phone"):
        return True
    text = str(header)
    return bool(_TIPSTER_HEADER.search(text)) and not _ALIAS_LOOKUP.get(_norm_header(text))


def map_headers(columns: list[str]) -> dict[str, str]:
    """Map input headers to canonical names; the first column of each meaning wins."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        canon = _ALIAS_LOOKUP.get(_norm_header(col))
        if canon and canon not in taken:
            mapping[col] = canon
            taken.add(canon)
    return mapping


# ---------------------------------------------------------------- reading files


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerReadError(
        f"{name}: text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 CSV or as XLSX"
    )


def _header_row(rows: list[list[str]]) -> int:
    """Index of the header line: the first of the top ten that names >= 2 known columns."""
    for i, row in enumerate(rows[:10]):
        if len(map_headers([str(c) for c in row])) >= 2:
            return i
    return 0


def _frame_from_rows(rows: list[list[object]], name: str) -> pd.DataFrame:
    rows = [r for r in rows]
    if not rows:
        raise LedgerReadError(f"{name}: the file is empty")
    h = _header_row([[("" if c is None else str(c)) for c in r] for r in rows])
    header = [("" if c is None else str(c)).strip() for c in rows[h]]
    header = [c or f"column_{i + 1}" for i, c in enumerate(header)]
    seen: dict[str, int] = {}
    unique = []
    for c in header:  # make repeated headers unique: 备注, 备注.2
        seen[c] = seen.get(c, 0) + 1
        unique.append(c if seen[c] == 1 else f"{c}.{seen[c]}")
    body = []
    numbers = []
    for offset, r in enumerate(rows[h + 1 :], start=h + 2):  # sheet rows are 1-based
        cells = list(r) + [None] * (len(unique) - len(r))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue  # blank lines are layout, not records
        body.append(cells[: len(unique)])
        numbers.append(offset)
    frame = pd.DataFrame(body, columns=unique, index=pd.Index(numbers, name="row"), dtype=object)
    return frame


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    text = _decode(data, name)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","

    class dialect(csv.excel):  # only the delimiter is guessed: a lone ' in a cell (Xi'an
        pass  # Road) made the sniffer take ' as the quote character and merge rows

    dialect.delimiter = delimiter
    try:  # newline="" lets the reader see CR-only (old Mac Excel) line ends as line ends
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise LedgerReadError(f"{name}: not readable as CSV ({exc})") from exc
    return _frame_from_rows([list(r) for r in rows], name)


def _read_xlsx(data: bytes, name: str) -> pd.DataFrame:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise LedgerReadError(f"{name}: not a readable XLSX workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _frame_from_rows(rows, name)


def _read_geojson(data: bytes, name: str) -> pd.DataFrame:
    try:
        # times stay as written: GDAL would read a naive time next to an offset one as UTC
        # and give a bare date next to a datetime a clock time
        gdf = gpd.read_file(io.BytesIO(data), DATE_AS_STRING="YES", datetime_as_string=True)
    except Exception as exc:
        raise LedgerReadError(f"{name}: not readable GeoJSON ({exc})") from exc
    frame = pd.DataFrame(gdf.drop(columns="geometry"), dtype=object)
    geoms = gdf.geometry
    is_point = geoms.geom_type.eq("Point").to_numpy()
    xs = np.full(len(gdf), None, dtype=object)
    ys = np.full(len(gdf), None, dtype=object)
    if is_point.any():  # GeoSeries.x raises on any non-point, so take points only
        xs[is_point] = geoms[is_point].x.to_numpy()
        ys[is_point] = geoms[is_point].y.to_numpy()
    frame["经度"] = xs
    frame["纬度"] = ys
    frame["__geom_type"] = geoms.geom_type.fillna("none").to_numpy()
    frame.index = pd.Index(range(1, len(frame) + 1), name="row")  # feature number
    return frame


READERS: Final[dict[str, Callable[[bytes, str], pd.DataFrame]]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".geojson": _read_geojson,
    ".json": _read_geojson,
}


def read_table(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> pd.DataFrame:
    """Read a ledger file (path or bytes + ``name``) into an all-object frame by sheet row."""
    if isinstance(source, bytes):
        if not name:
            raise LedgerReadError("reading bytes needs a file name to tell the format")
        data, label = source, name
    else:
        path = Path(source)
        label = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LedgerReadError(f"{path}: cannot read the file ({exc.strerror})") from exc
    suffix = Path(label).suffix.lower()
    if suffix == ".xls":
        raise LedgerReadError(f"{label}: old .xls workbooks are not read; save it as .xlsx")
    reader = READERS.get(suffix)
    if reader is None:
        raise LedgerReadError(
            f"{label}: file type {suffix or '(none)'!r} not supported; use {sorted(READERS)}"
        )
    return reader(data, label)


# ---------------------------------------------------------------- parsing values

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CN_TIME = re.compile(r"(\d{1,2})\s*[时点:：]\s*(\d{1,2})?\s*分?\s*(?:[:：]?\s*(\d{1,2})\s*秒?)?")


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return str(value).strip() == ""


def _localize(ts: pd.Timestamp) -> pd.Timestamp | None:
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


_DAYPART = re.compile(
    r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|夜里)\s*(\d{1,2})(?=\s*[:：点时])"
)


_CN_CLOCK = re.compile(r"(\d{1,2})\s*[点时]\s*(?:(\d{1,2})\s*分)?\s*(?:(\d{1,2})\s*秒)?")


def _clock(m: re.Match[str]) -> str:
    """``9点``, ``20时15分``, ``8点30分10秒`` → ``09:00:00``, ``20:15:00``, ``08:30:10``."""
    hh, mm, ss = (int(m.group(k) or 0) for k in (1, 2, 3))
    return f"{hh:02d}:{mm:02d}:{ss:02d}"


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


def parse_time(value: object) -> tuple[pd.Timestamp | None, str]:
    """Parse one local time; return (Asia/Shanghai timestamp or None, precision).

    Precision is ``minute`` when a clock time was given and ``day`` for a bare date.
    Accepts datetime objects, Excel serial day numbers, ISO strings (with or without offset),
    ``2025/10/1 20:15``, ``2025.10.01``, ``20251001 2015`` and ``2025年10月1日 20时15分``.
    """
    if _blank(value):
        return None, ""
    if isinstance(value, datetime):
        ts = pd.Timestamp(value)
        precision = "day" if (ts.hour, ts.minute, ts.second) == (0, 0, 0) else "minute"
        local = _localize(ts)
        return (local, precision) if local is not None else (None, "")
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        serial = float(value) if -1e300 < value < 1e300 else math.nan  # huge ints overflow
        if 20000 < serial < 80000:  # Excel serial date (1954..2119)
            ts = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")
            ts = ts.round("min")
            has_clock = serial % 1 != 0
            local = _localize(ts)
            return (local, "minute" if has_clock else "day") if local is not None else (None, "")
        return None, ""
    text = _CN_CLOCK.sub(_clock, _DAYPART.sub(_to_24h, str(value).strip()))
    if not re.search(r"\d", text):  # also keeps pandas' "now"/"today" out
        return None, ""
    m = _CN_DATE.search(text)
    if m:
        rest = text[m.end() :]
        date_part = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        t = _CN_TIME.search(rest)
        if t:
            hh, mm, ss = (int(t.group(k) or 0) for k in (1, 2, 3))
            text = f"{date_part} {hh:02d}:{mm:02d}:{ss:02d}"
        elif rest.strip():
            text = f"{date_part} {rest.strip()}"
        else:
            text = date_part
    elif re.fullmatch(r"\d{8}(\s*\d{4}(\d{2})?)?", text):
        digits = re.sub(r"\s", "", text)
        text = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
        if len(digits) > 8:
            text += f" {digits[8:10]}:{digits[10:12]}" + (
                f":{digits[12:14]}" if len(digits) > 12 else ""
            )
    text = text.replace(".", "-") if re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}.*", text) else text
    has_clock = bool(re.search(r"\d{1,2}:\d{2}", text))
    try:
        ts = pd.Timestamp(text.replace("/", "-"))
    except (ValueError, OverflowError):
        return None, ""
    local = _localize(ts)
    if local is None:
        return None, ""
    return local, "minute" if has_clock else "day"


_DMS = re.compile(
    r"[EeNn东北]?\s*(\d{1,3}(?:\.\d+)?)\s*[°度]\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′分])?"
    r"\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:[\"″秒]|''))?\s*[EeNn东北]?"
)
_PAIR = re.compile(r"^\s*\(?\s*([^,，;；\s]+)\s*[,，;；\s]\s*([^,，;；\s)]+)\s*\)?\s*$")


def split_pair(value: object) -> tuple[float | None, float | None]:
    """(lon, lat) from one cell holding both, e.g. ``108.7,30.9`` or ``30.9，108.7``.

    The order is read from the values: in China longitudes are 73-136, latitudes 3-54.
    """
    if _blank(value):
        return None, None
    m = _PAIR.match(str(value))
    if not m:
        return None, None
    a, b = _number(m.group(1)), _number(m.group(2))
    if a is None or b is None:
        return None, None
    if 3 <= a <= 54 and 73 <= b <= 136:
        return b, a
    return a, b


def _number(value: object) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        try:
            num = float(value)
        except OverflowError:
            return None
    else:
        text = str(value).strip()
        dms = _DMS.fullmatch(text)
        if dms and (dms.group(2) or dms.group(3)):  # 108°42'30.5" / 108度42分30.5秒
            deg, minutes, seconds = (float(dms.group(k) or 0) for k in (1, 2, 3))
            if minutes >= 60 or seconds >= 60:
                return None
            num = deg + minutes / 60 + seconds / 3600
        else:
            text = text.replace("°", "").replace("度", "").replace(",", "")
            text = re.sub(r"^[EeNn东北]\s*|\s*[EeNn东北]$", "", text)
            try:
                num = float(text)
            except ValueError:
                return None
    return num if math.isfinite(num) else None  # "nan", "inf", "1e999" are not degrees


# ---------------------------------------------------------------- the pipeline


def _township_index(townships: gpd.GeoDataFrame | None) -> dict[str, str]:
    if townships is None:
        return {}
    index: dict[str, str] = {}
    for code, name in zip(townships["code"], townships["name"], strict=True):
        index[str(code)] = str(code)
        index[str(name)] = str(code)
        short = re.sub(r"(街道|镇|乡|土家族乡)$", "", str(name))
        index.setdefault(short, str(code))
    return index


def read_ledger(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    crs: str | None = None,
    kind: str | None = None,
    townships: gpd.GeoDataFrame | None = None,
    now: pd.Timestamp | None = None,
) -> IngestResult:
    """Read a ledger and split it into accepted events and rejected rows.

    Parameters
    ----------
    source : path or bytes
        The ledger file; with bytes, ``name`` gives the file name (for its format).
    crs : {"wgs84", "gcj02", "bd09"}, optional
        Coordinate system of rows without a ``crs``/坐标系 column value. Default WGS-84.
    kind : {"case", "tip"}, optional
        Record type of rows without a 类型/kind value.
    townships : GeoDataFrame, optional
        Jurisdiction polygons (``code``, ``name``). When given, rows get ``township_code`` by
        point-in-polygon where the ledger has none, and points outside all of them, or naming
        an unknown township, are rejected.
    now : Timestamp, optional
        Reference time for "in the future" (default: the current time).

    Returns
    -------
    IngestResult
        ``n_rows == n_accepted + n_rejected`` always holds.

    Raises
    ------
    LedgerReadError
        Only when the file itself cannot be read; bad rows never raise.
    """
    raw = read_table(source, name=name)
    header_map = map_headers([c for c in raw.columns if not c.startswith("__")])
    # only mapped columns: an unmapped header spelled like a canonical name (a second "lon"
    # after 经度) would otherwise become a duplicate column
    frame = raw[list(header_map)].rename(columns=header_map)
    inverse = {v: k for k, v in header_map.items()}
    default_crs = normalize_crs(crs) if crs else "wgs84"
    default_kind = KIND_VALUES.get(str(kind).strip().lower()) if kind else None
    if kind and default_kind is None:
        raise ValueError(f"kind was {kind!r} but is expected to be 'case' or 'tip'")
    now = now if now is not None else pd.Timestamp.now(tz=TZ)
    problems: list[tuple[int, str, object, str, str]] = []

    def reject(row: int, canon: str, value: object, code: str, extra: object = "") -> None:
        column = inverse.get(canon, canon)
        problems.append((row, column, value, code, str(extra)))

    def col(canon: str) -> pd.Series:
        if canon in frame.columns:
            return frame[canon]
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)

    rows = frame.index.to_numpy()
    n = len(frame)
    cols = {canon: col(canon).to_numpy() for canon in HEADER_ALIASES}

    # kind
    kinds = np.full(n, None, dtype=object)
    for i, (row, value) in enumerate(zip(rows, cols["kind"], strict=True)):
        if _blank(value):
            if default_kind is None:
                reject(row, "kind", value, "missing_kind")
            kinds[i] = default_kind
        else:
            kinds[i] = KIND_VALUES.get(str(value).strip().lower())
            if kinds[i] is None:
                reject(row, "kind", value, "bad_kind")

    # time
    times: list[pd.Timestamp | None] = [None] * n
    precision = np.full(n, "", dtype=object)
    has_date_parts = "date" in frame.columns
    for i, row in enumerate(rows):
        value = cols["occurred_at"][i]
        canon = "occurred_at"
        if _blank(value) and has_date_parts:
            date_v, clock_v = cols["date"][i], cols["clock"][i]
            canon = "date"
            if not _blank(date_v):
                if isinstance(date_v, datetime):
                    date_v = date_v.strftime("%Y-%m-%d")
                clock_s = "" if _blank(clock_v) else str(clock_v).strip()
                value = f"{str(date_v).strip().split(' ')[0]} {clock_s}".strip()
        if _blank(value):
            reject(row, canon, value, "missing_time")
            continue
        ts, prec = parse_time(value)
        if ts is None:
            reject(row, canon, value, "bad_time")
        elif ts > now + pd.Timedelta(days=1):
            reject(row, canon, value, "future_time")
        elif ts.year < 2000:
            reject(row, canon, value, "too_old")
        else:
            times[i], precision[i] = ts, prec

    # coordinates
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    crs_in = np.full(n, default_crs, dtype=object)
    geom_types = raw["__geom_type"].to_numpy() if "__geom_type" in raw.columns else None
    for i, row in enumerate(rows):
        if geom_types is not None and geom_types[i] != "Point":
            reject(row, "geometry", geom_types[i], "bad_geometry")
            continue
        crs_v = cols["crs"][i]
        if not _blank(crs_v):
            try:
                crs_in[i] = normalize_crs(str(crs_v))
            except ValueError:
                reject(row, "crs", crs_v, "bad_crs")
                continue
        lon_v, lat_v = cols["lon"][i], cols["lat"][i]
        pair_v = cols["lonlat"][i]
        if _blank(lon_v) and _blank(lat_v) and not _blank(pair_v):
            px, py = split_pair(pair_v)
            if px is None or py is None:
                reject(row, "lonlat", pair_v, "bad_coord")
                continue
            lon_v, lat_v = px, py
        if _blank(lon_v) or _blank(lat_v):
            reject(row, "lon" if _blank(lon_v) else "lat", "", "missing_coord")
            continue
        x, y = _number(lon_v), _number(lat_v)
        if x is None or y is None:
            reject(row, "lon" if x is None else "lat", lon_v if x is None else lat_v, "bad_coord")
            continue
        if 73 <= y <= 136 and 3 <= x <= 54:  # China's longitudes sit in the latitude column
            reject(row, "lat", lat_v, "swapped_coord", f"{x}, {y}")
            continue
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            bad = "lon" if not -180 <= x <= 180 else "lat"
            reject(row, bad, lon_v if bad == "lon" else lat_v, "coord_range")
            continue
        lon[i], lat[i] = x, y
    ok_coord = ~np.isnan(lon)
    for name_ in ("gcj02", "bd09"):
        sel = ok_coord & (crs_in == name_)
        if sel.any():
            lon[sel], lat[sel] = to_wgs84(lon[sel], lat[sel], name_)

    # seats
    seats = np.full(n, pd.NA, dtype=object)
    for i, (row, value) in enumerate(zip(rows, cols["seats"], strict=True)):
        if _blank(value):
            continue
        num = _number(str(value).replace("座", "").replace("人", ""))
        if num is None or num != int(num) or not 1 <= num <= 80:
            reject(row, "seats", value, "bad_seats")
        else:
            seats[i] = int(num)

    # township: the ledger's, or by point-in-polygon
    codes = np.full(n, None, dtype=object)
    index = _township_index(townships)
    for i, (row, value) in enumerate(zip(rows, cols["township"], strict=True)):
        if _blank(value):
            continue
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if townships is None:
            codes[i] = text
        elif text in index:
            codes[i] = index[text]
        else:
            reject(row, "township", value, "unknown_township")
    if townships is not None and ok_coord.any():
        inside = township_of(lon[ok_coord], lat[ok_coord], townships)
        where = np.flatnonzero(ok_coord)
        for j, i in enumerate(where.tolist()):
            if inside[j] is None:
                reject(
                    rows[i],
                    "lon",
                    cols["lon"][i],
                    "outside_area",
                    f"{cols['lon'][i]}, {cols['lat'][i]}",
                )
            elif codes[i] is None:
                codes[i] = inside[j]

    # event ids: the ledger's, else a content hash; repeats within the file are rejected
    ids = np.full(n, None, dtype=object)
    first_seen: dict[str, int] = {}
    plate = col("plate").map(lambda v: None if _blank(v) else str(v).strip().upper())
    for i, row in enumerate(rows):
        value = cols["event_id"][i]
        if _blank(value):
            key = f"{kinds[i]}|{times[i]}|{lon[i]:.6f}|{lat[i]:.6f}|{plate.iat[i]}"
            ids[i] = "h-" + hashlib.sha1(key.encode()).hexdigest()[:12]
        else:
            ids[i] = str(value).strip().removesuffix(".0")
        if ids[i] in first_seen:
            reject(
                row,
                "event_id",
                value if not _blank(value) else ids[i],
                "duplicate_id",
                first_seen[ids[i]],
            )
        else:
            first_seen[ids[i]] = row

    rejects = _reject_frame(problems)
    bad_rows = set(rejects["row"]) if len(rejects) else set()
    keep = np.array([r not in bad_rows for r in rows], dtype=bool)

    def text_col(canon: str) -> pd.Series:
        return col(canon).map(lambda v: None if _blank(v) else str(v).strip())

    events = pd.DataFrame(
        {
            "event_id": ids,
            "kind": kinds,
            "occurred_at": pd.Series(times, index=frame.index, dtype=object),
            "time_precision": precision,
            "lat": lat,
            "lon": lon,
            "crs_in": crs_in,
            "township_code": codes,
            "vehicle_type": text_col("vehicle_type").to_numpy(),
            "seats": seats,
            "plate": plate.to_numpy(),
            "offence": text_col("offence").to_numpy(),
            "address": text_col("address").to_numpy(),
            "status": text_col("status").to_numpy(),
            "source": text_col("source").to_numpy(),
            "unit": text_col("unit").to_numpy(),
            "party": text_col("party").to_numpy(),
            "row": rows,
        },
        index=frame.index,
    )[keep].reset_index(drop=True)
    # utc=True keeps the column tz-aware even when no row was accepted
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], utc=True).dt.tz_convert(TZ)
    events["seats"] = events["seats"].astype("Int64")
    tipsters = pd.DataFrame(
        {
            "event_id": ids,
            "tipster_name": text_col("tipster_name").to_numpy(),
            "tipster_phone": text_col("tipster_phone").to_numpy(),
        }
    )[keep]
    tipsters = tipsters[tipsters["tipster_name"].notna() | tipsters["tipster_phone"].notna()]
    # tipster identities never leave ingest except in ``tipsters``: not in the raw rows that
    # go into reject downloads either
    raw_out = raw.drop(columns=[c for c in raw.columns if c.startswith("__") or is_tipster(c)])
    raw_out = raw_out.map(lambda v: "" if _blank(v) else str(v))
    return IngestResult(
        events=events,
        rejects=rejects,
        tipsters=tipsters.reset_index(drop=True),
        raw=raw_out,
        header_map=header_map,
    )


def _reject_frame(problems: list[tuple[int, str, object, str, str]]) -> pd.DataFrame:
    records = []
    for row, column, value, code, extra in problems:
        shown = "" if _blank(value) else str(value)
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


def read_ledgers(
    sources: list[str | os.PathLike[str]],
    *,
    townships: gpd.GeoDataFrame | None = None,
    crs: str | None = None,
) -> IngestResult:
    """Read several ledgers and stack them (rejects keep a ``file`` column)."""
    results = []
    for src in sources:
        res = read_ledger(src, townships=townships, crs=crs)
        label = Path(src).name
        res.events["source_file"] = label
        res.rejects.insert(0, "file", label)
        res.raw.insert(0, "file", label)
        results.append(res)
    events = pd.concat([r.events for r in results], ignore_index=True)
    rejects = pd.concat([r.rejects for r in results], ignore_index=True)
    dup = events["event_id"].duplicated()
    if dup.any():  # the same id in two files: keep the first, report the others
        first = events.drop_duplicates("event_id").set_index("event_id")
        extra = []
        for rec in events[dup].itertuples():
            where = first.loc[rec.event_id]
            en, zh = REASONS["duplicate_id"]
            other = f"{where['row']} ({where['source_file']})"
            extra.append(
                {
                    "file": rec.source_file,
                    "row": rec.row,
                    "column": "event_id",
                    "value": rec.event_id,
                    "reason_code": "duplicate_id",
                    "reason": en.format(value=rec.event_id, extra=other),
                    "reason_zh": zh.format(value=rec.event_id, extra=other),
                }
            )
        rejects = pd.concat([rejects, pd.DataFrame(extra)], ignore_index=True)
        events = events[~dup].reset_index(drop=True)
    return IngestResult(
        events=events,
        rejects=rejects,
        tipsters=pd.concat([r.tipsters for r in results], ignore_index=True),
        raw=pd.concat([r.raw for r in results]),
        header_map={k: v for r in results for k, v in r.header_map.items()},
    )
