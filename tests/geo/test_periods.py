from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import ConfigError
from geo.periods import (
    PERIOD_KEYS,
    MarketCycle,
    PeriodSettings,
    day_calendar,
    label_events,
    select_period,
)

TZ = "Asia/Shanghai"


def events_at(*stamps: str, township: str = "500235131", precision: str = "minute") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(list(stamps)).tz_localize(TZ),
            "township_code": township,
            "time_precision": precision,
        }
    )


def day(text: str) -> pd.Series:
    return day_calendar([dt.date.fromisoformat(text)]).days.iloc[0]


class TestCalendar:
    @pytest.mark.parametrize(
        ("date", "expected"),
        [
            ("2026-02-14", {"makeup_workday": True, "weekend": False, "workday": True}),
            ("2026-10-10", {"makeup_workday": True, "weekend": False, "workday": True}),
            ("2025-10-11", {"makeup_workday": True, "weekend": False}),
            ("2025-10-01", {"holiday": True, "workday": False, "weekend": False}),
            ("2025-10-04", {"holiday": True, "weekend": False}),  # a Saturday inside the holiday
            ("2025-09-30", {"pre_holiday": True, "holiday": False, "workday": True}),
            ("2025-11-15", {"weekend": True, "holiday": False, "workday": False}),
            ("2025-11-17", {"workday": True, "weekend": False, "school_day": True}),
            ("2025-07-15", {"workday": True, "school_day": False}),  # summer vacation
            ("2026-02-17", {"holiday": True, "chunyun": True}),  # Spring Festival 2026
            ("2025-01-14", {"chunyun": True}),
            ("2025-01-13", {"chunyun": False}),
        ],
        ids=lambda v: v if isinstance(v, str) else "",
    )
    def test_rules(self, date: str, expected: dict[str, bool]) -> None:
        row = day(date)
        assert {k: bool(row[k]) for k in expected} == expected

    def test_year_beyond_chinese_calendar_warns_not_crashes(self) -> None:
        cal = day_calendar([dt.date(2031, 5, 1), dt.date(2031, 5, 3)])
        assert len(cal.warnings) == 1 and "2031" in cal.warnings[0]
        assert not cal.days["holiday"].any()
        assert cal.days.loc[dt.date(2031, 5, 3), "weekend"]  # Saturday still a weekend

    def test_user_holiday_table_covers_later_years(self, tmp_path: Path) -> None:
        table = tmp_path / "holidays.csv"
        table.write_text(
            "date,is_holiday,is_makeup_workday\n2031-05-01,True,False\n2031-05-03,是,0\n"
            "2031-04-27,False,True\n",
            encoding="utf-8",
        )
        cal = day_calendar(
            [dt.date(2031, 4, 27), dt.date(2031, 4, 30), dt.date(2031, 5, 1)],
            PeriodSettings(holiday_table=str(table)),
        )
        days = cal.days
        assert days.loc[dt.date(2031, 5, 1), "holiday"]
        assert days.loc[dt.date(2031, 4, 27), "makeup_workday"]  # a Sunday worked
        assert days.loc[dt.date(2031, 4, 30), "pre_holiday"]
        assert cal.warnings  # days not in the table (5-02) still fall back with a warning

    def test_bad_holiday_table(self, tmp_path: Path) -> None:
        table = tmp_path / "h.csv"
        table.write_text("day,holiday\n2031-05-01,1\n")
        with pytest.raises(ConfigError, match="needs columns"):
            day_calendar([dt.date(2031, 5, 1)], PeriodSettings(holiday_table=str(table)))


class TestEventLabels:
    def test_night_wraps_midnight_and_respects_settings(self) -> None:
        ev = events_at(
            "2025-11-17 19:59", "2025-11-17 20:00", "2025-11-18 05:59", "2025-11-18 06:00"
        )
        assert label_events(ev).labels["night"].tolist() == [False, True, True, False]
        late = PeriodSettings(night=(dt.time(22), dt.time(5)))
        assert label_events(ev, settings=late).labels["night"].tolist() == [False] * 4

    def test_day_precision_events_get_no_time_of_day_labels(self) -> None:
        ev = events_at("2025-10-01 00:00", precision="day")
        labels = label_events(ev).labels.iloc[0]
        assert not labels["night"] and not labels["morning"] and not labels["school_commute"]
        assert labels["holiday"]

    def test_school_commute_only_on_school_days(self) -> None:
        ev = events_at(
            "2025-11-17 07:30", "2025-11-15 07:30", "2025-07-15 07:30", "2025-11-17 12:00"
        )
        assert label_events(ev).labels["school_commute"].tolist() == [True, False, False, False]

    def test_sensitive_dates(self) -> None:
        settings = PeriodSettings.from_mapping(
            {"sensitive_dates": ["2025-06-04", ["2025-03-03", "2025-03-11"]]}
        )
        ev = events_at("2025-06-04 10:00", "2025-03-05 10:00", "2025-03-12 10:00")
        assert label_events(ev, settings=settings).labels["sensitive"].tolist() == [
            True,
            True,
            False,
        ]

    def test_market_day_of_the_events_township(self) -> None:
        key_areas = gpd.GeoDataFrame(
            {
                "category": ["rural_market", "rural_market", "hospital"],
                "market_days": ["1,4,7", "lunar:3,6,9", ""],
                "township_code": ["500235131", "500235128", "500235131"],
            },
            geometry=[shapely.Point(108.8, 31.2)] * 3,
            crs=4326,
        )
        ev = pd.concat(
            [
                events_at("2025-10-04 08:00", "2025-10-05 08:00", "2025-10-31 08:00"),
                # 2025-10-01 is lunar 8-10, 2025-10-09 lunar 8-18, 2025-10-10 lunar 8-19
                events_at("2025-10-09 08:00", "2025-10-10 08:00", township="500235128"),
                events_at("2025-10-04 08:00", township="500235001"),  # no market there
            ],
            ignore_index=True,
        )
        labels = label_events(ev, key_areas=key_areas).labels
        assert labels["market_day"].tolist() == [True, False, True, False, True, False]
        both = select_period(labels, ["market_day", "morning"])
        assert both.tolist() == [True, False, True, False, True, False]

    def test_every_key_is_labelled_and_empty_input(self) -> None:
        labels = label_events(events_at("2025-10-01 20:30")).labels
        assert tuple(labels.columns) == PERIOD_KEYS and labels.dtypes.eq(bool).all()
        empty = label_events(events_at()).labels
        assert empty.empty and tuple(empty.columns) == PERIOD_KEYS


class TestSelect:
    def test_and_and_not(self) -> None:
        ev = events_at("2025-10-01 21:00", "2025-10-01 10:00", "2025-11-17 21:00")
        labels = label_events(ev).labels
        assert select_period(labels, ["night", "holiday"]).tolist() == [True, False, False]
        assert select_period(labels, ["night", "!holiday"]).tolist() == [False, False, True]
        assert select_period(labels, []).all()

    def test_unknown_period(self) -> None:
        labels = label_events(events_at("2025-10-01 21:00")).labels
        with pytest.raises(ValueError, match="period was 'nite'"):
            select_period(labels, ["nite"])


class TestSettings:
    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ({"night": ["25:00", "06:00"]}, "not HH:MM"),
            ({"chunyun": [["2025-02-01", "2025-01-01"]]}, "ends before it starts"),
            ({"sensitive_dates": ["2025-13-01"]}, "not YYYY-MM-DD"),
            ({"nights": ["20:00", "06:00"]}, "unknown settings"),
        ],
        ids=["bad-time", "reversed-range", "bad-date", "unknown-key"],
    )
    def test_errors(self, raw: dict, message: str) -> None:
        with pytest.raises(ConfigError, match=message):
            PeriodSettings.from_mapping(raw)

    @pytest.mark.parametrize(
        ("text", "digits", "lunar"),
        [
            ("1,4,7", {1, 4, 7}, False),
            ("2-5-8", {2, 5, 8}, False),
            ("369", {3, 6, 9}, False),
            ("农历1、4、7", {1, 4, 7}, True),
            ("lunar:2,5,8", {2, 5, 8}, True),
        ],
        ids=["comma", "dash", "run", "lunar-zh", "lunar-en"],
    )
    def test_market_cycle_parse(self, text: str, digits: set[int], lunar: bool) -> None:
        cycle = MarketCycle.parse(text)
        assert cycle.digits == digits and cycle.lunar is lunar

    def test_market_cycle_error(self) -> None:
        with pytest.raises(ConfigError, match="market-day cycle 'mondays'"):
            MarketCycle.parse("mondays")
