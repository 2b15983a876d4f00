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
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.cells import points_to_cells
from geo.forecast import (
    BASE_METHODS,
    METHODS,
    History,
    choose_method,
    flag_top,
    forecast,
    month_index,
    monthly_counts,
    rings,
)
from geo.hotspots import StudyArea

AREA_SHARES: Final = (0.01, 0.02, 0.05, 0.10)
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
    "chosen",
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


def backtest(
    events: pd.DataFrame,
    *,
    res: int = 9,
    methods: Sequence[str] = METHODS,
    shares: Sequence[float] = AREA_SHARES,
    min_train_months: int = 3,
    area: StudyArea | None = None,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Rolling-origin monthly backtest; one row per method, test month and area share.

    ``events`` needs ``lat``, ``lon`` and ``occurred_at`` (a ``cell_<res>`` column is
    reused). Returns :data:`METRIC_COLUMNS`.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"methods {unknown} unknown; choose from {METHODS}")
    if events.empty:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    key = f"cell_{res}"
    cells = (
        events[key].to_numpy(dtype=object)
        if key in events.columns
        else points_to_cells(events["lat"], events["lon"], res)
    )
    if area is None:
        area = StudyArea.from_points(events["lat"], events["lon"], res, 1)
    area = area.including(cells)
    pos = area.index.get_indexer(cells).astype(np.int64)
    mon, months = month_index(events["occurred_at"])
    n_cells, n_months = len(area.cells), len(months)
    counts = monthly_counts(pos, mon, n_cells, n_months)
    ring1, ring2 = rings(area)
    times = events["occurred_at"]
    local = times.dt.tz_localize(None) if times.dt.tz is not None else times
    t_ns = local.to_numpy(dtype="datetime64[ns]")
    rows: list[dict[str, object]] = []
    base = [m for m in BASE_METHODS if m in methods or "default" in methods]
    empty = pd.DataFrame(columns=["method", "month", "area_share", "pai"])
    tests = list(range(min_train_months, n_months))
    for step, t in enumerate(tests):
        origin = np.datetime64(months[t].start_time, "ns")
        recent = (t_ns < origin) & (t_ns >= origin - np.timedelta64(28, "D"))
        age = (origin - t_ns[recent]) / np.timedelta64(1, "D")
        history = History(counts[:, :t], ring1, ring2, pos[recent], age.astype(float))
        actual = counts[:, t]
        if "default" in methods:  # chosen from months already scored, all before t
            past = pd.DataFrame([r for r in rows if r["method"] != "default"]) if rows else empty
            chosen = choose_method(past)
            for m in hit_metrics(forecast(history, chosen), actual, shares):
                rows.append({"method": "default", "month": str(months[t]), **m, "chosen": chosen})
        for method in base:
            for m in hit_metrics(forecast(history, method), actual, shares):
                rows.append({"method": method, "month": str(months[t]), **m, "chosen": method})
        if progress:
            progress((step + 1) / len(tests))
    frame = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    return frame[frame["method"].isin(list(methods))].reset_index(drop=True)


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
) -> pd.DataFrame:
    """Any timestamped point file (CSV, optionally gzipped) as ``lat, lon, occurred_at``.

    ``time_col`` may name several columns joined by commas (``YEAR,MONTH,DAY,HOUR,MINUTE``);
    ``crs`` (e.g. ``EPSG:32610``) converts projected x/y in ``lon_col``/``lat_col`` to
    WGS-84. Rows without a usable time or position are dropped and counted in
    ``frame.attrs["dropped"]``.
    """
    parts = [c.strip() for c in time_col.split(",") if c.strip()]
    frame = pd.read_csv(path, usecols=[lat_col, lon_col, *parts])
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
    ok &= out["lat"].between(-90, 90) & out["lon"].between(-180, 180)
    result = out[ok].reset_index(drop=True)
    result.attrs["dropped"] = int((~ok).sum())
    return result
