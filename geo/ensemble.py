"""The default forecast: a blend of every base method, weighted by how well each did before.

At a forecast origin (the first instant of month ``t``) every base method of
:mod:`geo.forecast` makes a risk surface from the months before ``t``. The default is

    b = Σ_m w_m · log(1 + s_m / mean(s_m))

— each surface scaled by its own mean and log-compressed, so a sparse surface (last
month's counts) and a smooth one (kernel density) speak on the same scale and a small
weight only reorders cells that are close.

The weights come from the months before ``t`` only (at most :data:`WINDOW` of them): each
past month ``T`` was forecast from the months before ``T`` and scored by the hit rate of
the top :data:`SHARE` of the area. ``p_m`` is the share of :data:`DRAWS` bootstrap
resamplings of those months in which method ``m`` has the best mean hit rate (ties share);
the weights shrink that toward equal weights, the more so the fewer months there are:

    w = (1 − λ) p + λ / M,   λ = SHRINK / (SHRINK + months)

Bagging the choice of the best method removes most of the noise of picking one winner
(Breiman 1996), and methods that are as good as the best share its weight. With no past
month the weights are equal.

:func:`calibrate` turns the blend into expected (weighted) events per cell — an
isotonic (monotone) regression of the past months' counts on their forecasts' scores — so
patrol plans can add risk up; the order of the cells, and so every hit rate, stays that
of ``b``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.optimize import isotonic_regression

from geo.forecast import BASE_METHODS, MonthlySeries, flag_top

FloatArray = npt.NDArray[np.float64]

SHARE: Final = 0.05
WINDOW: Final = 24
DRAWS: Final = 200
SHRINK: Final = 0.5
SEED: Final = 0


def normalise(surface: npt.ArrayLike) -> FloatArray:
    """``log(1 + s / mean(s))`` of a risk surface, negative values counted as 0."""
    s = np.clip(np.asarray(surface, dtype=float), 0.0, None)
    mean = s.mean() if s.size else 0.0
    return np.log1p(s / mean) if mean > 0 else np.zeros(s.size)


def blend(surfaces: npt.ArrayLike, weights: npt.ArrayLike) -> FloatArray:
    """The weighted sum of the normalised surfaces (methods × cells) → one score per cell."""
    rows = np.atleast_2d(np.asarray(surfaces, dtype=float))
    w = np.asarray(weights, dtype=float)
    if w.shape != (rows.shape[0],):
        raise ValueError(f"{w.size} weights for {rows.shape[0]} surfaces")
    return np.asarray(w @ np.vstack([normalise(r) for r in rows]), dtype=float)


def hit_rate(scores: npt.ArrayLike, actual: npt.ArrayLike, share: float = SHARE) -> float:
    """Share of ``actual`` events in the top ``share`` of cells by ``scores`` (NaN if none)."""
    a = np.asarray(actual, dtype=float)
    total = a.sum()
    if not total:
        return float("nan")
    n = max(1, math.ceil(share * a.size))
    return float(a[flag_top(scores, n)].sum() / total)


def learn_weights(
    performance: npt.ArrayLike,
    *,
    shrink: float = SHRINK,
    draws: int = DRAWS,
    seed: int = SEED,
) -> FloatArray:
    """Blend weights from past months' scores of each method.

    Parameters
    ----------
    performance : array, shape (months, methods)
        Each method's score (hit rate at :data:`SHARE`) in each past month; rows with a NaN
        (a month without events) are left out.
    shrink : float
        Pseudo-months of the pull toward equal weights (λ = shrink / (shrink + months)).
    draws : int
        Bootstrap resamplings of the months.
    seed : int
        Seed of the resampling (the same months always give the same weights).

    Returns
    -------
    array of float, shape (methods,)
        Non-negative weights that sum to 1; equal without any usable month.
    """
    perf = np.atleast_2d(np.asarray(performance, dtype=float))
    n_methods = perf.shape[1]
    perf = perf[~np.isnan(perf).any(axis=1)]
    months = perf.shape[0]
    equal = np.full(n_methods, 1.0 / n_methods)
    if months == 0:
        return equal
    rng = np.random.default_rng(seed)
    means = perf[rng.integers(0, months, size=(draws, months))].mean(axis=1)
    best = means >= means.max(axis=1, keepdims=True) - 1e-12
    p = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
    lam = shrink / (shrink + months)
    w = (1.0 - lam) * p + lam * equal
    return np.asarray(w / w.sum(), dtype=float)


@dataclass(frozen=True)
class Calibration:
    """A non-decreasing map from blend score to expected events of a cell.

    Linear between ``knots`` (the scores at the centres of the fitted blocks) and flat
    beyond the first and last.
    """

    knots: FloatArray
    values: FloatArray

    def __call__(self, scores: npt.ArrayLike) -> FloatArray:
        """Expected events of cells with these scores."""
        return np.interp(np.asarray(scores, dtype=float), self.knots, self.values)


def calibrate(scores: npt.ArrayLike, counts: npt.ArrayLike) -> Calibration | None:
    """Expected (weighted) events of a cell given its score, from past months.

    ``scores`` and ``counts`` have one entry per cell and past month (any shape, the same).
    The fit is the isotonic regression (pool adjacent violators) of the counts on the
    scores: the best least-squares fit among non-decreasing functions, so a higher score
    never means less risk. None when there are no past events.
    """
    x_all = np.asarray(scores, dtype=float).ravel()
    y = np.asarray(counts, dtype=float).ravel()
    if x_all.size == 0 or y.sum() <= 0:
        return None
    x, inverse, n = np.unique(x_all, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=y) / n  # scores repeat a lot (empty cells): fold
    fit = isotonic_regression(means, weights=n)
    starts = fit.blocks[:-1]
    knots = np.add.reduceat(x * n, starts) / np.add.reduceat(n, starts).astype(float)
    return Calibration(knots, np.asarray(fit.x, dtype=float)[starts])


@dataclass(frozen=True)
class Origin:
    """The forecasts of month ``t``: every base surface, the blend weights and the blend."""

    t: int
    surfaces: FloatArray
    weights: FloatArray
    score: FloatArray


def origins(
    series: MonthlySeries,
    *,
    first: int = 1,
    last: int | None = None,
    window: int = WINDOW,
    share: float = SHARE,
) -> Iterator[Origin]:
    """Forecast every month from ``first`` to ``last`` (default: the month after the data).

    The weights of month ``t`` are learned from months ``1 … t−1`` (the last ``window``),
    each forecast from the months before it: nothing of month ``t`` or later is used.
    Months before ``first`` are still forecast (silently) to learn from.
    """
    n_months = len(series.months)
    stop = n_months if last is None else min(last, n_months)
    performance = np.full((n_months, len(BASE_METHODS)), np.nan)
    for t in range(1, stop + 1):
        surfaces = series.surfaces(t)
        past = performance[max(1, t - window) : t]
        weights = learn_weights(past)
        if t >= first:
            yield Origin(t, surfaces, weights, blend(surfaces, weights))
        if t < n_months:
            actual = series.events[:, t]
            performance[t] = [hit_rate(s, actual, share) for s in surfaces]


@dataclass(frozen=True)
class Outlook:
    """The default forecast of the month after the data, with its own track record.

    ``score`` ranks the cells; ``risk`` is the expected (weighted) events of each cell next
    month. ``past_scores`` / ``past_events`` are the default's forecasts of the last months
    before it (each from the months before that month) and what happened there.
    """

    cells: npt.NDArray[np.object_]
    month: str
    score: FloatArray
    risk: FloatArray
    weights: dict[str, float]
    past_months: tuple[str, ...]
    past_scores: FloatArray
    past_events: FloatArray

    def track_record(self, share: float) -> dict[str, float]:
        """Mean hit rate and PAI of the default at ``share`` of the area in the past months.

        Months without events are left out; ``months`` says how many were scored.
        """
        n = len(self.cells)
        pairs = zip(self.past_scores, self.past_events, strict=True)
        rates = [hit_rate(s, a, share) for s, a in pairs]
        finite = [r for r in rates if not math.isnan(r)]
        flagged = max(1, math.ceil(share * n)) / n if n else float("nan")
        rate = float(np.mean(finite)) if finite else float("nan")
        return {
            "hit_rate": rate,
            "pai": rate / flagged if finite else float("nan"),
            "months": float(len(finite)),
            "area_share": float(share),
        }


def outlooks(
    series: MonthlySeries, *, first: int, last: int | None = None, months: int = 12
) -> Iterator[tuple[int, Outlook]]:
    """``(t, outlook of month t)`` for ``t`` from ``first`` to ``last`` (default: next month).

    Each outlook uses the months before ``t`` only: its weights, its calibration and its
    track record (the last ``months`` default forecasts before ``t``).
    """
    kept: deque[tuple[int, FloatArray]] = deque(maxlen=months)
    n = len(series.months)
    for origin in origins(series, first=max(1, first - months), last=last):
        if origin.t >= first:
            yield origin.t, _outlook(series, origin, list(kept))
        if origin.t < n:
            kept.append((origin.t, origin.score))


def _outlook(series: MonthlySeries, origin: Origin, kept: list[tuple[int, FloatArray]]) -> Outlook:
    ts = [t for t, _ in kept]
    scores = np.vstack([s for _, s in kept]) if kept else np.zeros((0, len(series.cells)))
    calibration = calibrate(scores, series.counts[:, ts].T)
    if calibration is not None:
        risk = calibration(origin.score)
    else:  # nothing to calibrate on: spread the months' mean weighted total by the score
        total = origin.score.sum()
        mean = series.counts[:, : origin.t].sum() / max(origin.t, 1)
        risk = origin.score / total * mean if total > 0 else np.zeros(len(series.cells))
    return Outlook(
        series.cells,
        str(series.months[0] + origin.t),
        origin.score,
        risk,
        dict(zip(BASE_METHODS, origin.weights.tolist(), strict=True)),
        tuple(str(series.months[t]) for t in ts),
        scores,
        series.events[:, ts].T.copy(),
    )


def next_month(series: MonthlySeries, *, months: int = 12) -> Outlook:
    """The default forecast of the month after ``series``, with its last ``months`` forecasts.

    Parameters
    ----------
    series : MonthlySeries
        The area's events by month (of one period, when the plan is for one).
    months : int
        How many past months make the track record and calibrate ``risk``.

    Returns
    -------
    Outlook
    """
    n = len(series.months)
    return next(outlook for _, outlook in outlooks(series, first=n, months=months))
