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
- ``default`` — a weighted blend of all of the above (:mod:`geo.ensemble`), with weights
  learned from the months before the origin only.

:class:`MonthlySeries` holds one study area's events by month and builds the
:class:`History` of any forecast origin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from geo.cells import points_to_cells
from geo.hotspots import StudyArea, gi_star, neighbour_matrix

FloatArray = npt.NDArray[np.float64]

BASE_METHODS: Final = ("last", "window12", "ewma", "kde", "gistar", "near_repeat")
METHODS: Final = ("default", *BASE_METHODS)
NEAR_REPEAT_DAYS: Final = 28


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


def rings(area: StudyArea) -> tuple[sparse.csr_array, sparse.csr_array]:
    """First- and second-ring neighbour matrices of the study area (self excluded).

    The second ring comes from squaring the first (grid distance is path length on the H3
    grid), so only one ``grid_disk`` pass is needed — none when ``area.k`` is 1.
    """
    n = len(area.cells)
    eye = sparse.identity(n, format="csr")
    disk1 = area.weights if area.k == 1 else neighbour_matrix(area.cells, 1)
    disk1 = sparse.csr_array((disk1 != 0).astype(float))
    disk2 = sparse.csr_array(((disk1 @ disk1) != 0).astype(float))
    ring1 = sparse.csr_array(disk1 - eye)
    ring2 = sparse.csr_array(disk2 - disk1)
    for ring in (ring1, ring2):
        ring.eliminate_zeros()
    return ring1, ring2


def monthly_counts(
    positions: npt.ArrayLike,
    months: npt.ArrayLike,
    n_cells: int,
    n_months: int,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Counts matrix (cells × months) from each event's cell position and month index.

    With ``weights`` (one per event) the matrix holds weighted counts.
    """
    pos = np.asarray(positions, dtype=np.int64)
    mon = np.asarray(months, dtype=np.int64)
    keep = (pos >= 0) & (mon >= 0) & (mon < n_months)
    flat = pos[keep] * n_months + mon[keep]
    w = None if weights is None else np.asarray(weights, dtype=float)[keep]
    size = n_cells * n_months
    return np.bincount(flat, weights=w, minlength=size).reshape(n_cells, n_months).astype(float)


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


def forecast(history: History, method: str = "ewma") -> FloatArray:
    """Risk score of every cell for the month after ``history`` (higher = riskier).

    ``method`` is one of :data:`BASE_METHODS`; the ``default`` blend needs past months and
    lives in :mod:`geo.ensemble`.
    """
    if method not in FORECASTERS:
        raise ValueError(f"method was {method!r} but is expected to be in {BASE_METHODS}")
    return FORECASTERS[method](history)


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


def _local(times: pd.Series) -> pd.Series:
    """Wall-clock times without a zone (months are local calendar months)."""
    return times.dt.tz_localize(None) if times.dt.tz is not None else times


@dataclass(frozen=True)
class MonthlySeries:
    """One study area's events by month: what every rolling forecast starts from.

    ``counts`` (cells × months) are weighted by record kind when weights were given — what a
    forecast learns from; ``events`` are plain event counts — what a forecast is scored on.
    Month ``t`` is ``months[t]``; the origin of a forecast of month ``t`` is its first
    instant, and ``t == len(months)`` is the month after the data.
    """

    cells: npt.NDArray[np.object_]
    months: pd.PeriodIndex
    counts: FloatArray
    events: FloatArray
    ring1: sparse.csr_array
    ring2: sparse.csr_array
    positions: npt.NDArray[np.int64]
    times: npt.NDArray[np.datetime64]

    @classmethod
    def from_events(
        cls,
        events: pd.DataFrame,
        area: StudyArea,
        *,
        weights: Mapping[str, float] | None = None,
        last_month: str | pd.Period | None = None,
    ) -> MonthlySeries:
        """Monthly counts of ``events`` on ``area`` (widened by any event cell it lacks).

        Parameters
        ----------
        events : DataFrame
            ``lat``, ``lon``, ``occurred_at`` (a ``cell_<res>`` column is reused) and, with
            ``weights``, ``kind``.
        area : StudyArea
            The cells to forecast (empty ones included).
        weights : mapping of str to float, optional
            Weight of each record kind (e.g. a case 1, a tip 0.5) in ``counts``.
        last_month : str or Period, optional
            Extend the months to here (e.g. the data set's last month when the period's own
            events stop earlier), so the next month is the month after it.

        Returns
        -------
        MonthlySeries
        """
        if events.empty:
            raise ValueError("no events: a forecast needs at least one month of history")
        key = f"cell_{area.res}"
        cells = (
            events[key].to_numpy(dtype=object)
            if key in events.columns
            else points_to_cells(events["lat"], events["lon"], area.res)
        )
        area = area.including(cells)
        local = _local(events["occurred_at"])
        ym = (local.dt.year * 12 + local.dt.month - 1).to_numpy(dtype=np.int64)
        first = pd.Period(year=int(ym.min()) // 12, month=int(ym.min()) % 12 + 1, freq="M")
        last = first + int(ym.max() - ym.min())
        if last_month is not None:
            last = max(last, pd.Period(last_month, freq="M"))
        months = pd.period_range(first, last, freq="M")
        pos = area.index.get_indexer(cells).astype(np.int64)
        mon = ym - ym.min()
        w = None
        if weights is not None:
            w = events["kind"].map(dict(weights)).fillna(0.0).to_numpy(dtype=float)
        n, m = len(area.cells), len(months)
        ring1, ring2 = rings(area)
        return cls(
            area.cells,
            months,
            monthly_counts(pos, mon, n, m, w),
            monthly_counts(pos, mon, n, m),
            ring1,
            ring2,
            pos,
            local.to_numpy(dtype="datetime64[ns]"),
        )

    def origin(self, t: int) -> np.datetime64:
        """First instant of month ``t`` (local time)."""
        return np.datetime64((self.months[0] + t).start_time, "ns")

    def history(self, t: int) -> History:
        """What a forecast of month ``t`` may see: the months before it, the last 28 days."""
        origin = self.origin(t)
        window = np.timedelta64(NEAR_REPEAT_DAYS, "D")
        recent = (self.times < origin) & (self.times >= origin - window)
        age = (origin - self.times[recent]) / np.timedelta64(1, "D")
        return History(
            self.counts[:, :t], self.ring1, self.ring2, self.positions[recent], age.astype(float)
        )

    def surfaces(self, t: int) -> FloatArray:
        """Every base method's forecast of month ``t`` (methods × cells)."""
        history = self.history(t)
        return np.vstack([forecast(history, method) for method in BASE_METHODS])
