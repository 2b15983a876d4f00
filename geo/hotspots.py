"""Hotspot statistics on H3 cells: Getis-Ord Gi*, FDR, emerging trends, key-area risk.

Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary k-ring weights that include the cell
itself. For cell *i* with neighbourhood weights w_ij (k-ring, self included), n cells,
mean x̄ and population standard deviation S of the cell values x:

    z_i = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

which equals esda's ``G_Local(star=True, transform="B")`` analytic z (tested). The study
area is every cell of the township polygons, so empty land counts as zeros — evidence that
nothing happens there — rather than being left out.

Emerging trends follow Esri's Emerging Hot Spot Analysis categories on monthly Gi* slices,
with the Mann-Kendall test for the trend of each cell's z series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse, stats

from geo.cells import aggregate, points_to_cells

FloatArray = npt.NDArray[np.float64]

#: class code -> (Chinese label, English label); order from hottest to coldest
GI_CLASSES: Final[dict[str, tuple[str, str]]] = {
    "hot_99": ("热点(99%置信)", "Hot spot, 99% confidence"),
    "hot_95": ("热点(95%置信)", "Hot spot, 95% confidence"),
    "hot_90": ("热点(90%置信)", "Hot spot, 90% confidence"),
    "ns": ("不显著", "Not significant"),
    "cold_90": ("冷点(90%置信)", "Cold spot, 90% confidence"),
    "cold_95": ("冷点(95%置信)", "Cold spot, 95% confidence"),
    "cold_99": ("冷点(99%置信)", "Cold spot, 99% confidence"),
}

#: Esri emerging hot spot categories -> (Chinese, English)
TREND_CATEGORIES: Final[dict[str, tuple[str, str]]] = {
    "new_hot": ("新增热点", "New hot spot"),
    "consecutive_hot": ("连续热点", "Consecutive hot spot"),
    "intensifying_hot": ("加剧热点", "Intensifying hot spot"),
    "persistent_hot": ("持续热点", "Persistent hot spot"),
    "diminishing_hot": ("减弱热点", "Diminishing hot spot"),
    "sporadic_hot": ("零星热点", "Sporadic hot spot"),
    "oscillating_hot": ("振荡热点", "Oscillating hot spot"),
    "historical_hot": ("历史热点", "Historical hot spot"),
    "new_cold": ("新增冷点", "New cold spot"),
    "consecutive_cold": ("连续冷点", "Consecutive cold spot"),
    "intensifying_cold": ("加剧冷点", "Intensifying cold spot"),
    "persistent_cold": ("持续冷点", "Persistent cold spot"),
    "diminishing_cold": ("减弱冷点", "Diminishing cold spot"),
    "sporadic_cold": ("零星冷点", "Sporadic cold spot"),
    "oscillating_cold": ("振荡冷点", "Oscillating cold spot"),
    "historical_cold": ("历史冷点", "Historical cold spot"),
    "no_pattern": ("无明显模式", "No pattern detected"),
}

RISK_LEVELS: Final[dict[str, tuple[str, str]]] = {
    "high": ("高", "High"),
    "medium": ("中", "Medium"),
    "low": ("低", "Low"),
}


# ---------------------------------------------------------------- study area and weights


def study_cells(
    townships: gpd.GeoDataFrame, res: int, *, extra: Sequence[str] = ()
) -> npt.NDArray[np.object_]:
    """Every cell whose centre lies in a township polygon, plus ``extra`` cells, sorted."""
    cells: set[str] = set(extra)
    for geom in townships.to_crs(4326).geometry:
        if geom is None or geom.is_empty:
            continue
        cells.update(h3.geo_to_cells(geom, res))
    return np.array(sorted(cells), dtype=object)


def neighbour_matrix(
    cells: Sequence[str] | npt.NDArray[np.object_], k: int = 1
) -> sparse.csr_array:
    """Binary k-ring weights among ``cells`` (self included) as a sparse CSR matrix.

    Neighbours outside ``cells`` are left out, so border cells have fewer neighbours.
    """
    if k < 0:
        raise ValueError(f"k was {k} but must be >= 0")
    index = {c: i for i, c in enumerate(cells)}
    rows: list[int] = []
    cols: list[int] = []
    for i, cell in enumerate(cells):
        for other in h3.grid_disk(cell, k):
            j = index.get(other)
            if j is not None:
                rows.append(i)
                cols.append(j)
    n = len(cells)
    data = np.ones(len(rows), dtype=float)
    return sparse.csr_array((data, (rows, cols)), shape=(n, n))


# ---------------------------------------------------------------- Gi*


def gi_star(
    values: npt.ArrayLike, weights: sparse.csr_array | sparse.csr_matrix
) -> tuple[FloatArray, FloatArray]:
    """Analytic Gi* z-scores and two-sided normal p-values.

    Parameters
    ----------
    values : array of float, shape (n,)
        Cell values (counts or weighted scores), zeros included.
    weights : sparse matrix, shape (n, n)
        Weights with the diagonal set (Gi*, "star": the cell counts in its own neighbourhood).

    Returns
    -------
    z, p : arrays of float
        ``z`` is 0 and ``p`` is 1 where the values do not vary (no evidence either way).
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if weights.shape != (n, n):
        raise ValueError(f"weights have shape {weights.shape} but values have {n} cells")
    if n < 3:
        return np.zeros(n), np.ones(n)
    mean = x.mean()
    s = np.sqrt(max((x * x).mean() - mean * mean, 0.0))
    if s == 0:
        return np.zeros(n), np.ones(n)
    w_sum = np.asarray(weights.sum(axis=1)).ravel()
    w_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    numerator = weights @ x - mean * w_sum
    denominator = s * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


TRANSFORMS: Final = ("log1p", "none")


def transform_values(values: npt.ArrayLike, transform: str) -> FloatArray:
    """Apply a variance-stabilising transform (``log1p`` or ``none``) to cell values."""
    x = np.asarray(values, dtype=float)
    if transform == "log1p":
        return np.log1p(np.maximum(x, 0.0))
    if transform == "none":
        return x
    raise ValueError(f"transform was {transform!r} but is expected to be in {TRANSFORMS}")


def fdr_bh(p: npt.ArrayLike) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values), same order as ``p``."""
    pv = np.asarray(p, dtype=float)
    n = pv.size
    if n == 0:
        return pv.copy()
    order = np.argsort(pv)
    ranked = pv[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.clip(q, 0.0, 1.0)
    return out


def gi_classes(z: npt.ArrayLike, p: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Class codes (:data:`GI_CLASSES`) from z and (adjusted) p at 99/95/90% confidence."""
    za, pa = np.asarray(z, dtype=float), np.asarray(p, dtype=float)
    out = np.full(za.size, "ns", dtype=object)
    for level, cut in (("90", 0.10), ("95", 0.05), ("99", 0.01)):
        sig = pa <= cut
        out[sig & (za > 0)] = f"hot_{level}"
        out[sig & (za < 0)] = f"cold_{level}"
    return out


@dataclass(frozen=True)
class StudyArea:
    """Cells of a study area at one resolution and their k-ring weights (reusable)."""

    cells: npt.NDArray[np.object_]
    res: int
    k: int
    weights: sparse.csr_array

    @classmethod
    def from_townships(
        cls, townships: gpd.GeoDataFrame, res: int, k: int = 1, *, extra: Sequence[str] = ()
    ) -> StudyArea:
        """The cells of ``townships`` (plus ``extra``) and their k-ring weights."""
        cells = study_cells(townships, res, extra=extra)
        return cls(cells, res, k, neighbour_matrix(cells, k))

    @classmethod
    def from_points(cls, lat: npt.ArrayLike, lon: npt.ArrayLike, res: int, k: int = 1) -> StudyArea:
        """Study area for points without jurisdiction polygons.

        The cells of the points' convex hull, widened by ``k`` rings so that edge cells have
        neighbours to compare with.
        """
        lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        if lat_a.size == 0:
            raise ValueError("no points: a study area needs at least one event")
        point_cells = set(points_to_cells(lat_a, lon_a, res))
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([lon_a, lat_a])))
        cells = set(h3.geo_to_cells(hull, res)) if hull.geom_type == "Polygon" else set()
        cells |= point_cells
        widened = sorted({n for c in cells for n in h3.grid_disk(c, k)})
        return cls(np.array(widened, dtype=object), res, k, neighbour_matrix(widened, k))


def _cell_values(
    events: pd.DataFrame, area: StudyArea, weights: Mapping[str, float]
) -> tuple[pd.DataFrame, StudyArea]:
    counts = aggregate(events, area.res, weights=weights).set_index("h3_cell")
    outside = counts.index.difference(pd.Index(area.cells))
    if len(outside):  # events just across the study-area edge still count
        area = StudyArea(
            np.array(sorted({*area.cells, *outside}), dtype=object),
            area.res,
            area.k,
            neighbour_matrix(sorted({*area.cells, *outside}), area.k),
        )
    frame = counts.reindex(area.cells).fillna(0.0)
    for col in ("n", "n_case", "n_tip"):
        frame[col] = frame[col].astype(int)
    frame.index.name = "h3_cell"
    return frame, area


def hotspots(
    events: pd.DataFrame,
    area: StudyArea,
    *,
    weights: Mapping[str, float] | None = None,
    value: str = "score",
    transform: str = "none",
    fdr: bool = True,
) -> pd.DataFrame:
    """Gi* for every cell of the study area.

    ``transform`` is applied to the cell values before Gi*: ``none`` (default, classic Gi*)
    or ``log1p``, which keeps a few very busy cells (a station with a thousand events) from
    inflating the variance so much that smaller clusters — a market town with a hundred —
    look insignificant; it flags many more cells. Filtering to the period first (market
    days) is the other way to let rural clusters stand out.

    Returns one row per cell with ``h3_cell, n, n_case, n_tip, score, gi_z, gi_p, gi_q,
    gi_class``; ``gi_class`` uses the FDR-adjusted ``gi_q`` when ``fdr`` else ``gi_p``.
    """
    weights = dict(weights or {"case": 1.0, "tip": 0.5})
    frame, area = _cell_values(events, area, weights)
    z, p = gi_star(transform_values(frame[value].to_numpy(), transform), area.weights)
    q = fdr_bh(p)
    frame["gi_z"] = z
    frame["gi_p"] = p
    frame["gi_q"] = q
    frame["gi_class"] = gi_classes(z, q if fdr else p)
    return frame.reset_index()


# ---------------------------------------------------------------- trends


def mann_kendall(series: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Mann-Kendall trend test on each row of ``series`` (cells × time steps).

    Returns the standardised statistic Z (continuity-corrected, tie-corrected variance) and
    two-sided p-values. Vectorised over rows; O(cells × steps²).
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    _, t = x.shape
    i, j = np.triu_indices(t, k=1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    var = np.full(x.shape[0], t * (t - 1) * (2 * t + 5) / 18.0)
    for r in range(x.shape[0]):  # tie correction only where ties exist
        _, counts = np.unique(x[r], return_counts=True)
        ties = counts[counts > 1]
        if ties.size:
            var[r] -= (ties * (ties - 1) * (2 * ties + 5)).sum() / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.where(var > 0, z, 0.0)
    return z, 2.0 * stats.norm.sf(np.abs(z))


def trend_category(
    z: npt.ArrayLike,
    significant: npt.ArrayLike,
    trend_z: float,
    trend_p: float,
    *,
    alpha: float = 0.05,
) -> str:
    """Esri's emerging hot/cold spot category for one cell's time series.

    ``z`` holds the Gi* z of each time step; ``significant`` whether that step's z was
    significant. ``trend_z``/``trend_p`` are the Mann-Kendall result on ``z``.
    """
    za = np.asarray(z, dtype=float)
    sig = np.asarray(significant, dtype=bool)
    hot = sig & (za > 0)
    cold = sig & (za < 0)
    t = za.size
    if t == 0:
        return "no_pattern"
    for kind, mine, other, sign in (("hot", hot, cold, 1.0), ("cold", cold, hot, -1.0)):
        if not mine.any():
            continue
        share = mine.mean()
        last = bool(mine[-1])
        rising = trend_p <= alpha and sign * trend_z > 0
        falling = trend_p <= alpha and sign * trend_z < 0
        if not last:
            if share >= 0.9:
                return f"historical_{kind}"
            continue
        if share >= 0.9:
            if rising:
                return f"intensifying_{kind}"
            if falling:
                return f"diminishing_{kind}"
            return f"persistent_{kind}"
        if mine.sum() == 1:
            return f"new_{kind}"
        run = t - (np.flatnonzero(~mine)[-1] + 1) if (~mine).any() else t
        if run >= 2 and not mine[: t - run].any():
            return f"consecutive_{kind}"
        if other.any():
            return f"oscillating_{kind}"
        return f"sporadic_{kind}"
    return "no_pattern"


def emerging_hotspots(
    events: pd.DataFrame,
    area: StudyArea,
    *,
    weights: Mapping[str, float] | None = None,
    freq: str = "M",
    transform: str = "none",
    fdr: bool = True,
    alpha: float = 0.10,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly Gi* slices and each cell's emerging-trend category.

    Returns ``(trends, series)``: ``trends`` has one row per cell with ``trend_z``,
    ``trend_p``, ``n_hot_steps``, ``trend`` (:data:`TREND_CATEGORIES`); ``series`` is a long
    frame ``h3_cell, period, n, score, gi_z, significant`` for charts.
    """
    weights = dict(weights or {"case": 1.0, "tip": 0.5})
    local = events["occurred_at"].dt.tz_localize(None)
    periods = local.dt.to_period(freq)
    steps = pd.period_range(periods.min(), periods.max(), freq=freq) if len(events) else []
    _, area = _cell_values(events, area, weights)  # widen the area once for every slice
    z_rows, sig_rows, n_rows, score_rows = [], [], [], []
    for step in steps:
        sl = events[(periods == step).to_numpy()]
        frame, _ = _cell_values(sl, area, weights)
        z, p = gi_star(transform_values(frame["score"].to_numpy(), transform), area.weights)
        p_used = fdr_bh(p) if fdr else p
        z_rows.append(z)
        sig_rows.append(p_used <= alpha)
        n_rows.append(frame["n"].to_numpy())
        score_rows.append(frame["score"].to_numpy())
    if not len(steps):
        empty = pd.DataFrame(
            {
                "h3_cell": area.cells,
                "trend_z": 0.0,
                "trend_p": 1.0,
                "n_hot_steps": 0,
                "trend": "no_pattern",
            }
        )
        return empty, pd.DataFrame(
            columns=["h3_cell", "period", "n", "score", "gi_z", "significant"]
        )
    zm = np.column_stack(z_rows)
    sm = np.column_stack(sig_rows)
    tz, tp = mann_kendall(zm)
    categories = [trend_category(zm[i], sm[i], tz[i], tp[i]) for i in range(len(area.cells))]
    trends = pd.DataFrame(
        {
            "h3_cell": area.cells,
            "trend_z": tz,
            "trend_p": tp,
            "n_hot_steps": (sm & (zm > 0)).sum(axis=1),
            "trend": categories,
        }
    )
    labels = [str(s) for s in steps]
    series = pd.DataFrame(
        {
            "h3_cell": np.repeat(area.cells, len(steps)),
            "period": np.tile(labels, len(area.cells)),
            "n": np.column_stack(n_rows).ravel(),
            "score": np.column_stack(score_rows).ravel(),
            "gi_z": zm.ravel(),
            "significant": sm.ravel(),
        }
    )
    return trends, series


# ---------------------------------------------------------------- key-area risk


def key_area_cells(key_areas: gpd.GeoDataFrame, res: int) -> dict[str, list[str]]:
    """Key-area id -> cells covering its watch circle (``radius_m``), its own cell included."""
    metric = key_areas.estimate_utm_crs() if len(key_areas) else None
    out: dict[str, list[str]] = {}
    if metric is None:
        return out
    circles = key_areas.to_crs(metric).buffer(key_areas["radius_m"].to_numpy()).to_crs(4326)
    for ka_id, point, circle in zip(key_areas["id"], key_areas.geometry, circles, strict=True):
        centre = point.representative_point()
        cells = set(h3.geo_to_cells(circle, res)) if not circle.is_empty else set()
        cells.add(h3.latlng_to_cell(centre.y, centre.x, res))
        out[str(ka_id)] = sorted(cells)
    return out


RISING: Final = {"new_hot", "consecutive_hot", "intensifying_hot"}
FALLING: Final = {"diminishing_hot", "historical_hot"}


def key_area_risk(
    key_areas: gpd.GeoDataFrame,
    hot: pd.DataFrame,
    trends: pd.DataFrame | None = None,
    *,
    lang: str = "zh",
) -> pd.DataFrame:
    """Risk level 高/中/低 of each key area from the hotspot evidence of its cells.

    Rules, applied in order: **high** with any 99% hot cell, or two or more 95% hot cells, or
    a 95% hot cell whose trend is rising; **medium** with any other hot cell at 90-95%, or a
    rising trend among its cells; **low** otherwise. ``reasons`` lists the evidence.
    """
    if "h3_cell" not in hot.columns or hot.empty:
        raise ValueError("hot must be the output of hotspots() (h3_cell, gi_class, …)")
    res = h3.get_resolution(str(hot["h3_cell"].iloc[0]))
    by_cell = hot.set_index("h3_cell")
    trend_of = (
        trends.set_index("h3_cell")["trend"] if trends is not None else pd.Series(dtype=object)
    )
    rows = []
    zh = lang == "zh"
    for ka_id, cells in key_area_cells(key_areas, res).items():
        present = by_cell.reindex(cells)
        classes = present["gi_class"].fillna("ns")
        n99 = int((classes == "hot_99").sum())
        n95 = int((classes == "hot_95").sum())
        n90 = int((classes == "hot_90").sum())
        events = int(present["n"].fillna(0).sum())
        cell_trends = set(trend_of.reindex(cells).dropna())
        rising = bool(cell_trends & RISING)
        falling = bool(cell_trends & FALLING) and not rising
        if n99 or n95 >= 2 or (n95 and rising):
            level = "high"
        elif n95 or n90 or (rising and events):
            level = "medium"
        else:
            level = "low"
        parts = []
        for n, conf in ((n99, 99), (n95, 95), (n90, 90)):
            if n:
                parts.append(
                    f"{n}个{conf}%热点格" if zh else f"{n} hot cell{'s' * (n > 1)} at {conf}%"
                )
        if rising:
            parts.append("趋势上升" if zh else "rising")
        elif falling:
            parts.append("趋势减弱" if zh else "easing")
        if not parts:
            parts.append("无显著热点" if zh else "no significant hot cell")
        parts.append(f"事件{events}起" if zh else f"{events} events")
        rows.append(
            {
                "id": ka_id,
                "level": level,
                "n_hot_99": n99,
                "n_hot_95": n95,
                "n_hot_90": n90,
                "events": events,
                "rising": rising,
                "reasons": ("," if zh else ", ").join(parts),
            }
        )
    risk = pd.DataFrame(rows)
    out = key_areas[["id", "name", "category"]].merge(risk, on="id", how="left")
    order = {"high": 0, "medium": 1, "low": 2}
    out["level_label"] = out["level"].map(lambda v: RISK_LEVELS[v][0 if zh else 1])
    return out.sort_values(
        ["level", "n_hot_99", "n_hot_95", "events"],
        key=lambda s: s.map(order) if s.name == "level" else -s,
    ).reset_index(drop=True)
