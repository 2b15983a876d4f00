from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import h3
import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.coverage import _xy, covered_cells
from geo.export import plan_to_html, plan_to_xlsx
from geo.periods import PeriodSettings
from geo.planning import (
    PlanRequest,
    blend_activity,
    make_plan,
    suspect_note,
    teams_by_day,
)
from geo.planprint import printed_plan

NATIONAL_DAY = tuple(dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(7))


@pytest.fixture(scope="module")
def night(demo):
    fixed = tuple(demo.key_areas.loc[demo.key_areas["category"] == "hsr_station", "id"])
    return make_plan(
        demo,
        PlanRequest(
            period="night", teams=5, fixed_posts=fixed, days=NATIONAL_DAY, radius_m=1000, res=9
        ),
    )


def test_night_plan_sits_on_the_hotspots(night, demo) -> None:
    posts = night.plan.posts
    assert posts.iloc[0]["kind"] == "fixed" and posts.iloc[0]["name"] == "云阳站(高铁)"
    assert (posts["kind"] == "mobile").sum() == 5
    assert posts["time"].unique().tolist() == ["20:00-06:00"]
    urban = {"城中城商圈", "云阳汽车客运中心", "云阳县人民医院", "金科世界城", "云阳高速出口"}
    places = {name.split(" · ")[-1].split(" 约")[0] for name in posts["name"]}
    assert urban & places  # the county-town night spots a local would expect
    f = night.figures
    assert f["optimal"] == 1.0 and 0.5 < f["coverage_share"] <= 1
    assert f["greedy_share_of_optimum"] >= 0.95
    assert posts["risk_covered"].sum() == pytest.approx(f["risk_covered"])
    # the forecast learns from the night events of the 24 months before the plan's month
    assert night.risk_events == demo.labels["night"].sum()
    assert night.outlook is not None and night.outlook.month == "2026-01"


def test_plan_carries_the_forecast_track_record(night) -> None:
    f, outlook = night.figures, night.outlook
    assert f["backtest_months"] == 12 and outlook.past_months[-1] == "2025-12"
    assert 0 < f["area_share"] < 0.05  # 5 teams and a fixed post of 1 km in a county
    record = outlook.track_record(f["area_share"])
    assert f["backtest_hit_rate"] == record["hit_rate"] and f["backtest_pai"] == record["pai"]
    assert f["backtest_pai"] == pytest.approx(f["backtest_hit_rate"] / f["area_share"], rel=0.01)
    assert 0.3 < f["backtest_hit_rate"] <= 1 and f["backtest_pai"] > 5
    assert f["forecast_risk"] == pytest.approx(outlook.risk.sum())
    # the covered risk is the forecast's: the posts' risk adds up to what the plan covers
    assert f["risk_total"] == pytest.approx(outlook.risk.sum())


def test_national_day_rotation_doubles_teams(night) -> None:
    schedule = night.schedule
    assert schedule is not None
    per_day = schedule.days.groupby("day")["kind"].value_counts().unstack()
    assert per_day["fixed"].eq(1).all()
    assert per_day["mobile"].eq(10).all()  # 5 teams × holiday factor 2, every National Day
    # person-shifts = team size 4 × (10 mobile + 1 fixed) × 7 days × 1 shift
    assert night.figures["person_shifts"] == 4 * 11 * 7
    assert schedule.days["h3_cell"].nunique() > 11  # the rotation varies the posts


def test_teams_by_day_weekday_vs_holiday() -> None:
    request = PlanRequest(
        teams=3, days=(dt.date(2025, 9, 30), dt.date(2025, 10, 1)), holiday_factor=2
    )
    assert teams_by_day(request, PeriodSettings()) == {
        dt.date(2025, 9, 30): 3,
        dt.date(2025, 10, 1): 6,
    }


def test_custom_hours_and_market_day(demo) -> None:
    custom = make_plan(
        demo, PlanRequest(period="custom", hours=(dt.time(18), dt.time(23)), teams=3, exact=False)
    )
    assert custom.time_window == "18:00-23:00" and custom.figures["optimal"] == 0
    assert 0 < custom.risk_events < len(demo.events)
    market = make_plan(demo, PlanRequest(period="market_day", teams=4, res=8))
    assert market.time_window == "06:00-12:00"
    assert market.plan.posts["name"].str.contains("集市").sum() >= 3


class TestRequestErrors:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"period": "dawn"}, "period was 'dawn'"),
            ({"period": "custom"}, "needs hours"),
            ({"radius_m": -1}, "radius_m was -1"),
            ({"team_size": 0}, "team_size"),
            ({"holiday_factor": 0.5}, "holiday_factor"),
            ({"suspect_weight": 1.5}, "suspect_weight was 1.5"),
            ({"suspect_weight": float("nan")}, "suspect_weight was nan"),
        ],
        ids=["period", "custom", "radius", "team-size", "factor", "suspects", "suspects-nan"],
    )
    def test_invalid(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            PlanRequest(**kwargs)

    def test_unknown_fixed_post(self, demo) -> None:
        with pytest.raises(ValueError, match="not a key-area id"):
            make_plan(demo, PlanRequest(fixed_posts=("nope",)))


def test_exports_open_and_are_safe(night) -> None:
    result = dataclasses.replace(night)
    result.plan.posts = night.plan.posts.copy()
    result.plan.posts.loc[0, "name"] = '=HYPERLINK("x")'
    request = PlanRequest(period="night", teams=5, days=NATIONAL_DAY, radius_m=1000, res=9)
    plan = printed_plan(result, request, title="云阳县巡逻建议", period_label="夜间")
    data = plan_to_xlsx(plan, notes=["合成演示数据"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["分组安排", "排班表", "逐日安排", "岗位", "指标", "说明"]
    sheet = book["岗位"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["岗位号", "类型", "岗位位置"]
    assert sheet.cell(2, 3).value.startswith("'=")  # formula neutralised
    assert book["逐日安排"].max_row == len(plan.duty) + 1
    page = plan_to_html(plan, notes=["合成演示数据"])
    assert "<h1>云阳县巡逻建议</h1>" in page and "逐日排班表" in page and "<script" not in page
    assert "时段风险覆盖率" in page and "=HYPERLINK" in page  # shown as text, escaped


def test_cli_plan(tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.csv"
    ledger = Path(__file__).parents[2] / "data" / "demo" / "cases.csv"
    code = main(
        [
            "plan",
            "--input",
            str(ledger),
            "--period",
            "night",
            "--teams",
            "4",
            "--radius",
            "1000",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-03",
            "--fixed",
            "云阳站(高铁)",
            "--out",
            str(out),
            "--xlsx",
            str(tmp_path / "p.xlsx"),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "of the period's risk covered" in printed and "rotation over 3 days" in printed
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == [
        "day",
        "kind",
        "h3_cell",
        "lat",
        "lon",
        "name",
        "time",
        "risk_covered",
    ]
    assert table.groupby("day").size().tolist() == [9, 9, 9]  # 1 fixed + 4×2 on holidays
    assert (tmp_path / "p.xlsx").stat().st_size > 3000
    sentence = re.search(r"over the past (\d+) months .* caught on average ([\d.]+)% of", printed)
    assert sentence and sentence.group(1) == "12"
    assert "the default forecast of 2026-01" in printed
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    figures = {row[0]: row[1] for row in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert figures["回测:同等面积平均命中事件比例"] == f"{sentence.group(2)}%"
    notes = [row[0] for row in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert any(str(n).startswith("按该方法,过去12个月覆盖区域") for n in notes)
    assert main(["plan", "--input", str(ledger), "--fixed", "火星", "--out", str(out)]) == 2
    assert "is not a key area" in capsys.readouterr().err


def test_travel_limit_keeps_posts_near_the_bases(demo) -> None:
    base = (30.9452, 108.6905)  # the bus passenger centre
    result = make_plan(
        demo, PlanRequest(period="night", teams=6, bases=(base,), max_travel_m=3000, exact=False)
    )
    posts = result.plan.posts
    lat0 = base[0]
    xy = _xy(posts["h3_cell"].tolist(), lat0)
    origin = _xy([h3.latlng_to_cell(*base, 9)], lat0)[0]
    assert np.hypot(*(xy - origin).T).max() <= 3000
    with pytest.raises(ValueError, match="needs at least one base"):
        PlanRequest(max_travel_m=1000)


def test_cli_plan_k_ring_and_bad_base(tmp_path: Path, capsys) -> None:
    ledger = Path(__file__).parents[2] / "data" / "demo" / "cases.csv"
    out = tmp_path / "plan.csv"
    assert (
        main(
            [
                "plan",
                "--input",
                str(ledger),
                "--k-ring",
                "2",
                "--greedy",
                "--teams",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(pd.read_csv(out)) == 3
    with pytest.raises(SystemExit):
        main(["plan", "--input", str(ledger), "--base", "north", "--out", str(out)])
    assert "is not LAT,LON" in capsys.readouterr().err


def test_a_plan_for_a_past_month_sees_nothing_after_it(demo) -> None:
    """Found in review: the Gi* hexagons (and the posts' hot cells) of a plan for a past month
    counted the events of that month and after it: a plan made "as of" then knew the future."""
    request = PlanRequest(period="night", teams=2, res=8, forecast_month="2025-06")
    cut = demo.events["occurred_at"] < pd.Timestamp("2025-06-01", tz="Asia/Shanghai")
    assert not cut.all()  # the demo has events after the month planned for
    then = dataclasses.replace(demo, events=demo.events[cut], labels=demo.labels[cut])
    plan, as_of_then = make_plan(demo, request), make_plan(then, request)
    assert plan.cells["n"].sum() == as_of_then.cells["n"].sum() > 0
    assert plan.cells["h3_cell"].tolist() == as_of_then.cells["h3_cell"].tolist()
    assert plan.plan.posts["hot_cells_covered"].tolist() == (
        as_of_then.plan.posts["hot_cells_covered"].tolist()
    )
    timing = {"solve_seconds"}
    figures = {k: v for k, v in plan.figures.items() if k not in timing}
    assert figures == pytest.approx(
        {k: v for k, v in as_of_then.figures.items() if k not in timing}, nan_ok=True
    )


SMALL_NIGHT = {"period": "night", "teams": 3, "res": 8, "exact": False, "radius_m": 1000.0}


@pytest.fixture(scope="module")
def plain(demo):
    """A small night plan on the forecast alone."""
    return make_plan(demo, PlanRequest(**SMALL_NIGHT))


@pytest.fixture(scope="module")
def quiet_cell(plain) -> str:
    """A cell of the plan's area that the plain plan's posts do not reach."""
    cells = plain.outlook.cells
    reached = covered_cells(cells, list(plain.plan.posts["h3_cell"]), 1000.0)
    return str(np.asarray(cells, dtype=object)[~reached][0])


class TestSuspectWeight:
    """The weight of suspect activity: off by default, and when on, posts go to it."""

    REQUEST = SMALL_NIGHT

    def activity(self, cell: str) -> pd.DataFrame:
        return pd.DataFrame({"h3_cell": [cell, "88283082a3fffff"], "activity": [12.5, 40.0]})

    def test_weight_zero_is_todays_plan(self, demo, plain, quiet_cell) -> None:
        again = make_plan(demo, PlanRequest(**self.REQUEST), activity=self.activity(quiet_cell))
        pd.testing.assert_frame_equal(again.plan.posts, plain.plan.posts)
        same = pd.Series(again.figures).drop("solve_seconds")  # NaN figures compare equal
        pd.testing.assert_series_equal(same, pd.Series(plain.figures).drop("solve_seconds"))
        assert "suspect_weight" not in again.figures

    def test_weight_moves_a_post_to_the_suspects(self, demo, plain, quiet_cell) -> None:
        request = PlanRequest(**self.REQUEST, suspect_weight=0.5)
        moved = make_plan(demo, request, activity=self.activity(quiet_cell))
        posts = list(moved.plan.posts["h3_cell"])
        assert covered_cells([quiet_cell], posts, 1000.0).all()
        assert moved.figures["suspect_weight"] == 0.5 and moved.figures["suspect_cells"] == 1
        said = "风险中混入嫌疑车辆活动,权重 0.5(1 个六边形有嫌疑车辆过车)。"
        assert suspect_note(moved.figures) == said
        assert suspect_note(plain.figures) == ""  # no weight, no word in the printed plan
        # the blended risk keeps the forecast's total: half of it now lies in that cell
        assert moved.figures["risk_total"] == pytest.approx(plain.figures["risk_total"])
        assert len(posts) == len(plain.plan.posts)

    def test_weight_without_activity_says_so(self, demo, plain) -> None:
        request = PlanRequest(**self.REQUEST, suspect_weight=0.5)
        alone = make_plan(demo, request, activity=None)
        assert alone.figures["suspect_cells"] == 0
        assert suspect_note(alone.figures, "en").startswith("Suspect vehicle activity was not")
        pd.testing.assert_frame_equal(alone.plan.posts, plain.plan.posts)


def test_blend_activity_on_four_cells() -> None:
    demand = pd.DataFrame({"h3_cell": ["a", "b", "c", "d"], "risk": [4.0, 3.0, 1.0, 0.0]})
    activity = pd.DataFrame({"h3_cell": ["d", "c", "x"], "activity": [3.0, 1.0, 100.0]})
    same, n = blend_activity(demand, activity, 0.0)
    assert same is demand and n == 0
    out, n = blend_activity(demand, activity, 0.25)
    # 0.75 × forecast + 0.25 × 8 × shares (d 3/4, c 1/4); "x" lies outside the plan's area
    assert out["risk"].tolist() == [3.0, 2.25, 1.25, 1.5] and n == 2
    assert out["risk"].sum() == pytest.approx(demand["risk"].sum())
    only, _ = blend_activity(demand.assign(risk=0.0), activity, 1.0)
    assert only["risk"].tolist() == [0.0, 0.0, 0.25, 0.75]  # no forecast: activity alone
