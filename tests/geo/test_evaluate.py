from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.evaluate import (
    PATROL_COLUMNS,
    WEIGHT_COLUMNS,
    backtest,
    hit_metrics,
    patrol_backtest,
    read_points,
    summarize,
)
from geo.forecast import METHODS, flag_top
from geo.hotspots import StudyArea

SHARES = (0.1, 0.2, 0.5)


class TestMetrics:
    def test_perfect_forecast_has_pei_one(self) -> None:
        actual = np.array([5, 3, 2, 0, 0, 0, 0, 0, 0, 0], dtype=float)
        for row in hit_metrics(actual, actual, SHARES):
            assert row["pei"] == 1.0
        first = hit_metrics(actual, actual, SHARES)[0]  # 10% of 10 cells = 1 cell
        assert first["n_cells"] == 1 and first["hits"] == 5 and first["hit_rate"] == 0.5
        assert first["pai"] == pytest.approx(0.5 / 0.1)

    def test_worst_forecast_and_pai_definition(self) -> None:
        actual = np.array([5, 3, 2, 0, 0, 0, 0, 0, 0, 0], dtype=float)
        scores = -actual  # ranks the empty cells first
        rows = hit_metrics(scores, actual, SHARES)
        assert [r["hits"] for r in rows] == [0, 0, 0]  # 1, 2, 5 flagged cells, all empty
        assert rows[2]["pei"] == 0 and rows[2]["pai"] == 0
        mid = hit_metrics(np.arange(10, 0, -1), actual, (0.2,))[0]  # flags cells 0 and 1
        assert mid["hit_rate"] == pytest.approx(0.8) and mid["pai"] == pytest.approx(4.0)
        assert mid["pei"] == pytest.approx(1.0)

    def test_no_events_gives_nan_not_crash(self) -> None:
        row = hit_metrics(np.ones(5), np.zeros(5), (0.2,))[0]
        assert np.isnan(row["hit_rate"]) and np.isnan(row["pai"]) and np.isnan(row["pei"])

    def test_ties_are_broken_by_index(self) -> None:
        assert flag_top([1, 3, 3, 0], 2).tolist() == [1, 2]
        assert flag_top([1, 3, 3, 0], 9).tolist() == [1, 2, 0, 3]


def events_for(months: dict[str, list[tuple[float, float, int]]]) -> pd.DataFrame:
    """Events per month: (lat, lon, count) clusters, mid-month at 21:00."""
    rows = []
    for month, clusters in months.items():
        for lat, lon, n in clusters:
            for i in range(n):
                rows.append(
                    {
                        "lat": lat + (i % 3) * 1e-5,
                        "lon": lon,
                        "occurred_at": pd.Timestamp(f"{month}-15 21:00"),
                    }
                )
    return pd.DataFrame(rows)


class TestBacktest:
    def test_rows_and_no_peeking(self) -> None:
        stable = [(30.95, 108.70, 20), (30.90, 108.60, 1), (31.00, 108.80, 1)]
        months = {f"2025-{m:02d}": stable for m in range(1, 7)}
        months["2025-07"] = [(30.80, 108.50, 30)]  # a brand-new place in the last month
        events = events_for(months)
        cells = {h3.latlng_to_cell(lat, lon, 8) for lat, lon, _ in [*stable, *months["2025-07"]]}
        ring = sorted({n for c in cells for n in h3.grid_disk(c, 1)})
        area = StudyArea.from_cells(ring, 8)  # 4 places and their rings: 28 cells
        metrics = backtest(events, res=8, shares=SHARES, area=area)
        assert set(metrics["method"]) == set(METHODS)
        assert len(metrics) == len(METHODS) * 4 * len(SHARES)  # test months 04..07
        # 10% of 28 cells = 3 flagged: all go to the three known places, none to the new one
        july = metrics[(metrics["month"] == "2025-07") & (metrics["area_share"] == 0.1)]
        assert july["hits"].eq(0).all()  # nobody could know the new place beforehand
        april = metrics[(metrics["month"] == "2025-04") & (metrics["area_share"] == 0.1)]
        assert april.set_index("method").loc["default", "pei"] == 1.0

    def test_default_rows_carry_their_weights(self) -> None:
        stable = [(30.95, 108.70, 20), (30.90, 108.60, 3)]
        events = events_for({f"2025-{m:02d}": stable for m in range(1, 7)})
        metrics = backtest(events, res=8, shares=SHARES)
        default = metrics[metrics["method"] == "default"]
        assert default[list(WEIGHT_COLUMNS)].sum(axis=1).to_numpy() == pytest.approx(1.0)
        assert metrics.loc[metrics["method"] != "default", list(WEIGHT_COLUMNS)].isna().all().all()
        first = default.iloc[0]  # April learns from February and March (January has no past)
        assert first[list(WEIGHT_COLUMNS)].min() > 0

    def test_summary_means(self) -> None:
        months = {f"2025-{m:02d}": [(30.95, 108.70, 10)] for m in range(1, 6)}
        summary = summarize(backtest(events_for(months), res=8, methods=["last"], shares=(0.1,)))
        assert summary.loc[0, "months"] == 2 and summary.loc[0, "pei"] == 1.0

    def test_unknown_method(self) -> None:
        with pytest.raises(ValueError, match="unknown"):
            backtest(events_for({"2025-01": [(30.9, 108.7, 1)]}), methods=["crystal_ball"])


def test_read_points_projected_and_composite_time(tmp_path: Path) -> None:
    path = tmp_path / "thefts.csv"
    path.write_text(
        "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,X,Y\n"
        "Theft,2020,1,1,0,5,490320.299,5458606.9208\n"
        "Theft,2020,2,30,0,0,490320.299,5458606.9208\n"  # no 30 February: dropped
        "Theft,2020,3,1,12,0,,5458606.9\n",  # no x: dropped
        encoding="utf-8",
    )
    pts = read_points(
        str(path), lat_col="Y", lon_col="X", time_col="YEAR,MONTH,DAY,HOUR,MINUTE", crs="EPSG:32610"
    )
    assert len(pts) == 1 and pts.attrs["dropped"] == 2
    assert 49.27 < pts.loc[0, "lat"] < 49.29 and -123.15 < pts.loc[0, "lon"] < -123.12
    assert pts.loc[0, "occurred_at"] == pd.Timestamp("2020-01-01 00:05")
    bikes = read_points(
        str(path),
        lat_col="Y",
        lon_col="X",
        time_col="YEAR,MONTH,DAY,HOUR,MINUTE",
        where={"TYPE": "Bicycle"},
    )
    assert bikes.empty and bikes.attrs["dropped"] == 3


def test_cli_evaluate(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(0)
    rows = ["when,lat,lon"]
    for month in range(1, 8):
        for _ in range(40):  # a stable hot place and scattered background
            lat, lon = (
                (30.95, 108.70)
                if rng.random() < 0.5
                else (30.9 + rng.random() * 0.2, 108.6 + rng.random() * 0.2)
            )
            rows.append(f"2025-{month:02d}-{rng.integers(1, 28):02d} 21:00,{lat:.5f},{lon:.5f}")
    path = tmp_path / "points.csv"
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "metrics.csv"
    assert (
        main(
            [
                "evaluate",
                "--input",
                str(path),
                "--lat-col",
                "lat",
                "--lon-col",
                "lon",
                "--time-col",
                "when",
                "--res",
                "8",
                "--method",
                "default,last",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    metrics = pd.read_csv(out)
    assert {"method", "month", "area_share", "hit_rate", "pai", "pei"} <= set(metrics.columns)
    assert set(metrics["method"]) == {"default", "last"} and metrics["month"].nunique() == 4
    assert "test months" in capsys.readouterr().out
    assert main(["evaluate", "--input", str(path), "--lat-col", "lat", "--out", str(out)]) == 2
    narrowed = ["evaluate", "--input", str(path), "--lat-col", "lat", "--lon-col", "lon"]
    narrowed += ["--time-col", "when", "--res", "8", "--method", "last", "--out", str(out)]
    capsys.readouterr()
    assert main([*narrowed, "--since", "2025-02-01", "--until", "2025-06-30"]) == 0
    assert pd.read_csv(out)["month"].unique().tolist() == ["2025-05", "2025-06"]
    assert "200 events used, 80 rows left out" in capsys.readouterr().out
    assert main([*narrowed, "--sample", "0.5"]) == 0
    assert "140 events used, 140 rows left out" in capsys.readouterr().out
    assert main([*narrowed, "--sample", "2"]) == 2
    assert main(["evaluate", "--input", str(path), "--method", "oracle", "--out", str(out)]) == 2


def test_cli_evaluate_demo_ledger(tmp_path: Path) -> None:
    ledger = Path(__file__).parents[2] / "data" / "demo" / "cases.csv"
    out = tmp_path / "m.csv"
    assert (
        main(
            [
                "evaluate",
                "--input",
                str(ledger),
                "--res",
                "8",
                "--method",
                "default",
                "--period",
                "night",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert pd.read_csv(out)["month"].nunique() == 21  # 24 months minus 3 of training


def flash_events() -> pd.DataFrame:
    """A steady place (10 events a month) and a one-month flash of 15 somewhere new."""
    steady = (30.95, 108.70)
    months = {}
    for m in range(1, 8):
        flash = (30.60 + 0.05 * m, 108.20 + 0.06 * m)  # 5-8 km apart, never twice
        months[f"2025-{m:02d}"] = [(*steady, 10), (*flash, 15)]
    return events_for(months)


class TestPatrolBacktest:
    def test_forecast_plan_beats_last_month_plan(self) -> None:
        result = patrol_backtest(flash_events(), res=9, teams=1, radius_m=400)
        assert list(result.columns) == list(PATROL_COLUMNS)
        assert result["month"].unique().tolist() == ["2025-04", "2025-05", "2025-06", "2025-07"]
        by_plan = result.set_index(["plan", "month"])
        # last month's biggest place was the flash, gone the month after: nothing caught
        assert by_plan.loc["last", "hit_rate"].eq(0).all()
        # the forecast keeps the steady place: its 10 of the month's 25 events
        assert by_plan.loc["default", "hit_rate"].to_numpy() == pytest.approx(0.4)
        assert by_plan.loc["default", "events"].eq(25).all() and result["posts"].eq(1).all()
        share = result["area_share"]
        assert (share > 0).all() and (share < 0.2).all()
        assert result["pai"].to_numpy() == pytest.approx(result["hit_rate"] / share)

    def test_months_limit_and_errors(self) -> None:
        result = patrol_backtest(flash_events(), res=9, teams=1, radius_m=400, months=2)
        assert result["month"].unique().tolist() == ["2025-06", "2025-07"]
        assert patrol_backtest(flash_events().iloc[:0]).empty
        with pytest.raises(ValueError, match="teams was 0"):
            patrol_backtest(flash_events(), teams=0)


def test_cli_patrol_backtest(tmp_path: Path, capsys) -> None:
    events = flash_events()
    path = tmp_path / "points.csv"
    events.to_csv(path, index=False)
    out = tmp_path / "patrol.csv"
    args = ["evaluate", "--input", str(path), "--lat-col", "lat", "--lon-col", "lon"]
    args += ["--time-col", "occurred_at", "--res", "9", "--patrol", "--teams", "1"]
    assert main([*args, "--radius", "400", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    result = pd.read_csv(out)
    assert list(result.columns) == list(PATROL_COLUMNS) and len(result) == 8
    assert "mean default: 40.0% of events" in printed and "mean last: 0.0% of events" in printed
    assert main([*args, "--radius", "-1", "--out", str(out)]) == 2
