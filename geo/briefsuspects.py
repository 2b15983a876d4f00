"""The briefing's section on suspect vehicles from checkpoint passes (疑似非法营运车辆筛查情况).

A month's screen is the 车辆筛查 screen (:func:`geo.vehicles.screen_folder`) run on the days of
that calendar month that hold passes: :func:`screen_month`. :func:`summarize` cuts from the
month's screen and the previous month's what one briefing may print:

- listed vehicles by grade (高度疑似, 疑似, 一般关注);
- how many are **new**: listed this month and not listed in the previous month's screen of
  the same scope (unknown when the previous month has no passes);
- the checkpoints where the listed vehicles passed most, by name, with their township and
  how many listed vehicles passed there how often — the places where passengers wait
  (stations, business districts, hospitals, schools, market towns …), not the through-road
  checkpoints of :data:`THROUGH_KINDS`.

No plate is kept: a briefing is printed and handed around. A township's briefing counts only
the vehicles that passed a checkpoint standing in the township and only its own checkpoints
(the scope rule of :func:`geo.vehicles.scoped_suspects`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.auth import Scope
from geo.config import Settings
from geo.screening.features import NoPassesInWindow
from geo.vehicles import PassFolder, Screening, grade_counts, scoped_suspects, screen_folder

#: checkpoints listed in the section's table
TOP_PLACES: Final = 5
#: checkpoint kinds on through roads: every vehicle passes them, so they tell nothing of where
#: passengers are picked up and are left out of the places (a county-town junction would top
#: the list only because every run crosses it)
THROUGH_KINDS: Final = ("urban_road", "toll_station")
#: columns of :attr:`SuspectSummary.places`
PLACE_COLUMNS: Final = ("cp_id", "cp_name", "township", "kind", "vehicles", "passes")


def month_window(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month`` (``YYYY-MM``)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ValueError(f"month was {month!r} but is expected as YYYY-MM")
    year, mon = (int(v) for v in month.split("-"))
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def previous_month(month: str) -> str:
    """The month before ``month`` (``YYYY-MM``)."""
    first, _ = month_window(month)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def screen_month(
    folder: PassFolder,
    settings: Settings,
    townships: gpd.GeoDataFrame,
    month: str,
    *,
    known: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
) -> Screening | None:
    """The screen of one calendar month's passes (the days of it that hold passes).

    Parameters
    ----------
    folder : PassFolder
        From :func:`geo.vehicles.find_pass_folder`.
    settings : Settings
        As for :func:`geo.vehicles.screen_folder`.
    townships : GeoDataFrame
        Township polygons (``code``): each checkpoint's township is where it stands.
    month : str
        ``YYYY-MM``.
    known : DataFrame, optional
        Known plates (``plate``, ``n_cases``): the same as the 车辆筛查 page's, so that the
        grades are ranked alike.
    now : datetime, optional
        Passes later than a day after it are rejected (default: now).

    Returns
    -------
    Screening or None
        ``None`` when the month holds no usable pass; its ``result.window`` is the days
        screened (the month's first to last day with passes).
    """
    try:
        return screen_folder(
            folder, settings, townships, known=known, now=now, window=month_window(month)
        )
    except NoPassesInWindow:
        return None


@dataclass(frozen=True)
class MonthScreens:
    """The screens of ``month`` and of the month before (``None``: no pass in that month)."""

    month: str
    current: Screening | None
    previous: Screening | None


def month_screens(
    folder: PassFolder,
    settings: Settings,
    townships: gpd.GeoDataFrame,
    month: str,
    *,
    known: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
) -> MonthScreens:
    """The screens of ``month`` and of the month before (arguments as for :func:`screen_month`).

    Two screens; the app caches each month's on its own instead, so that the next month's
    briefing reuses this month's.
    """
    return MonthScreens(
        month,
        screen_month(folder, settings, townships, month, known=known, now=now),
        screen_month(folder, settings, townships, previous_month(month), known=known, now=now),
    )


@dataclass(frozen=True)
class SuspectSummary:
    """What one briefing says about the suspect vehicles of its month and scope.

    Attributes
    ----------
    window : (date, date) or None
        Days of the month screened (first to last day with passes); ``None`` when the month
        holds no pass.
    previous_window : (date, date) or None
        The same for the previous month.
    checkpoints : int
        Checkpoints of the scope (all of them for the county, those standing in the
        township for a township).
    grades : dict
        Listed vehicles per grade code (``high``, ``medium``, ``low``).
    new : int or None
        Listed vehicles not listed in the previous month's screen of the same scope; ``None``
        when the previous month holds no pass.
    places : DataFrame
        Up to :data:`TOP_PLACES` checkpoints of the scope (:data:`PLACE_COLUMNS`), those of
        :data:`THROUGH_KINDS` left out, most passes of listed vehicles first: ``vehicles``
        that passed there, ``passes`` in all; ``kind`` is the checkpoint kind's code,
        ``township`` the name of the township it stands in ("" outside every township).
    """

    window: tuple[dt.date, dt.date] | None
    previous_window: tuple[dt.date, dt.date] | None = None
    checkpoints: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    new: int | None = None
    places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLACE_COLUMNS))

    @property
    def listed(self) -> int:
        """Listed vehicles in all."""
        return sum(self.grades.values())


def _places(
    screening: Screening,
    plates: pd.Series,
    township: str | None,
    names: Mapping[str, str],
    top: int,
) -> pd.DataFrame:
    """The scope's checkpoints most passed by ``plates`` (vehicles and passes, no plate)."""
    cps = screening.checkpoints
    cps = cps[~cps["kind"].isin(THROUGH_KINDS)]
    if township is not None:
        cps = cps[cps["township_code"] == township]
    visits = screening.visits[screening.visits["plate"].isin(set(plates))]
    visits = visits[visits["cp_id"].isin(set(cps["cp_id"]))]
    if visits.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    counts = visits.groupby("cp_id").agg(vehicles=("plate", "nunique"), passes=("n", "sum"))
    table = counts.reset_index().merge(cps, on="cp_id", how="left")
    table["township"] = [
        names.get(str(c), "") if pd.notna(c) else "" for c in table["township_code"]
    ]
    table = table.sort_values(
        ["passes", "vehicles", "cp_id"], ascending=[False, False, True], kind="stable"
    )
    return table[list(PLACE_COLUMNS)].head(top).reset_index(drop=True)


def summarize(
    screens: MonthScreens,
    *,
    township: str | None = None,
    names: Mapping[str, str] | None = None,
    top: int = TOP_PLACES,
) -> SuspectSummary:
    """The briefing's figures on suspect vehicles for the county or one township.

    Parameters
    ----------
    screens : MonthScreens
        The month's screen and the previous month's (:func:`month_screens`).
    township : str, optional
        A township's code: only vehicles that passed a checkpoint standing in it, and only
        its checkpoints; default the county.
    names : mapping, optional
        Township code → name, for the checkpoints' townships.
    top : int, default 5
        Checkpoints listed.

    Returns
    -------
    SuspectSummary
        Counts by grade, new vehicles and the top checkpoints; no plate.
    """
    current, previous = screens.current, screens.previous
    before = previous.result.window if previous is not None else None
    if current is None:
        return SuspectSummary(window=None, previous_window=before)
    scope = Scope(township, mask_plates=False)
    listed = scoped_suspects(current, scope)
    new = None
    if previous is not None:
        earlier = set(scoped_suspects(previous, scope)["vehicle_id"])
        new = int((~listed["vehicle_id"].isin(earlier)).sum())
    cps = current.checkpoints
    in_scope = cps if township is None else cps[cps["township_code"] == township]
    return SuspectSummary(
        window=current.result.window,
        previous_window=before,
        checkpoints=len(in_scope),
        grades=grade_counts(listed),
        new=new,
        places=_places(current, listed["plate"], township, names or {}, top),
    )
