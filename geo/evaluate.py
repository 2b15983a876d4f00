"""Honest backtests of the forecasts: rolling origin, one month ahead, hit rate, PAI and PEI.

For each test month T (after ``min_train_months`` of history) every method forecasts from
the months before T only; the top cells covering 1, 2, 5 and 10% of the study area are
flagged and scored on T's events:

- hit rate = events of T in flagged cells / events of T;
- PAI (Chainey 2008) = hit rate / flagged share of the area;
- PEI (NIJ 2017) = hits / the most hits any set of that many cells could have had in T.

The study area is the cells of the events' convex hull (widened by one ring) — fixed
geography, so every method is judged on the same denominator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.coverage import (
    build_problem,
    candidate_cells,
    cell_centres,
    covered_cells,
    solve_greedy,
)
from geo.ensemble import origins, outlooks
from geo.forecast import BASE_METHODS, METHODS, MonthlySeries, flag_top
from geo.hotspots import StudyArea

AREA_SHARES: Final = (0.01, 0.02, 0.05, 0.10)
WEIGHT_COLUMNS: Final = tuple(f"w_{m}" for m in BASE_METHODS)
METRIC_COLUMNS: Final = (
    "method",
    "month",
    "area_share",
    "n_cells",
    "events",
    "hits",
    "hit_rate",
    "pai",
    "pei",
    *WEIGHT_COLUMNS,
)
PATROL_COLUMNS: Final = (
    "month",
    "plan",
    "events",
    "posts",
    "area_share",
    "hits",
    "hit_rate",
    "pai",
)


def hit_metrics(
    scores: npt.ArrayLike, actual: npt.ArrayLike, shares: Sequence[float] = AREA_SHARES
) -> list[dict[str, float]]:
    """Hit rate, PAI and PEI of ``scores`` against the ``actual`` counts, per area share."""
    s = np.asarray(scores, dtype=float)
    a = np.asarray(actual, dtype=float)
    n_cells = s.size
    total = a.sum()
    best = np.sort(a)[::-1].cumsum()
    out = []
    for share in shares:
        n = max(1, int(math.ceil(share * n_cells)))
        hits = float(a[flag_top(s, n)].sum())
        rate = hits / total if total else float("nan")
        possible = float(best[min(n, n_cells) - 1]) if n_cells else 0.0
        out.append(
            {
                "area_share": share,
                "n_cells": n,
                "events": float(total),
                "hits": hits,
                "hit_rate": rate,
                "pai": rate / (n / n_cells) if total else float("nan"),
                "pei": hits / possible if possible else float("nan"),
            }
        )
    return out


def _series(
    events: pd.DataFrame,
    res: int,
    area: StudyArea | None,
    weights: Mapping[str, float] | None,
) -> MonthlySeries:
    if area is None:
        area = StudyArea.from_points(events["lat"], events["lon"], res, 1)
    return MonthlySeries.from_events(events, area, weights=weights)


def backtest(
    events: pd.DataFrame,
    *,
    res: int = 9,
    methods: Sequence[str] = METHODS,
    shares: Sequence[float] = AREA_SHARES,
    min_train_months: int = 3,
    area: StudyArea | None = None,
    weights: Mapping[str, float] | None = None,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Rolling-origin monthly backtest; one row per method, test month and area share.

    Every month after the first ``min_train_months`` is a test month, forecast from the
    months before it only. Months are local calendar months (the wall time of
    ``occurred_at``: Asia/Shanghai for canonical events), empty months included.

    Parameters
    ----------
    events : DataFrame
        ``lat``, ``lon`` and ``occurred_at`` (a ``cell_<res>`` column is reused; ``kind``
        with ``weights``).
    res : int, default 9
        H3 resolution (7-10 in the app); ignored when ``area`` is given (its own is used).
    methods : sequence of str, default METHODS
        Methods to score: ``default`` (the blend the app uses) and any of
        :data:`~geo.forecast.BASE_METHODS`.
    shares : sequence of float, default AREA_SHARES
        Shares of the area's cells flagged (0.01, 0.02, 0.05, 0.10); a share flags
        ceil(share × cells) cells, at least one.
    min_train_months : int, default 3
        Months of history before the first test month; with no more months than this,
        the result is empty.
    area : StudyArea, optional
        Default: the cells of the events' convex hull widened by one ring. Widened by any
        event cell it lacks.
    weights : mapping of str to float, optional
        Weight of each record kind in what the forecasts learn from (default: every event
        weighs 1); hits always count events.
    progress : callable, optional
        Called with the share of test months done.

    Returns
    -------
    DataFrame
        :data:`METRIC_COLUMNS`: ``method``, ``month`` (``YYYY-MM``), ``area_share``,
        ``n_cells`` flagged, the month's ``events``, ``hits`` (events in flagged cells),
        ``hit_rate`` and ``pai`` (NaN for a month without events), ``pei`` (NaN when no
        cell had an event); the ``w_*`` columns hold the default's blend weights (NaN for
        the other methods). Empty, with these columns, without events.

    Raises
    ------
    ValueError
        When ``methods`` names a method not in :data:`~geo.forecast.METHODS`.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"methods {unknown} unknown; choose from {METHODS}")
    if events.empty:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    series = _series(events, res, area, weights)
    n_months = len(series.months)
    rows: list[dict[str, object]] = []
    tests = max(n_months - min_train_months, 1)
    for origin in origins(series, first=min_train_months, last=n_months - 1):
        actual = series.events[:, origin.t]
        month = str(series.months[origin.t])
        for method in methods:
            if method == "default":
                scores, extra = origin.score, dict(zip(WEIGHT_COLUMNS, origin.weights, strict=True))
            else:
                scores, extra = origin.surfaces[BASE_METHODS.index(method)], {}
            for m in hit_metrics(scores, actual, shares):
                rows.append({"method": method, "month": month, **m, **extra})
        if progress:
            progress((origin.t - min_train_months + 1) / tests)
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def _plan_posts(
    cells: npt.NDArray[np.object_],
    risk: npt.ArrayLike,
    teams: int,
    radius_m: float,
    centres: pd.DataFrame,
) -> npt.NDArray[np.object_]:
    """Cells of ``teams`` posts that cover the most ``risk`` (lazy greedy)."""
    demand = pd.DataFrame({"h3_cell": cells, "risk": np.asarray(risk, dtype=float)})
    candidates = candidate_cells(cells, demand["risk"])
    if not len(candidates):
        return np.zeros(0, dtype=object)
    problem = build_problem(demand, radius_m=radius_m, candidates=list(candidates), centres=centres)
    return np.asarray(problem.candidates[solve_greedy(problem, teams).chosen], dtype=object)


def patrol_backtest(
    events: pd.DataFrame,
    *,
    res: int = 9,
    teams: int = 6,
    radius_m: float = 1000.0,
    months: int = 12,
    min_train_months: int = 3,
    area: StudyArea | None = None,
    weights: Mapping[str, float] | None = None,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Backtest of the patrol plans themselves, month by month.

    For each of the last ``months`` months (after ``min_train_months`` of history) two plans
    of ``teams`` posts are made with the data before the month only: one on the default
    forecast (:mod:`geo.ensemble`), one on last month's counts (what a commander would do
    by hand). Each is scored on the month's events inside its reach: every cell whose centre
    lies within ``radius_m`` of a post. Posts are chosen by lazy greedy (within a few percent
    of the optimum) among the riskiest tenth of the area.

    Parameters
    ----------
    events : DataFrame
        ``lat``, ``lon``, ``occurred_at`` (``kind`` with ``weights``), of one period if the
        plans are for one (e.g. night events for night plans).
    res : int
        H3 resolution of the risk and the posts.
    teams : int
        Posts per plan.
    radius_m : float
        Reach of a post, metres.
    months : int
        Test months (the last ones).
    min_train_months : int
        Months of history before the first test month.
    area : StudyArea, optional
        Default: the cells of the events' convex hull widened by one ring.
    weights : mapping, optional
        Weight of each record kind in the risk; hits count events.
    progress : callable, optional
        Called with the share of test months done.

    Returns
    -------
    DataFrame
        :data:`PATROL_COLUMNS`, two rows (``plan`` = ``default``, ``last``) per test month;
        ``area_share`` is the share of the area's cells within reach, ``hit_rate`` the share
        of the month's events there and ``pai`` their ratio.
    """
    if teams < 1 or radius_m <= 0:
        raise ValueError(f"teams was {teams} and radius_m {radius_m}: need >= 1 and > 0")
    if events.empty:
        return pd.DataFrame(columns=list(PATROL_COLUMNS))
    series = _series(events, res, area, weights)
    n = len(series.months)
    first = max(min_train_months, n - months)
    centres = cell_centres(series.cells)
    rows: list[dict[str, object]] = []
    for t, outlook in outlooks(series, first=first, last=n - 1):
        actual = series.events[:, t]
        for plan, risk in (("default", outlook.risk), ("last", series.counts[:, t - 1])):
            posts = _plan_posts(series.cells, risk, teams, radius_m, centres)
            reach = covered_cells(series.cells, posts, radius_m, centres=centres)
            share = float(reach.mean())
            hits, total = float(actual[reach].sum()), float(actual.sum())
            rate = hits / total if total else float("nan")
            rows.append(
                {
                    "month": str(series.months[t]),
                    "plan": plan,
                    "events": total,
                    "posts": len(posts),
                    "area_share": share,
                    "hits": hits,
                    "hit_rate": rate,
                    "pai": rate / share if share and total else float("nan"),
                }
            )
        if progress:
            progress((t - first + 1) / max(n - first, 1))
    return pd.DataFrame(rows, columns=list(PATROL_COLUMNS))


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean hit rate, PAI and PEI per method and area share over the test months."""
    if metrics.empty:
        return pd.DataFrame(columns=["method", "area_share", "months", "hit_rate", "pai", "pei"])
    out = (
        metrics.groupby(["method", "area_share"], sort=False)
        .agg(
            months=("month", "nunique"),
            hit_rate=("hit_rate", "mean"),
            pai=("pai", "mean"),
            pei=("pei", "mean"),
        )
        .reset_index()
    )
    return out


def read_points(
    path: str,
    *,
    lat_col: str,
    lon_col: str,
    time_col: str,
    crs: str | None = None,
    where: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Any timestamped point file (CSV, optionally gzipped) as ``lat, lon, occurred_at``.

    ``time_col`` may name several columns joined by commas (``YEAR,MONTH,DAY,HOUR,MINUTE``);
    ``crs`` (e.g. ``EPSG:32610``) converts projected x/y in ``lon_col``/``lat_col`` to
    WGS-84; ``where`` keeps only rows whose columns hold these values (``{"offense":
    "theft"}``). Rows without a usable time or position, or not matching ``where``, are
    dropped and counted in ``frame.attrs["dropped"]``.
    """
    parts = [c.strip() for c in time_col.split(",") if c.strip()]
    where = dict(where or {})
    frame = pd.read_csv(path, usecols=list(dict.fromkeys([lat_col, lon_col, *parts, *where])))
    matched = pd.Series(True, index=frame.index)
    for column, value in where.items():
        matched &= frame[column].astype(str).str.strip() == str(value)
    if len(parts) == 1:
        times = pd.to_datetime(frame[parts[0]], errors="coerce", format="mixed")
    else:
        names = ["year", "month", "day", "hour", "minute", "second"][: len(parts)]
        times = pd.to_datetime(
            frame[parts].set_axis(names, axis=1).apply(pd.to_numeric, errors="coerce"),
            errors="coerce",
        )
    x = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype=float)
    if crs:
        from pyproj import Transformer

        x, y = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    out = pd.DataFrame({"lat": y, "lon": x, "occurred_at": times})
    ok = out["occurred_at"].notna() & np.isfinite(out["lat"]) & np.isfinite(out["lon"])
    ok &= out["lat"].between(-90, 90) & out["lon"].between(-180, 180) & matched.to_numpy()
    result = out[ok].reset_index(drop=True)
    result.attrs["dropped"] = int((~ok).sum())
    return result
