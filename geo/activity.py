"""Suspect vehicles' activity per H3 cell and period, from their passes at checkpoints.

What the situation map's 嫌疑车辆活动 layer shows and what the patrol planner can weigh into
risk: where and when the vehicles on the suspect list (:data:`geo.vehicles.LISTED_GRADES`)
passed checkpoints in the screen window.

- A pass counts in the H3 cell of its checkpoint's position (at the map's or the plan's
  resolution), and in the township that checkpoint stands in.
- Periods are those of the events (:func:`geo.periods.label_events`, the same settings):
  night, weekend, statutory holiday, market day (by the cycle of the checkpoint's township)
  and the rest of :data:`geo.periods.PERIOD_KEYS`.
- **Activity** is the passes weighted by the vehicle's grade (:data:`GRADE_WEIGHTS`): a pass
  of a 高度疑似 vehicle counts 1, of a 疑似 vehicle 0.5, of a 一般关注 vehicle 0.25, so a cell
  passed by the most suspected vehicles weighs most. Passes and distinct vehicles are
  given as plain counts too.
- Nothing about any other vehicle is read (the passes are asked for by the suspects'
  plates only), and the plates are dropped at once: a vehicle is a number within one
  table. A township scope sees only the cells of checkpoints standing in its township.

:func:`suspect_passes` reads and labels the passes once per screen (county-wide);
:func:`suspect_activity` cuts them per scope, resolution and period (cheap, per view).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.auth import Scope
from geo.cells import points_to_cells
from geo.config import Settings
from geo.dataset import filter_events
from geo.periods import PERIOD_KEYS, PeriodSettings, label_events, select_period
from geo.schema import TZ
from geo.screening.core import plates_pass_minutes
from geo.vehicles import LISTED_GRADES, PassFolder, Screening

#: weight of one pass by the vehicle's grade (activity = Σ passes × weight)
GRADE_WEIGHTS: Final = {"high": 1.0, "medium": 0.5, "low": 0.25}
#: periods whose passes each cell also counts (the layer's tooltip)
TOOLTIP_PERIODS: Final = ("night", "weekend", "holiday", "market_day")
#: columns of :func:`suspect_passes`, before the period labels
PASS_COLUMNS: Final = (
    "vehicle",
    "grade",
    "cp_id",
    "township_code",
    "lat",
    "lon",
    "occurred_at",
    "n",
)
#: columns of :func:`suspect_activity`
ACTIVITY_COLUMNS: Final = (
    "h3_cell",
    "township_code",
    "checkpoints",
    "passes",
    "vehicles",
    "vehicles_high",
    "activity",
    *(f"passes_{p}" for p in TOOLTIP_PERIODS),
)


def label_passes(
    minutes: pd.DataFrame,
    grades: pd.Series,
    checkpoints: pd.DataFrame,
    *,
    key_areas: gpd.GeoDataFrame | None = None,
    periods: PeriodSettings | None = None,
) -> pd.DataFrame:
    """The suspects' passes with their checkpoint's place and periods, plates dropped.

    Parameters
    ----------
    minutes : DataFrame
        ``plate``, ``cp_id``, ``time`` (naive local time), ``n``, as
        :func:`geo.screening.core.plates_pass_minutes` gives them.
    grades : Series
        Grade of each listed plate (index: the plate as ``minutes`` spells it); passes of
        plates without a listed grade are dropped.
    checkpoints : DataFrame
        ``cp_id``, ``lat``, ``lon`` (WGS-84) and ``township_code`` (the township polygon
        the checkpoint stands in), as :class:`geo.vehicles.Screening` keeps them; passes
        at a checkpoint without a position are dropped.
    key_areas : GeoDataFrame, optional
        Key areas with market-day cycles (``category == "rural_market"``).
    periods : PeriodSettings, optional
        Night hours, holiday table, … (default: the defaults); as for the events.

    Returns
    -------
    DataFrame
        :data:`PASS_COLUMNS` (``vehicle`` a number per plate, ``occurred_at`` tz-aware
        Asia/Shanghai) and one boolean column per :data:`geo.periods.PERIOD_KEYS`.
    """
    grade = minutes["plate"].map(grades)
    rows = minutes.assign(grade=grade)[grade.isin(list(LISTED_GRADES)).to_numpy(dtype=bool)]
    places = checkpoints.set_index("cp_id")[["township_code", "lat", "lon"]]
    rows = rows.join(places, on="cp_id", how="inner").dropna(subset=["lat", "lon"])
    rows = rows.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "vehicle": pd.factorize(rows["plate"], sort=True)[0].astype("int64"),
            "grade": rows["grade"].astype(object),
            "cp_id": rows["cp_id"].astype(object),
            "township_code": rows["township_code"].astype(object),
            "lat": rows["lat"].astype(float),
            "lon": rows["lon"].astype(float),
            "occurred_at": pd.to_datetime(rows["time"]).dt.tz_localize(TZ),
            "n": rows["n"].astype("int64"),
        }
    )
    labels = label_events(out, key_areas=key_areas, settings=periods).labels
    return pd.concat([out, labels.astype(bool)], axis=1)


def suspect_passes(
    folder: PassFolder,
    settings: Settings,
    screening: Screening,
    *,
    key_areas: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The listed suspects' passes in the screen window, labelled with periods.

    Parameters
    ----------
    folder : PassFolder
        The pass folder the screen ran on.
    settings : Settings
        The settings the screen ran with (``periods`` label the passes).
    screening : Screening
        From :func:`geo.vehicles.screen_folder`: its graded suspects are the only plates
        whose passes are read, its window the only days.
    key_areas : GeoDataFrame, optional
        Key areas with market-day cycles (e.g. the data set's, as edited in the app).

    Returns
    -------
    DataFrame
        See :func:`label_passes`: no plate, one row per vehicle, checkpoint and minute.
    """
    suspects = screening.result.suspects
    listed = suspects[suspects["grade"].isin(list(LISTED_GRADES))]
    first, last = screening.result.window
    minutes = plates_pass_minutes(
        folder.checkpoints,
        str(folder.passes),
        listed["plate"],
        date_from=first,
        date_to=last,
        settings=settings,
    )
    grades = pd.Series(listed["grade"].to_numpy(), index=listed["plate"].to_numpy())
    return label_passes(
        minutes, grades, screening.checkpoints, key_areas=key_areas, periods=settings.periods
    )


def _empty() -> pd.DataFrame:
    kinds = {"h3_cell": object, "township_code": object, "activity": float}
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "int64")) for c in ACTIVITY_COLUMNS})


def suspect_activity(
    passes: pd.DataFrame,
    scope: Scope,
    *,
    res: int,
    periods: Sequence[str] = (),
    hours: tuple[dt.time, dt.time] | None = None,
    township_codes: Collection[str] = (),
) -> pd.DataFrame:
    """Suspect activity per H3 cell: passes, distinct vehicles, grade-weighted activity.

    Parameters
    ----------
    passes : DataFrame
        From :func:`suspect_passes` (or :func:`label_passes`).
    scope : Scope
        A township scope keeps only the passes at checkpoints standing in its township.
    res : int
        H3 resolution of the cells (7-10, as the map's).
    periods : sequence of str, default ()
        Period labels that must all hold (as the map's filter, e.g. ``("night",)``;
        ``"!night"`` excludes); empty for every pass of the window.
    hours : (time, time), optional
        Local clock window [from, to), may wrap midnight (a custom patrol period).
    township_codes : collection of str, default ()
        Only checkpoints standing in these townships (empty: all the scope may see).

    Returns
    -------
    DataFrame
        :data:`ACTIVITY_COLUMNS`, most active first: ``township_code`` of the cell's first
        checkpoint, ``checkpoints`` (how many stand in the cell), ``passes``, ``vehicles``
        (distinct), ``vehicles_high`` (distinct 高度疑似), ``activity`` (Σ passes ×
        :data:`GRADE_WEIGHTS`) and ``passes_<period>`` for :data:`TOOLTIP_PERIODS`.
        Empty (same columns) when nothing is left.

    Raises
    ------
    ValueError
        When a period is not one of :data:`geo.periods.PERIOD_KEYS`.
    """
    towns = list(township_codes)
    if scope.township_code is not None:
        towns = [scope.township_code] if not towns or scope.township_code in towns else ["-"]
    rows = filter_events(passes, township_codes=towns, hours=hours)
    if periods:
        rows = rows[select_period(rows[list(PERIOD_KEYS)], periods)]
    if rows.empty:
        return _empty()
    places = rows.drop_duplicates("cp_id")
    found = points_to_cells(places["lat"], places["lon"], res)
    cells = dict(zip(places["cp_id"], found, strict=True))
    rows = rows.assign(
        h3_cell=rows["cp_id"].map(cells),
        weighted=rows["n"] * rows["grade"].map(GRADE_WEIGHTS).astype(float),
        high=np.where(rows["grade"] == "high", rows["vehicle"], -1),
        **{f"passes_{p}": rows["n"].where(rows[p], 0) for p in TOOLTIP_PERIODS},
    )
    grouped = rows.groupby("h3_cell", sort=False)
    out = grouped.agg(
        township_code=("township_code", "first"),
        checkpoints=("cp_id", "nunique"),
        passes=("n", "sum"),
        vehicles=("vehicle", "nunique"),
        vehicles_high=("high", lambda v: int(v[v >= 0].nunique())),
        activity=("weighted", "sum"),
        **{f"passes_{p}": (f"passes_{p}", "sum") for p in TOOLTIP_PERIODS},
    ).reset_index()
    out = out.sort_values(["activity", "h3_cell"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[list(ACTIVITY_COLUMNS)]
