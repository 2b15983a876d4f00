"""Patrol coverage plans: where to put fixed posts and mobile teams, and a daily rotation.

The plan is a maximal covering location problem (MCLP, Church & ReVelle 1974): demand cells
carry the risk of the chosen period (weighted events of that period in H3 cells); a team at
a candidate cell covers every demand cell whose centre lies within the coverage radius;
fixed posts (key areas staffed every day, 定人定岗定责) are always open. Choose ``p`` mobile
posts to maximise the risk covered.

- :func:`solve_greedy` — lazy greedy (CELF); at least 1 − 1/e of the optimum, in practice
  within a few percent, in milliseconds: for interactive what-ifs and as the warm start.
- :func:`solve_exact` — the same problem as a sparse MILP solved to optimality by HiGHS
  (``highspy``), warm-started with the greedy solution.
- :func:`rotation` — a day-by-day schedule for a multi-day period that is hard to predict:
  a mixed strategy whose per-post coverage probabilities follow risk (the zero-sum
  Stackelberg solution of ARMOR/ORIGAMI: equalise the attacker's best expected gain),
  sampled with a seed so that each post is staffed on the planned share of days.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geo.coords import EARTH_M

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


Cells = Sequence[str] | npt.NDArray[np.object_]
_M_PER_DEG: Final = math.radians(1.0) * EARTH_M


def cell_centres(cells: Cells) -> pd.DataFrame:
    """``lat``, ``lon`` of each cell's centre, indexed by cell (a look-up to reuse)."""
    ll = np.array([h3.cell_to_latlng(c) for c in cells], dtype=float).reshape(-1, 2)
    return pd.DataFrame({"lat": ll[:, 0], "lon": ll[:, 1]}, index=pd.Index(cells, dtype=object))


def _xy(cells: Cells, lat0: float, centres: pd.DataFrame | None = None) -> FloatArray:
    """Cell centres in local metres (equirectangular about ``lat0``; < 0.1% error per county).

    ``centres`` (from :func:`cell_centres`) saves recomputing them for many problems.
    """
    if centres is None:
        ll = np.array([h3.cell_to_latlng(c) for c in cells], dtype=float).reshape(-1, 2)
    else:
        idx = centres.index.get_indexer(pd.Index(cells, dtype=object))
        if (idx < 0).any():
            raise KeyError(f"{int((idx < 0).sum())} cells have no centre in `centres`")
        ll = centres[["lat", "lon"]].to_numpy(dtype=float)[idx].reshape(-1, 2)
    east = _M_PER_DEG * math.cos(math.radians(lat0))
    return np.column_stack([ll[:, 1] * east, ll[:, 0] * _M_PER_DEG])


def ring_radius_m(k: int, res: int) -> float:
    """Reach in metres that covers the k-ring around a post's cell (centre to centre)."""
    if k < 0:
        raise ValueError(f"k was {k} but must be >= 0")
    spacing = h3.average_hexagon_edge_length(res, unit="m") * math.sqrt(3)
    return k * spacing * 1.1 + 1.0  # 10% slack: real spacings vary around the average


def covered_cells(
    cells: Cells, posts: Cells, radius_m: float, *, centres: pd.DataFrame | None = None
) -> npt.NDArray[np.bool_]:
    """Which ``cells`` have their centre within ``radius_m`` of a post's centre.

    The geometric reach of a plan over the whole area (empty cells included), as opposed to
    the demand cells of its problem. ``centres`` as for :func:`build_problem`.
    """
    if not len(cells) or not len(posts):
        return np.zeros(len(cells), dtype=bool)
    lat0 = float(np.mean([h3.cell_to_latlng(c)[0] for c in posts]))
    tree = cKDTree(_xy(cells, lat0, centres))
    hits = tree.query_ball_point(_xy(posts, lat0, centres), r=radius_m)
    out = np.zeros(len(cells), dtype=bool)
    out[[i for h in hits for i in h]] = True
    return out


def candidate_cells(
    cells: Cells, risk: npt.ArrayLike, share: float = 0.10
) -> npt.NDArray[np.object_]:
    """Cells worth a post: the riskiest ``share`` of the area, risk above zero.

    Keeps the problem small on a large area whose forecast gives every cell some risk; a
    post outside the riskiest tenth would cover little anyway.
    """
    r = np.asarray(risk, dtype=float)
    order = np.lexsort((np.arange(r.size), -r))[: max(1, math.ceil(share * r.size))]
    order = order[r[order] > 0]
    return np.asarray(cells, dtype=object)[np.sort(order)]


@dataclass(frozen=True)
class CoverageProblem:
    """An MCLP instance: demand cells with risk, candidate posts, who covers whom.

    ``cover`` is a sparse (demand × candidate) 0/1 matrix; ``fixed`` marks candidates that are
    always staffed. ``hot`` marks demand cells that are significant Gi* hot spots.
    """

    demand: npt.NDArray[np.object_]
    risk: FloatArray
    hot: npt.NDArray[np.bool_]
    candidates: npt.NDArray[np.object_]
    cover: sparse.csc_array
    fixed: npt.NDArray[np.bool_]
    radius_m: float

    @property
    def total_risk(self) -> float:
        """Risk of all demand cells."""
        return float(self.risk.sum())


def build_problem(
    demand: pd.DataFrame,
    *,
    radius_m: float,
    candidates: Sequence[str] | None = None,
    fixed: Sequence[str] = (),
    bases: Sequence[tuple[float, float]] = (),
    max_travel_m: float | None = None,
    centres: pd.DataFrame | None = None,
) -> CoverageProblem:
    """Build the coverage problem from a risk surface.

    Parameters
    ----------
    demand : DataFrame
        ``h3_cell``, ``risk`` (>= 0) and optionally ``hot`` (bool) — one row per cell.
        Cells with zero risk are dropped (they cannot change the objective).
    radius_m : float
        How far one team reaches (metres, between cell centres).
    candidates : sequence of str, optional
        Cells where a mobile team may stand; default: every demand cell.
    fixed : sequence of str
        Cells of fixed posts (always staffed); added to the candidates.
    bases, max_travel_m :
        Optional travel limit: mobile candidates farther than ``max_travel_m`` from every
        base (lat, lon) are dropped. Fixed posts are kept regardless.
    centres : DataFrame, optional
        Cell centres from :func:`cell_centres` covering every demand and candidate cell,
        to skip recomputing them when many problems share an area.

    Returns
    -------
    CoverageProblem
    """
    if radius_m <= 0:
        raise ValueError(f"radius_m was {radius_m} but must be > 0")
    frame = demand[demand["risk"] > 0].reset_index(drop=True)
    cells = frame["h3_cell"].to_numpy(dtype=object)
    risk = frame["risk"].to_numpy(dtype=float)
    hot = frame["hot"].to_numpy(dtype=bool) if "hot" in frame else np.zeros(len(frame), bool)
    mobile = list(dict.fromkeys(candidates if candidates is not None else cells))
    fixed_cells = list(dict.fromkeys(fixed))
    all_cells = np.array(list(dict.fromkeys([*fixed_cells, *mobile])), dtype=object)
    is_fixed = np.isin(all_cells, fixed_cells)
    lat0 = float(_xy(all_cells, 0.0, centres)[:, 1].mean() / _M_PER_DEG) if len(all_cells) else 0.0
    if max_travel_m is not None and bases and len(all_cells):
        cand_xy = _xy(all_cells, lat0, centres)
        base_cells = [
            h3.latlng_to_cell(lat, lon, h3.get_resolution(all_cells[0])) for lat, lon in bases
        ]
        near = cKDTree(_xy(base_cells, lat0)).query(cand_xy)[0] <= max_travel_m
        keep = near | is_fixed
        all_cells, is_fixed = all_cells[keep], is_fixed[keep]
    if len(cells) and len(all_cells):
        tree = cKDTree(_xy(cells, lat0, centres))
        hits = tree.query_ball_point(_xy(all_cells, lat0, centres), r=radius_m)
        rows = np.fromiter((i for h in hits for i in h), dtype=np.int64)
        cols = np.repeat(np.arange(len(all_cells)), [len(h) for h in hits])
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
    cover = sparse.csc_array((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(all_cells)))
    return CoverageProblem(cells, risk, hot, all_cells, cover, is_fixed, float(radius_m))


@dataclass
class Solution:
    """Chosen candidates (indices into ``problem.candidates``), objective and how it was found."""

    chosen: IntArray
    objective: float
    method: str
    seconds: float
    optimal: bool = False
    status: str = ""
    gap: float = float("nan")


def _covered(
    problem: CoverageProblem, chosen: Sequence[int] | npt.NDArray[np.integer]
) -> npt.NDArray[np.bool_]:
    if len(chosen) == 0:
        return np.zeros(len(problem.demand), dtype=bool)
    return np.asarray(problem.cover[:, list(chosen)].sum(axis=1)).ravel() > 0


def objective(problem: CoverageProblem, chosen: Sequence[int] | npt.NDArray[np.integer]) -> float:
    """Risk covered by the candidates ``chosen`` (fixed posts are not implied)."""
    return float(problem.risk[_covered(problem, chosen)].sum())


def solve_greedy(problem: CoverageProblem, p: int) -> Solution:
    """Fixed posts plus ``p`` mobile posts chosen by lazy greedy (CELF)."""
    t0 = time.perf_counter()
    fixed = np.flatnonzero(problem.fixed)
    covered = _covered(problem, fixed)
    cover = problem.cover
    indptr, indices = cover.indptr, cover.indices
    risk = problem.risk

    def gain(j: int) -> float:
        rows = indices[indptr[j] : indptr[j + 1]]
        return float(risk[rows][~covered[rows]].sum())

    heap = [(-gain(j), j) for j in np.flatnonzero(~problem.fixed).tolist()]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and len(chosen) < p:
        neg, j = heapq.heappop(heap)
        fresh = gain(j)
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, j))  # stale: re-queue with its true gain
            continue
        if fresh <= 0 and chosen:
            break  # nothing left to cover
        chosen.append(j)
        covered[indices[indptr[j] : indptr[j + 1]]] = True
    picked = np.array([*fixed.tolist(), *chosen], dtype=np.int64)
    return Solution(picked, objective(problem, picked), "greedy", time.perf_counter() - t0)


def _milp(sub: sparse.csc_array, r: np.ndarray, p: int) -> Any:
    """HiGHS model of the MCLP: x_j (posts) then y_i (covered demand), at most ``p`` posts."""
    import highspy

    n, m = sub.shape
    # columns x_0..x_{m-1}, y_0..y_{n-1}; rows: y_i - sum_j a_ij x_j <= 0, then sum_j x_j <= p
    a = sparse.bmat(
        [[-sub, sparse.identity(n, format="csc")], [sparse.csc_array(np.ones((1, m))), None]],
        format="csc",
    )
    lp = highspy.HighsLp()
    lp.num_col_ = m + n
    lp.num_row_ = n + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(m), r])
    lp.col_lower_ = np.zeros(m + n)
    lp.col_upper_ = np.ones(m + n)
    lp.row_lower_ = np.full(n + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(n), [float(min(p, m))]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * n
    return lp


def solve_exact(
    problem: CoverageProblem,
    p: int,
    *,
    warm: Solution | None = None,
    time_limit: float = 120.0,
    mip_rel_gap: float = 0.0,
) -> Solution:
    """Optimal fixed + ``p`` mobile posts: the MCLP as a sparse MILP solved by HiGHS.

    max Σ r_i y_i  s.t.  y_i ≤ Σ_j a_ij x_j,  Σ_{j mobile} x_j ≤ p,  x_j ∈ {0,1},
    0 ≤ y_i ≤ 1, x_j = 1 for fixed posts. Demand already covered by fixed posts or out of
    every mobile candidate's reach, and candidates that cover nothing else, are removed
    before solving.
    """
    import highspy

    t0 = time.perf_counter()
    warm = warm or solve_greedy(problem, p)
    fixed = np.flatnonzero(problem.fixed)
    base_cov = _covered(problem, fixed)
    base = float(problem.risk[base_cov].sum())
    mobile = np.flatnonzero(~problem.fixed)
    reachable = np.asarray(problem.cover[:, mobile].sum(axis=1)).ravel() > 0
    rows_open = np.flatnonzero(~base_cov & reachable)  # demand no post could reach is moot
    sub = problem.cover[rows_open][:, mobile].tocsc()
    useful = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sub[:, useful].tocsc()
    cand = mobile[useful]
    n, m = sub.shape
    if m == 0 or n == 0 or p == 0:
        return Solution(fixed, base, "exact", time.perf_counter() - t0, True, "trivial", 0.0)
    lp = _milp(sub, problem.risk[rows_open], p)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    # warm start from the greedy posts
    x0 = np.isin(cand, warm.chosen).astype(float)
    y0 = np.minimum(1.0, np.asarray(sub @ x0).ravel())
    start = highspy.HighsSolution()
    start.col_value = list(np.concatenate([x0, y0]))
    h.setSolution(start)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    values = np.asarray(h.getSolution().col_value[:m])
    chosen = np.array([*fixed.tolist(), *cand[values > 0.5].tolist()], dtype=np.int64)
    info = h.getInfo()
    obj = objective(problem, chosen)
    if obj < warm.objective:  # a time limit can stop HiGHS short: never return worse
        chosen, obj = warm.chosen, warm.objective
    return Solution(
        chosen,
        obj,
        "exact",
        time.perf_counter() - t0,
        status == "Optimal",
        status,
        float(getattr(info, "mip_gap", float("nan"))),
    )


# ---------------------------------------------------------------- plans


@dataclass
class Plan:
    """Posts of one plan with what each covers, and the plan's coverage figures."""

    posts: pd.DataFrame
    figures: dict[str, float]
    solution: Solution


def describe(
    problem: CoverageProblem,
    solution: Solution,
    *,
    names: Mapping[str, str] | None = None,
) -> Plan:
    """Posts (fixed first, then mobile by risk covered) and coverage figures.

    Each covered demand cell is credited to the first post (in this order) that reaches it,
    so ``risk_covered`` sums to the plan's objective.
    """
    names = names or {}
    order = sorted(
        solution.chosen.tolist(),
        key=lambda j: (not problem.fixed[j], -problem.risk[problem.cover[:, [j]].indices].sum()),
    )
    covered = np.zeros(len(problem.demand), dtype=bool)
    rows = []
    for rank, j in enumerate(order, start=1):
        cells = problem.cover[:, [j]].indices
        new = cells[~covered[cells]]
        covered[new] = True
        cell = problem.candidates[j]
        lat, lon = h3.cell_to_latlng(cell)
        rows.append(
            {
                "post": rank,
                "kind": "fixed" if problem.fixed[j] else "mobile",
                "h3_cell": cell,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "name": names.get(cell, ""),
                "risk_covered": float(problem.risk[new].sum()),
                "hot_cells_covered": int(problem.hot[new].sum()),
            }
        )
    posts = pd.DataFrame(
        rows,
        columns=[
            "post",
            "kind",
            "h3_cell",
            "lat",
            "lon",
            "name",
            "risk_covered",
            "hot_cells_covered",
        ],
    )
    total = problem.total_risk
    hot_total = int(problem.hot.sum())
    figures = {
        "risk_total": total,
        "risk_covered": float(problem.risk[covered].sum()),
        "coverage_share": float(problem.risk[covered].sum() / total) if total else 0.0,
        "hot_cells": hot_total,
        "hot_cells_covered": int(problem.hot[covered].sum()),
        "posts": len(order),
        "fixed_posts": int(problem.fixed[order].sum()) if order else 0,
    }
    return Plan(posts, figures, solution)


# ---------------------------------------------------------------- rotation


def coverage_probabilities(values: npt.ArrayLike, teams: float) -> FloatArray:
    """Per-target coverage probabilities c (0..1, Σc = teams) that follow risk.

    The zero-sum Stackelberg (ORIGAMI) solution: an operator who watches the patrols and
    goes where r_j (1 − c_j) is largest gains the least when c_j = max(0, 1 − τ / r_j), with
    τ set so that the coverage sums to the teams available. Higher risk → covered more
    often; every target with risk above τ keeps some chance of a visit.
    """
    r = np.asarray(values, dtype=float)
    if teams <= 0 or r.size == 0 or not (r > 0).any():
        return np.zeros(r.size)
    if teams >= (r > 0).sum():
        return (r > 0).astype(float)

    positive = r > 0
    safe = np.where(positive, r, 1.0)

    def coverage(tau: float) -> FloatArray:
        return np.where(positive, np.clip(1 - tau / safe, 0, 1), 0.0)

    def total(tau: float) -> float:
        return float(coverage(tau).sum())

    lo, hi = 0.0, float(r.max())
    for _ in range(100):  # bisection on tau: total() is decreasing in tau
        mid = (lo + hi) / 2
        if total(mid) > teams:
            lo = mid
        else:
            hi = mid
    return coverage(hi)


def systematic_sample(probabilities: npt.ArrayLike, rng: np.random.Generator) -> IntArray:
    """Indices drawn so that index j is included with exactly probability ``probabilities[j]``.

    Madow's systematic sampling over a random order; the sample size is Σp (rounded).
    """
    prob = np.asarray(probabilities, dtype=float)
    order = rng.permutation(prob.size)
    cum = np.concatenate([[0.0], np.cumsum(prob[order])])
    u = rng.random()
    points = u + np.arange(int(math.floor(cum[-1] - u + 1e-9)) + 1)
    picks = np.searchsorted(cum, points, side="right") - 1
    picks = picks[(picks >= 0) & (picks < prob.size)]
    return np.unique(order[picks])


@dataclass
class Schedule:
    """A day-by-day rotation: one row per (day, post), plus per-target probabilities.

    ``expected_coverage`` is a lower bound of the expected daily share of risk covered
    (exact without overlapping targets; see :func:`rotation`).
    """

    days: pd.DataFrame
    targets: pd.DataFrame
    expected_coverage: float
    warnings: list[str] = field(default_factory=list)


def _targets(problem: CoverageProblem, k: int) -> tuple[list[int], list[int], np.ndarray]:
    """The best ``k`` posts in greedy order: fixed, mobile, and each mobile post's added risk."""
    ranked = solve_greedy(problem, k)
    fixed = [j for j in ranked.chosen if problem.fixed[j]]
    mobile = [j for j in ranked.chosen if not problem.fixed[j]]
    covered = _covered(problem, fixed)
    value = []
    for j in mobile:  # marginal risk in greedy order
        cells = problem.cover[:, [j]].indices
        value.append(float(problem.risk[cells][~covered[cells]].sum()))
        covered[cells] = True
    return fixed, mobile, np.array(value)


def _post_row(
    problem: CoverageProblem, j: int, day: dt.date, names: Mapping[str, str]
) -> dict[str, object]:
    """One staffed post of one day, as a schedule row."""
    cell = problem.candidates[j]
    lat, lon = h3.cell_to_latlng(cell)
    return {
        "day": day,
        "kind": "fixed" if problem.fixed[j] else "mobile",
        "h3_cell": cell,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "name": names.get(cell, ""),
        "risk_covered": float(problem.risk[problem.cover[:, [j]].indices].sum()),
    }


def _predictable(
    cells: Sequence[str],
    days: Sequence[dt.date],
    overrides: Mapping[dt.date, Sequence[str]],
    names: Mapping[str, str],
) -> list[str]:
    """Warnings where the commander's pinned posts make the schedule predictable."""
    n_days = len(days)
    if n_days < 3:
        return []
    warnings = []
    for cell in cells:
        pinned = sum(cell in set(overrides.get(d, ())) for d in days)
        if pinned >= 0.9 * n_days:
            warnings.append(
                f"post {names.get(cell, cell)} is pinned on {pinned} of {n_days} "
                f"days: operators can learn it; let the rotation vary it or make it a "
                f"fixed post"
            )
    sets = [frozenset(overrides[d]) for d in days if d in overrides]
    if len(sets) >= 3 and len(set(sets)) == 1:
        warnings.append("the overrides give the same posts every day: the schedule is predictable")
    return warnings


def rotation(
    problem: CoverageProblem,
    days: Sequence[dt.date],
    teams_by_day: Mapping[dt.date, int],
    *,
    seed: int = 0,
    n_targets: int | None = None,
    overrides: Mapping[dt.date, Sequence[str]] | None = None,
    names: Mapping[str, str] | Callable[[list[str]], Mapping[str, str]] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Schedule:
    """A randomised day-by-day schedule of mobile posts over ``days``.

    Targets are the best ``n_targets`` posts (greedy order, so they overlap little; default 3×
    the largest daily team count), each valued by the risk it alone adds. Each day staffs
    ``teams_by_day[day]`` of them with ORIGAMI coverage probabilities, sampled
    systematically with ``seed``; fixed posts are staffed every day. ``overrides`` pins a
    day's posts by cell (the commander's choice) and is checked for predictability.

    Parameters
    ----------
    problem : CoverageProblem
        Demand cells with their risk, candidate posts and who covers whom
        (:func:`build_problem`); its fixed posts are staffed every day.
    days : sequence of date
        The days to schedule, in the order the rows are wanted.
    teams_by_day : mapping of date to int
        Mobile teams on each day; a day missing from it gets none (fixed posts only).
    seed : int, default 0
        Seed of the draws: the same seed and inputs give the same schedule.
    n_targets : int, optional
        Candidate posts the rotation draws from; default 3× the largest daily team count
        (at least 1). Fewer are used when the rest would cover no risk not yet covered.
    overrides : mapping of date to sequence of str, optional
        Mobile posts (cells) pinned on a day, replacing that day's draw whatever its team
        count; cells that are not targets are left out with a warning.
    names : mapping of str to str, or callable, optional
        Place name of a post's cell, shown in the rows; or a function that names the target
        cells it is given (so that only the targets are named).
    progress : callable, optional
        Called with the share of days done after each day.

    Returns
    -------
    Schedule
        ``days``: one row per staffed post and day (``day, kind, h3_cell, lat, lon, name,
        risk_covered``; ``risk_covered`` is all risk within the post's reach, overlaps with
        other posts included). ``targets``: one row per target post: ``h3_cell``, ``name``,
        ``risk`` (what it adds to the targets ranked before it), ``probability`` (of being
        staffed on a day with the most teams) and ``days_staffed``. ``expected_coverage``:
        mean share of the problem's risk covered per day, a lower bound of its expectation
        over the draws: each drawn post is counted for the risk it adds to the targets
        ranked before it (``targets.risk``), times its probability, plus the fixed posts'.
        A post drawn without an overlapping one ranked before it covers more than that, so
        the bound is exact when the targets' reaches do not overlap (greedy targets overlap
        little) and otherwise short by the overlaps. For a pinned day, exactly what its
        posts cover. ``warnings``: unknown pinned posts and predictable pinning.

    Examples
    --------
    Two teams a day for a week over 19 cells of equal risk, each post reaching the cells
    around it:

    >>> import datetime as dt
    >>> import h3
    >>> import pandas as pd
    >>> centre = h3.latlng_to_cell(30.93, 108.69, 9)
    >>> demand = pd.DataFrame({"h3_cell": sorted(h3.grid_disk(centre, 2)), "risk": 1.0})
    >>> problem = build_problem(demand, radius_m=400)
    >>> days = [dt.date(2024, 5, 1) + dt.timedelta(days=i) for i in range(7)]
    >>> schedule = rotation(problem, days, dict.fromkeys(days, 2), seed=0)
    >>> schedule.days.groupby("day").size().tolist()
    [2, 2, 2, 2, 2, 2, 2]
    >>> schedule.targets["risk"].tolist()
    [7.0, 6.0, 3.0, 3.0]
    """
    overrides = overrides or {}
    rng = np.random.default_rng(seed)
    most = max(teams_by_day.values(), default=0)
    k = n_targets or max(1, 3 * most)
    fixed, mobile, value_a = _targets(problem, k)
    if callable(names):
        names = names([str(c) for c in problem.candidates[fixed + mobile]])
    names = names or {}
    total = problem.total_risk or 1.0
    base = objective(problem, fixed)
    cell_of = problem.candidates
    rows = []
    staffed = np.zeros(len(mobile))
    expected = []
    warnings: list[str] = []
    for d_i, day in enumerate(days):
        teams = int(teams_by_day.get(day, 0))
        probs = coverage_probabilities(value_a, teams)
        if day in overrides:
            wanted = set(overrides[day])
            picks = np.array([i for i, j in enumerate(mobile) if cell_of[j] in wanted], dtype=int)
            unknown = wanted - {cell_of[j] for j in mobile}
            if unknown:
                warnings.append(
                    f"{day}: {len(unknown)} overridden post(s) are not among the "
                    f"candidate posts and were left out"
                )
        else:
            picks = systematic_sample(probs, rng) if teams else np.zeros(0, dtype=int)
        staffed[picks] += 1
        chosen = [*fixed, *[mobile[i] for i in picks]]
        # a pinned day covers what its posts cover, not what the random strategy would
        fixed_day = day in overrides
        # a drawn day: Σ p·(risk added in greedy order), a lower bound (see Returns)
        expected.append(objective(problem, chosen) if fixed_day else base + float(probs @ value_a))
        rows += [_post_row(problem, j, day, names) for j in chosen]
        if progress:
            progress((d_i + 1) / max(len(days), 1))
    targets = pd.DataFrame(
        {
            "h3_cell": [cell_of[j] for j in mobile],
            "name": [names.get(cell_of[j], "") for j in mobile],
            "risk": value_a,
            "probability": coverage_probabilities(value_a, most) if most else np.zeros(len(mobile)),
            "days_staffed": staffed.astype(int),
        }
    )
    warnings += _predictable([cell_of[j] for j in mobile], days, overrides, names)
    share = float(np.mean(expected) / total) if expected else 0.0
    frame = pd.DataFrame(
        rows, columns=["day", "kind", "h3_cell", "lat", "lon", "name", "risk_covered"]
    )
    return Schedule(frame, targets, share, warnings)
