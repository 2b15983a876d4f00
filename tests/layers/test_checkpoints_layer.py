"""Checkpoint layers of the 车辆筛查 page, tested by their rendered HTML (synthetic rows)."""

from __future__ import annotations

import pandas as pd

from layers.checkpoints import (
    PASSED_COLOR,
    checkpoint_layer,
    checkpoint_rows,
    vehicle_passes_layer,
)
from tests.layers.test_blacklist_layer import render

CHECKPOINTS = pd.DataFrame(
    {
        "cp_id": ["A1", "B1", "X9"],
        "cp_name": ["甲镇出入口", "<img src=x onerror=alert(1)>`${1}`", "无坐标"],
        "kind": ["township_entrance", "hsr_station", "other"],
        "lon": [108.70, 108.80, float("nan")],
        "lat": [31.00, 30.90, float("nan")],
    }
)


def test_every_checkpoint_with_a_position_is_named_in_words() -> None:
    html = render(checkpoint_layer(CHECKPOINTS, "zh"))
    assert "甲镇出入口" in html and "乡镇出入口" in html and "高铁站" in html
    assert "township_entrance" not in html  # the kind in words, not its code
    assert "无坐标" not in html  # no position, no dot
    assert "<img src=x" not in html and "&lt;img src=x" in html  # data are escaped


def test_the_vehicles_checkpoints_grow_with_its_passes() -> None:
    counts = CHECKPOINTS.iloc[:2].assign(
        n=[1, 16],
        first=pd.to_datetime(["2025-10-13 05:50", "2025-10-13 06:00"]),
        last=pd.to_datetime(["2025-10-13 05:50", "2025-10-18 21:30"]),
    )
    html = render(vehicle_passes_layer(counts, "en"))
    assert html.count(PASSED_COLOR) >= 2
    assert '"radius": 8.5' in html and '"radius": 16.0' in html
    assert "16 passes, 2025-10-13 06:00 to 2025-10-18 21:30" in html


def test_the_legend_explains_both_layers(two_townships) -> None:
    from layers.situation import situation_map

    m = situation_map(
        townships=two_townships,
        cells=None,
        extra=[checkpoint_layer(CHECKPOINTS, "zh")],
        legend_title="车辆筛查",
        legend_rows=checkpoint_rows("zh"),
    )
    html = m.get_root().render()
    assert "车辆筛查" in html and "该车经过的卡口" in html
    assert "加权得分" not in html  # no hexagons, no hexagon title
