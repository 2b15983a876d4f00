"""Next-period cell risk: several forecasting methods on monthly H3 counts.

Every method sees only the history before the month it forecasts. Inputs are a count
matrix (cells × months, oldest first) from :func:`monthly_counts`, the cells' k-ring
weights, and for the near-repeat term the event times of the last weeks.

Methods (all parameters fixed a priori, none tuned on a test month):

- ``last`` — last month's counts (the baseline a commander already has).
- ``window12`` — counts of the last 12 months (what the patrol plans use as risk).
- ``ewma`` — exponentially weighted history, monthly decay 0.8 (half-life ~3 months).
- ``kde`` — ``ewma`` smoothed over the k-ring: the cell itself 1, first ring 0.5, second 0.25.
- ``gistar`` — Gi* z of the last 3 months' counts (hot places rank first).
- ``near_repeat`` — self-exciting term: each event of the last 28 days adds
  exp(−age/7 days) to its cell and half that to its ring-1 neighbours.
- ``default`` — not a formula but a choice: at each forecast origin, the base method with
  the best mean PAI at 5% of the area over the (up to) three preceding backtest months — all
  of which lie before the origin — and ``ewma`` before there is any such month. So the
  default adapts to the data (fine-grained city crime favours long-run history, sparse rural
  data may favour smoothing) without ever looking at the month it forecasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from geo.hotspots import StudyArea, gi_star, neighbour_matrix

FloatArray = npt.NDArray[np.float64]

BASE_METHODS: Final = ("last", "window12", "ewma", "kde", "gistar", "near_repeat")
METHODS: Final = ("default", *BASE_METHODS)
PRIOR_METHOD: Final = "ewma"
SELECTION_SHARE: Final = 0.05
SELECTION_MONTHS: Final = 3


@dataclass(frozen=True)
class History:
    """Monthly counts of a study area and the recent events, for one forecast origin.

    ``counts[:, -1]`` is the last full month before the forecast month. ``recent_cells`` /
    ``recent_age_days`` describe events of the last 28 days before the origin.
    """

    counts: FloatArray
    ring1: sparse.csr_array
    ring2: sparse.csr_array
    recent_pos: npt.NDArray[np.int64]
    recent_age_days: FloatArray


def _ring(area: StudyArea, k: int) -> sparse.csr_array:
    """Binary matrix of cells exactly k rings apart (k = 1, 2)."""
    inner = (
        neighbour_matrix(area.cells, k - 1)
        if k > 1
        else sparse.identity(len(area.cells), format="csr")
    )
    outer = neighbour_matrix(area.cells, k)
    ring = (outer - inner).tocsr()
    ring.data = np.clip(ring.data, 0, 1)
    ring.eliminate_zeros()
    return sparse.csr_array(ring)


def rings(area: StudyArea) -> tuple[sparse.csr_array, sparse.csr_array]:
    """First- and second-ring neighbour matrices of the study area (self excluded)."""
    return _ring(area, 1), _ring(area, 2)


def monthly_counts(
    positions: npt.ArrayLike, months: npt.ArrayLike, n_cells: int, n_months: int
) -> FloatArray:
    """Counts matrix (cells × months) from each event's cell position and month index."""
    pos = np.asarray(positions, dtype=np.int64)
    mon = np.asarray(months, dtype=np.int64)
    keep = (pos >= 0) & (mon >= 0) & (mon < n_months)
    flat = pos[keep] * n_months + mon[keep]
    return np.bincount(flat, minlength=n_cells * n_months).reshape(n_cells, n_months).astype(float)


def _ewma(counts: FloatArray, decay: float = 0.8) -> FloatArray:
    t = counts.shape[1]
    weights = decay ** np.arange(t - 1, -1, -1, dtype=float)
    return counts @ weights


def _kde(h: History) -> FloatArray:
    base = _ewma(h.counts)
    return base + 0.5 * (h.ring1 @ base) + 0.25 * (h.ring2 @ base)


def _near_repeat(h: History) -> FloatArray:
    n = h.counts.shape[0]
    own = np.bincount(h.recent_pos, weights=np.exp(-h.recent_age_days / 7.0), minlength=n)
    return own + 0.5 * (h.ring1 @ own)


def _gistar(h: History) -> FloatArray:
    recent = h.counts[:, -3:].sum(axis=1)
    weights = neighbour_matrix_from_rings(h)
    z, _ = gi_star(recent, weights)
    return z


def neighbour_matrix_from_rings(h: History) -> sparse.csr_array:
    """Binary k=1 weights with self (for Gi*) rebuilt from the ring-1 matrix."""
    n = h.counts.shape[0]
    return sparse.csr_array(h.ring1 + sparse.identity(n, format="csr"))


FORECASTERS: Final[dict[str, Callable[[History], FloatArray]]] = {
    "last": lambda h: h.counts[:, -1].copy(),
    "window12": lambda h: h.counts[:, -12:].sum(axis=1),
    "ewma": lambda h: _ewma(h.counts),
    "kde": _kde,
    "gistar": _gistar,
    "near_repeat": _near_repeat,
}


def forecast(history: History, method: str = PRIOR_METHOD) -> FloatArray:
    """Risk score of every cell for the month after ``history`` (higher = riskier).

    ``method`` is one of :data:`BASE_METHODS`; ``default`` is resolved by
    :func:`choose_method` from past backtest results first.
    """
    if method not in FORECASTERS:
        raise ValueError(f"method was {method!r} but is expected to be in {BASE_METHODS}")
    return FORECASTERS[method](history)


def choose_method(past: pd.DataFrame) -> str:
    """The ``default`` method: best mean PAI at 5% over the last three backtest months.

    ``past`` holds backtest rows (``method, month, area_share, pai``) of months that all lie
    before the forecast origin; with none, the a-priori :data:`PRIOR_METHOD`.
    """
    rows = past[(past["area_share"] == SELECTION_SHARE) & past["method"].isin(BASE_METHODS)]
    if rows.empty:
        return PRIOR_METHOD
    months = sorted(rows["month"].unique())[-SELECTION_MONTHS:]
    score = rows[rows["month"].isin(months)].groupby("method")["pai"].mean()
    best = score.max()
    for method in BASE_METHODS:  # ties: the first listed (simplest) wins
        if method in score and score[method] == best:
            return method
    return PRIOR_METHOD


def flag_top(scores: npt.ArrayLike, n: int) -> npt.NDArray[np.int64]:
    """Indices of the ``n`` highest scores; ties broken by index (deterministic)."""
    s = np.asarray(scores, dtype=float)
    order = np.lexsort((np.arange(s.size), -s))
    return order[: max(0, min(n, s.size))]


def month_index(times: pd.Series) -> tuple[npt.NDArray[np.int64], pd.PeriodIndex]:
    """Month number of each (local) time from the first month, and the months themselves."""
    local = times.dt.tz_localize(None) if times.dt.tz is not None else times
    periods = local.dt.to_period("M")
    months = pd.period_range(periods.min(), periods.max(), freq="M")
    idx = (periods - months[0]).map(lambda off: off.n).to_numpy(dtype=np.int64)
    return idx, months
