"""The views' query objects (issue 21): one frozen query, or its fields one by one."""

from __future__ import annotations

import datetime as dt

import h3
import pandas as pd
import pytest

from geo.dataset import filter_events, local_times
from geo.views import (
    EventQuery,
    GiOptions,
    StudyAreaError,
    forecast_view,
    hotspot_view,
    study_area,
)


def test_a_query_object_and_keywords_give_the_same_view(demo) -> None:
    query = EventQuery(8, start=dt.date(2025, 7, 1), end=dt.date(2025, 9, 30), periods=["night"])
    gi = GiOptions(weights=(1.0, 0.0), k=2)
    by_object = hotspot_view(demo, query, gi=gi, trends=False, lang=None)
    by_keywords = hotspot_view(
        demo,
        res=8,
        start=dt.date(2025, 7, 1),
        end=dt.date(2025, 9, 30),
        periods=("night",),
        weights=(1.0, 0.0),
        k=2,
        trends=False,
        lang=None,
    )
    pd.testing.assert_frame_equal(by_object.stats, by_keywords.stats)
    assert len(by_object.events) and (by_object.events["occurred_at"].dt.month >= 7).all()


def test_keywords_put_over_a_query_and_mistakes_are_named(demo) -> None:
    night = EventQuery(8, periods=("night",))
    view = hotspot_view(demo, night, periods=(), trends=False, lang=None)
    assert len(view.events) == len(demo.events)  # the keyword replaced the query's periods
    with pytest.raises(TypeError, match="resolution"):
        hotspot_view(demo, resolution=8)
    with pytest.raises(TypeError):
        hotspot_view(demo, periods=("night",))  # no res from either


def test_a_query_is_hashable_whatever_collections_it_was_given() -> None:
    a = EventQuery(9, kinds="case", township_codes={"500235105", "500235001"}, periods=["night"])
    b = EventQuery(
        9, kinds=("case",), township_codes=("500235105", "500235001"), periods=("night",)
    )
    assert a == b and hash(a) == hash(b)  # one kind; codes in any order
    assert a.township_codes == ("500235001", "500235105")
    assert a.filters()["kinds"] == ("case",) and "res" not in a.filters()
    with pytest.raises(TypeError, match="EventQuery"):
        hotspot_view(None, 8)  # type: ignore[arg-type]


class TestAStudyAreaOfAnotherResolution:
    """Found in review: an ``area`` of another resolution than ``res`` mixed cells of both
    (hotspot_view) or forecast the area's resolution (forecast_view), silently."""

    def test_hotspot_view_says_so(self, demo) -> None:
        area = study_area(demo, res=8)
        with pytest.raises(StudyAreaError, match="resolution 8 but the view asks for 9") as e:
            hotspot_view(demo, res=9, area=area, trends=False)
        assert isinstance(e.value, ValueError) and "分辨率" in e.value.text("zh")
        view = hotspot_view(demo, res=8, area=area, trends=False, lang=None)
        assert {h3.get_resolution(c) for c in view.stats["h3_cell"]} == {8}

    def test_forecast_view_says_so(self, demo) -> None:
        with pytest.raises(StudyAreaError, match="resolution 9 but the view asks for 8"):
            forecast_view(demo, res=8, area=study_area(demo, res=9))


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/London", None], ids=["utc", "another-zone", "naive"]
)
def test_filter_events_reads_dates_and_hours_in_the_one_time_zone(zone) -> None:
    """Found in review: dates were cut in Asia/Shanghai but hours read on the events' own
    clock, so the same instants in another zone fell in other hours (naive ones failed)."""
    local = pd.to_datetime(
        ["2024-03-01 23:30", "2024-03-02 12:00", "2024-03-03 01:15", "2024-03-03 21:59"]
    ).tz_localize("Asia/Shanghai")
    events = pd.DataFrame({"kind": "case", "township_code": "500235001", "occurred_at": local})
    other = events.assign(occurred_at=local.tz_convert(zone) if zone else local.tz_localize(None))
    query = {"start": dt.date(2024, 3, 2), "end": dt.date(2024, 3, 3)}
    night = (dt.time(22), dt.time(2))
    assert filter_events(events, hours=night, **query).index.tolist() == [2]
    assert filter_events(other, hours=night, **query).index.tolist() == [2]
    assert filter_events(other, **query).index.tolist() == [1, 2, 3]
    assert local_times(other["occurred_at"]).tolist() == local.tolist()
