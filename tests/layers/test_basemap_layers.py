"""Local tiles, base-map vector layers, labels by zoom, the metric scale and the full legend."""

from __future__ import annotations

import re

import geopandas as gpd
import shapely

from geo.tiles import Tileset
from layers.basemap import base_map
from layers.deck import deck_legend
from layers.legend import Row, legend_html
from layers.situation import situation_map
from tests.layers.test_layers import render
from tests.layers.test_layers import small_map_parts as small_map_parts  # the fixture

TILESET = Tileset("county-2024", "jpg", 8, 14, (108.4, 30.6, 109.2, 31.4), "<i>县局</i>", 10)


def base_frames() -> dict[str, gpd.GeoDataFrame]:
    line = shapely.LineString([(108.62, 30.92), (108.78, 30.98)])
    return {
        "roads": gpd.GeoDataFrame(
            {"name": ["G42", "县道X1"], "class": ["expressway", "minor"]},
            geometry=[line, line.offset_curve(0.01)],
            crs=4326,
        ),
        "rivers": gpd.GeoDataFrame(
            {"name": ["长江"], "class": ["major"]},
            geometry=[shapely.box(108.6, 30.93, 108.8, 30.935)],
            crs=4326,
        ),
        "villages": gpd.GeoDataFrame(
            {"name": ["石板村"], "class": ["village"]},
            geometry=[shapely.Point(108.7, 30.97)],
            crs=4326,
        ),
    }


def test_local_tiles_come_from_the_app() -> None:
    html = render(base_map((108.6, 30.9, 108.8, 31.0), tiles="local", tileset=TILESET))
    assert '"/app/static/tiles/county-2024/{z}/{x}/{y}.jpg"' in html
    assert '"maxNativeZoom": 14' in html and '"minNativeZoom": 8' in html
    bounds = re.search(r'"bounds": (\[[^;]*?\]),\s*\}', html).group(1)
    assert re.sub(r"[\s,]+", " ", bounds).replace("[ ", "[").replace(" ]", "]") == (
        "[[30.6 108.4] [31.4 109.2]]"
    )  # no requests outside the tile set
    assert "<i>县局</i>" not in html and "&lt;i&gt;县局&lt;/i&gt;" in html  # attribution escaped
    # without an imported set: no tiles at all, the township base map
    assert "tileLayer" not in render(base_map((108.6, 30.9, 108.8, 31.0), tiles="local"))


def test_metric_scale_and_no_flag() -> None:
    html = render(base_map((108.6, 30.9, 108.8, 31.0)))
    assert "L.control.scale({metric: true, imperial: false" in html
    assert 'setPrefix("Leaflet")' in html
    assert '"controlScale"' not in html and "control_scale" not in html


def test_vector_layers_under_the_hexagons_with_zoom_labels(small_map_parts) -> None:
    townships, cells, key_areas, _ = small_map_parts
    html = render(
        situation_map(townships=townships, cells=cells, key_areas=key_areas, base=base_frames())
    )
    assert html.count('"pane": "hexpatrol-base"') >= 4  # road casing + fill, river, village
    assert '"hexpatrol-base": 350' in html and '"hexpatrol-labels": 450' in html
    # labels: road names from zoom 11 (expressway) / 13 (minor), villages from 13
    assert re.search(r'"G42", "hexpatrol-label-road road-expressway", 11', html)
    assert re.search(r'"县道X1", "hexpatrol-label-road road-minor", 13', html)
    assert re.search(r'"石板村", "hexpatrol-label-village", 13', html)
    assert re.search(r'"长江", "hexpatrol-label-river", 9', html)
    assert "道路" in html and "河流水系" in html and "村庄" in html


def test_the_legend_explains_every_symbol(small_map_parts) -> None:
    townships, cells, key_areas, events = small_map_parts
    routes = gpd.GeoDataFrame(
        {"name": ["江口—云阳"]},
        geometry=[shapely.LineString([(108.6, 30.9), (108.8, 31.0)])],
        crs=4326,
    )
    import pandas as pd

    posts = pd.DataFrame(
        {
            "post": [1, 2],
            "kind": ["fixed", "mobile"],
            "lat": [30.95, 30.96],
            "lon": [108.66, 108.7],
            "name": ["客运站", "乙乡"],
            "risk_covered": [3.0, 1.0],
        }
    )
    html = render(
        situation_map(
            townships=townships,
            cells=cells,
            key_areas=key_areas,
            routes=routes,
            events=events,
            posts=posts,
            base=base_frames(),
        )
    )
    legend = html[html.index("hexpatrol-legend") :]
    for word in (
        "无事件(不着色)",  # blank cells
        "汽车客运站",  # the badge of the category present
        "重点区域范围",
        "重点线路",
        "高速公路",
        "乡村道路",
        "河流水系",
        "村庄",
        "固定岗",
        "机动巡逻",
        "巡逻覆盖范围",
        "查处案件",
        "聚合点",
    ):
        assert word in legend, word
    assert "<details open>" in html  # foldable, so it never hides the map for good


def test_deck_view_has_a_legend(small_map_parts) -> None:
    _, cells, key_areas, _ = small_map_parts
    cells = cells.assign(gi_class=["hot_99"] + ["ns"] * (len(cells) - 1))
    html = legend_html(deck_legend(cells, mode="gi", key_areas=key_areas))
    assert "热点(99%置信)" in html and "无事件(不着色)" in html and "重点区域" in html
    assert legend_html([("<b>", [Row("badge", "red;x:url(y)", "<x>", char="<")])]).count("<x>") == 0
    assert "url(" not in legend_html([("", [Row("fill", "red;background:url(y)", "a")])])
