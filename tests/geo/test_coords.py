from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.coords import (
    CRS_NAMES,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    normalize_crs,
    to_wgs84,
    utm_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Reference values from the widely used coordTransform library (wandergis/coordTransform),
# all for the input (116.404, 39.915) near Tiananmen.
TIANANMEN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
REF_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)  # its closed-form inverse
REF_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)  # its one-step inverse

LON_CHINA = st.floats(73.5, 134.7, allow_nan=False, allow_infinity=False)
LAT_CHINA = st.floats(18.2, 53.5, allow_nan=False, allow_infinity=False)
OUTSIDE = [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (37.6173, 55.9)]


@pytest.mark.parametrize(
    ("func", "expected"),
    [(wgs84_to_gcj02, REF_WGS84_TO_GCJ02), (gcj02_to_bd09, REF_GCJ02_TO_BD09)],
    ids=["wgs84_to_gcj02", "gcj02_to_bd09"],
)
def test_forward_transforms_match_coordtransform(func, expected) -> None:
    lon, lat = func(*TIANANMEN)
    assert lon == pytest.approx(expected[0], abs=1e-12)
    assert lat == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize(
    ("inverse", "forward", "reference"),
    [
        (gcj02_to_wgs84, wgs84_to_gcj02, REF_GCJ02_TO_WGS84),
        (bd09_to_gcj02, gcj02_to_bd09, REF_BD09_TO_GCJ02),
    ],
    ids=["gcj02_to_wgs84", "bd09_to_gcj02"],
)
def test_iterative_inverses_near_coordtransform_and_exact(inverse, forward, reference) -> None:
    lon, lat = inverse(*TIANANMEN)
    # coordTransform's closed-form inverses are approximate (~1e-6 deg); ours iterate
    assert abs(lon - reference[0]) < 1e-5
    assert abs(lat - reference[1]) < 1e-5
    # ... and are the exact inverse of the forward transform
    flon, flat = forward(lon, lat)
    assert abs(flon - TIANANMEN[0]) < 1e-9
    assert abs(flat - TIANANMEN[1]) < 1e-9


def test_gcj02_offset_has_the_expected_size_in_yunyang() -> None:
    lon, lat = wgs84_to_gcj02(108.7, 30.95)
    dlon, dlat = lon - 108.7, lat - 30.95
    # GCJ-02 shifts by a few hundred metres, never zero inside China
    assert 0.001 < abs(dlon) < 0.01
    assert 0.001 < abs(dlat) < 0.01


def test_bd09_composes_gcj02_and_its_shift() -> None:
    lon, lat = wgs84_to_bd09(*TIANANMEN)
    expected = gcj02_to_bd09(*wgs84_to_gcj02(*TIANANMEN))
    assert (lon, lat) == expected
    wlon, wlat = bd09_to_wgs84(*REF_GCJ02_TO_BD09)
    assert wlon == pytest.approx(gcj02_to_wgs84(*TIANANMEN)[0], abs=1e-9)
    assert wlat == pytest.approx(gcj02_to_wgs84(*TIANANMEN)[1], abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(lon=LON_CHINA, lat=LAT_CHINA)
def test_wgs_gcj_wgs_round_trip(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert (glon, glat) != (lon, lat)
    back = gcj02_to_wgs84(glon, glat)
    assert abs(back[0] - lon) < 1e-8
    assert abs(back[1] - lat) < 1e-8


@settings(max_examples=50, deadline=None)
@given(lon=LON_CHINA, lat=LAT_CHINA)
def test_wgs_bd_wgs_round_trip(lon: float, lat: float) -> None:
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert abs(back[0] - lon) < 1e-8
    assert abs(back[1] - lat) < 1e-8


@settings(max_examples=50, deadline=None)
@given(lon=st.lists(LON_CHINA, min_size=1, max_size=20), data=st.data())
def test_vectorised_equals_scalar(lon: list[float], data: st.DataObject) -> None:
    lat = data.draw(st.lists(LAT_CHINA, min_size=len(lon), max_size=len(lon)))
    for func in (wgs84_to_gcj02, gcj02_to_wgs84, bd09_to_wgs84, wgs84_to_bd09):
        vlon, vlat = func(np.array(lon), np.array(lat))
        assert vlon.shape == (len(lon),)
        for i in range(len(lon)):
            slon, slat = func(lon[i], lat[i])
            assert abs(vlon[i] - slon) < 1e-9
            assert abs(vlat[i] - slat) < 1e-9


@pytest.mark.parametrize("point", OUTSIDE, ids=["paris", "new_york", "sydney", "moscow"])
def test_points_outside_china_are_unchanged_by_gcj02(point: tuple[float, float]) -> None:
    assert not in_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    lon, lat = to_wgs84([point[0]], [point[1]], "gcj02")
    assert (lon[0], lat[0]) == point


def test_in_china_box() -> None:
    lon = np.array([116.4, 72.0, 137.9, 108.7, 108.7, 100.0])
    lat = np.array([39.9, 30.0, 30.0, 0.5, 55.9, 20.0])
    assert in_china(lon, lat).tolist() == [True, False, False, False, False, True]


def test_to_wgs84_per_point_systems() -> None:
    wgs = (np.array([108.65, 108.75, 108.70]), np.array([30.95, 30.93, 30.98]))
    glon, glat = wgs84_to_gcj02(*wgs)
    blon, blat = wgs84_to_bd09(*wgs)
    lon_in = np.array([wgs[0][0], glon[1], blon[2]])
    lat_in = np.array([wgs[1][0], glat[1], blat[2]])
    lon, lat = to_wgs84(lon_in, lat_in, ["WGS-84", "高德", "baidu"])
    np.testing.assert_allclose(lon, wgs[0], atol=1e-9, rtol=0)
    np.testing.assert_allclose(lat, wgs[1], atol=1e-9, rtol=0)
    # inputs are not modified in place
    assert lon_in[1] == glon[1]


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"], ids=["wgs84", "gcj02", "bd09"])
def test_to_wgs84_one_name_for_all(crs: str) -> None:
    wlon, wlat = np.array([108.65, 108.75]), np.array([30.95, 30.93])
    forward = {
        "wgs84": lambda x, y: (x, y),
        "gcj02": wgs84_to_gcj02,
        "bd09": wgs84_to_bd09,
    }[crs]
    lon, lat = to_wgs84(*forward(wlon, wlat), crs)
    np.testing.assert_allclose(lon, wlon, atol=1e-9, rtol=0)
    np.testing.assert_allclose(lat, wlat, atol=1e-9, rtol=0)


def test_to_wgs84_empty_input() -> None:
    lon, lat = to_wgs84([], [], "gcj02")
    assert lon.shape == (0,) and lat.shape == (0,)


ALIASES = [
    ("wgs84", "wgs84"),
    ("WGS84", "wgs84"),
    (" wgs-84 ", "wgs84"),
    ("WGS_84", "wgs84"),
    ("wgs", "wgs84"),
    ("EPSG:4326", "wgs84"),
    ("4326", "wgs84"),
    ("CGCS2000", "wgs84"),
    ("epsg:4490", "wgs84"),
    ("GPS", "wgs84"),
    ("天地图", "wgs84"),
    ("gcj02", "gcj02"),
    ("GCJ-02", "gcj02"),
    ("gcj_02", "gcj02"),
    ("gcj", "gcj02"),
    ("Amap", "gcj02"),
    ("高德", "gcj02"),
    ("腾讯", "gcj02"),
    ("火星", "gcj02"),
    ("火星坐标", "gcj02"),
    ("bd09", "bd09"),
    ("BD-09", "bd09"),
    ("bd09ll", "bd09"),
    ("BD09LL", "bd09"),
    ("Baidu", "bd09"),
    ("百度", "bd09"),
]


@pytest.mark.parametrize(("name", "expected"), ALIASES, ids=[a for a, _ in ALIASES])
def test_normalize_crs_aliases(name: str, expected: str) -> None:
    assert normalize_crs(name) == expected
    assert expected in CRS_NAMES


class TestNormalizeCrsErrors:
    @pytest.mark.parametrize(
        "name", ["", "utm50n", "epsg:3857", "gcj03", "百度墨卡托"], ids=lambda n: n or "empty"
    )
    def test_unknown_name_raises_with_allowed_list(self, name: str) -> None:
        expected = (
            f"coordinate system was {name!r} but is expected to be one of "
            "('wgs84', 'gcj02', 'bd09')"
        )
        with pytest.raises(ValueError) as info:
            normalize_crs(name)
        assert str(info.value) == expected

    def test_to_wgs84_rejects_unknown_name_in_list(self) -> None:
        with pytest.raises(ValueError, match="'mercator'"):
            to_wgs84([108.7, 108.7], [30.9, 30.9], ["wgs84", "mercator"])


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(108.7, 30.9), (106.5, 29.6), (-73.9, 40.7), (151.2, -33.9), (-70.6, -33.4), (2.35, 48.85)],
)
def test_utm_crs_is_what_geopandas_estimates(lon: float, lat: float) -> None:
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([lon - 0.2, lon + 0.2], [lat - 0.1, lat + 0.1]), crs=4326
    )
    assert utm_crs(points) == points.estimate_utm_crs()
    projected = points.to_crs(3857)  # not in degrees: taken back to WGS-84 first
    assert utm_crs(projected) == points.estimate_utm_crs()
    assert utm_crs(points.geometry) is utm_crs(points)  # one object per zone


def test_utm_crs_refuses_what_has_no_place() -> None:
    with pytest.raises(ValueError, match="without a CRS"):
        utm_crs(gpd.GeoDataFrame(geometry=gpd.points_from_xy([108.7], [30.9])))
    with pytest.raises(ValueError, match="empty"):
        utm_crs(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326)))
