"""Patrol plan requests: from "night, 6 teams, 1 km" to posts, a rotation and figures.

Glue between the data set, the period engine, the forecasts, the hotspot engine and
:mod:`geo.coverage`; used by the 巡逻建议 page, the briefing and ``hexpatrol plan``.

The risk a plan covers is the default forecast (:mod:`geo.ensemble`) of the month to plan
for, made from the period's own events (a night plan forecasts night risk). Each plan
carries that forecast's track record: over the last 12 months, the share of events that
fell in the riskiest cells covering as much of the area as the plan reaches. A request's
``suspect_weight`` (0 by default: off) blends suspect vehicles' activity at checkpoints
(:mod:`geo.activity`) into that risk before the posts are chosen (:func:`blend_activity`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from geo.coverage import (
    CoverageProblem,
    Plan,
    Schedule,
    Solution,
    build_problem,
    candidate_cells,
    covered_cells,
    describe,
    rotation,
    solve_exact,
    solve_greedy,
)
from geo.dataset import Dataset, date_span
from geo.ensemble import Outlook, next_month
from geo.forecast import MonthlySeries
from geo.hotspots import StudyArea
from geo.i18n import t
from geo.periods import HolidayBlock, PeriodSettings, day_calendar, holiday_blocks
from geo.places import nearest_places, place_text
from geo.schema import TZ
from geo.views import hotspot_view, period_events, study_area

#: key-area categories that get a fixed post by default (stations, hospitals, shopping)
FIXED_POST_CATEGORIES: Final = ("hsr_station", "hospital", "shopping")


@dataclass(frozen=True)
class FormDefaults:
    """The plan form's starting values (the form and the start-up warm-up share them)."""

    teams: int = 6
    radius_m: int = 1000
    team_size: int = 4
    shifts: int = 1
    holiday_factor: float = 2.0
    exact: bool = True
    seed: int = 0
    max_travel_m: int = 15_000
    rotation_days: int = 7  # without a holiday: a week from the data's last day


FORM_DEFAULTS: Final = FormDefaults()
PLAN_PERIODS: Final = ("night", "weekend", "holiday", "market_day", "school_commute", "custom")


@dataclass(frozen=True)
class PlanRequest:
    """What a commander asks for.

    Attributes
    ----------
    period : str
        One of :data:`PLAN_PERIODS`; ``custom`` uses ``hours`` (and any ``extra_periods``).
    teams : int
        Mobile teams on an ordinary day of the period.
    team_size : int
        People per team (the seeds: joint teams of 3-5).
    radius_m : float
        How far one team's presence reaches.
    fixed_posts : tuple of str
        Key-area ids staffed every day (定人定岗定责), e.g. the HSR station.
    days : tuple of date
        The days to schedule (empty: a single plan, no rotation).
    holiday_factor : float
        Teams multiply by this on statutory holidays and in the 春运 window (default 2).
    shifts : int
        Shifts per day (for the person-shift count).
    hours : (time, time) or None
        Custom hours (``period="custom"``): only events in this window make the risk.
    extra_periods : tuple of str
        More period labels that must hold for the risk (e.g. ``("morning",)``).
    res : int
        H3 resolution of demand and posts.
    lookback_days : int
        History of the Gi* hot-spot classes drawn under the posts, counted back from the
        last event.
    history_months : int
        Months of the period's events the forecast learns from.
    forecast_month : str or None
        The month to plan for (``YYYY-MM``); default the month after the last event. Only
        events before it are used.
    exact : bool
        Solve to optimality with HiGHS (else lazy greedy).
    seed : int
        Seed of the rotation.
    township_codes : tuple of str
        Restrict to these townships (empty = the whole county).
    weights : (float, float)
        Weight of a case and of a tip in the risk.
    bases, max_travel_m :
        Optional travel limit: mobile posts at most ``max_travel_m`` metres from one of the
        ``bases`` (lat, lon), e.g. the detachment's stations.
    suspect_weight : float
        Weight (0-1) of suspect vehicles' activity at checkpoints in the risk
        (:func:`blend_activity`); 0, the default, plans on the forecast alone.
    """

    period: str = "night"
    teams: int = 6
    team_size: int = 4
    radius_m: float = 1000.0
    fixed_posts: tuple[str, ...] = ()
    days: tuple[dt.date, ...] = ()
    holiday_factor: float = 2.0
    shifts: int = 1
    hours: tuple[dt.time, dt.time] | None = None
    extra_periods: tuple[str, ...] = ()
    res: int = 9
    lookback_days: int = 365
    history_months: int = 24
    forecast_month: str | None = None
    exact: bool = True
    seed: int = 0
    township_codes: tuple[str, ...] = ()
    weights: tuple[float, float] = (1.0, 0.5)
    bases: tuple[tuple[float, float], ...] = ()
    max_travel_m: float | None = None
    suspect_weight: float = 0.0

    @property
    def period_keys(self) -> list[str]:
        """The period labels that must all hold for the risk (none for custom hours alone)."""
        return ([] if self.period == "custom" else [self.period]) + list(self.extra_periods)

    def __post_init__(self) -> None:
        if self.period not in PLAN_PERIODS:
            raise ValueError(f"period was {self.period!r} but is expected to be in {PLAN_PERIODS}")
        if self.period == "custom" and self.hours is None and not self.extra_periods:
            raise ValueError("a custom period needs hours (e.g. 18:00-23:00) or extra periods")
        if self.teams < 0 or self.team_size < 1 or self.shifts < 1:
            raise ValueError("teams must be >= 0, team_size and shifts >= 1")
        if self.radius_m <= 0:
            raise ValueError(f"radius_m was {self.radius_m} but must be > 0")
        if self.holiday_factor < 1:
            raise ValueError("holiday_factor must be >= 1")
        if self.max_travel_m is not None and (self.max_travel_m <= 0 or not self.bases):
            raise ValueError("max_travel_m needs at least one base and must be > 0")
        if not 0.0 <= self.suspect_weight <= 1.0:
            raise ValueError(f"suspect_weight was {self.suspect_weight} but must be in 0..1")
        if self.history_months < 2:
            raise ValueError(f"history_months was {self.history_months} but must be >= 2")
        if self.forecast_month is not None:
            pd.Period(self.forecast_month, freq="M")  # raises on a malformed month


@dataclass
class PlanResult:
    """The plan, its rotation, its figures, and the period's hexagons.

    ``schedule`` is None without days; ``cells`` (counts and Gi* class of the period) are
    drawn under the posts; ``outlook`` is the forecast the plan covers (None without
    events); ``risk_events`` the period's events it learned from.
    """

    plan: Plan
    schedule: Schedule | None
    figures: dict[str, float]
    cells: gpd.GeoDataFrame
    time_window: str
    risk_events: int
    warnings: list[str] = field(default_factory=list)
    outlook: Outlook | None = None


def period_window(period: str, periods: PeriodSettings | None = None) -> str:
    """The hours of a planning period other than custom as text (e.g. "20:00-06:00")."""
    if period == "custom":
        raise ValueError("a custom period has the hours the user gives")
    return _window(PlanRequest(period=period), periods or PeriodSettings())


def _window(request: PlanRequest, periods: PeriodSettings) -> str:
    def hm(a: dt.time, b: dt.time) -> str:
        return f"{a:%H:%M}-{b:%H:%M}"

    if request.hours is not None:
        return hm(*request.hours)
    if request.period == "night":
        return hm(*periods.night)
    if request.period == "market_day" or "morning" in request.extra_periods:
        return hm(*periods.morning)
    if request.period == "school_commute":
        return ", ".join(hm(a, b) for a, b in periods.school_windows)
    return "全天"


def post_names(ds: Dataset, cells: Sequence[str], radius_m: float) -> dict[str, str]:
    """A place name for each post cell: "青龙街道 · 云阳县人民医院 约330米".

    The township, then the nearest key area within reach (or else the nearest village of the
    base map), as :func:`geo.places.place_text` words it; several posts at one place are
    told apart by "-2", "-3".
    """
    if not len(cells):
        return {}
    centres = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    places = nearest_places(
        centres[:, 0],
        centres[:, 1],
        townships=ds.townships,
        key_areas=ds.key_areas,
        villages=ds.base_layers.get("villages"),
    )
    names = {
        cell: place_text(row.township, row.place, row.place_m, "zh")
        for cell, row in zip(cells, places.itertuples(), strict=True)
    }
    seen: dict[str, int] = {}
    for cell in list(names):  # 金科世界城, 金科世界城-2, … when several posts share a place
        seen[names[cell]] = seen.get(names[cell], 0) + 1
        if seen[names[cell]] > 1:
            names[cell] = f"{names[cell]}-{seen[names[cell]]}"
    return names


def teams_by_day(request: PlanRequest, periods: PeriodSettings) -> dict[dt.date, int]:
    """Mobile teams per day: more on statutory holidays and in 春运 (``holiday_factor``)."""
    if not request.days:
        return {}
    cal = day_calendar(request.days, periods).days
    out = {}
    for day in request.days:
        busy = bool(cal.loc[day, "holiday"] or cal.loc[day, "chunyun"])
        out[day] = int(round(request.teams * (request.holiday_factor if busy else 1.0)))
    return out


def _forecast(
    ds: Dataset, request: PlanRequest, keys: list[str], area: StudyArea
) -> tuple[Outlook | None, int]:
    """The default forecast of the month to plan for, from the period's events before it."""
    if ds.events.empty:
        return None, 0
    last = ds.events["occurred_at"].max()
    month = (
        pd.Period(request.forecast_month, freq="M")
        if request.forecast_month
        else pd.Period(last.tz_localize(None) if last.tz else last, freq="M") + 1
    )
    start = (month - request.history_months).start_time.date()
    end = (month - 1).end_time.date()
    events = period_events(
        ds,
        start=start,
        end=end,
        township_codes=request.township_codes,
        periods=keys,
        hours=request.hours,
    )
    if events.empty:
        return None, 0
    weights = {"case": request.weights[0], "tip": request.weights[1]}
    series = MonthlySeries.from_events(events, area, weights=weights, last_month=month - 1)
    return next_month(series, months=12), len(events)


def _demand(stats: pd.DataFrame, outlook: Outlook | None) -> tuple[pd.DataFrame, list[str]]:
    """Demand cells (forecast risk, Gi* hot flag) and the candidate post cells."""
    if outlook is None:
        empty = pd.DataFrame({"h3_cell": stats["h3_cell"], "risk": 0.0, "hot": False})
        return empty, []
    hot = stats.set_index("h3_cell")["gi_class"].str.startswith("hot")
    demand = pd.DataFrame({"h3_cell": outlook.cells, "risk": outlook.risk})
    demand["hot"] = demand["h3_cell"].map(hot).fillna(False).astype(bool)
    return demand, list(candidate_cells(outlook.cells, outlook.risk))


def blend_activity(
    demand: pd.DataFrame, activity: pd.DataFrame | None, weight: float
) -> tuple[pd.DataFrame, int]:
    """Blend suspect activity into the demand cells' risk before the coverage solve.

    ``risk = (1 - weight) · forecast + weight · total · activity / Σ activity``: the
    activity of the demand cells, normalised to shares, is spread over the forecast's total
    risk (or 1 when the forecast has none), so both parts weigh what ``weight`` says and
    the plan's figures stay in the forecast's units. Activity outside the demand cells (the
    plan's area) is left out.

    Parameters
    ----------
    demand : DataFrame
        ``h3_cell``, ``risk`` (and ``hot``), one row per demand cell.
    activity : DataFrame or None
        ``h3_cell`` and ``activity`` (:func:`geo.activity.suspect_activity` at the plan's
        resolution and period).
    weight : float
        0-1; 0 returns ``demand`` unchanged.

    Returns
    -------
    demand : DataFrame
        With the blended ``risk``.
    cells : int
        Demand cells with suspect activity (0: nothing was blended).
    """
    if weight <= 0 or activity is None or activity.empty:
        return demand, 0
    by_cell = activity.groupby("h3_cell")["activity"].sum()
    found = demand["h3_cell"].map(by_cell).fillna(0.0).to_numpy(dtype=float)
    if found.sum() <= 0:
        return demand, 0
    risk = demand["risk"].to_numpy(dtype=float)
    total = float(risk.sum()) or 1.0
    blended = (1.0 - weight) * risk + weight * total * found / found.sum()
    return demand.assign(risk=blended), int((found > 0).sum())


def _risk(
    stats: pd.DataFrame,
    outlook: Outlook | None,
    request: PlanRequest,
    activity: pd.DataFrame | None,
) -> tuple[pd.DataFrame, list[str], dict[str, float]]:
    """Demand cells, candidate posts, and what suspect activity did to them."""
    demand, candidates = _demand(stats, outlook)
    if request.suspect_weight <= 0:
        return demand, candidates, {}
    demand, cells = blend_activity(demand, activity, request.suspect_weight)
    if cells:
        candidates = list(candidate_cells(demand["h3_cell"], demand["risk"]))
    return demand, candidates, {"suspect_weight": request.suspect_weight, "suspect_cells": cells}


def _fixed_posts(ds: Dataset, request: PlanRequest) -> dict[str, str]:
    """Cell → key-area name of each fixed post."""
    ka = ds.key_areas.set_index("id")
    cells = {}
    for ka_id in request.fixed_posts:
        if ka_id not in ka.index:
            raise ValueError(f"fixed post {ka_id!r} is not a key-area id; known: {list(ka.index)}")
        point = ka.loc[ka_id].geometry.representative_point()
        cells[h3.latlng_to_cell(point.y, point.x, request.res)] = str(ka.loc[ka_id, "name"])
    return cells


def track_record(
    outlook: Outlook | None, posts: Sequence[str], radius_m: float
) -> dict[str, float]:
    """The forecast's past hit rate and PAI at the share of the area the posts reach.

    Parameters
    ----------
    outlook : Outlook or None
        The forecast the plan covers.
    posts : sequence of str
        Cells of every post (fixed and mobile).
    radius_m : float
        Reach of a post.

    Returns
    -------
    dict
        ``area_share`` (cells within reach / all cells), ``backtest_hit_rate``,
        ``backtest_pai``, ``backtest_months`` (NaN when there is nothing to score) and
        ``forecast_risk`` (expected weighted events of the month in the whole area).
    """
    nan = float("nan")
    if outlook is None or not len(posts):
        return dict.fromkeys(
            ("area_share", "backtest_hit_rate", "backtest_pai", "backtest_months"), nan
        ) | {"forecast_risk": float(outlook.risk.sum()) if outlook else nan}
    share = float(covered_cells(outlook.cells, list(posts), radius_m).mean())
    record = outlook.track_record(share)
    return {
        "area_share": share,
        "backtest_hit_rate": record["hit_rate"],
        "backtest_pai": record["pai"],
        "backtest_months": record["months"] if record["months"] else nan,
        "forecast_risk": float(outlook.risk.sum()),
    }


def track_record_text(figures: Mapping[str, float], lang: str = "zh") -> str:
    """The plan's track record as one sentence (empty when there is none)."""
    months = figures.get("backtest_months", float("nan"))
    rate = figures.get("backtest_hit_rate", float("nan"))
    if not (math.isfinite(months) and math.isfinite(rate)):
        return ""
    return t(
        "plan_backtest",
        lang,
        months=int(months),
        area=f"{figures['area_share']:.2%}",
        hit=f"{rate:.1%}",
        pai=f"{figures['backtest_pai']:.1f}",
    )


def suspect_note(figures: Mapping[str, float], lang: str = "zh") -> str:
    """What suspect activity did to the plan, in one sentence (empty when not asked for)."""
    weight = figures.get("suspect_weight", 0.0)
    if not weight:
        return ""
    cells = int(figures.get("suspect_cells", 0))
    key = "plan_suspect_note" if cells else "plan_suspect_none"
    return t(key, lang, w=f"{weight:g}", n=cells)


def _solve(problem: CoverageProblem, request: PlanRequest) -> tuple[Solution, Solution]:
    greedy = solve_greedy(problem, request.teams)
    solution = solve_exact(problem, request.teams, warm=greedy) if request.exact else greedy
    return greedy, solution


def _effort(
    request: PlanRequest,
    per_day: dict[dt.date, int],
    greedy: Solution,
    solution: Solution,
    schedule: Schedule | None,
) -> dict[str, float]:
    """How the plan was solved and what it takes: person-shifts, the rotation's coverage."""
    n_fixed = len(request.fixed_posts)
    team_days = (
        sum(per_day.values()) + n_fixed * len(per_day) if per_day else (request.teams + n_fixed)
    )
    return {
        "greedy_share_of_optimum": (
            greedy.objective / solution.objective if solution.objective else 1.0
        ),
        "solve_seconds": solution.seconds,
        "optimal": float(solution.optimal),
        "days": len(request.days),
        "person_shifts": float(request.team_size * team_days * request.shifts),
        "expected_rotation_coverage": schedule.expected_coverage if schedule else float("nan"),
    }


def _rotation(
    ds: Dataset,
    request: PlanRequest,
    problem: CoverageProblem,
    per_day: dict[dt.date, int],
    fixed_names: dict[str, str],
) -> Schedule:
    def named(cells: list[str]) -> dict[str, str]:  # the rotation's targets, by place
        return {**post_names(ds, cells, request.radius_m), **fixed_names}

    return rotation(problem, request.days, per_day, seed=request.seed, names=named)


def as_of(ds: Dataset, forecast_month: str | None) -> Dataset:
    """``ds`` as it stood before ``forecast_month`` began (all of it without a month).

    A plan for a past month (a backtest, a briefing's plan for the month after the one it
    reports) must know nothing of that month or later ones.
    """
    if forecast_month is None or ds.events.empty:
        return ds
    start = pd.Timestamp(pd.Period(forecast_month, freq="M").start_time, tz=TZ)
    before = ds.events["occurred_at"] < start
    if before.all():
        return ds
    return dataclasses.replace(ds, events=ds.events[before], labels=ds.labels[before])


def make_plan(
    ds: Dataset,
    request: PlanRequest,
    *,
    periods: PeriodSettings | None = None,
    progress: Callable[[float, str], None] | None = None,
    activity: pd.DataFrame | None = None,
) -> PlanResult:
    """Forecast risk of the period → posts (exact or greedy) → rotation → figures.

    The risk covered is the default forecast of ``request.forecast_month`` (default: the
    month after the last event) from the period's events of the ``history_months`` before
    it; the hexagons drawn under the posts are the period's Gi* classes over the
    ``lookback_days`` up to the last event. Events of ``forecast_month`` and later are
    left out of both (:func:`as_of`): a plan for a past month is made as of then.

    Parameters
    ----------
    ds : Dataset
        The data in the user's scope (its ``labels`` say which events are in the period).
    request : PlanRequest
        What the commander asks for: period, teams, reach in metres, fixed posts, days, H3
        resolution, townships (validated when it is made).
    periods : PeriodSettings, optional
        The deployment's ``[periods]`` table: the period's hours shown with the posts
        (night, morning, school windows) and the holidays and 春运 that multiply the teams
        of a day. Default: :class:`~geo.periods.PeriodSettings` defaults; pass the settings
        the data set was labelled with, so both agree.
    progress : callable, optional
        Called as ``progress(share_done, step)`` with share 0.1 .. 1.0 and step ``risk``,
        ``problem``, ``solve``, ``rotation`` (only with days) or ``done``.
    activity : DataFrame, optional
        Suspect activity per cell (``h3_cell``, ``activity``) at ``request.res`` for the
        request's period (:func:`geo.activity.suspect_activity`); blended into the risk
        when ``request.suspect_weight`` > 0 (:func:`blend_activity`), ignored otherwise.

    Returns
    -------
    PlanResult
        ``plan`` (posts table: ``post, kind, h3_cell, lat, lon, name, risk_covered,
        hot_cells_covered, time``; fixed posts first), ``schedule`` (the rotation over
        ``request.days``, ``None`` without days), ``figures`` (coverage of the plan, how it
        was solved, person-shifts, the forecast's track record: :func:`track_record`, and
        with a suspect weight ``suspect_weight`` and ``suspect_cells``, the cells whose risk
        had suspect activity: 0 when there was none to blend),
        ``cells`` (the period's hexagons), ``time_window`` (e.g. ``"20:00-06:00"``),
        ``risk_events`` (events the forecast learned from), ``warnings`` and ``outlook``
        (``None`` when the period has no event: the plan then has nothing to cover).

    Raises
    ------
    ValueError
        When a fixed post is not a key-area id of ``ds``, or ``request.extra_periods``
        names an unknown period.
    """
    periods = periods or PeriodSettings()
    say = progress or (lambda _f, _m: None)
    ds = as_of(ds, request.forecast_month)  # nothing of the month planned for or later
    warnings: list[str] = list(ds.warnings)
    keys = request.period_keys
    last = ds.events["occurred_at"].max()
    start = (last - pd.Timedelta(days=request.lookback_days)).date() if len(ds.events) else None
    say(0.1, "risk")
    area = study_area(ds, res=request.res, township_codes=request.township_codes)
    view = hotspot_view(
        ds,
        res=request.res,
        start=start,
        periods=keys,
        hours=request.hours,
        weights=request.weights,
        township_codes=request.township_codes,
        area=area,
        trends=False,  # a plan needs the period's Gi* classes, not monthly trends
    )
    outlook, n_events = _forecast(ds, request, keys, area)
    if outlook is None:
        warnings.append("no events in this period: the plan has nothing to cover")
    demand, candidates, suspects = _risk(view.stats, outlook, request, activity)
    fixed_names = _fixed_posts(ds, request)
    say(0.3, "problem")
    problem = build_problem(
        demand,
        radius_m=request.radius_m,
        candidates=candidates,
        fixed=list(fixed_names),
        bases=request.bases,
        max_travel_m=request.max_travel_m,
    )
    say(0.4, "solve")
    greedy, solution = _solve(problem, request)
    posts = list(problem.candidates[solution.chosen])
    cell_names = post_names(ds, posts, request.radius_m)
    plan = describe(problem, solution, names=cell_names | fixed_names)
    window = _window(request, periods)
    plan.posts["time"] = window
    schedule = None
    per_day = teams_by_day(request, periods)
    if request.days:
        say(0.8, "rotation")
        schedule = _rotation(ds, request, problem, per_day, fixed_names)
        schedule.days["time"] = window
        warnings += schedule.warnings
    figures = {
        **plan.figures,
        **_effort(request, per_day, greedy, solution, schedule),
        **track_record(outlook, posts, request.radius_m),
        **suspects,
    }
    say(1.0, "done")
    return PlanResult(
        plan, schedule, figures, view.cells, window, n_events, warnings, outlook=outlook
    )


def holiday_choices(last: dt.date, periods: PeriodSettings) -> tuple[list[HolidayBlock], int]:
    """The holidays a plan may be made for, and the one offered first.

    The statutory holidays of the data's last year and the next; first the next one after
    the data end (the next to plan for), else the latest; ``([], -1)`` when there are none.
    """
    blocks = holiday_blocks(dt.date(last.year - 1, 1, 1), dt.date(last.year + 1, 12, 31), periods)
    upcoming = [i for i, block in enumerate(blocks) if block.first > last]
    return blocks, (upcoming[0] if upcoming else len(blocks) - 1)


def default_fixed_posts(key_areas: pd.DataFrame) -> tuple[str, ...]:
    """The key areas staffed every day unless the user says otherwise (定人定岗定责)."""
    return tuple(key_areas.loc[key_areas["category"].isin(FIXED_POST_CATEGORIES), "id"])


def default_request(
    ds: Dataset, weights: tuple[float, float], periods: PeriodSettings
) -> PlanRequest:
    """The request the plan form makes when its button is pressed without a change.

    Parameters
    ----------
    ds : Dataset
        The user's data (its key areas and its last day).
    weights : (float, float)
        The weights of a case and of a tip (the deployment's settings).
    periods : PeriodSettings
        The holiday calendar.

    Returns
    -------
    PlanRequest
        The first period, the form's starting values, the default fixed posts and the days of
        the holiday offered first (else a week from the data's last day).
    """
    last = date_span(ds.events)[1]
    blocks, first = holiday_choices(last, periods)
    span = (
        (blocks[first].first, blocks[first].last)
        if blocks
        else (
            last,
            last + dt.timedelta(days=FORM_DEFAULTS.rotation_days - 1),
        )
    )
    d = FORM_DEFAULTS
    return PlanRequest(
        period=PLAN_PERIODS[0],
        teams=int(d.teams),
        team_size=int(d.team_size),
        radius_m=float(d.radius_m),
        fixed_posts=default_fixed_posts(ds.key_areas),
        days=tuple(span[0] + dt.timedelta(days=i) for i in range((span[1] - span[0]).days + 1)),
        holiday_factor=float(d.holiday_factor),
        shifts=int(d.shifts),
        hours=None,
        exact=bool(d.exact),
        seed=int(d.seed),
        weights=weights,
        bases=(),
        max_travel_m=None,
        suspect_weight=0.0,
    )
