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

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import h3
import h3.api.basic_int as h3_int
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import sparse, stats

from geo.cells import points_to_cells
from geo.coords import utm_crs
from geo.i18n import label, risk_reasons

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
    Works on H3's integer form: one ``grid_disk`` call per cell, look-ups vectorised.
    """
    if k < 0:
        raise ValueError(f"k was {k} but must be >= 0")
    ints = np.fromiter((h3.str_to_int(c) for c in cells), dtype=np.uint64, count=len(cells))
    disks = [h3_int.grid_disk(int(c), k) for c in ints]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    others = np.fromiter(itertools.chain.from_iterable(disks), dtype=np.uint64, count=sizes.sum())
    rows = np.repeat(np.arange(len(cells)), sizes)
    cols = pd.Index(ints).get_indexer(others)
    keep = cols >= 0
    n = len(cells)
    data = np.ones(int(keep.sum()), dtype=float)
    return sparse.csr_array((data, (rows[keep], cols[keep])), shape=(n, n))


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
    binary = bool(np.all(weights.data == 1.0))
    w_sq = w_sum if binary else np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
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
    index: pd.Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", pd.Index(self.cells, dtype=object))

    @classmethod
    def from_cells(cls, cells: Sequence[str], res: int, k: int = 1) -> StudyArea:
        """A study area of exactly these cells (sorted, de-duplicated)."""
        unique = np.array(sorted(set(cells)), dtype=object)
        return cls(unique, res, k, neighbour_matrix(unique, k))

    @classmethod
    def from_townships(
        cls, townships: gpd.GeoDataFrame, res: int, k: int = 1, *, extra: Sequence[str] = ()
    ) -> StudyArea:
        """The cells of ``townships`` (plus ``extra``) and their k-ring weights."""
        return cls.from_cells(list(study_cells(townships, res, extra=extra)), res, k)

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
        return cls.from_cells([n for c in cells for n in h3.grid_disk(c, k)], res, k)

    def including(self, cells: Sequence[str] | npt.NDArray[np.object_]) -> StudyArea:
        """The area widened by any of ``cells`` it lacks (events just over the edge)."""
        missing = pd.Index(pd.unique(np.asarray(cells, dtype=object))).difference(self.index)
        if missing.empty:
            return self
        return StudyArea.from_cells([*self.cells, *missing], self.res, self.k)


def _event_cells(events: pd.DataFrame, res: int) -> npt.NDArray[np.object_]:
    key = f"cell_{res}"
    if key in events.columns:
        return events[key].to_numpy(dtype=object)
    return points_to_cells(events["lat"], events["lon"], res)


def _cell_values(
    events: pd.DataFrame, area: StudyArea, weights: Mapping[str, float]
) -> tuple[pd.DataFrame, StudyArea]:
    """Counts and score of every study cell (zeros included), widening the area if needed."""
    cells = _event_cells(events, area.res)
    area = area.including(cells)
    pos = area.index.get_indexer(cells)
    n = len(area.cells)
    kinds = events["kind"].to_numpy()
    w = events["kind"].map(dict(weights)).fillna(0.0).to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "h3_cell": area.cells,
            "n": np.bincount(pos, minlength=n),
            "n_case": np.bincount(pos, weights=(kinds == "case"), minlength=n).astype(int),
            "n_tip": np.bincount(pos, weights=(kinds == "tip"), minlength=n).astype(int),
            "score": np.bincount(pos, weights=w, minlength=n),
        }
    )
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

    Parameters
    ----------
    events : DataFrame
        One row per event with ``kind`` and either ``cell_<res>`` (``res`` of ``area``)
        or ``lat``, ``lon`` (WGS-84), from which the cells are computed.
    area : StudyArea
        The cells compared and their k-ring weights; cells of events outside it are added
        (with weights among themselves and the area), so they get a row too.
    weights : mapping of str to float, optional
        Weight of each ``kind`` in ``score``; default ``{"case": 1.0, "tip": 0.5}`` (also
        for an empty mapping). Kinds not named weigh 0 but still count in ``n``.
    value : {"score", "n", "n_case", "n_tip"}, default "score"
        The cell value Gi* tests: the weighted score or a plain count.
    transform : {"none", "log1p"}, default "none"
        Applied to the values before Gi*.
    fdr : bool, default True
        Classify by the Benjamini-Hochberg ``gi_q`` (over all cells) rather than ``gi_p``.

    Returns
    -------
    DataFrame
        One row per cell of the (widened) area, in its order: ``h3_cell``, ``n``,
        ``n_case``, ``n_tip`` (counts), ``score``, ``gi_z``, ``gi_p`` (two-sided normal),
        ``gi_q`` (always computed) and ``gi_class`` (:data:`GI_CLASSES`: hot or cold at
        90/95/99% confidence, or ``ns``). Where the values do not vary (or fewer than 3
        cells), every ``gi_z`` is 0, ``gi_p`` 1 and ``gi_class`` ``ns``.

    Raises
    ------
    ValueError
        When ``transform`` is not ``none`` or ``log1p``.

    Examples
    --------
    A case and a tip in a cell and in each of its six neighbours, within an area of 37
    cells: the cluster's centre is hot at 99%, the neighbours at 95%.

    >>> import h3
    >>> import pandas as pd
    >>> centre = h3.latlng_to_cell(30.93, 108.69, 8)
    >>> area = StudyArea.from_cells(h3.grid_disk(centre, 3), res=8)
    >>> ring = sorted(h3.grid_disk(centre, 1))
    >>> events = pd.DataFrame({"kind": ["case", "tip"] * 7, "cell_8": ring * 2})
    >>> stats = hotspots(events, area)
    >>> stats["gi_class"].value_counts().to_dict()
    {'ns': 30, 'hot_95': 6, 'hot_99': 1}
    >>> stats.set_index("h3_cell").loc[centre, "gi_class"]
    'hot_99'
    """
    weights = dict(weights or {"case": 1.0, "tip": 0.5})
    frame, area = _cell_values(events, area, weights)
    z, p = gi_star(transform_values(frame[value].to_numpy(), transform), area.weights)
    q = fdr_bh(p)
    frame["gi_z"] = z
    frame["gi_p"] = p
    frame["gi_q"] = q
    frame["gi_class"] = gi_classes(z, q if fdr else p)
    return frame


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
    frame ``h3_cell, period, n, score, gi_z, significant`` for charts, for the cells that
    had events or a significant step (the others are all zero).

    Parameters
    ----------
    events : DataFrame
        ``occurred_at`` (tz-aware; slices are cut on its local wall time, Asia/Shanghai for
        canonical events), ``kind`` and ``cell_<res>`` or ``lat``, ``lon``.
    area : StudyArea
        As for :func:`hotspots` (widened by any event cell it lacks).
    weights : mapping of str to float, optional
        Weight of each ``kind`` in a slice's score; default ``{"case": 1.0, "tip": 0.5}``.
    freq : str, default "M"
        Length of a slice as a pandas period frequency: ``"M"`` calendar months, ``"W"``
        weeks. The slices run from the first event's to the last event's, empty ones
        included.
    transform : {"none", "log1p"}, default "none"
        Applied to each slice's cell scores before Gi*.
    fdr : bool, default True
        Adjust each slice's p-values (Benjamini-Hochberg, over the cells of that slice)
        before testing them against ``alpha``.
    alpha : float, default 0.10
        A cell is significant in a slice when its (adjusted) p-value is at most this, and
        the Mann-Kendall trend of its z series (intensifying or diminishing spots) when its
        p-value is: one level for both.

    Returns
    -------
    trends : DataFrame
        One row per cell of the (widened) area: ``h3_cell``, ``trend_z`` and ``trend_p``
        (Mann-Kendall on the cell's z series; 0 and 1 for cells without an event or a
        significant slice), ``n_hot_steps`` (significant hot slices) and ``trend``.
    series : DataFrame
        ``h3_cell``, ``period`` (text such as ``"2024-03"``), ``n``, ``score``, ``gi_z``,
        ``significant``: one row per slice of each cell with an event or a significant
        slice; empty (with these columns) without events.

    Raises
    ------
    ValueError
        When ``transform`` is not ``none`` or ``log1p``.
    """
    weights = dict(weights or {"case": 1.0, "tip": 0.5})
    cells = _event_cells(events, area.res)
    area = area.including(cells)
    n_cells = len(area.cells)
    periods = events["occurred_at"].dt.tz_localize(None).dt.to_period(freq)
    if events.empty:
        trends = pd.DataFrame(
            {
                "h3_cell": area.cells,
                "trend_z": 0.0,
                "trend_p": 1.0,
                "n_hot_steps": 0,
                "trend": "no_pattern",
            }
        )
        series = pd.DataFrame(columns=["h3_cell", "period", "n", "score", "gi_z", "significant"])
        return trends, series
    steps = pd.period_range(periods.min(), periods.max(), freq=freq)
    t = len(steps)
    step_of = (periods - steps[0]).map(lambda off: off.n).to_numpy(dtype=np.int64)
    flat = area.index.get_indexer(cells) * t + step_of
    w = events["kind"].map(weights).fillna(0.0).to_numpy(dtype=float)
    counts = np.bincount(flat, minlength=n_cells * t).reshape(n_cells, t)
    scores = np.bincount(flat, weights=w, minlength=n_cells * t).reshape(n_cells, t)
    zm = np.empty((n_cells, t))
    sm = np.empty((n_cells, t), dtype=bool)
    for j in range(t):
        z, p = gi_star(transform_values(scores[:, j], transform), area.weights)
        zm[:, j] = z
        sm[:, j] = (fdr_bh(p) if fdr else p) <= alpha
    # only cells with events or a significant step can have a trend: test just those
    active = np.flatnonzero(counts.any(axis=1) | sm.any(axis=1))
    tz = np.zeros(n_cells)
    tp = np.ones(n_cells)
    tz[active], tp[active] = mann_kendall(zm[active])
    categories = np.full(n_cells, "no_pattern", dtype=object)
    for i in np.flatnonzero(sm.any(axis=1)):
        categories[i] = trend_category(zm[i], sm[i], tz[i], tp[i], alpha=alpha)
    trends = pd.DataFrame(
        {
            "h3_cell": area.cells,
            "trend_z": tz,
            "trend_p": tp,
            "n_hot_steps": (sm & (zm > 0)).sum(axis=1),
            "trend": categories,
        }
    )
    labels = np.array([str(s) for s in steps], dtype=object)
    series = pd.DataFrame(
        {
            "h3_cell": np.repeat(area.cells[active], t),
            "period": np.tile(labels, len(active)),
            "n": counts[active].ravel(),
            "score": scores[active].ravel(),
            "gi_z": zm[active].ravel(),
            "significant": sm[active].ravel(),
        }
    )
    return trends, series


# ---------------------------------------------------------------- key-area risk


def key_area_cells(key_areas: gpd.GeoDataFrame, res: int) -> dict[str, list[str]]:
    """Key-area id -> cells covering its watch circle (``radius_m``), its own cell included."""
    metric = utm_crs(key_areas) if len(key_areas) else None
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


def _risk_row(ka_id: str, present: pd.DataFrame, cell_trends: set[str]) -> dict[str, object]:
    """Level and evidence (codes and counts) of one key area from its cells' statistics."""
    classes = present["gi_class"].fillna("ns")
    n99 = int((classes == "hot_99").sum())
    n95 = int((classes == "hot_95").sum())
    n90 = int((classes == "hot_90").sum())
    events = int(present["n"].fillna(0).sum())
    rising = bool(cell_trends & RISING)
    falling = bool(cell_trends & FALLING) and not rising
    if not events:  # hot only through its neighbours: watched, not rated on its own
        level = "low"
    elif n99 or n95 >= 2 or (n95 and rising):
        level = "high"
    elif n95 or n90 or rising:
        level = "medium"
    else:
        level = "low"
    return {
        "id": ka_id,
        "level": level,
        "n_hot_99": n99,
        "n_hot_95": n95,
        "n_hot_90": n90,
        "events": events,
        "rising": rising,
        "falling": falling,
    }


def key_area_risk(
    key_areas: gpd.GeoDataFrame,
    hot: pd.DataFrame,
    trends: pd.DataFrame | None = None,
    *,
    lang: str | None = "zh",
) -> pd.DataFrame:
    """Risk level (``high``/``medium``/``low``) of each key area from its cells' evidence.

    Rules, applied in order: **low** without any event in the area's own cells (a hot cell
    there is hot through its neighbours only); **high** with any 99% hot cell, or two or more
    95% hot cells, or a 95% hot cell whose trend is rising; **medium** with any other hot cell
    at 90-95%, or a rising trend; **low** otherwise.

    Parameters
    ----------
    key_areas : GeoDataFrame
        ``id``, ``name``, ``category``, ``radius_m`` and a point geometry.
    hot : DataFrame
        :func:`hotspots` output (``h3_cell``, ``n``, ``gi_class`` …).
    trends : DataFrame, optional
        ``h3_cell`` and ``trend`` (:func:`emerging_hotspots`).
    lang : {"zh", "en"} or None
        Also add ``level_label`` and ``reasons`` in that language (see
        :func:`geo.i18n.risk_reasons`); ``None`` leaves the wording to the caller (the pages,
        whose cached results must not depend on the language).

    Returns
    -------
    DataFrame
        One row per key area, riskiest first: ``id, name, category, level, n_hot_99,
        n_hot_95, n_hot_90, events, rising, falling``.
    """
    if "h3_cell" not in hot.columns or hot.empty:
        raise ValueError("hot must be the output of hotspots() (h3_cell, gi_class, …)")
    res = h3.get_resolution(str(hot["h3_cell"].iloc[0]))
    by_cell = hot.set_index("h3_cell")
    trend_of = (
        trends.set_index("h3_cell")["trend"] if trends is not None else pd.Series(dtype=object)
    )
    rows = [
        _risk_row(ka_id, by_cell.reindex(cells), set(trend_of.reindex(cells).dropna()))
        for ka_id, cells in key_area_cells(key_areas, res).items()
    ]
    risk = pd.DataFrame(rows)
    out = key_areas[["id", "name", "category"]].merge(risk, on="id", how="left")
    order = {"high": 0, "medium": 1, "low": 2}
    out = out.sort_values(
        ["level", "n_hot_99", "n_hot_95", "events"],
        key=lambda s: s.map(order) if s.name == "level" else -s,
    ).reset_index(drop=True)
    if lang is not None:
        out["level_label"] = out["level"].map(lambda v: label("risk_", v, lang))
        out["reasons"] = [risk_reasons(r, lang) for r in out.to_dict("records")]
    return out
