from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.cells import (
    CELL_COLUMNS,
    aggregate,
    annotate_cells,
    cells_to_frame,
    points_to_cells,
    with_cells,
)
from tests.conftest import make_events

HSR = (30.9868, 108.7172)


def test_points_to_cells_matches_h3_scalar() -> None:
    lat = np.array([30.93, 31.2, 30.7])
    lon = np.array([108.7, 108.8, 108.9])
    cells = points_to_cells(lat, lon, 9)
    assert list(cells) == [h3.latlng_to_cell(a, b, 9) for a, b in zip(lat, lon, strict=True)]


@pytest.mark.parametrize("res", [7, 8, 9, 10], ids=lambda r: f"res{r}")
def test_precomputed_cells_equal_direct_indexing(res: int) -> None:
    rng = np.random.default_rng(3)
    rows = [("tip", 30.6 + rng.random() * 0.8, 108.4 + rng.random() * 0.8) for _ in range(300)]
    events = make_events(rows)
    direct = aggregate(events, res)
    pre = with_cells(events)
    assert {f"cell_{r}" for r in range(7, 11)} <= set(pre.columns)
    pd.testing.assert_frame_equal(aggregate(pre, res), direct)
    # every point lies in the polygon of the cell it is counted in
    polys = cells_to_frame(pre[f"cell_{res}"].unique()).set_index("h3_cell").geometry
    pts = shapely.points(pre["lon"], pre["lat"])
    assert all(polys[c].covers(p) for c, p in zip(pre[f"cell_{res}"], pts, strict=True))


@pytest.mark.parametrize("res", [7, 8, 9, 10], ids=lambda r: f"res{r}")
def test_aggregate_invariants(res: int) -> None:
    rng = np.random.default_rng(res)
    rows = [
        (
            "case" if rng.random() < 0.4 else "tip",
            30.9 + rng.random() * 0.1,
            108.6 + rng.random() * 0.2,
        )
        for _ in range(500)
    ]
    events = make_events(rows)
    cells = aggregate(events, res)
    assert tuple(cells.columns) == CELL_COLUMNS
    assert cells["n"].sum() == len(events)
    assert cells["n_case"].sum() == (events["kind"] == "case").sum()
    assert (cells["n"] == cells["n_case"] + cells["n_tip"]).all()
    assert np.allclose(cells["score"], cells["n_case"] * 1.0 + cells["n_tip"] * 0.5)
    assert cells["h3_cell"].is_unique
    assert all(h3.get_resolution(c) == res for c in cells["h3_cell"])
    assert cells["score"].is_monotonic_decreasing


def test_aggregate_counts_literal() -> None:
    events = make_events([("case", *HSR), ("tip", *HSR), ("tip", *HSR), ("case", 30.7, 108.9)])
    cells = aggregate(events, 9, weights={"case": 2.0, "tip": 1.0}).set_index("h3_cell")
    hsr = h3.latlng_to_cell(*HSR, 9)
    assert cells.loc[hsr, ["n", "n_case", "n_tip", "score"]].tolist() == [3, 1, 2, 4.0]
    assert len(cells) == 2


def test_aggregate_reuses_precomputed_cells_and_empty_input() -> None:
    events = make_events([("case", *HSR)])
    events["cell_8"] = [h3.latlng_to_cell(30.0, 100.0, 8)]  # deliberately elsewhere
    assert aggregate(events, 8)["h3_cell"].iloc[0] == events["cell_8"][0]
    empty = aggregate(events.iloc[:0], 8)
    assert empty.empty and tuple(empty.columns) == CELL_COLUMNS


@pytest.mark.parametrize("res", [6, 11, -1], ids=str)
def test_resolution_outside_range_is_refused(res: int) -> None:
    with pytest.raises(ValueError, match="expected to be in 7..10"):
        aggregate(make_events([("case", *HSR)]), res)


def test_cells_to_frame_polygons_contain_their_centres() -> None:
    cells = [h3.latlng_to_cell(*HSR, r) for r in (7, 8, 9, 10)]
    gdf = cells_to_frame(cells)
    assert gdf.crs.to_epsg() == 4326
    for cell, geom in zip(cells, gdf.geometry, strict=True):
        lat, lng = h3.cell_to_latlng(cell)
        assert geom.is_valid and geom.contains(shapely.Point(lng, lat))
        assert len(geom.exterior.coords) == 7  # hexagon, closed ring


def test_annotate_names_township_and_nearest_key_area(two_townships) -> None:
    import geopandas as gpd

    key_areas = gpd.GeoDataFrame(
        {"name": ["西站", "东医院"], "category": ["bus_terminal", "hospital"]},
        geometry=[shapely.Point(108.62, 30.95), shapely.Point(108.78, 30.95)],
        crs=4326,
    )
    cells = cells_to_frame(
        [h3.latlng_to_cell(30.95, 108.63, 9), h3.latlng_to_cell(30.95, 108.77, 9)]
    )
    out = annotate_cells(cells, two_townships, key_areas)
    assert out["township"].tolist() == ["甲镇", "乙乡"]
    assert out["nearest_key_area"].tolist() == ["西站", "东医院"]
    assert out["key_area_m"].between(500, 2500).all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["case", "tip"]), st.floats(30.6, 31.4), st.floats(108.4, 109.2)),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([7, 8, 9, 10]),
)
def test_aggregate_conserves_events(rows, res) -> None:
    cells = aggregate(make_events(rows), res)
    assert cells["n"].sum() == len(rows)
    assert (cells["n"] > 0).all()
    assert isinstance(cells, pd.DataFrame)
