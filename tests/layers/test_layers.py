"""Layers are tested by their rendered HTML (as geopandas tests explore())."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from branca.element import MacroElement

from geo.cells import aggregate, annotate_cells, cells_to_frame
from layers.assets import URL_MAP, UnknownAssetError, localize, missing_files
from layers.basemap import base_map, fit_zoom
from layers.hexes import hex_layer, trend_layer
from layers.incidents import incident_layer
from layers.legend import Legend, score_legend_rows
from layers.situation import situation_map
from layers.style import SCORE_COLORS, TREND_COLORS, class_colors, classify, score_breaks
from tests.conftest import make_events

BOUNDS = (108.6, 30.9, 108.8, 31.0)


@pytest.fixture
def small_map_parts(two_townships):
    events = make_events([("case", 30.95, 108.65), ("tip", 30.95, 108.65), ("tip", 30.96, 108.75)])
    events["plate"] = "渝F·SECRET1"
    events["tipster_name"] = "保密人"
    key_areas = gpd.GeoDataFrame(
        {
            "name": ["客运站"],
            "name_en": ["Bus terminal"],
            "category": ["bus_terminal"],
            "radius_m": [300.0],
            "market_days": [""],
        },
        geometry=[shapely.Point(108.66, 30.95)],
        crs=4326,
    )
    cells = annotate_cells(cells_to_frame(aggregate(events, 9)), two_townships, key_areas)
    return two_townships, cells, key_areas, events


def render(m: folium.Map) -> str:
    """The map's HTML with JSON's \\uXXXX escapes decoded, as the browser would read it."""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def external_assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)


def test_situation_map_has_no_cdn_assets_and_all_layers(small_map_parts) -> None:
    townships, cells, key_areas, events = small_map_parts
    html = render(
        situation_map(townships=townships, cells=cells, key_areas=key_areas, events=events)
    )
    assert external_assets(html) == []
    assert "/app/static/vendor/leaflet/dist/leaflet.js" in html
    assert "markercluster" in html
    assert "甲镇" in html and "客运站" in html
    assert "六边形热度" in html and "事件数" in html  # Chinese layer name and tooltip alias
    assert "tileLayer" not in html  # no tiles by default: works offline


def test_english_switch(small_map_parts) -> None:
    townships, cells, key_areas, _ = small_map_parts
    html = render(situation_map(townships=townships, cells=cells, key_areas=key_areas, lang="en"))
    assert "Hexagon score" in html and "Nearest key area" in html and "Bus terminal" in html


def test_personal_fields_never_reach_the_map(small_map_parts) -> None:
    townships, cells, key_areas, events = small_map_parts
    html = render(
        situation_map(townships=townships, cells=cells, key_areas=key_areas, events=events)
    )
    assert "SECRET1" not in html and "保密人" not in html
    assert "查处案件 2025-10-01 20:00" in html  # what the incident tooltip does show


def test_incident_layer_caps_points() -> None:
    events = make_events([("tip", 30.95, 108.65 + i * 1e-4) for i in range(50)])
    m = folium.Map(tiles=None)
    incident_layer(events, max_points=10).add_to(m)
    assert render(m).count("举报线索 2025-10-01") == 10


@pytest.mark.parametrize(
    ("tiles", "expected"),
    [("osm", "tile.openstreetmap.org"), ("custom", "tiles.intranet.local")],
    ids=["osm", "custom"],
)
def test_tile_choices(tiles: str, expected: str) -> None:
    m = base_map(BOUNDS, tiles=tiles, tile_url="http://tiles.intranet.local/{z}/{x}/{y}.png")
    assert expected in render(m)


def test_unknown_tiles_refused() -> None:
    with pytest.raises(ValueError, match="tiles was 'google'"):
        base_map(BOUNDS, tiles="google")


def test_fit_zoom_fits_and_grows_for_smaller_areas() -> None:
    county = fit_zoom((108.41, 30.58, 109.25, 31.44), width=900, height=600)
    town = fit_zoom((108.68, 30.92, 108.72, 30.95), width=900, height=600)
    assert 9 <= county <= 10 and town > county + 3
    assert county * 4 == int(county * 4)


class TestAssets:
    def test_unknown_cdn_asset_is_refused(self) -> None:
        class Plugin(MacroElement):
            default_js = [("evil", "https://cdn.example.com/plugin.js")]

        m = folium.Map(tiles=None)
        Plugin().add_to(m)
        with pytest.raises(UnknownAssetError, match="cdn.example.com/plugin.js"):
            localize(m)

    def test_local_and_relative_urls_pass_through(self) -> None:
        class Plugin(MacroElement):
            default_js = [("mine", "/app/static/vendor/mine.js"), ("rel", "static/x.js")]

        m = folium.Map(tiles=None)
        p = Plugin()
        p.add_to(m)
        localize(m)
        assert p.default_js == [("mine", "/app/static/vendor/mine.js"), ("rel", "static/x.js")]

    def test_every_mapped_file_was_fetched(self) -> None:
        # `make test` runs `python -m layers.assets fetch` first
        assert missing_files() == []
        assert any(v.endswith("leaflet.js") for v in URL_MAP.values())


class TestStyle:
    def test_breaks_are_increasing_and_end_at_max(self) -> None:
        scores = np.array([0.5, 1, 1, 2, 3, 5, 8, 13, 100])
        breaks = score_breaks(scores)
        assert breaks == sorted(set(breaks)) and breaks[-1] == 100
        assert classify([0.5, 100], breaks).tolist() == [0, len(breaks) - 1]

    def test_constant_and_empty_scores(self) -> None:
        assert score_breaks([2.0, 2.0]) == [2.0]
        assert score_breaks([]) == [0.0]
        assert class_colors(1) == [SCORE_COLORS[-1]]

    def test_legend_rows_and_html(self) -> None:
        rows = score_legend_rows([1.0, 5.0], ["#fff", "#000"])
        assert rows == [("#fff", "0 – 1"), ("#000", "1 – 5")]
        m = folium.Map(tiles=None)
        Legend("得分<script>", rows).add_to(m)
        html = render(m)
        assert "得分&lt;script&gt;" in html and "1 – 5" in html


class TestGiLayers:
    @pytest.fixture
    def gi_cells(self, small_map_parts):
        _, cells, _, _ = small_map_parts
        cells = cells.copy()
        cells["gi_class"] = ["hot_99"] + ["ns"] * (len(cells) - 1)
        cells["gi_label"] = ["热点(99%置信)"] + ["不显著"] * (len(cells) - 1)
        cells["gi_z"] = [3.21] + [0.1] * (len(cells) - 1)
        cells["trend"] = ["intensifying_hot"] + ["no_pattern"] * (len(cells) - 1)
        cells["trend_label"] = ["加剧热点"] + ["无明显模式"] * (len(cells) - 1)
        return cells

    def test_gi_mode_colours_and_legend(self, gi_cells) -> None:
        group, rows = hex_layer(gi_cells, mode="gi")
        m = folium.Map(tiles=None)
        group.add_to(m)
        html = render(m)
        assert rows[0] == ("#b2182b", "热点(99%置信)") and rows[-2][1] == "不显著"
        assert rows[-1].label == "无事件(不着色)"  # blank cells are explained too
        assert "#b2182b" in html and "#67000d" in html and "热点分级" in html
        assert "Gi* z 值" in html

    def test_trend_layer_outlines_only_trending_cells(self, gi_cells) -> None:
        group, rows = trend_layer(gi_cells, lang="en")
        assert rows == [(TREND_COLORS["intensifying_hot"], "Intensifying hot spot")]
        m = folium.Map(tiles=None)
        group.add_to(m)
        html = render(m)  # tooltips worded from the trend codes, in the layer's language
        assert html.count("Intensifying hot spot") == 1 and "加剧热点" not in html

    def test_situation_map_gi_with_trends(self, gi_cells, small_map_parts) -> None:
        townships, _, key_areas, _ = small_map_parts
        html = render(
            situation_map(
                townships=townships,
                cells=gi_cells,
                key_areas=key_areas,
                mode="gi",
                show_trends=True,
            )
        )
        assert "Gi* 热点分级" in html and "趋势(按月)" in html
        assert external_assets(html) == []

    def test_unknown_mode(self, gi_cells) -> None:
        with pytest.raises(ValueError, match="mode was 'heat'"):
            hex_layer(gi_cells, mode="heat")


class TestForecastLayer:
    @pytest.fixture
    def forecast_cells(self, small_map_parts):
        _, cells, _, _ = small_map_parts
        out = cells[["h3_cell", "township", "nearest_key_area", "key_area_m", "geometry"]].copy()
        out["forecast"] = np.linspace(0.05, 12.3456, len(out))
        return out

    def test_colours_by_expected_events(self, forecast_cells, small_map_parts) -> None:
        group, rows = hex_layer(forecast_cells, mode="forecast")
        assert rows and rows[-1] == (SCORE_COLORS[-1], f"{rows[-2][1].split(' – ')[1]} – 12.3")
        m = folium.Map(tiles=None)
        group.add_to(m)
        html = render(m)
        assert "下月预计事件数" in html and "12.35" in html  # tooltip: two decimals
        assert "加权得分" not in html and "Gi* z 值" not in html
        townships, _, key_areas, _ = small_map_parts
        page = render(
            situation_map(
                townships=townships, cells=forecast_cells, key_areas=key_areas, mode="forecast"
            )
        )
        assert "下月预计事件数(每格)" in page and external_assets(page) == []


def test_deck_forecast_mode(small_map_parts) -> None:
    from layers.deck import deck_map

    townships, cells, _, _ = small_map_parts
    frame = cells[["h3_cell", "township", "nearest_key_area"]].assign(forecast=[0.123, 4.567])
    deck = deck_map(frame, townships, mode="forecast")
    hexes = deck.layers[1].data
    assert [r["forecast"] for r in hexes] == [0.12, 4.57] and all(
        len(r["color"]) == 4 for r in hexes
    )
    assert "{forecast}" in deck._tooltip["html"]
