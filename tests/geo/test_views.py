"""The views' query objects (issue 21): one frozen query, or its fields one by one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.views import EventQuery, GiOptions, hotspot_view


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
    a = EventQuery(9, kinds=["case"], township_codes={"500235105"}, periods=["night"])
    assert a == EventQuery(9, kinds=("case",), township_codes=("500235105",), periods=("night",))
    assert hash(a) == hash(
        EventQuery(9, kinds=("case",), township_codes=("500235105",), periods=("night",))
    )
    assert a.filters()["kinds"] == ("case",) and "res" not in a.filters()
