"""黑名单 layers, tested by their rendered HTML (masked plates only, flagged areas only)."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.blacklist import BlacklistRules, key_area_watchlist, vehicle_blacklist
from layers.blacklist import WATCH_COLOR, vehicle_layer, watchlist_layer

RAW = ("渝F·B2089", "渝fb 2089", "渝FB2089")


def render(layer: folium.FeatureGroup) -> str:
    """The map's HTML with JSON's \\uXXXX escapes decoded, as the browser would read it."""
    html = folium.Map().add_child(layer).get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


@pytest.fixture
def events() -> pd.DataFrame:
    """Three sightings of one plate (three spellings) and two of another, near 客运站."""
    rows = [
        ("case", "2025-10-01 20:00", RAW[0], 30.9501, 108.6501),
        ("tip", "2025-10-02 20:00", RAW[1], 30.9502, 108.6502),
        ("tip", "2025-10-03 20:00", RAW[2], 30.9503, 108.6503),
        ("case", "2025-10-01 21:00", "渝F77777", 30.9504, 108.6504),
        ("case", "2025-10-02 21:00", "渝F77777", 30.9505, 108.6505),
    ]
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "kind": [r[0] for r in rows],
            "occurred_at": pd.to_datetime([r[1] for r in rows]).tz_localize("Asia/Shanghai"),
            "lat": [r[3] for r in rows],
            "lon": [r[4] for r in rows],
            "township_code": "500235001",
            "plate": [r[2] for r in rows],
            "tipster_name": "王秘密",
        }
    )


@pytest.fixture
def key_areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["ka000", "ka001"],
            "name": ["客运站", "远处集市"],
            "name_en": ["Bus terminal", "Far market"],
            "category": ["bus_terminal", "rural_market"],
            "radius_m": [321.0, 654.0],
            "township_code": ["500235001", "500235002"],
        },
        geometry=[shapely.Point(108.65, 30.95), shapely.Point(108.80, 31.10)],
        crs=4326,
    )


def test_vehicle_layer_shows_masked_plate_never_raw(events) -> None:
    table = vehicle_blacklist(events)
    assert len(table) == 1
    html = render(vehicle_layer(table))
    assert "渝F·B****" in html
    for spelling in (*RAW, "B2089", "渝F77777", "王秘密"):
        assert spelling not in html
    assert "事件 3 起(查处 1,举报 2)" in html
    assert vehicle_layer(table).layer_name == "黑名单车辆(最近位置)"
    assert html.count("L.circleMarker(") == 1
    assert "30.9503" in html and "108.6503" in html  # last position


def test_vehicle_layer_renders_what_it_is_given(events) -> None:
    # the raw-plate check above can fail: an unmasked table does show the plate
    layer = vehicle_layer(vehicle_blacklist(events, mask=False), "en")
    html = render(layer)
    assert "渝FB2089" in html
    assert "3 events (cases 1, tips 2)" in html
    assert layer.layer_name == "Blacklisted vehicles (last seen)"


def test_vehicle_layer_empty_and_positionless_rows(events) -> None:
    table = vehicle_blacklist(events, BlacklistRules(vehicle_min_events=2))
    assert len(table) == 2
    table.loc[0, "last_lat"] = float("nan")
    html = render(vehicle_layer(table))
    assert html.count("L.circleMarker(") == 1
    assert render(vehicle_layer(table.iloc[0:0])).count("L.circleMarker(") == 0


def test_watchlist_layer_draws_flagged_areas_only(events, key_areas) -> None:
    table = key_area_watchlist(events, key_areas, BlacklistRules(area_min_events=5))
    assert table.set_index("id")["flagged"].to_dict() == {"ka000": True, "ka001": False}
    html = render(watchlist_layer(table, key_areas))
    assert html.count("L.circle(") == 1
    assert '"radius": 321.0' in html and '"radius": 654.0' not in html
    assert WATCH_COLOR in html
    assert "客运站" in html and "远处集市" not in html
    assert "本期 5 起,上期 0 起" in html and "事件数达到阈值" in html
    assert watchlist_layer(table, key_areas).layer_name == "重点监控区域"


def test_watchlist_layer_english_and_nothing_flagged(events, key_areas) -> None:
    table = key_area_watchlist(events, key_areas, BlacklistRules(area_min_events=5))
    html = render(watchlist_layer(table, key_areas, "en"))
    assert "Bus terminal" in html and "5 events this window, 0 before" in html
    assert "Event count at the threshold" in html and "Events rising sharply" in html
    quiet = key_area_watchlist(events, key_areas, BlacklistRules(area_min_events=50))
    assert not quiet["flagged"].any()
    assert render(watchlist_layer(quiet, key_areas)).count("L.circle(") == 0
