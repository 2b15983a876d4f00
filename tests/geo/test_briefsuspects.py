"""The briefing's section on suspect vehicles (geo.briefsuspects) on small literal passes.

Synthetic: the checkpoints of tests/geo/screen_data.py; 渝F12345 runs 甲镇 ↔ 乙镇 three times
a day on eight days of September and eight of October, 渝F24680 the same in October only,
渝F11111 passes the county town's road checkpoint once a day (a commuter, never listed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from geo.briefing import sections, suspect_lines
from geo.briefsuspects import (
    MonthScreens,
    SuspectSummary,
    month_screens,
    month_window,
    previous_month,
    screen_month,
    summarize,
)
from geo.config import Settings
from geo.screening.core import KEY_METRICS, ScreenResult
from geo.vehicles import PassFolder, Screening, checkpoint_townships, listed_only
from tests.geo import screen_data
from tests.geo.test_vehicles import CHECKPOINTS, TOWNSHIPS

NAMES = {"T-JIA": "甲镇", "T-YI": "乙镇", "T-CITY": "城区"}
OLD, NEW, COMMUTER = "渝F12345", "渝F24680", "渝F11111"
SEPTEMBER = [dt.date(2025, 9, 8) + dt.timedelta(days=i) for i in range(8)]
OCTOBER = [dt.date(2025, 10, 8) + dt.timedelta(days=i) for i in range(8)]
NOW = dt.datetime(2025, 11, 1)


def _runs(plate: str, days: list[dt.date], rounds: int = 3) -> list[tuple[str, str, str]]:
    rows = []
    for day in days:
        for r in range(rounds):
            for minutes, cp in screen_data.RUN:
                t = dt.datetime.combine(day, dt.time(5, 50)) + dt.timedelta(
                    minutes=minutes + r * 150
                )
                rows.append((plate, f"{t:%Y-%m-%d %H:%M:%S}", cp))
    return rows


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> PassFolder:
    root = tmp_path_factory.mktemp("passes") / "screening"
    (root / "passes").mkdir(parents=True)
    screen_data.CHECKPOINTS.to_csv(root / "checkpoints.csv", index=False)
    rows = _runs(OLD, SEPTEMBER + OCTOBER) + _runs(NEW, OCTOBER)
    rows += [(COMMUTER, f"{d} 08:00:00", "U1") for d in SEPTEMBER + OCTOBER]
    frame = pd.DataFrame(rows, columns=["号牌号码", "过车时间", "卡口编号"])
    frame.to_csv(root / "passes" / "passes.csv", index=False)
    return PassFolder(root)


@pytest.fixture(scope="module")
def october(folder: PassFolder) -> MonthScreens:
    return month_screens(folder, Settings(), TOWNSHIPS, "2025-10", now=NOW)


def test_months() -> None:
    assert month_window("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert previous_month("2026-01") == "2025-12"
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_window("2025-13")


class TestMonthScreens:
    def test_each_month_is_screened_on_its_days_with_passes(self, october: MonthScreens) -> None:
        assert october.current is not None and october.previous is not None
        # the data run from 8 September to 15 October: the months are cut to them
        assert october.current.result.window == (dt.date(2025, 10, 1), dt.date(2025, 10, 15))
        assert october.previous.result.window == (dt.date(2025, 9, 8), dt.date(2025, 9, 30))
        assert sorted(october.current.result.suspects["plate"]) == [OLD, NEW]
        assert october.previous.result.suspects["plate"].tolist() == [OLD]

    def test_a_month_without_passes_is_none(self, folder: PassFolder) -> None:
        assert screen_month(folder, Settings(), TOWNSHIPS, "2025-08", now=NOW) is None


class TestSummary:
    def test_county(self, october: MonthScreens) -> None:
        s = summarize(october, names=NAMES)
        assert s.grades == {"high": 0, "medium": 0, "low": 2} and s.listed == 2
        assert s.new == 1  # 渝F24680 was not listed in September
        assert s.checkpoints == 5
        places = s.places
        assert places["cp_id"].tolist() == ["A1", "B1", "M1"]  # most passes, then by id
        assert places["vehicles"].tolist() == [2, 2, 2]
        assert places["passes"].tolist() == [96, 96, 96]  # 2 cars × 8 days × 3 runs × 2
        assert places["township"].tolist() == ["甲镇", "乙镇", ""]  # M1 stands in none
        assert not places.isin([OLD, NEW, COMMUTER]).any().any()

    def test_township_counts_its_own_checkpoints_only(self, october: MonthScreens) -> None:
        s = summarize(october, township="T-YI", names=NAMES)
        assert s.checkpoints == 1 and s.places["cp_id"].tolist() == ["B1"]
        assert s.grades["low"] == 2 and s.new == 1
        city = summarize(october, township="T-CITY", names=NAMES)  # only the commuter passed
        assert city.checkpoints == 2 and city.listed == 0 and city.places.empty
        assert suspect_lines(city, "城区", township=True) == [
            "根据城区辖区内2个卡口2025年10月1日至15日的过车数据筛查,本月未发现疑似非法营运车辆。"
        ]
        nowhere = summarize(october, township="T-NONE", names=NAMES)
        assert suspect_lines(nowhere, "某乡", township=True) == [
            "某乡辖区内无卡口,本月未开展过车筛查。"
        ]

    def test_no_passes_this_month_or_last(self, october: MonthScreens) -> None:
        empty = summarize(MonthScreens("2025-11", None, october.current))
        assert empty.window is None and empty.listed == 0
        assert suspect_lines(empty, "云阳县") == ["本月无卡口过车数据,未开展过车筛查。"]
        first = summarize(MonthScreens("2025-10", october.current, None), names=NAMES)
        assert first.new is None and first.listed == 2
        assert "上月无卡口过车数据,不作新增比较" in suspect_lines(first, "云阳县")[0]


def _screening(grades: dict[str, str], visits: list[tuple[str, str, int]]) -> Screening:
    """A screen of the checkpoints of test_vehicles with these plates' grades and visits."""
    plates = list(grades)
    n = len(plates)
    suspects = pd.DataFrame(
        {
            "rank": range(1, n + 1),
            "plate": plates,
            "score": [
                {"high": 80.0, "medium": 60.0, "low": 35.0}.get(g, 5.0) for g in grades.values()
            ],
            "grade": list(grades.values()),
            "reasons": [[] for _ in plates],
            "known": False,
            "n_cases": 0,
            "score_rules": 0.0,
            "score_model": float("nan"),
            "route": "",
            **{m: [1.0] * n for m in KEY_METRICS},
            "first_seen": pd.Timestamp("2025-10-13 05:50"),
            "last_seen": pd.Timestamp("2025-10-18 08:00"),
        }
    )
    result = ScreenResult(
        suspects=suspects,
        features=pd.DataFrame({"plate": plates}),
        counts={},
        rejects=pd.DataFrame({"reason": [], "n": []}),
        samples=pd.DataFrame(),
        window=(dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
        engine="duckdb",
        scorer="rules",
        evaluation=pd.DataFrame(),
    )
    cps = CHECKPOINTS.assign(
        kind=CHECKPOINTS["kind"].replace({"township_gate": "township_entrance"}),  # the code
        township_code=checkpoint_townships(CHECKPOINTS, TOWNSHIPS),
    )
    frame = pd.DataFrame(visits, columns=["plate", "cp_id", "n"])
    return Screening(listed_only(result), cps, frame)


#: this month: two high, one medium, one low, one not listed; last month two of them listed
THIS = _screening(
    {
        "渝F00001": "high",
        "渝F00002": "high",
        "渝F00003": "medium",
        "渝F00004": "low",
        "渝F00005": "none",
    },
    [
        ("渝F00001", "H1", 30),
        ("渝F00001", "U1", 5),
        ("渝F00002", "H1", 12),
        ("渝F00003", "A1", 20),
        ("渝F00004", "B1", 4),
        ("渝F00005", "H1", 999),  # not listed: never counted
    ],
)
LAST = _screening(
    {"渝F00001": "medium", "渝F00004": "low", "渝F00009": "high"},
    [("渝F00001", "H1", 3), ("渝F00004", "B1", 3), ("渝F00009", "A1", 3)],
)
LAST_WINDOW_PART = (dt.date(2025, 9, 20), dt.date(2025, 9, 30))


def literal_summary(township: str | None = None) -> SuspectSummary:
    """The summary of the literal screens above (also used by tests/geo/test_briefing.py)."""
    return summarize(MonthScreens("2025-10", THIS, LAST), township=township, names=NAMES)


def test_grades_new_and_places_on_literal_screens() -> None:
    s = literal_summary()
    assert s.grades == {"high": 2, "medium": 1, "low": 1} and s.new == 2  # 渝F00002, 渝F00003
    # U1 (a county-town junction every run crosses) is no place where passengers wait
    assert s.places["cp_id"].tolist() == ["H1", "A1", "B1"]
    assert s.places["passes"].tolist() == [42, 20, 4]
    assert s.places["vehicles"].tolist() == [2, 1, 1]
    town = literal_summary("T-CITY")  # H1 and U1 stand in 城区
    assert town.grades == {"high": 2, "medium": 0, "low": 0} and town.new == 1
    assert town.places["cp_id"].tolist() == ["H1"]
    lines = suspect_lines(s, "云阳县")
    assert lines[0] == (
        "根据云阳县5个卡口2025年10月1日至31日的过车数据筛查,本月列出疑似非法营运车辆4辆,"
        "其中高度疑似2辆、疑似1辆、一般关注1辆;较上月新增2辆(上月筛查未列出)。"
    )
    assert lines[1].startswith(
        "除城区道路、高速收费站等过境卡口外,疑似车辆过车最多的是高铁站、甲镇出入口、乙镇出入口等处"
    )


def test_a_partial_previous_month_is_said() -> None:
    import dataclasses

    short = dataclasses.replace(
        LAST, result=dataclasses.replace(LAST.result, window=LAST_WINDOW_PART)
    )
    s = summarize(MonthScreens("2025-10", THIS, short), names=NAMES)
    assert "上月过车数据仅有2025年9月20日至30日,新增数可能偏多。" in suspect_lines(s, "云阳县")[0]


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        ({}, ["一、总体情况", "二、热点分布与趋势", "三、重点区域风险等级", "四、下月工作建议"]),
        (
            {"suspects": ["本月无卡口过车数据,未开展过车筛查。"]},
            [
                "一、总体情况",
                "二、热点分布与趋势",
                "三、重点区域风险等级",
                "四、疑似非法营运车辆筛查情况",
                "五、下月工作建议",
            ],
        ),
    ],
    ids=["no-pass-folder", "with-section"],
)
def test_sections_are_numbered_in_order(text: dict[str, list[str]], headings: list[str]) -> None:
    assert [h for _, h in sections(text)] == headings


def test_cli_brief_has_the_section(folder: PassFolder, tmp_path: Path, capsys) -> None:
    """hexpatrol brief with a pass folder in the data directory: 路阳镇 holds checkpoint B1."""
    from docx import Document

    from geo.cli import main
    from geo.config import PROJECT_DIR

    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "screening").symlink_to(folder.root)
    config = tmp_path / "hexpatrol.toml"
    config.write_text('data_dir = "var"\n', encoding="utf-8")
    demo = PROJECT_DIR / "data" / "demo"
    code = "500235115"
    args = ["brief", "--month", "2025-10", "--township", code, "--out", str(tmp_path)]
    args += ["--no-pdf", "--config", str(config)]
    args += ["--input", str(demo / "cases.csv"), "--input", str(demo / "tips.csv")]
    assert main(args) == 0
    doc = Document(str(tmp_path / f"briefing_2025-10_{code}.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "四、疑似非法营运车辆筛查情况" in text and "五、下月工作建议" in text
    assert "根据路阳镇辖区内1个卡口2025年10月1日至15日的过车数据筛查" in text
    assert "较上月新增1辆" in text
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert "乙镇出入口" in cells and "96" in cells
    assert not any(p in text or p in " ".join(cells) for p in (OLD, NEW, "渝F·1", "渝F·2"))
    assert "screening the checkpoint passes" in capsys.readouterr().err
