"""The default blend: weights, shrinkage, no look-ahead, calibration, track record."""

from __future__ import annotations

import math

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from geo.ensemble import (
    SHRINK,
    Outlook,
    blend,
    calibrate,
    hit_rate,
    learn_weights,
    next_month,
    normalise,
    origins,
)
from geo.forecast import BASE_METHODS, MonthlySeries, rings
from geo.hotspots import StudyArea

M = len(BASE_METHODS)


class TestBlendMaths:
    def test_normalise_is_log_of_one_plus_share_of_mean(self) -> None:
        got = normalise([0.0, 2.0, 4.0, 6.0])  # mean 3
        assert got == pytest.approx(np.log1p([0.0, 2 / 3, 4 / 3, 2.0]))
        assert normalise([-5.0, 0.0, 5.0]) == pytest.approx(np.log1p([0.0, 0.0, 3.0]))
        assert normalise([0.0, 0.0]).tolist() == [0.0, 0.0]  # nothing to scale

    def test_blend_is_the_weighted_sum(self) -> None:
        surfaces = [[0.0, 2.0, 4.0, 6.0], [1.0, 1.0, 1.0, 1.0]]
        got = blend(surfaces, [0.75, 0.25])
        expected = 0.75 * np.log1p([0, 2 / 3, 4 / 3, 2]) + 0.25 * math.log(2)
        assert got == pytest.approx(expected)
        with pytest.raises(ValueError, match="3 weights for 2 surfaces"):
            blend(surfaces, [0.5, 0.25, 0.25])

    def test_scale_of_a_surface_does_not_matter(self) -> None:
        a, b = np.array([0.0, 1.0, 3.0]), np.array([2.0, 0.0, 1.0])
        assert blend([a, b], [0.5, 0.5]) == pytest.approx(blend([100 * a, b], [0.5, 0.5]))

    def test_hit_rate(self) -> None:
        actual = np.array([5.0, 3.0, 2.0, 0.0])
        assert hit_rate([9, 1, 1, 0], actual, 0.25) == 0.5  # one cell flagged: 5 of 10
        assert hit_rate([0, 1, 2, 3], actual, 0.5) == 0.2  # cells 3 and 2
        assert math.isnan(hit_rate([1, 2, 3, 4], np.zeros(4)))


class TestWeights:
    def test_no_month_gives_equal_weights(self) -> None:
        assert learn_weights(np.zeros((0, M))) == pytest.approx(np.full(M, 1 / M))
        months_without_events = np.full((3, M), np.nan)
        assert learn_weights(months_without_events) == pytest.approx(np.full(M, 1 / M))

    def test_shrinkage_toward_equal_weights(self) -> None:
        one = learn_weights([[0.9, 0.1, 0.1]])  # method 0 best in the only month
        lam = SHRINK / (SHRINK + 1)  # = 1/3
        assert one == pytest.approx([1 - lam + lam / 3, lam / 3, lam / 3])
        assert one == pytest.approx([7 / 9, 1 / 9, 1 / 9])
        ten = learn_weights([[0.9, 0.1, 0.1]] * 10)
        lam10 = SHRINK / (SHRINK + 10)
        assert ten == pytest.approx([1 - lam10 + lam10 / 3, lam10 / 3, lam10 / 3])
        assert ten[0] > one[0]  # more evidence, less shrinkage
        strong = learn_weights([[0.9, 0.1, 0.1]], shrink=1e9)
        assert strong == pytest.approx([1 / 3] * 3)

    def test_ties_share_the_weight(self) -> None:
        w = learn_weights([[0.5, 0.5, 0.1]] * 4)
        assert w[0] == pytest.approx(w[1]) and w[0] > 10 * w[2]

    def test_bootstrap_splits_between_close_rivals(self) -> None:
        perf = [[0.50, 0.49], [0.48, 0.50], [0.52, 0.47], [0.47, 0.51]]
        w = learn_weights(perf)  # each wins two of four months: neither is sure
        assert 0.2 < w[0] < 0.8 and w.sum() == pytest.approx(1.0)
        assert learn_weights(perf).tolist() == w.tolist()  # seeded: reproducible

    @given(
        arrays(
            float,
            st.tuples(st.integers(0, 12), st.integers(1, 7)),
            elements=st.floats(0, 1) | st.just(float("nan")),
        )
    )
    @settings(max_examples=60, deadline=None)
    def test_weights_sum_to_one_and_are_positive(self, perf: np.ndarray) -> None:
        w = learn_weights(perf)
        assert w.shape == (perf.shape[1],)
        assert w.sum() == pytest.approx(1.0) and (w > 0).all()

    def test_a_perfect_method_gets_the_largest_weight(self) -> None:
        rng = np.random.default_rng(3)
        perf = []
        for _ in range(6):
            actual = rng.poisson(rng.gamma(0.3, 2.0, 50)).astype(float)
            surfaces = rng.random((M, 50))
            surfaces[2] = actual  # method 2 sees next month's events exactly
            surfaces[4] = actual + rng.normal(0, 1, 50)  # method 4 nearly so
            perf.append([hit_rate(s, actual, 0.1) for s in surfaces])
        w = learn_weights(perf)
        assert int(np.argmax(w)) == 2 and w.sum() == pytest.approx(1.0)


def moving_events() -> pd.DataFrame:
    """Six months of events at a few places, one place growing, one fading."""
    places = [(30.95, 108.70), (30.90, 108.60), (31.00, 108.80), (30.85, 108.75)]
    rows = []
    for month in range(1, 7):
        counts = [12, 2 * month, max(0, 9 - 2 * month), 1]
        for (lat, lon), n in zip(places, counts, strict=True):
            for i in range(n):
                day = 1 + (7 * i) % 27
                rows.append((f"2025-{month:02d}-{day:02d} 21:00", lat + (i % 2) * 1e-4, lon))
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([r[0] for r in rows]),
            "lat": [r[1] for r in rows],
            "lon": [r[2] for r in rows],
        }
    )


def small_area(events: pd.DataFrame, res: int = 8) -> StudyArea:
    points = zip(events["lat"], events["lon"], strict=True)
    cells = {h3.latlng_to_cell(a, b, res) for a, b in points}
    return StudyArea.from_cells(sorted({n for c in cells for n in h3.grid_disk(c, 2)}), res)


class TestNoLookAhead:
    def test_changing_a_future_month_keeps_past_forecasts(self) -> None:
        events = moving_events()
        area = small_area(events)
        before = {o.t: o for o in origins(MonthlySeries.from_events(events, area))}
        june = events["occurred_at"].dt.month == 6
        changed = pd.concat([events[~june], events[june].assign(lat=30.85, lon=108.75)])
        after = {o.t: o for o in origins(MonthlySeries.from_events(changed, area))}
        for t in range(1, 6):  # forecasts of January … June use months before June only
            assert after[t].score.tolist() == before[t].score.tolist()
            assert after[t].weights.tolist() == before[t].weights.tolist()
        assert after[6].score.tolist() != before[6].score.tolist()  # July sees June

    def test_first_forecast_has_equal_weights(self) -> None:
        series = MonthlySeries.from_events(moving_events(), small_area(moving_events()))
        first = next(origins(series))
        assert first.t == 1 and first.weights == pytest.approx(np.full(M, 1 / M))
        assert first.surfaces.shape == (M, len(series.cells))


class TestSeries:
    def test_weighted_counts_and_plain_events(self) -> None:
        events = moving_events().head(3).assign(kind=["case", "tip", "tip"])
        series = MonthlySeries.from_events(
            events, small_area(events), weights={"case": 1.0, "tip": 0.5}
        )
        assert series.counts.sum() == 2.0 and series.events.sum() == 3.0
        assert [str(m) for m in series.months] == ["2025-01"]

    def test_last_month_extends_the_months(self) -> None:
        events = moving_events()
        series = MonthlySeries.from_events(events, small_area(events), last_month="2025-09")
        assert str(series.months[-1]) == "2025-09" and series.events[:, -3:].sum() == 0

    def test_rings_match_h3(self) -> None:
        area = small_area(moving_events())
        ring1, ring2 = rings(area)
        index = {c: i for i, c in enumerate(area.cells)}
        for i, cell in enumerate(area.cells[:20]):
            for k, ring in ((1, ring1), (2, ring2)):
                want = sorted(index[c] for c in h3.grid_ring(cell, k) if c in index)
                assert sorted(ring[[i]].indices.tolist()) == want

    def test_no_events(self) -> None:
        with pytest.raises(ValueError, match="no events"):
            MonthlySeries.from_events(moving_events().iloc[:0], small_area(moving_events()))


class TestCalibrationAndOutlook:
    def test_calibrate_is_the_isotonic_fit(self) -> None:
        cal = calibrate([[0, 0, 1], [1, 2, 2]], [[0, 1, 1], [2, 4, 5]])
        assert cal is not None
        assert cal.knots.tolist() == [0, 1, 2] and cal.values.tolist() == [0.5, 1.5, 4.5]
        assert cal([0, 0.5, 1, 3, -1]).tolist() == [0.5, 1.0, 1.5, 4.5, 0.5]

    def test_calibrate_pools_what_would_go_down(self) -> None:
        cal = calibrate([0.0, 1.0, 2.0, 3.0], [3.0, 1.0, 2.0, 6.0])
        assert cal is not None  # 3, 1, 2 would fall: pooled into one block of mean 2 at 1
        assert cal.knots.tolist() == [1.0, 3.0] and cal.values.tolist() == [2.0, 6.0]
        x = np.linspace(-1, 4, 50)
        assert (np.diff(cal(x)) >= 0).all()

    def test_calibrate_without_events(self) -> None:
        assert calibrate(np.ones(3), np.zeros(3)) is None
        assert calibrate(np.zeros(0), np.zeros(0)) is None

    def test_track_record_literal(self) -> None:
        outlook = Outlook(
            cells=np.array(list("abcd"), dtype=object),
            month="2025-07",
            score=np.zeros(4),
            risk=np.zeros(4),
            weights={},
            past_months=("2025-05", "2025-06"),
            past_scores=np.array([[3.0, 2.0, 1.0, 0.0], [0.0, 1.0, 2.0, 3.0]]),
            past_events=np.array([[4.0, 0.0, 0.0, 4.0], [1.0, 1.0, 1.0, 1.0]]),
        )
        rec = outlook.track_record(0.25)  # one cell of four
        assert rec["hit_rate"] == pytest.approx((0.5 + 0.25) / 2)
        assert rec["pai"] == pytest.approx(0.375 / 0.25) and rec["months"] == 2

    def test_next_month(self) -> None:
        events = moving_events()
        series = MonthlySeries.from_events(events, small_area(events))
        outlook = next_month(series, months=3)
        assert outlook.month == "2025-07"
        assert outlook.past_months == ("2025-04", "2025-05", "2025-06")
        assert sum(outlook.weights.values()) == pytest.approx(1.0)
        # expected events next month: about a month's worth, most at the busiest place
        assert 0.5 * 30 < outlook.risk.sum() < 1.5 * 40
        assert (np.diff(outlook.risk[np.argsort(outlook.score)]) >= 0).all()
        busiest = h3.latlng_to_cell(30.95, 108.70, 8)
        assert outlook.cells[np.argmax(outlook.risk)] == busiest
