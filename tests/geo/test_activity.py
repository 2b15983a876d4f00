"""Suspect activity per H3 cell and period (geo.activity) on small literal passes (synthetic)."""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
import pytest
import shapely

from geo.activity import (
    ACTIVITY_COLUMNS,
    GRADE_WEIGHTS,
    PASS_COLUMNS,
    label_passes,
    suspect_activity,
    suspect_passes,
)
from geo.auth import Scope
from geo.config import Settings
from geo.periods import PERIOD_KEYS
from geo.vehicles import LISTED_GRADES, PassFolder, Screening, checkpoint_townships
from tests.geo import screen_data
from tests.geo.test_vehicles import CHECKPOINTS, QUIET, ROUTE, STATION, TOWNSHIPS
from tests.geo.test_vehicles import folder as folder  # noqa: F401  (fixture)
from tests.geo.test_vehicles import screening as screening  # noqa: F401  (fixture)

CPS = CHECKPOINTS.assign(township_code=checkpoint_townships(CHECKPOINTS, TOWNSHIPS))
#: 渝F12345 (high) at 甲镇 A1 before dawn on Monday and in the morning, at 乙镇 B1 on
#: Saturday night (a market day of 乙镇); 渝F67890 (low) twice at the station H1 on Monday
#: morning and at U1 on the night of National Day; 渝F55555 (not listed) at U1 five times
MINUTES = pd.DataFrame(
    {
        "plate": [ROUTE, ROUTE, ROUTE, STATION, STATION, QUIET],
        "cp_id": ["A1", "A1", "B1", "H1", "U1", "U1"],
        "time": pd.to_datetime(
            [
                "2025-10-13 05:50",
                "2025-10-13 07:30",
                "2025-10-18 21:00",
                "2025-10-13 08:00",
                "2025-10-01 22:00",
                "2025-10-13 12:00",
            ]
        ),
        "n": [1, 1, 1, 2, 1, 5],
    }
)
GRADES = pd.Series({ROUTE: "high", STATION: "low", QUIET: "none"})
#: 乙镇's market meets on days ending in 8 (the 18th is one)
MARKETS = gpd.GeoDataFrame(
    {"category": ["rural_market"], "market_days": ["8"], "township_code": ["T-YI"]},
    geometry=[shapely.box(108.69, 31.19, 108.71, 31.21)],
    crs=4326,
)
COUNTY = Scope(None, mask_plates=False)


def cell(cp_id: str, res: int = 9) -> str:
    row = CPS.set_index("cp_id").loc[cp_id]
    return str(h3.latlng_to_cell(row["lat"], row["lon"], res))


@pytest.fixture
def passes() -> pd.DataFrame:
    return label_passes(MINUTES, GRADES, CPS, key_areas=MARKETS)


def by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("h3_cell")


class TestPasses:
    def test_only_listed_vehicles_and_no_plate(self, passes: pd.DataFrame) -> None:
        assert list(passes.columns) == [*PASS_COLUMNS, *PERIOD_KEYS]
        assert int(passes["n"].sum()) == 6  # the unlisted car's five passes are gone
        assert passes["vehicle"].nunique() == 2
        assert not passes.astype(str).isin([ROUTE, STATION, QUIET]).any().any()

    def test_periods_as_for_events(self, passes: pd.DataFrame) -> None:
        assert passes["night"].tolist() == [True, False, True, False, True]
        assert passes["weekend"].tolist() == [False, False, True, False, False]
        assert passes["holiday"].tolist() == [False, False, False, False, True]
        assert passes["market_day"].tolist() == [False, False, True, False, False]
        assert str(passes["occurred_at"].dt.tz) == "Asia/Shanghai"


class TestActivity:
    def test_counts_per_cell(self, passes: pd.DataFrame) -> None:
        out = suspect_activity(passes, COUNTY, res=9)
        assert list(out.columns) == list(ACTIVITY_COLUMNS)
        a = by_cell(out)
        assert a.loc[cell("A1"), ["passes", "vehicles", "vehicles_high"]].tolist() == [2, 1, 1]
        assert a.loc[cell("A1"), "activity"] == 2 * GRADE_WEIGHTS["high"]
        assert a.loc[cell("H1"), ["passes", "vehicles_high"]].tolist() == [2, 0]
        assert a.loc[cell("H1"), "activity"] == 2 * GRADE_WEIGHTS["low"]
        b1 = a.loc[cell("B1"), ["passes_night", "passes_weekend", "passes_market_day"]]
        assert b1.tolist() == [1, 1, 1]
        assert a.loc[cell("U1"), ["passes_night", "passes_holiday"]].tolist() == [1, 1]
        assert out["passes"].sum() == 6 and out["activity"].is_monotonic_decreasing
        assert cell("M1") not in a.index  # no suspect passed it

    def test_cells_follow_the_resolution(self, passes: pd.DataFrame) -> None:
        coarse = suspect_activity(passes, COUNTY, res=7)
        assert {h3.get_resolution(c) for c in coarse["h3_cell"]} == {7}
        assert coarse["passes"].sum() == 6  # the same passes, whatever the cell size
        assert cell("H1", 7) == cell("U1", 7) != cell("H1", 9)  # station and road: one cell
        both = by_cell(coarse).loc[cell("H1", 7)]
        assert both[["checkpoints", "passes", "vehicles"]].tolist() == [2, 3, 1]

    @pytest.mark.parametrize(
        ("periods", "cells"),
        [
            (("night",), {"A1": 1, "B1": 1, "U1": 1}),
            (("weekend",), {"B1": 1}),
            (("holiday", "night"), {"U1": 1}),
            (("market_day",), {"B1": 1}),
            (("!night",), {"A1": 1, "H1": 2}),
        ],
        ids=["night", "weekend", "holiday-night", "market", "not-night"],
    )
    def test_periods_pick_the_passes(
        self, passes: pd.DataFrame, periods: tuple[str, ...], cells: dict[str, int]
    ) -> None:
        out = suspect_activity(passes, COUNTY, res=9, periods=periods)
        assert dict(zip(out["h3_cell"], out["passes"], strict=True)) == {
            cell(c): n for c, n in cells.items()
        }

    def test_hours_of_a_custom_period(self, passes: pd.DataFrame) -> None:
        import datetime as dt

        out = suspect_activity(passes, COUNTY, res=9, hours=(dt.time(7), dt.time(9)))
        assert dict(zip(out["h3_cell"], out["passes"], strict=True)) == {
            cell("A1"): 1,
            cell("H1"): 2,
        }

    @pytest.mark.parametrize(
        ("code", "cps"),
        [("T-JIA", {"A1"}), ("T-YI", {"B1"}), ("T-CITY", {"H1", "U1"}), ("T-NONE", set())],
        ids=["jia", "yi", "city", "elsewhere"],
    )
    def test_township_sees_only_its_checkpoints(
        self, passes: pd.DataFrame, code: str, cps: set[str]
    ) -> None:
        out = suspect_activity(passes, Scope(code, mask_plates=True), res=9)
        assert set(out["h3_cell"]) == {cell(c) for c in cps}
        assert set(out["township_code"]) <= {code}
        # asking for another township's cells gives nothing, not the other township's
        other = suspect_activity(passes, Scope(code, True), res=9, township_codes=["T-X"])
        assert other.empty and list(other.columns) == list(ACTIVITY_COLUMNS)

    def test_map_townships_narrow_the_county(self, passes: pd.DataFrame) -> None:
        out = suspect_activity(passes, COUNTY, res=9, township_codes=["T-JIA", "T-YI"])
        assert set(out["h3_cell"]) == {cell("A1"), cell("B1")}

    def test_unknown_period_is_refused(self, passes: pd.DataFrame) -> None:
        with pytest.raises(ValueError, match="period was 'nite'"):
            suspect_activity(passes, COUNTY, res=9, periods=("nite",))

    def test_no_passes(self, passes: pd.DataFrame) -> None:
        out = suspect_activity(passes.iloc[:0], COUNTY, res=9)
        assert out.empty and list(out.columns) == list(ACTIVITY_COLUMNS)


def test_every_listed_grade_has_a_weight() -> None:
    assert set(GRADE_WEIGHTS) == set(LISTED_GRADES)
    assert GRADE_WEIGHTS["high"] > GRADE_WEIGHTS["medium"] > GRADE_WEIGHTS["low"] > 0


def test_read_from_a_pass_folder(folder: PassFolder, screening: Screening) -> None:  # noqa: F811
    """Only the listed vehicles' passes of the screened week are read."""
    passes = suspect_passes(folder, Settings(), screening)
    # 渝F12345: 17 readable passes (one misread); 渝F67890: 6 reads; 渝F55555 never read
    assert int(passes["n"].sum()) == 17 + 6
    assert passes["vehicle"].nunique() == 2
    assert set(passes["cp_id"]) == {"A1", "M1", "B1", "H1", "U1"}
    assert passes["occurred_at"].dt.date.between(*screen_data.WEEK).all()
    out = by_cell(suspect_activity(passes, COUNTY, res=9))
    assert out["passes"].sum() == 23
    assert out.loc[cell("M1"), "passes"] == 5  # in no township polygon: the county sees it
    assert out.loc[cell("A1"), "township_code"] == "T-JIA"
