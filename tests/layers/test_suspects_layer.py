"""The 嫌疑车辆活动 layer, tested by its rendered HTML (the literal passes of test_activity)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.activity import label_passes, suspect_activity
from geo.auth import Scope
from geo.cells import cells_to_frame
from layers.style import SUSPECT_COLORS
from layers.suspects import activity_breaks, suspect_layer
from tests.geo.test_activity import CPS, GRADES, MARKETS, MINUTES, cell
from tests.layers.test_blacklist_layer import render


@pytest.fixture
def activity() -> pd.DataFrame:
    passes = label_passes(MINUTES, GRADES, CPS, key_areas=MARKETS)
    return suspect_activity(passes, Scope(None, mask_plates=False), res=9)


def test_the_layer_shows_each_cell_with_counts_and_no_plate(activity: pd.DataFrame) -> None:
    group, rows = suspect_layer(cells_to_frame(activity), lang="zh")
    html = render(group)
    assert all(cell(c) in html for c in ("A1", "B1", "H1", "U1"))
    assert "嫌疑车辆过车次数" in html and "其中夜间过车" in html and "其中逢场日过车" in html
    assert "渝F" not in html  # counts only: no plate reaches the page
    assert len(rows) == 3 and {r.color for r in rows} == set(SUSPECT_COLORS)
    assert rows[-1].label.endswith(f"{activity['activity'].max():g}")


def test_english_tooltip_and_off_by_choice(activity: pd.DataFrame) -> None:
    group, _ = suspect_layer(cells_to_frame(activity), lang="en", show=False)
    html = render(group)
    assert "Passes of suspect vehicles" in html and "Passes at night" in html
    assert group.show is False


def test_nothing_to_draw() -> None:
    empty = gpd.GeoDataFrame({"h3_cell": [], "activity": []}, geometry=[], crs=4326)
    group, rows = suspect_layer(empty)
    assert rows == [] and "嫌疑车辆过车次数" not in render(group)


def test_breaks_are_thirds_and_end_at_the_maximum() -> None:
    assert activity_breaks(np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0])) == [0.8, 2.7, 8.0]
    assert activity_breaks(np.array([2.0, 2.0])) == [2.0]
    assert activity_breaks(np.array([])) == [0.0]


@pytest.mark.parametrize("tiles", ["none", "amap"])
def test_on_the_situation_map_with_its_legend(
    two_townships, activity: pd.DataFrame, tiles: str
) -> None:
    from layers.situation import situation_map

    m = situation_map(townships=two_townships, cells=None, suspects=activity, tiles=tiles)
    raw = m.get_root().render()
    html = re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), raw)
    assert "嫌疑车辆活动(按等级加权的过车次数)" in html  # the legend's section
    assert html.count("嫌疑车辆活动") >= 2  # and the layer control's entry
    assert cell("A1") in html and "渝F" not in html
    # with Amap's GCJ-02 tiles the hexagons move with every other layer
    lon = float(cells_to_frame(activity).geometry.iloc[0].exterior.coords[0][0])
    assert (f"{lon:.5f}" in html) == (tiles == "none")
