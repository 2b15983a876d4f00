"""The one definition of what screening reads: headers, checkpoint kinds, plates, times.

Header spellings are compared without case, spaces, ``_``/``-`` or brackets, as in
:mod:`geo.ingest`. The plate pattern, the plate clean-up table and the time formats below are
used both in Python (small tables) and inside the SQL engines (passes), so a plate or a time
means the same everywhere.
"""

from __future__ import annotations

import re
from typing import Final

#: how a checkpoint's id is headed (in the checkpoint table also plain "id" / "编号")
_CHECKPOINT_IDS: Final = (
    "卡口编号",
    "卡口ID",
    "卡口代码",
    "卡口编码",
    "点位编号",
    "设备编号",
    "kkbh",
    "checkpoint_id",
    "checkpoint",
    "camera_id",
    "cp_id",
)
#: canonical column -> accepted header spellings, per input table
CHECKPOINT_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "cp_id": (*_CHECKPOINT_IDS, "id", "编号"),
    "name": ("卡口名称", "点位名称", "卡口名", "名称", "kkmc", "checkpoint_name", "name"),
    "lon": ("经度", "lon", "lng", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "crs": ("坐标系", "crs", "coordinate_system", "coord_system"),
    "kind": ("卡口类型", "点位类型", "类型", "类别", "kind", "type", "category", "checkpoint_type"),
    "township": (
        "所属乡镇",
        "乡镇",
        "乡镇街道",
        "所属镇街",
        "镇街",
        "township",
        "town",
        "township_code",
        "乡镇代码",
    ),
    "area": ("片区", "区域", "所属片区", "area", "zone", "district"),
    "market_days": ("逢场日", "赶集日", "集市日期", "market_days"),
}
PASS_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "plate": (
        "号牌号码",
        "车牌号码",
        "车牌号",
        "号牌",
        "车牌",
        "hphm",
        "plate",
        "plate_no",
        "plate_number",
        "license_plate",
        "licence_plate",
        "vehicle_plate",
    ),
    "time": (
        "过车时间",
        "通过时间",
        "经过时间",
        "抓拍时间",
        "识别时间",
        "时间",
        "gcsj",
        "pass_time",
        "passing_time",
        "capture_time",
        "time",
        "datetime",
        "timestamp",
    ),
    "cp_id": _CHECKPOINT_IDS,
    "cp_name": ("卡口名称", "点位名称", "卡口名", "kkmc", "checkpoint_name"),
    "plate_color": ("号牌颜色", "车牌颜色", "hpys", "plate_color", "plate_colour"),
    "plate_kind": ("号牌种类", "hpzl", "plate_type", "plate_kind"),
    "vehicle_type": ("车辆类型", "车型", "cllx", "vehicle_type"),
    "direction": ("方向", "行驶方向", "fxlx", "direction"),
}
WHITELIST_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "plate": PASS_HEADERS["plate"] + ("车辆号牌",),
    "category": (
        "车辆类别",
        "营运类别",
        "类别",
        "车辆类型",
        "经营类别",
        "category",
        "type",
        "kind",
    ),
}
KNOWN_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "plate": WHITELIST_HEADERS["plate"],
}

#: checkpoint kind code -> accepted spellings (Chinese and English)
CHECKPOINT_KINDS: Final[dict[str, tuple[str, ...]]] = {
    "hsr_station": (
        "高铁站",
        "火车站",
        "高铁",
        "动车站",
        "铁路站",
        "hsr",
        "hsr_station",
        "railway_station",
        "train_station",
        "rail_station",
    ),
    "bus_terminal": (
        "汽车站",
        "客运站",
        "汽车客运站",
        "汽车客运中心",
        "客运中心",
        "车站",
        "bus_terminal",
        "bus_station",
        "coach_station",
    ),
    "shopping": ("商圈", "商业区", "商场", "购物中心", "shopping", "business_district", "mall"),
    "hospital": ("医院", "hospital"),
    "school": ("学校", "中学", "小学", "school"),
    "residential": ("小区", "居住区", "住宅区", "residential"),
    "scenic": ("景区", "景点", "scenic", "tourist_site"),
    "toll_station": (
        "高速收费站",
        "收费站",
        "高速出口",
        "高速路口",
        "高速公路出入口",
        "toll",
        "toll_station",
        "expressway_exit",
    ),
    "service_area": ("服务区", "高速服务区", "service_area"),
    "township_entrance": (
        "乡镇出入口",
        "乡镇卡口",
        "场镇出入口",
        "镇出入口",
        "乡镇入口",
        "township_entrance",
        "town_entrance",
    ),
    "urban_road": ("城区道路", "城市道路", "道路", "路口", "urban_road", "road", "junction"),
    "rural_market": ("集市", "场镇", "农村集市", "赶集点", "market", "rural_market"),
    "other": ("其他", "其它", "other"),
}

#: why a pass row is not used; each has an English and a Chinese explanation in geo.i18n
REJECT_REASONS: Final = (
    "missing_plate",
    "not_plate",
    "bad_time",
    "future_time",
    "unknown_checkpoint",
    "duplicate_read",
)

PROVINCES: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
#: a Chinese civil plate after clean-up: province, issuing-office letter, 5 characters
#: (6 for new-energy plates), the last may be 挂 (trailer), 学 (coach), 警, 港 or 澳
PLATE_PATTERN: Final = f"^[{PROVINCES}][A-Z][A-Z0-9]{{4,5}}[A-Z0-9挂学警港澳]$"
PLATE_RE: Final = re.compile(PLATE_PATTERN)
#: plate clean-up: full-width letters and digits become ASCII; separators are dropped
_FULL = "".join(
    chr(c) for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), *range(0xFF10, 0xFF1A))
)
_HALF = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SEPARATORS = " ·・•‧∙.-_—–\t"
PLATE_FROM: Final = _FULL + _SEPARATORS
PLATE_TO: Final = _HALF
_TABLE: Final = str.maketrans(_FULL, _HALF, _SEPARATORS)

#: time spellings tried in order (strftime); the engines get the same list. Fractions of a
#: second are cut off first; 年月日时分秒 and "/" or "T" become "-", ":" and " ".
TIME_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S")
TIME_FROM: Final = "/T年月日时分秒"
TIME_TO: Final = "- -- ::"
_JAVA: Final = {"%Y": "yyyy", "%m": "M", "%d": "d", "%H": "H", "%M": "mm", "%S": "ss"}
_JAVA_FIXED: Final = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def java_pattern(fmt: str) -> str:
    """A strftime format as a Spark (Java) datetime pattern; digit runs keep fixed widths."""
    table = _JAVA_FIXED if not re.search(r"[^%A-Za-z]", fmt) else _JAVA
    for k, v in table.items():
        fmt = fmt.replace(k, v)
    return fmt


def clean_plate(text: object) -> str:
    """The plate as the engines clean it: ASCII letters and digits, upper case, no separators.

    Returns ``""`` for missing values. The result may still not be a plate; see
    :func:`is_plate`.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return str(text).strip().translate(_TABLE).upper()


def is_plate(plate: str) -> bool:
    """Whether a cleaned plate is a Chinese civil plate (:data:`PLATE_PATTERN`)."""
    return bool(PLATE_RE.match(plate))


def plate_kind(plate: str) -> str:
    """``normal``, ``new_energy``, ``trailer``, ``coach``, ``police`` or ``hk_macau``."""
    last = plate[-1:]
    special = {"挂": "trailer", "学": "coach", "警": "police", "港": "hk_macau", "澳": "hk_macau"}
    if last in special:
        return special[last]
    return "new_energy" if len(plate) == 8 else "normal"


def _norm(text: object) -> str:
    return re.sub(r"[\s_\-()（）:：*]", "", str(text)).lower()


def map_columns(columns: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical name -> the input column holding it (the first column of each meaning)."""
    lookup: dict[str, str] = {}
    for canon, names in aliases.items():
        for name in names:
            lookup.setdefault(_norm(name), canon)
    found: dict[str, str] = {}
    for col in columns:
        meaning = lookup.get(_norm(col))
        if meaning and meaning not in found:
            found[meaning] = col
    return found


def checkpoint_kind(text: object) -> str | None:
    """The kind code of a spelling (``高铁站`` → ``hsr_station``); ``None`` if unknown."""
    key = _norm(text)
    for code, names in CHECKPOINT_KINDS.items():
        if key in {_norm(n) for n in names}:
            return code
    return None


#: metric columns carried into the suspect list
KEY_METRICS: Final = (
    "active_days",
    "passes_per_day",
    "route_days",
    "route_trips_per_day",
    "hub_days",
    "offday_lift",
    "market_lift",
    "span_hours",
    "early_share",
    "km_per_day",
    "distinct_towns",
)
