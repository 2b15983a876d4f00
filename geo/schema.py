"""The canonical event record, once: columns, types, lengths, header spellings, time zone.

Every module that reads, stores or shows events takes its facts from here: :mod:`geo.ingest`
(header spellings, lengths checked at ingest), :mod:`geo.store` (the SQL columns are built
from :data:`EVENT_FIELDS`), :mod:`geo.imports`, :mod:`geo.dataset` and :mod:`geo.briefing`.
Adding a stored field means one :class:`Field` here and, if it needs more than text, one
parser in :mod:`geo.fields`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal
from zoneinfo import ZoneInfo

#: Local time of every ledger, briefing and page (China has one time zone).
TZ: Final = ZoneInfo("Asia/Shanghai")
TZ_NAME: Final = "Asia/Shanghai"

FieldType = Literal["str", "text", "int", "float", "time"]


@dataclass(frozen=True)
class Field:
    """One stored column of the event record.

    Attributes
    ----------
    name : str
        Canonical column name (in frames and in the ``events`` table).
    type : {"str", "text", "int", "float", "time"}
        ``str`` is a bounded string (``length``), ``text`` free text, ``time`` a UTC time.
    length : int or None
        Most characters a value may have; a longer ledger value is rejected at ingest with
        the limit named, so no database ever refuses what the preview accepted.
    required : bool
        Whether every stored row has a value.
    """

    name: str
    type: FieldType
    length: int | None = None
    required: bool = False


#: free text longer than this is not a ledger cell but pasted garbage
TEXT_LENGTH: Final = 2000

EVENT_FIELDS: Final[tuple[Field, ...]] = (
    Field("event_id", "str", 128, required=True),
    Field("kind", "str", 8, required=True),
    Field("occurred_at", "time", required=True),
    Field("time_precision", "str", 8, required=True),
    Field("lat", "float", required=True),
    Field("lon", "float", required=True),
    Field("crs_in", "str", 8, required=True),
    Field("township_code", "str", 32),
    Field("vehicle_type", "text", 200),
    Field("seats", "int"),
    Field("plate", "str", 32),
    Field("offence", "text", TEXT_LENGTH),
    Field("address", "text", TEXT_LENGTH),
    Field("status", "text", 200),
    Field("source", "text", 200),
    Field("unit", "text", 200),
    Field("party", "text", 200),
    Field("row", "int"),
)
FIELDS: Final = {f.name: f for f in EVENT_FIELDS}
EVENT_COLUMNS: Final = tuple(f.name for f in EVENT_FIELDS)
#: free-text fields taken from the ledger as they are (trimmed, length-checked)
TEXT_FIELDS: Final = ("vehicle_type", "offence", "address", "status", "source", "unit", "party")
TIPSTER_COLUMNS: Final = ("event_id", "tipster_name", "tipster_phone")
REJECT_COLUMNS: Final = ("row", "column", "value", "reason_code", "reason", "reason_zh")

#: canonical input column -> accepted header spellings (compared without case, spaces or "_").
#: Input columns are what a ledger may hold; several feed one stored field (``date`` + ``clock``
#: make ``occurred_at``, ``lonlat`` or ``lon`` + ``lat`` the position, ``township`` the code).
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

#: Headers that mark a ledger as one of cases or one of tips, when it has no 类型 column.
CASE_HEADERS: Final = ("案件编号", "案号", "查处时间", "查处日期", "办案单位", "查处单位")
TIP_HEADERS: Final = ("线索编号", "举报时间", "举报日期", "举报人", "举报人电话", "线索来源")

#: What ledgers write in the plate column when there is no plate: "no plate", not a vehicle.
PLATE_PLACEHOLDERS: Final = frozenset(
    {
        "无",
        "无牌",
        "无牌照",
        "无号牌",
        "无车牌",
        "未悬挂",
        "未悬挂号牌",
        "未上牌",
        "不详",
        "未知",
        "不明",
        "待查",
        "空",
        "暂无",
        "无法识别",
        "-",
        "--",
        "/",
        "\\",
        "0",
        "00000",
        "na",
        "n/a",
        "none",
        "null",
        "nil",
        "unknown",
        "?",
        "？",
        "*",
    }
)


def utc_now() -> dt.datetime:
    """The current time as naive UTC (how the store keeps every time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
