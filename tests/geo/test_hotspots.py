from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.hotspots import (
    GI_CLASSES,
    TREND_CATEGORIES,
    StudyArea,
    emerging_hotspots,
    fdr_bh,
    gi_classes,
    gi_star,
    hotspots,
    key_area_cells,
    key_area_risk,
    mann_kendall,
    neighbour_matrix,
    study_cells,
    transform_values,
    trend_category,
)
from tests.conftest import make_events

CENTRE = h3.latlng_to_cell(30.95, 108.65, 9)


def esda_z(values: np.ndarray, weights) -> np.ndarray:
    import libpysal
    from esda.getisord import G_Local

    neighbours = {i: [int(j) for j in weights[[i]].indices if j != i] for i in range(len(values))}
    w = libpysal.weights.W(neighbours, silence_warnings=True)
    return G_Local(values, w, transform="B", star=True, permutations=0).Zs


class TestGiStar:
    @pytest.mark.parametrize("k", [1, 2], ids=["k1", "k2"])
    @pytest.mark.parametrize("shape", ["poisson", "clustered", "skewed"])
    def test_equals_esda_analytic_z(self, k: int, shape: str) -> None:
        cells = sorted(h3.grid_disk(CENTRE, 7))
        rng = np.random.default_rng(k)
        if shape == "poisson":
            y = rng.poisson(2.0, len(cells)).astype(float)
        elif shape == "clustered":
            near = set(h3.grid_disk(CENTRE, 2))
            y = np.array([rng.poisson(9 if c in near else 1) for c in cells], dtype=float)
        else:
            y = rng.pareto(1.5, len(cells)) * 3
        weights = neighbour_matrix(cells, k)
        z, p = gi_star(y, weights)
        np.testing.assert_allclose(z, esda_z(y, weights), atol=1e-6)
        assert ((p > 0) & (p <= 1)).all()

    def test_literal_six_cells(self) -> None:
        # a path graph 0-1-2-3-4-5 with self weights; hand-computed with the Ord-Getis formula
        w = np.eye(6) + np.eye(6, k=1) + np.eye(6, k=-1)
        from scipy import sparse

        x = np.array([0.0, 0.0, 1.0, 5.0, 1.0, 0.0])
        z, _ = gi_star(x, sparse.csr_array(w))
        n, mean = 6, x.mean()
        s = np.sqrt((x**2).mean() - mean**2)
        wi = w.sum(axis=1)
        expected = (w @ x - mean * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
        np.testing.assert_allclose(z, expected)
        assert z.argmax() == 3

    def test_constant_values_give_no_evidence(self) -> None:
        weights = neighbour_matrix(sorted(h3.grid_disk(CENTRE, 2)), 1)
        z, p = gi_star(np.full(weights.shape[0], 3.0), weights)
        assert (z == 0).all() and (p == 1).all()

    def test_shape_mismatch(self) -> None:
        with pytest.raises(ValueError, match="weights have shape"):
            gi_star(np.ones(3), neighbour_matrix([CENTRE], 1))


class TestNeighbours:
    def test_k_ring_with_self_and_edges(self) -> None:
        cells = sorted(h3.grid_disk(CENTRE, 1))
        w = neighbour_matrix(cells, 1).toarray()
        i = cells.index(CENTRE)
        assert w[i].sum() == 7 and w[i, i] == 1
        assert (w == w.T).all()
        assert all(3 <= w[j].sum() <= 4 for j in range(len(cells)) if j != i)  # border cells

    def test_study_cells_count_empty_land(self, two_townships) -> None:
        cells = study_cells(two_townships, 8)
        assert len(cells) > 100 and len(set(cells)) == len(cells)
        centres = [h3.cell_to_latlng(c) for c in cells]
        union = two_townships.union_all()
        assert all(union.contains(shapely.Point(lng, lat)) for lat, lng in centres)


class TestFdrAndClasses:
    def test_bh_literal(self) -> None:
        q = fdr_bh([0.01, 0.04, 0.03, 0.2])
        np.testing.assert_allclose(q, [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])

    def test_bh_agrees_with_esda_threshold(self) -> None:
        from esda import fdr

        p = np.random.default_rng(0).beta(0.3, 3, 400)
        threshold = fdr(p, 0.05)
        assert ((fdr_bh(p) <= 0.05) == (p <= threshold)).all()

    def test_classes(self) -> None:
        z = [3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0]
        p = [0.005, 0.04, 0.09, 0.6, 0.09, 0.04, 0.005]
        assert gi_classes(z, p).tolist() == list(GI_CLASSES)

    def test_transforms(self) -> None:
        np.testing.assert_allclose(transform_values([0, np.e - 1], "log1p"), [0, 1])
        with pytest.raises(ValueError, match="transform was 'sqrt'"):
            transform_values([1], "sqrt")


class TestHotspots:
    @pytest.fixture
    def cluster(self, two_townships):
        rng = np.random.default_rng(5)
        rows = [
            ("case", 30.95 + rng.normal(0, 0.002), 108.65 + rng.normal(0, 0.002)) for _ in range(80)
        ]
        rows += [
            ("tip", 30.91 + rng.random() * 0.08, 108.61 + rng.random() * 0.18) for _ in range(60)
        ]
        return make_events(rows)

    def test_cluster_is_hot_and_zeros_are_counted(self, cluster, two_townships) -> None:
        area = StudyArea.from_townships(two_townships, 9, 1)
        hot = hotspots(cluster, area)
        assert set(hot["h3_cell"]) >= set(area.cells)  # every study cell, empty ones too
        assert hot["n"].sum() == len(cluster)
        assert (hot["n"] == 0).mean() > 0.8
        top = hot.loc[hot["gi_z"].idxmax()]
        assert top["gi_class"] == "hot_99"
        assert h3.grid_distance(top["h3_cell"], h3.latlng_to_cell(30.95, 108.65, 9)) <= 1
        assert (hot["gi_q"] >= hot["gi_p"]).all()

    def test_events_outside_the_area_widen_it(self, two_townships) -> None:
        events = make_events([("case", 30.95, 108.65), ("case", 31.2, 109.0)])
        area = StudyArea.from_townships(two_townships, 8, 1)
        hot = hotspots(events, area)
        assert hot["n"].sum() == 2 and len(hot) == len(area.cells) + 1

    def test_from_points(self) -> None:
        lat = np.array([30.90, 30.95, 31.0])
        lon = np.array([108.6, 108.7, 108.65])
        area = StudyArea.from_points(lat, lon, 8, 1)
        assert {h3.latlng_to_cell(a, b, 8) for a, b in zip(lat, lon, strict=True)} <= set(
            area.cells
        )
        assert area.weights.shape == (len(area.cells),) * 2


class TestMannKendall:
    def test_matches_pymannkendall(self) -> None:
        import pymannkendall

        rng = np.random.default_rng(1)
        series = np.vstack(
            [
                np.arange(24) + rng.normal(0, 3, 24),
                rng.normal(0, 1, 24),
                np.r_[np.ones(12), np.zeros(12)],
                np.round(rng.normal(0, 1, 24)),
            ]
        )
        z, p = mann_kendall(series)
        for row, zi, pi in zip(series, z, p, strict=True):
            ref = pymannkendall.original_test(row)
            assert zi == pytest.approx(ref.z, abs=1e-9) and pi == pytest.approx(ref.p, abs=1e-9)


SIG = 3.0  # a clearly significant hot z
COLD = -3.0
CASES = {
    # name: (z series, expected category); every step of 12 is "significant" where |z| = 3
    "new_hot": ([0] * 11 + [SIG], "new_hot"),
    "consecutive_hot": ([0] * 9 + [SIG] * 3, "consecutive_hot"),
    "intensifying_hot": ([SIG + 0.2 * i for i in range(12)], "intensifying_hot"),
    "persistent_hot": ([SIG, SIG + 0.1] * 6, "persistent_hot"),
    "diminishing_hot": ([SIG + 3 - 0.2 * i for i in range(12)], "diminishing_hot"),
    "sporadic_hot": ([SIG, 0, 0, SIG, 0, 0, SIG, 0, 0, 0, 0, SIG], "sporadic_hot"),
    "oscillating_hot": ([COLD, 0, 0, SIG, 0, COLD, 0, 0, SIG, 0, 0, SIG], "oscillating_hot"),
    "historical_hot": ([SIG] * 11 + [0], "historical_hot"),
    "new_cold": ([0] * 11 + [COLD], "new_cold"),
    "persistent_cold": ([COLD, COLD - 0.1] * 6, "persistent_cold"),
    "no_pattern": ([0.5, -0.5] * 6, "no_pattern"),
}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_trend_categories(name: str) -> None:
    z, expected = CASES[name]
    za = np.asarray(z, dtype=float)
    tz, tp = mann_kendall(za)
    assert trend_category(za, np.abs(za) >= 2.0, tz[0], tp[0]) == expected
    assert expected in TREND_CATEGORIES


def test_emerging_on_events_sees_a_new_hotspot(two_townships) -> None:
    rng = np.random.default_rng(2)
    rows, stamps = [], []
    for month in range(1, 13):
        for _ in range(30):  # background everywhere, every month
            rows.append(("tip", 30.91 + rng.random() * 0.08, 108.61 + rng.random() * 0.18))
            stamps.append(f"2025-{month:02d}-10 12:00")
    for _ in range(60):  # a burst in December only
        rows.append(("case", 30.95 + rng.normal(0, 0.001), 108.75 + rng.normal(0, 0.001)))
        stamps.append("2025-12-05 21:00")
    events = make_events(rows)
    events["occurred_at"] = pd.to_datetime(stamps).tz_localize("Asia/Shanghai")
    area = StudyArea.from_townships(two_townships, 8, 1)
    trends, series = emerging_hotspots(events, area)
    burst = h3.latlng_to_cell(30.95, 108.75, 8)
    assert trends.set_index("h3_cell").loc[burst, "trend"] == "new_hot"
    assert series["period"].nunique() == 12
    assert series.groupby("period")["n"].sum().sum() == len(events)


@pytest.mark.parametrize(
    ("alpha", "expected"), [(0.10, "intensifying_hot"), (0.05, "persistent_hot")], ids=str
)
def test_emerging_trend_test_uses_alpha(two_townships, monkeypatch, alpha, expected) -> None:
    """Found in review: the slices were tested at ``alpha`` but the Mann-Kendall trend at a
    fixed 0.05, so a rising spot at p = 0.07 was never intensifying with alpha 0.10."""
    rng = np.random.default_rng(3)
    rows, stamps = [], []
    for month in range(1, 13):
        for _ in range(30):  # background everywhere
            rows.append(("tip", 30.91 + rng.random() * 0.08, 108.61 + rng.random() * 0.18))
            stamps.append(f"2025-{month:02d}-10 12:00")
        for _ in range(20):  # a spot hot every month
            rows.append(("case", 30.95 + rng.normal(0, 0.0005), 108.75 + rng.normal(0, 0.0005)))
            stamps.append(f"2025-{month:02d}-05 21:00")
    events = make_events(rows)
    events["occurred_at"] = pd.to_datetime(stamps).tz_localize("Asia/Shanghai")

    def rising_at_p_007(series):  # every cell's z series rises, p = 0.07
        n = np.atleast_2d(series).shape[0]
        return np.full(n, 1.8), np.full(n, 0.07)

    monkeypatch.setattr("geo.hotspots.mann_kendall", rising_at_p_007)
    area = StudyArea.from_townships(two_townships, 8, 1)
    trends, _ = emerging_hotspots(events, area, alpha=alpha)
    spot = h3.latlng_to_cell(30.95, 108.75, 8)
    assert trends.set_index("h3_cell").loc[spot, "trend"] == expected


def test_key_area_risk_levels_and_reasons(two_townships) -> None:
    key_areas = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "name": ["热站", "冷站"],
            "category": ["bus_terminal", "school"],
            "radius_m": [300.0, 300.0],
        },
        geometry=[shapely.Point(108.65, 30.95), shapely.Point(108.78, 30.92)],
        crs=4326,
    )
    rng = np.random.default_rng(5)
    rows = [
        ("case", 30.95 + rng.normal(0, 0.001), 108.65 + rng.normal(0, 0.001)) for _ in range(80)
    ]
    rows += [("tip", 30.91 + rng.random() * 0.08, 108.61 + rng.random() * 0.18) for _ in range(40)]
    hot = hotspots(make_events(rows), StudyArea.from_townships(two_townships, 9, 1))
    risk = key_area_risk(key_areas, hot).set_index("id")
    assert risk.loc["a", "level"] == "high" and risk.loc["a", "level_label"] == "高"
    assert "99%热点格" in risk.loc["a", "reasons"]
    assert risk.loc["b", "level"] == "low" and "无显著热点" in risk.loc["b", "reasons"]
    assert key_area_risk(key_areas, hot, lang="en").iloc[0]["level_label"] == "High"


def test_a_key_area_without_events_of_its_own_is_never_high(two_townships) -> None:
    """Found by a user: a school rated 高 with 事件0起 (hot through its neighbours only)."""
    import h3

    busy = h3.latlng_to_cell(30.95, 108.65, 9)
    lat, lon = h3.cell_to_latlng(sorted(h3.grid_ring(busy, 1))[0])
    key_areas = gpd.GeoDataFrame(
        {"id": ["near"], "name": ["校"], "category": ["school"], "radius_m": [10.0]},
        geometry=[shapely.Point(lon, lat)],
        crs=4326,
    )
    rng = np.random.default_rng(5)
    rows = [("case", 30.95, 108.65)] * 60
    rows += [("tip", 30.91 + rng.random() * 0.08, 108.61 + rng.random() * 0.18) for _ in range(40)]
    hot = hotspots(make_events(rows), StudyArea.from_townships(two_townships, 9, 1))
    present = hot.set_index("h3_cell").reindex(key_area_cells(key_areas, 9)["near"])
    assert present["n"].fillna(0).sum() == 0 and present["gi_class"].str.startswith("hot").any()
    risk = key_area_risk(key_areas, hot).iloc[0]
    assert risk["level"] == "low" and "本区域无事件" in risk["reasons"]
    assert "level_label" not in key_area_risk(key_areas, hot, lang=None).columns
