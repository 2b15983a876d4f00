from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd
import pytest

from geo.coverage import (
    _xy,
    build_problem,
    candidate_cells,
    cell_centres,
    coverage_probabilities,
    covered_cells,
    describe,
    objective,
    ring_radius_m,
    rotation,
    solve_exact,
    solve_greedy,
    systematic_sample,
)

CENTRE = h3.latlng_to_cell(30.95, 108.70, 9)


def demand_frame(seed: int, rings: int = 5) -> pd.DataFrame:
    cells = sorted(h3.grid_disk(CENTRE, rings))
    rng = np.random.default_rng(seed)
    risk = rng.gamma(0.6, 3.0, len(cells)) * (rng.random(len(cells)) < 0.7)
    return pd.DataFrame({"h3_cell": cells, "risk": risk, "hot": risk > 4})


def spopt_objective(problem, p: int, predefined: np.ndarray | None = None) -> float:
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    lat0 = float(np.mean([h3.cell_to_latlng(c)[0] for c in problem.candidates]))
    cost = cdist(_xy(problem.demand, lat0), _xy(problem.candidates, lat0))
    model = MCLP.from_cost_matrix(
        cost, problem.risk, problem.radius_m, p, predefined_facilities_arr=predefined
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


class TestSolvers:
    @pytest.mark.parametrize("seed", [1, 2, 3], ids=lambda s: f"seed{s}")
    @pytest.mark.parametrize("p", [1, 3, 6], ids=lambda p: f"p{p}")
    def test_exact_equals_spopt(self, seed: int, p: int) -> None:
        problem = build_problem(demand_frame(seed), radius_m=700)
        exact = solve_exact(problem, p)
        assert exact.optimal
        assert exact.objective == pytest.approx(spopt_objective(problem, p), rel=1e-9)
        greedy = solve_greedy(problem, p)
        assert greedy.objective <= exact.objective + 1e-9
        assert greedy.objective >= (1 - 1 / np.e) * exact.objective
        assert len(exact.chosen) <= p

    def test_fixed_posts_are_kept_and_match_spopt_predefined(self) -> None:
        frame = demand_frame(4)
        fixed = [frame.loc[frame["risk"].idxmin(), "h3_cell"]]  # a poor spot, kept anyway
        problem = build_problem(frame, radius_m=700, fixed=fixed)
        exact = solve_exact(problem, 3)
        cells = set(problem.candidates[exact.chosen])
        assert set(fixed) <= cells and len(cells) == 4
        predefined = problem.fixed.astype(int)
        assert exact.objective == pytest.approx(spopt_objective(problem, 4, predefined), rel=1e-9)
        assert set(fixed) <= set(problem.candidates[solve_greedy(problem, 3).chosen])

    def test_travel_limit_drops_far_candidates(self) -> None:
        frame = demand_frame(5, rings=8)
        lat, lon = h3.cell_to_latlng(CENTRE)
        problem = build_problem(frame, radius_m=500, bases=[(lat, lon)], max_travel_m=1000)
        xy = _xy(problem.candidates, lat)
        base = _xy([CENTRE], lat)[0]
        assert np.hypot(*(xy - base).T).max() <= 1000 + 1
        assert len(problem.candidates) < (frame["risk"] > 0).sum()

    def test_zero_risk_and_no_teams(self) -> None:
        frame = demand_frame(6).assign(risk=0.0)
        problem = build_problem(frame, radius_m=700)
        assert len(problem.demand) == 0
        assert solve_exact(problem, 3).objective == 0
        assert solve_greedy(build_problem(demand_frame(6), radius_m=700), 0).objective == 0

    def test_bad_radius(self) -> None:
        with pytest.raises(ValueError, match="radius_m was 0"):
            build_problem(demand_frame(1), radius_m=0)


def test_describe_credits_each_cell_once() -> None:
    problem = build_problem(demand_frame(7), radius_m=900)
    solution = solve_exact(problem, 4)
    plan = describe(problem, solution, names={problem.candidates[solution.chosen[0]]: "甲"})
    assert plan.posts["risk_covered"].sum() == pytest.approx(solution.objective)
    assert plan.figures["coverage_share"] == pytest.approx(solution.objective / problem.total_risk)
    assert plan.figures["hot_cells_covered"] <= plan.figures["hot_cells"]
    assert "甲" in set(plan.posts["name"])


@pytest.mark.parametrize("k", [1, 2, 3], ids=lambda k: f"k{k}")
def test_ring_radius_covers_the_k_ring(k: int) -> None:
    ring = sorted(h3.grid_disk(CENTRE, k))
    lat = h3.cell_to_latlng(CENTRE)[0]
    xy = _xy(ring, lat)
    centre = _xy([CENTRE], lat)[0]
    distances = np.hypot(*(xy - centre).T)
    assert distances.max() <= ring_radius_m(k, 9)
    outer = set(h3.grid_disk(CENTRE, k + 1)) - set(ring)
    beyond = np.hypot(*(_xy(sorted(outer), lat) - centre).T)
    assert beyond.min() > ring_radius_m(k, 9) * 0.8


class TestRotation:
    def test_origami_probabilities(self) -> None:
        r = np.array([10.0, 5.0, 2.0, 1.0, 0.0])
        c = coverage_probabilities(r, 2)
        assert c.sum() == pytest.approx(2) and ((c >= 0) & (c <= 1)).all()
        assert (np.diff(c[:4]) <= 1e-12).all() and c[-1] == 0  # follows risk
        covered = c > 0
        exposure = r[covered] * (1 - c[covered])  # the operator's gain where covered
        assert np.ptp(exposure) == pytest.approx(0, abs=1e-6)  # equalised (ORIGAMI)
        assert (r[~covered] <= exposure.max() + 1e-9).all()
        assert coverage_probabilities(r, 10).tolist() == [1, 1, 1, 1, 0]

    def test_systematic_sampling_hits_the_probabilities(self) -> None:
        p = np.array([0.9, 0.6, 0.3, 0.2, 0.0])
        rng = np.random.default_rng(0)
        counts = np.zeros(len(p))
        for _ in range(4000):
            picks = systematic_sample(p, rng)
            assert len(picks) in (1, 2) and len(set(picks)) == len(picks)
            counts[picks] += 1
        np.testing.assert_allclose(counts / 4000, p, atol=0.03)

    def test_schedule_days_teams_and_seed(self) -> None:
        problem = build_problem(demand_frame(8, rings=8), radius_m=600)
        days = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(7)]
        teams = {d: 2 if i < 3 else 4 for i, d in enumerate(days)}
        a = rotation(problem, days, teams, seed=3)
        b = rotation(problem, days, teams, seed=3)
        c = rotation(problem, days, teams, seed=4)
        pd.testing.assert_frame_equal(a.days, b.days)
        assert not a.days.equals(c.days)
        per_day = a.days.groupby("day").size()
        assert per_day.tolist() == [teams[d] for d in days]
        assert 0 < a.expected_coverage <= 1 and not a.warnings
        assert (a.targets["probability"] <= 1).all()

    def test_pinned_posts_warn(self) -> None:
        problem = build_problem(demand_frame(9, rings=8), radius_m=600)
        days = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(5)]
        best = problem.candidates[solve_greedy(problem, 1).chosen[0]]
        schedule = rotation(
            problem, days, dict.fromkeys(days, 2), overrides={d: [best] for d in days}
        )
        assert any("pinned on 5 of 5 days" in w for w in schedule.warnings)
        assert any("same posts every day" in w for w in schedule.warnings)
        assert set(schedule.days["h3_cell"]) == {best}

    def test_pinned_days_report_what_their_posts_cover(self) -> None:
        """Found in review: the figure was the random strategy's, not the pinned posts'."""
        problem = build_problem(demand_frame(9, rings=8), radius_m=600)
        days = [dt.date(2025, 10, 1) + dt.timedelta(days=i) for i in range(3)]
        best = solve_greedy(problem, 1).chosen[0]
        schedule = rotation(
            problem,
            days,
            dict.fromkeys(days, 4),
            overrides={d: [problem.candidates[best]] for d in days},
        )
        one_post = objective(problem, [best]) / problem.total_risk
        assert schedule.expected_coverage == pytest.approx(one_post)


def test_objective_helper() -> None:
    problem = build_problem(demand_frame(10), radius_m=700)
    assert objective(problem, []) == 0
    assert objective(problem, list(range(len(problem.candidates)))) == pytest.approx(
        problem.total_risk
    )


class TestReachAndCandidates:
    def test_covered_cells_is_the_k_ring_within_reach(self) -> None:
        cells = sorted(h3.grid_disk(CENTRE, 4))
        for k in (0, 1, 2):
            reach = covered_cells(cells, [CENTRE], ring_radius_m(k, 9))
            assert set(np.asarray(cells)[reach]) == set(h3.grid_disk(CENTRE, k))
        assert not covered_cells(cells, [], 1000).any()

    def test_centres_give_the_same_answer_and_problem(self) -> None:
        frame = demand_frame(3)
        centres = cell_centres(frame["h3_cell"])
        cells = frame["h3_cell"].tolist()
        plain = covered_cells(cells, cells[:3], 400)
        assert covered_cells(cells, cells[:3], 400, centres=centres).tolist() == plain.tolist()
        a = build_problem(frame, radius_m=600)
        b = build_problem(frame, radius_m=600, centres=centres)
        assert (a.cover != b.cover).nnz == 0 and a.candidates.tolist() == b.candidates.tolist()
        with pytest.raises(KeyError, match="no centre"):
            covered_cells([CENTRE], [CENTRE], 100, centres=centres.iloc[:0])

    def test_candidate_cells_are_the_riskiest_share(self) -> None:
        cells = np.array(list("abcdefghij"), dtype=object)
        risk = np.array([0, 5, 1, 9, 0, 0, 3, 0, 7, 0], dtype=float)
        assert candidate_cells(cells, risk, 0.3).tolist() == ["b", "d", "i"]
        assert candidate_cells(cells, risk, 0.9).tolist() == ["b", "c", "d", "g", "i"]  # no zeros
        assert candidate_cells(cells, np.zeros(10)).tolist() == []


def test_expected_coverage_is_a_lower_bound_exact_without_overlaps() -> None:
    """Found in review: "expected" coverage counts each drawn post for the risk it adds to
    the targets ranked before it, so with overlapping targets it is a lower bound (as the
    docstring now says), and exact when no two targets' reaches overlap."""

    def realised(problem, schedule) -> np.ndarray:
        index = {c: i for i, c in enumerate(problem.candidates)}
        days = schedule.days.groupby("day")["h3_cell"]
        return np.array([objective(problem, [index[c] for c in g]) for _, g in days])

    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(400)]
    for radius, overlapping in ((400, True), (200, False)):
        problem = build_problem(demand_frame(9, rings=4), radius_m=radius)
        schedule = rotation(problem, days, dict.fromkeys(days, 2), seed=1)
        covered = realised(problem, schedule) / problem.total_risk
        added = schedule.days["h3_cell"].map(schedule.targets.set_index("h3_cell")["risk"])
        lower = added.groupby(schedule.days["day"]).sum()
        assert (covered >= lower.to_numpy() / problem.total_risk - 1e-12).all()  # every day
        assert schedule.expected_coverage == pytest.approx(
            lower.mean() / problem.total_risk, abs=0.02
        )  # the draws' share of what they add, as expected
        assert bool(covered.mean() > schedule.expected_coverage + 0.005) == overlapping
