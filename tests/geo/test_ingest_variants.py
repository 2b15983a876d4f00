"""Ledger spellings seen in the field: one coordinate column, DMS, 下午/晚上 times, more headers."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.fields import number as _number
from geo.ingest import parse_time, read_ledger, split_pair

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10-01 下午8:30", "2025-10-01 20:30"),
        ("2025年10月1日晚上8点30分", "2025-10-01 20:30"),
        ("2025/10/1 凌晨2:15", "2025-10-01 02:15"),
        ("2025-10-01 中午12:10", "2025-10-01 12:10"),
        ("2025-10-01 中午1点", "2025-10-01 13:00"),
        ("2025-10-01 上午9点", "2025-10-01 09:00"),
        ("2025-10-01 凌晨12点05分", "2025-10-01 00:05"),
    ],
    ids=[
        "xiawu",
        "wanshang-dian",
        "lingchen",
        "zhongwu-12",
        "zhongwu-1",
        "shangwu-dian",
        "lingchen-12",
    ],
)
def test_chinese_dayparts(text: str, expected: str) -> None:
    ts, precision = parse_time(text)
    assert ts == pd.Timestamp(expected, tz=TZ) and precision == "minute"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("108°42'30.5\"", 108 + 42 / 60 + 30.5 / 3600),
        ("108度42分30秒", 108 + 42 / 60 + 0.5 / 60),
        ("30°55′", 30 + 55 / 60),
        ("E108.7", 108.7),
        ("108.7E", 108.7),
        ("北30.9", 30.9),
    ],
    ids=["dms-quotes", "dms-chinese", "dm-prime", "prefix-e", "suffix-e", "prefix-bei"],
)
def test_degree_spellings(text: str, expected: float) -> None:
    assert _number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["108°75'", "abc", "108.7.1"], ids=["minutes-60", "text", "dots"])
def test_bad_degrees(text: str) -> None:
    assert _number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("108.7,30.9", (108.7, 30.9)),
        ("30.9，108.7", (108.7, 30.9)),
        ("(108.7 30.9)", (108.7, 30.9)),
        ("108.7;30.9", (108.7, 30.9)),
        ("108.7", (None, None)),
        ("", (None, None)),
    ],
    ids=["comma", "fullwidth-latfirst", "paren-space", "semicolon", "one-number", "blank"],
)
def test_split_pair(text: str, expected) -> None:
    assert split_pair(text) == expected


def test_ledger_with_one_coordinate_column_and_other_headers(two_townships) -> None:
    csv = (
        "序号,受理时间,经纬度,所在乡镇,车辆号牌,详细地址,类别\n"
        '1,2025-10-01 晚上8点30分,"108.65,30.95",,渝FA1234,车站出口,查处\n'
        '2,2025年10月2日 下午3:00,"30.95，108.75",乙乡,,集市,举报\n'
        "3,2025-10-03 20:00,不详,,,,查处\n"
    ).encode()
    result = read_ledger(csv, name="ledger.csv", townships=two_townships)
    assert result.n_rows == 3 and result.n_accepted == 2 and result.n_rejected == 1
    ev = result.events
    assert ev["township_code"].tolist() == ["500235001", "500235002"]
    assert ev["lon"].tolist() == pytest.approx([108.65, 108.75])
    assert ev["occurred_at"].dt.hour.tolist() == [20, 15]
    assert ev.loc[0, "plate"] == "渝FA1234" and ev.loc[1, "address"] == "集市"
    reject = result.rejects.iloc[0]
    assert (reject["row"], reject["column"], reject["reason_code"]) == (4, "经纬度", "bad_coord")
