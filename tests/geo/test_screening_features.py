"""Screening features on DuckDB, pinned on a literal week of passes (tests/geo/screen_data.py)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from geo.screening.engines import DuckDBEngine
from geo.screening.features import FEATURE_DTYPES, FeatureRun, compute_features
from geo.screening.inputs import PassGroup, read_checkpoints
from geo.screening.schema import clean_plate
from tests.geo import screen_data as data


def run_week(tmp_path: Path, frame: pd.DataFrame | None = None, **kw: object) -> FeatureRun:
    cps = read_checkpoints(data.CHECKPOINTS)
    group = PassGroup("frame", ("(frame)",), frame=data.passes() if frame is None else frame)
    engine = DuckDBEngine(temp_directory=str(tmp_path / "duck"))
    try:
        return compute_features(
            engine,
            cps,
            [group],
            [clean_plate("渝F·W0001")],
            date_from=data.WEEK[0],
            date_to=data.WEEK[1],
            now=data.NOW,
            **kw,  # type: ignore[arg-type]
        )
    finally:
        engine.close()


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> FeatureRun:
    return run_week(tmp_path_factory.mktemp("week"))


def row(run: FeatureRun, plate: str) -> pd.Series:
    hit = run.features[run.features["plate"] == plate]
    assert len(hit) == 1, f"{plate} not in {run.features['plate'].tolist()}"
    return hit.iloc[0]


class TestAccount:
    def test_rows_in_is_used_plus_rejected_plus_outside(self, week: FeatureRun) -> None:
        c = week.counts
        assert c["rows_in"] == len(data.passes()) == 32
        assert c["rows_in"] == c["used"] + c["rejected"] + c["outside_window"]
        assert (c["used"], c["rejected"], c["outside_window"]) == (25, 6, 1)

    def test_every_reason_counted(self, week: FeatureRun) -> None:
        got = dict(zip(week.rejects["reason"], week.rejects["n"], strict=True))
        assert got == {
            "missing_plate": 1,
            "not_plate": 1,
            "bad_time": 1,
            "future_time": 1,
            "unknown_checkpoint": 1,
            "duplicate_read": 1,
        }

    def test_samples_show_the_raw_row(self, week: FeatureRun) -> None:
        s = week.samples.set_index("reason")
        assert s.at["unknown_checkpoint", "cp_raw"] == "K999"
        assert s.at["bad_time", "time_raw"] == "2025-13-45 25:61"

    def test_whitelisted_and_misread_plates_are_not_vehicles(self, week: FeatureRun) -> None:
        assert week.features["plate"].tolist() == ["渝F12345", "渝F67890"]
        assert week.counts["misreads_merged"] == 1


class TestRoute:
    def test_runs_between_the_two_towns(self, week: FeatureRun) -> None:
        r = row(week, "渝F12345")
        assert (r["route_a"], r["route_b"]) == ("乙镇", "甲镇")  # byte order, both engines
        assert r["route_days"] == 2
        assert r["route_trips_per_day"] == 3.0  # 4 runs Monday, 2 Saturday
        assert r["runs_per_day"] == 3.0

    def test_passing_through_is_not_a_stop(self, week: FeatureRun) -> None:
        r = row(week, "渝F12345")
        assert r["distinct_towns"] == 3  # 丙镇 is seen but never an end of a run

    def test_day_figures(self, week: FeatureRun) -> None:
        r = row(week, "渝F12345")
        assert (r["n_passes"], r["active_days"]) == (18, 2)  # the misread pass counted
        assert r["span_hours"] == pytest.approx((250 + 100) / 60 / 2)
        assert r["early_share"] == 1.0  # out at 05:50 both days
        assert r["late_share"] == 0.0
        # 6 passes on the weekend (2 days), 12 on 5 workdays, smoothed by one pass
        assert r["offday_lift"] == pytest.approx((6 + 1) * 5 / ((12 + 1) * 2))
        assert r["offday_active_days"] == 1

    def test_mileage_from_consecutive_passes(self, week: FeatureRun) -> None:
        leg = np.floor(0.1 * 110_574.0 * 1.3 + 0.5)  # 0.1° of latitude, road factor 1.3
        assert row(week, "渝F12345")["km_per_day"] == pytest.approx(6 * 2 * leg / 1000 / 2)


class TestHub:
    def test_station_visits(self, week: FeatureRun) -> None:
        r = row(week, "渝F67890")
        assert r["hub_days"] == 1  # three visits on Monday (the double read is one pass)
        assert r["hub_visits_per_day"] == 3.0
        assert r["hub_wave_share"] == 1.0
        assert r["route_days"] == 0 and pd.isna(r["route_a"])
        assert r["n_passes"] == 5

    def test_no_market_cycles_means_no_market_lift(self, week: FeatureRun) -> None:
        assert (week.features["market_lift"] == 1.0).all()


class TestTypes:
    def test_dtypes_fixed(self, week: FeatureRun) -> None:
        for col, dtype in FEATURE_DTYPES.items():
            assert str(week.features[col].dtype) == dtype, col

    def test_window_and_engine(self, week: FeatureRun) -> None:
        assert week.window == data.WEEK
        assert week.engine == "duckdb"


class TestWindowDefault:
    def test_last_days_of_the_data(self, tmp_path: Path) -> None:
        cps = read_checkpoints(data.CHECKPOINTS)
        group = PassGroup("frame", ("(frame)",), frame=data.passes())
        engine = DuckDBEngine()
        try:
            run = compute_features(engine, cps, [group], now=data.NOW)
        finally:
            engine.close()
        # the 2099 row is in the future: the data end on Saturday 2025-10-18
        assert run.window[1] == pd.Timestamp("2025-10-18").date()
        assert run.window[0] == pd.Timestamp("2025-10-01").date()  # first day with data
        assert run.counts["outside_window"] == 0

    def test_misread_kept_when_the_real_plate_is_far_in_time(self, tmp_path: Path) -> None:
        frame = data.passes()
        frame.loc[1, "过车时间"] = "2025-10-16 23:00:00"  # nobody like it passes then
        run = run_week(tmp_path, frame)
        assert "渝F1234S" in set(run.features["plate"])
        assert run.counts["misreads_merged"] == 0


def test_one_vehicles_passes_in_time_order() -> None:
    from geo.screening import plate_passes

    track = plate_passes(
        read_checkpoints(data.CHECKPOINTS),
        data.passes(),
        "渝F·12345",
        date_from=data.WEEK[0],
        date_to=data.WEEK[0],
    )
    assert len(track) == 11  # Monday: two round trips, one read misread as 渝F1234S
    assert track["time"].is_monotonic_increasing
    assert track["cp_id"].tolist()[:3] == ["A1", "B1", "B1"]
    assert list(track.columns) == ["time", "cp_id", "cp_name", "kind", "town", "lon", "lat"]


class TestNowIsTheDeploymentsClock:
    """Found in review: without ``now`` the screen took the machine's local clock, so on a
    server set to another zone than Asia/Shanghai passes of today were rejected as
    ``future_time`` (or passes of tomorrow accepted)."""

    @pytest.fixture
    def new_york_machine(self, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("TZ", "America/New_York")  # 12 or 13 hours behind Shanghai
        time.tzset()
        yield
        monkeypatch.undo()
        time.tzset()

    def _future(self, tmp_path: Path, hours_ahead: float) -> int:
        now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
        times = [now - dt.timedelta(hours=2), now + dt.timedelta(hours=hours_ahead)]
        frame = pd.DataFrame(
            {
                "号牌号码": ["渝F12345", "渝F12345"],
                "过车时间": [f"{t:%Y-%m-%d %H:%M:%S}" for t in times],
                "卡口编号": ["A1", "B1"],
            }
        )
        group = PassGroup("frame", ("(frame)",), frame=frame)
        engine = DuckDBEngine(temp_directory=str(tmp_path / "duck"))
        try:
            run = compute_features(engine, read_checkpoints(data.CHECKPOINTS), [group])
        finally:
            engine.close()
        reasons = dict(zip(run.rejects["reason"], run.rejects["n"], strict=True))
        return int(reasons.get("future_time", 0))

    def test_a_pass_later_today_is_kept(self, tmp_path: Path, new_york_machine) -> None:
        assert self._future(tmp_path, 14) == 0

    def test_a_pass_two_days_ahead_is_rejected(self, tmp_path: Path, new_york_machine) -> None:
        assert self._future(tmp_path, 48) == 1


@pytest.mark.parametrize("what", ["plate_passes", "plates_checkpoints"])
def test_one_vehicles_passes_run_on_the_screens_duckdb_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """Found in review: a vehicle's passes ran on DuckDB's defaults (all threads, 2 GB, /tmp)
    whatever the [screening] settings gave the screen."""
    import dataclasses

    import geo.screening.core as core
    from geo.config import Settings

    seen: list[tuple[str, ...]] = []

    class Spy(DuckDBEngine):
        def __init__(self, **kw: object) -> None:
            super().__init__(**kw)  # type: ignore[arg-type]
            query = "SELECT current_setting('threads'), current_setting('temp_directory')"
            seen.append(tuple(str(v) for v in self.con.execute(query).fetchall()[0]))

    monkeypatch.setattr(core, "DuckDBEngine", Spy)
    screening = dataclasses.replace(
        Settings().screening, duckdb_threads=1, temp_directory=str(tmp_path / "spill")
    )
    settings = dataclasses.replace(Settings(), screening=screening)
    cps = read_checkpoints(data.CHECKPOINTS)
    if what == "plate_passes":
        found = core.plate_passes(cps, data.passes(), "渝F·12345", settings=settings)
    else:
        found = core.plates_checkpoints(cps, data.passes(), ["渝F·12345"], settings=settings)
    assert len(found) and len(seen) == 1
    threads, temp = seen[0]
    assert threads == "1" and temp.startswith(str(tmp_path / "spill"))
