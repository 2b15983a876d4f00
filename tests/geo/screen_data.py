"""Small literal checkpoint and pass tables for the screening tests (synthetic).

Towns 甲镇 (checkpoint A1), 丙镇 (M1, on the road between) and 乙镇 (B1) lie on a line; the
county town 城区 has a station (H1, a hub) and a road checkpoint (U1).

- 渝F12345 runs 甲镇 → 乙镇 and back twice on Monday 2025-10-13 and once on Saturday
  2025-10-18, starting 05:50, waiting 40 minutes at each end. One of its reads is misread
  as 渝F1234S.
- 渝F67890 goes in and out of the station three times on Monday (one double read).
- 渝FW0001 is whitelisted (a taxi).
- Broken rows: no plate, 未识别, a garbled time, a time in 2099, an unknown checkpoint, and
  one pass on 2025-10-01 outside the screened week.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

WEEK = (dt.date(2025, 10, 13), dt.date(2025, 10, 19))
NOW = dt.datetime(2025, 11, 1)

CHECKPOINTS = pd.DataFrame(
    {
        "卡口编号": ["A1", "M1", "B1", "H1", "U1"],
        "卡口名称": ["甲镇出入口", "丙镇出入口", "乙镇出入口", "高铁站", "城区路口"],
        "经度": [108.70, 108.70, 108.70, 108.80, 108.81],
        "纬度": [31.00, 31.10, 31.20, 30.90, 30.90],
        "卡口类型": ["乡镇出入口", "乡镇出入口", "乡镇出入口", "高铁站", "城区道路"],
        "所属乡镇": ["甲镇", "丙镇", "乙镇", "城区", "城区"],
    }
)

RUN = [  # (minutes after 05:50, checkpoint): one trip 甲 → 乙, a wait, and back
    (0, "A1"),
    (15, "M1"),
    (30, "B1"),
    (70, "B1"),
    (85, "M1"),
    (100, "A1"),
]


def _at(day: dt.date, minutes: int) -> str:
    t = dt.datetime.combine(day, dt.time(5, 50)) + dt.timedelta(minutes=minutes)
    return f"{t:%Y-%m-%d %H:%M:%S}"


def passes() -> pd.DataFrame:
    """The pass rows (Chinese headers, times as text)."""
    mon, sat = WEEK[0], dt.date(2025, 10, 18)
    rows = []
    for day, rounds in ((mon, 2), (sat, 1)):
        for r in range(rounds):
            for minutes, cp in RUN:
                rows.append(("渝F12345", _at(day, minutes + r * 150), cp))
    rows[1] = ("渝F1234S", rows[1][1], rows[1][2])  # a misread of 渝F12345
    for hour, cp in ((8, "H1"), (8.5, "U1"), (9, "H1"), (9.5, "U1"), (10, "H1")):
        t = dt.datetime.combine(mon, dt.time(0)) + dt.timedelta(hours=hour)
        rows.append(("渝F67890", f"{t:%Y-%m-%d %H:%M:%S}", cp))
    rows.append(("渝F67890", f"{mon} 08:00:20", "H1"))  # read twice
    rows += [("渝FW0001", f"{mon} 12:00:00", "U1"), ("渝FW0001", f"{mon} 12:20:00", "H1")]
    rows += [
        ("", f"{mon} 12:00:00", "U1"),
        ("未识别", f"{mon} 12:00:00", "U1"),
        ("渝F55555", "2025-13-45 25:61", "U1"),
        ("渝F55555", "2099-01-01 08:00:00", "U1"),
        ("渝F55555", f"{mon} 12:00:00", "K999"),
        ("渝F55555", "2025-10-01 08:00:00", "U1"),
    ]
    return pd.DataFrame(rows, columns=["号牌号码", "过车时间", "卡口编号"])


WHITELIST = pd.DataFrame({"号牌号码": ["渝F·W0001"], "车辆类别": ["出租汽车"]})
