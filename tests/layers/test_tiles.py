from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from geo.config import Settings
from geo.errors import ConfigError
from layers.basemap import base_map
from layers.situation import shift_points, to_gcj02

# coordTransform's reference: WGS-84 (116.404, 39.915) is drawn by GCJ-02 maps (Amap) here
AMAP_DRAWS_AT = (116.41024449916938, 39.91640428150164)


def pixel(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """Global Web-Mercator pixel of a position at a zoom level (256-px tiles)."""
    scale = 256 * 2**zoom
    x = (lon + 180) / 360 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return int(x), int(y)


def test_a_known_point_lands_on_the_amap_pixel_after_the_shift() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(116.404, 39.915)], crs=4326)
    moved = to_gcj02(frame).geometry.iloc[0]
    for zoom in (12, 15, 18):
        assert pixel(moved.x, moved.y, zoom) == pixel(*AMAP_DRAWS_AT, zoom)
    unshifted = pixel(116.404, 39.915, 18)
    target = pixel(*AMAP_DRAWS_AT, 18)
    assert abs(unshifted[0] - target[0]) > 500  # ~500 m off without the shift


def test_points_and_polygons_shift_alike() -> None:
    import pandas as pd

    pts = shift_points(pd.DataFrame({"lat": [39.915], "lon": [116.404]}))
    assert (pts.loc[0, "lon"], pts.loc[0, "lat"]) == pytest.approx(AMAP_DRAWS_AT, abs=1e-9)
    poly = gpd.GeoDataFrame(geometry=[shapely.box(116.40, 39.91, 116.41, 39.92)], crs=4326)
    assert to_gcj02(poly).geometry.iloc[0].bounds[0] > 116.40


@pytest.mark.parametrize(
    ("tiles", "needle"),
    [("tianditu", "tianditu.gov.cn/DataServer?T=vec_w"), ("amap", "autonavi.com/appmaptile")],
    ids=["tianditu", "amap"],
)
def test_chinese_tile_sources(tiles: str, needle: str) -> None:
    html = (
        base_map((108.4, 30.6, 109.2, 31.4), tiles=tiles, tianditu_key="KEY123").get_root().render()
    )
    assert needle in html
    if tiles == "tianditu":
        assert "tk=KEY123" in html and "cva_w" in html


def test_tianditu_needs_a_key() -> None:
    with pytest.raises(ConfigError, match="tianditu_key"):
        Settings(tiles="tianditu")


@pytest.mark.parametrize("tiles", ["amap", "none", "osm"])
def test_a_click_is_read_back_in_wgs84(tiles: str) -> None:
    """Found in review: under Amap tiles a click (GCJ-02) was looked up as WGS-84 (~500 m)."""
    import pandas as pd

    from geo.coords import haversine_m
    from layers.situation import clicked_wgs84

    truth = pd.DataFrame({"lat": [30.95], "lon": [108.70]})
    shown = shift_points(truth) if tiles == "amap" else truth  # where the map draws it
    lat, lon = clicked_wgs84({"lat": shown["lat"][0], "lng": shown["lon"][0]}, tiles)
    assert float(haversine_m(lat, lon, 30.95, 108.70)) < 1.0
