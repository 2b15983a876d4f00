"""Key periods (重点时段): label every event with the periods a commander plans for.

Labels (all boolean, one column each, see :data:`PERIOD_KEYS`): night, morning, weekend,
workday, statutory holiday, make-up workday (调休: a Saturday or Sunday that is a working
day is *not* a weekend), the day before a holiday, the Spring Festival travel window (春运),
user-defined sensitive dates, the market day of the event's township (from the rural-market
key areas' cycles, solar "1,4,7" or lunar "lunar:1,4,7"), and school commute windows on
school days.

Holidays come from ``chinese-calendar``; a user holiday table (CSV: ``date``,
``is_holiday``, ``is_makeup_workday``) overrides it and covers years it does not know. For a
year neither covers, weekends are Saturday/Sunday, no holidays are assumed and a warning
says so — never a crash. Events whose time is known only to the day (``time_precision ==
"day"``) get ``False`` for every time-of-day label (night, morning, school commute).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import chinese_calendar
import geopandas as gpd
import numpy as np
import pandas as pd
from lunardate import LunarDate

from geo.errors import ConfigError

#: labels that depend on the calendar day only
DAY_KEYS: Final = (
    "weekend",
    "workday",
    "holiday",
    "makeup_workday",
    "pre_holiday",
    "chunyun",
    "sensitive",
)
PERIOD_KEYS: Final = ("night", "morning", *DAY_KEYS, "market_day", "school_commute")

DateRange = tuple[dt.date, dt.date]

#: Spring Festival travel windows (春运) as announced for each year; extend in the config.
DEFAULT_CHUNYUN: Final[tuple[DateRange, ...]] = (
    (dt.date(2024, 1, 26), dt.date(2024, 3, 5)),
    (dt.date(2025, 1, 14), dt.date(2025, 2, 22)),
    (dt.date(2026, 2, 2), dt.date(2026, 3, 13)),
)
#: Approximate Chongqing school vacations; deployments should set their own.
DEFAULT_SCHOOL_VACATIONS: Final[tuple[DateRange, ...]] = (
    (dt.date(2024, 1, 20), dt.date(2024, 2, 25)),
    (dt.date(2024, 7, 1), dt.date(2024, 8, 31)),
    (dt.date(2025, 1, 18), dt.date(2025, 2, 16)),
    (dt.date(2025, 7, 1), dt.date(2025, 8, 31)),
    (dt.date(2026, 1, 31), dt.date(2026, 3, 1)),
    (dt.date(2026, 7, 1), dt.date(2026, 8, 31)),
)


def _time(text: str | dt.time) -> dt.time:
    if isinstance(text, dt.time):
        return text
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*", str(text))
    if not m or int(m.group(1)) > 24 or int(m.group(2) or 0) > 59:
        raise ConfigError(f"time {text!r} is not HH:MM (e.g. 20:00)")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    return dt.time(0, 0) if hour == 24 else dt.time(hour, minute)


def _date(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise ConfigError(f"date {text!r} is not YYYY-MM-DD") from exc


def _ranges(items: Iterable[Any]) -> tuple[DateRange, ...]:
    out = []
    for item in items:
        if isinstance(item, str | dt.date):
            day = _date(item)
            out.append((day, day))
        else:
            start, end = (_date(x) for x in item)
            if end < start:
                raise ConfigError(f"date range {start}..{end} ends before it starts")
            out.append((start, end))
    return tuple(out)


@dataclass(frozen=True)
class PeriodSettings:
    """How periods are defined; every field has a documented default.

    Attributes
    ----------
    night : (time, time)
        Start and end of the night; may wrap midnight. Default 20:00-06:00.
    morning : (time, time)
        The morning window used for "market-day mornings". Default 06:00-12:00.
    school_windows : tuple of (time, time)
        School commute windows on school days. Default 07:00-08:30 and 16:30-18:30.
    chunyun : tuple of (date, date)
        Spring Festival travel windows, both days included.
    school_vacations : tuple of (date, date)
        Days that are not school days even when they are workdays.
    sensitive_dates : tuple of (date, date)
        Sensitive dates set by the county (重要敏感时间节点); single days are (d, d).
    holiday_table : str or None
        CSV with ``date``, ``is_holiday``, ``is_makeup_workday`` that overrides
        chinese-calendar and covers later years.
    """

    night: tuple[dt.time, dt.time] = (dt.time(20), dt.time(6))
    morning: tuple[dt.time, dt.time] = (dt.time(6), dt.time(12))
    school_windows: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(7), dt.time(8, 30)),
        (dt.time(16, 30), dt.time(18, 30)),
    )
    chunyun: tuple[DateRange, ...] = DEFAULT_CHUNYUN
    school_vacations: tuple[DateRange, ...] = DEFAULT_SCHOOL_VACATIONS
    sensitive_dates: tuple[DateRange, ...] = ()
    holiday_table: str | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], base: str | None = None) -> PeriodSettings:
        """Build from a TOML ``[periods]`` table (times as "HH:MM", dates as "YYYY-MM-DD")."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"[periods]: unknown settings {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {}
        for key in ("night", "morning"):
            if key in raw:
                a, b = raw[key]
                values[key] = (_time(a), _time(b))
        if "school_windows" in raw:
            values["school_windows"] = tuple((_time(a), _time(b)) for a, b in raw["school_windows"])
        for key in ("chunyun", "school_vacations", "sensitive_dates"):
            if key in raw:
                values[key] = _ranges(raw[key])
        if raw.get("holiday_table"):
            path = str(raw["holiday_table"])
            values["holiday_table"] = os.path.join(base, path) if base else path
        return cls(**values)


@dataclass
class Calendar:
    """Day-level labels for a set of dates, plus warnings about missing holiday data."""

    days: pd.DataFrame  # indexed by datetime.date
    warnings: list[str] = field(default_factory=list)


def _in_ranges(dates: pd.Series, ranges: Iterable[DateRange]) -> np.ndarray:
    out = np.zeros(len(dates), dtype=bool)
    values = dates.to_numpy()
    for start, end in ranges:
        out |= (values >= start) & (values <= end)
    return out


def read_holiday_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A user holiday table indexed by date with boolean ``is_holiday``, ``is_makeup_workday``."""
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ConfigError(f"holiday table {path} cannot be read: {exc}") from exc
    need = {"date", "is_holiday", "is_makeup_workday"}
    if not need <= set(table.columns):
        raise ConfigError(f"holiday table {path} needs columns {sorted(need)}")
    truthy = {"true", "1", "yes", "是", "y", "t"}
    out = pd.DataFrame(index=[_date(d) for d in table["date"]])
    for col in ("is_holiday", "is_makeup_workday"):
        out[col] = table[col].str.strip().str.lower().isin(truthy).to_numpy()
    return out


def day_calendar(dates: Iterable[dt.date], settings: PeriodSettings | None = None) -> Calendar:
    """Label each distinct date (weekend, workday, holiday, make-up workday, 春运, …)."""
    settings = settings or PeriodSettings()
    unique = sorted(set(dates))
    if not unique:
        return Calendar(pd.DataFrame(columns=["holiday"]).astype(bool))
    # one day beyond the last, to know whether the last date is the eve of a holiday
    span = [*unique, unique[-1] + dt.timedelta(days=1)]
    table = read_holiday_table(settings.holiday_table) if settings.holiday_table else None
    holiday, makeup = [], []
    missing_years: set[int] = set()
    for day in span:
        if table is not None and day in table.index:
            holiday.append(bool(table.at[day, "is_holiday"]))
            makeup.append(bool(table.at[day, "is_makeup_workday"]))
            continue
        try:
            # (True, None) = ordinary weekend; (True, name) = statutory; (False, name) = 调休
            is_rest, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            missing_years.add(day.year)
            holiday.append(False)
            makeup.append(False)
            continue
        holiday.append(bool(is_rest and name))
        makeup.append(day.weekday() >= 5 and not is_rest)
    frame = pd.DataFrame({"date": span, "holiday": holiday, "makeup_workday": makeup})
    weekday = np.array([d.weekday() for d in span])
    frame["weekend"] = (weekday >= 5) & ~frame["makeup_workday"] & ~frame["holiday"]
    frame["workday"] = ~frame["weekend"] & ~frame["holiday"]
    frame["pre_holiday"] = ~frame["holiday"] & frame["holiday"].shift(-1, fill_value=False)
    frame["chunyun"] = _in_ranges(frame["date"], settings.chunyun)
    frame["sensitive"] = _in_ranges(frame["date"], settings.sensitive_dates)
    frame["school_day"] = frame["workday"] & ~_in_ranges(frame["date"], settings.school_vacations)
    frame = frame.set_index("date").loc[unique]
    warnings = [
        f"no holiday data for {year}: chinese-calendar does not cover it and no holiday_table "
        f"row does; holidays and make-up workdays of {year} are not labelled (set "
        f"[periods] holiday_table in hexpatrol.toml)"
        for year in sorted(missing_years)
    ]
    return Calendar(frame, warnings)


# ---------------------------------------------------------------- market cycles


@dataclass(frozen=True)
class MarketCycle:
    """Market days as last digits of the day of the month, solar or lunar."""

    digits: frozenset[int]
    lunar: bool = False

    @classmethod
    def parse(cls, text: str) -> MarketCycle:
        """Parse ``"1,4,7"``, ``"1-4-7"``, ``"147"`` or ``"lunar:2,5,8"`` / ``"农历2,5,8"``."""
        raw = str(text).strip()
        lunar = bool(re.match(r"(?i)^(lunar|农历|阴历)", raw))
        body = re.sub(r"(?i)^(lunar|农历|阴历)\s*[:：]?", "", raw)
        digits = [int(c) for c in re.findall(r"\d", body)]
        if not digits or re.search(r"[^\d,，、\-\s]", body):
            raise ConfigError(
                f"market-day cycle {text!r} not understood; write the last digits of the market "
                f"dates such as 1,4,7 (or lunar:1,4,7 for lunar dates)"
            )
        return cls(frozenset(digits), lunar)

    def matches(self, dates: Iterable[dt.date]) -> np.ndarray:
        """Whether each date is a market day of this cycle."""
        days = [
            (LunarDate.from_solar_date(d.year, d.month, d.day).day if self.lunar else d.day)
            for d in dates
        ]
        return np.isin(np.asarray(days, dtype=int) % 10, sorted(self.digits))


def market_cycles(key_areas: gpd.GeoDataFrame | None) -> dict[str, list[MarketCycle]]:
    """Township code -> the market cycles of its rural-market key areas."""
    out: dict[str, list[MarketCycle]] = {}
    if key_areas is None or "market_days" not in key_areas.columns:
        return out
    markets = key_areas[(key_areas["category"] == "rural_market")]
    for _, row in markets.iterrows():
        days, code = row.get("market_days"), row.get("township_code")
        if isinstance(days, str) and days.strip() and isinstance(code, str) and code:
            out.setdefault(code, []).append(MarketCycle.parse(days))
    return out


# ---------------------------------------------------------------- event labels


def _within(minutes: np.ndarray, window: tuple[dt.time, dt.time]) -> np.ndarray:
    start = window[0].hour * 60 + window[0].minute
    end = window[1].hour * 60 + window[1].minute
    if start <= end:
        return (minutes >= start) & (minutes < end)
    return (minutes >= start) | (minutes < end)  # wraps midnight


@dataclass
class PeriodLabels:
    """Per-event period labels (bool frame aligned with the events) and warnings."""

    labels: pd.DataFrame
    warnings: list[str]


def label_events(
    events: pd.DataFrame,
    *,
    key_areas: gpd.GeoDataFrame | None = None,
    settings: PeriodSettings | None = None,
) -> PeriodLabels:
    """Label each event with every period in :data:`PERIOD_KEYS`.

    The night belongs to the day it starts on for day-level labels: 01:00 on Sunday is
    labelled with Sunday's weekend/holiday flags (the local calendar date of the event).
    """
    settings = settings or PeriodSettings()
    local = events["occurred_at"]
    dates = local.dt.date
    cal = day_calendar(dates, settings)
    labels = pd.DataFrame(index=events.index)
    if events.empty:
        for key in PERIOD_KEYS:
            labels[key] = pd.Series(dtype=bool)
        return PeriodLabels(labels, cal.warnings)
    day = cal.days.loc[dates.to_numpy()]
    for key in DAY_KEYS:
        labels[key] = day[key].to_numpy(dtype=bool)
    minutes = (local.dt.hour * 60 + local.dt.minute).to_numpy()
    timed = (
        events["time_precision"].ne("day").to_numpy()
        if "time_precision" in events.columns
        else np.ones(len(events), dtype=bool)
    )
    labels["night"] = timed & _within(minutes, settings.night)
    labels["morning"] = timed & _within(minutes, settings.morning)
    commute = np.zeros(len(events), dtype=bool)
    for window in settings.school_windows:
        commute |= _within(minutes, window)
    labels["school_commute"] = timed & commute & day["school_day"].to_numpy(dtype=bool)
    market = np.zeros(len(events), dtype=bool)
    codes = events["township_code"].to_numpy() if "township_code" in events.columns else None
    if codes is not None:
        for code, cycles in market_cycles(key_areas).items():
            sel = codes == code
            if sel.any():
                these = dates[sel].tolist()
                hit = np.zeros(int(sel.sum()), dtype=bool)
                for cycle in cycles:
                    hit |= cycle.matches(these)
                market[sel] = hit
    labels["market_day"] = market
    return PeriodLabels(labels[list(PERIOD_KEYS)], cal.warnings)


def select_period(labels: pd.DataFrame, keys: Iterable[str]) -> pd.Series:
    """Events in *all* the named periods (``["night", "holiday"]`` = nights on holidays).

    A key prefixed with ``!`` excludes that period (``["weekend", "!night"]``); no key
    selects everything.
    """
    mask = pd.Series(True, index=labels.index)
    for key in keys:
        negate = key.startswith("!")
        name = key[1:] if negate else key
        if name not in PERIOD_KEYS:
            raise ValueError(f"period was {name!r} but is expected to be in {PERIOD_KEYS}")
        mask &= ~labels[name] if negate else labels[name]
    return mask


# ---------------------------------------------------------------- holiday presets

#: chinese-calendar's holiday names -> stable keys (words in geo.i18n: holiday_<key>)
HOLIDAY_KEYS: Final = {
    "New Year's Day": "new_years_day",
    "Spring Festival": "spring_festival",
    "Tomb-sweeping Day": "tomb_sweeping_day",
    "Labour Day": "labour_day",
    "Dragon Boat Festival": "dragon_boat_festival",
    "National Day": "national_day",
    "Mid-autumn Festival": "mid_autumn_festival",
}


@dataclass(frozen=True)
class HolidayBlock:
    """A run of consecutive statutory holiday days (法定节假日, weekends inside included).

    ``keys`` are the holidays it holds (``national_day``, ``mid_autumn_festival``; just
    ``holiday`` for days known only from a holiday table).
    """

    keys: tuple[str, ...]
    first: dt.date
    last: dt.date

    @property
    def days(self) -> tuple[dt.date, ...]:
        """Every day of the block."""
        n = (self.last - self.first).days + 1
        return tuple(self.first + dt.timedelta(days=i) for i in range(n))


def _holiday_key(day: dt.date) -> str:
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return "holiday"
    return HOLIDAY_KEYS.get(str(name), "holiday") if name else "holiday"


def holiday_blocks(
    start: dt.date, end: dt.date, settings: PeriodSettings | None = None
) -> list[HolidayBlock]:
    """The statutory holiday blocks that start between ``start`` and ``end`` (inclusive).

    Parameters
    ----------
    start, end : date
        The span to look in (a block that starts inside runs to its own last day).
    settings : PeriodSettings, optional
        Its ``holiday_table`` overrides chinese-calendar, as everywhere else.

    Returns
    -------
    list of HolidayBlock
        In date order; e.g. 2025's National Day and Mid-Autumn: 2025-10-01 .. 2025-10-08.
    """
    span = [start + dt.timedelta(days=i) for i in range((end - start).days + 15)]
    holiday = day_calendar(span, settings).days["holiday"]
    blocks: list[HolidayBlock] = []
    run: list[dt.date] = []
    for day in [*span, None]:
        if day is not None and bool(holiday.get(day, False)):
            run.append(day)
            continue
        if run and run[0] <= end:
            keys = tuple(dict.fromkeys(_holiday_key(d) for d in run))
            blocks.append(HolidayBlock(keys, run[0], run[-1]))
        run = []
    return blocks
