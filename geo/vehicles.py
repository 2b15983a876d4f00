"""车辆筛查 for the app: where the passes are, who may see which suspect, one vehicle's days.

The screen itself is :mod:`geo.screening`; this module is what the 车辆筛查 page needs around
it, kept free of any UI:

- :func:`find_pass_folder` — the deployment's pass folder (``<data_dir>/screening``) or the
  demo's (``<data_dir>/demo_passes``, written by ``make passes``);
- :func:`screen_folder` — the screen of a folder, reduced to the graded suspects (高度疑似,
  疑似, 一般关注), with the townships of the checkpoints each of them passed (point in
  polygon); nothing of the other vehicles is kept;
- :func:`scoped_suspects`, :func:`scoped_result` — the list a :class:`geo.auth.Scope` may
  see: a township account only the vehicles seen at its own checkpoints; masked plates
  (``渝F·B**** (V1a2b3c4d)``) outside the commander role, the id the same in every app
  process and after restarts (keyed with the deployment's secret, :mod:`geo.privacy`);
- :func:`vehicle_passes` — one listed vehicle's passes (refused for any other plate; a
  township sees only the passes at its own checkpoints); :func:`timeline` (day × hour),
  :func:`checkpoint_counts` (for the map) and :func:`vehicle_events` (its cases and tips).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.auth import Scope
from geo.config import Settings
from geo.errors import HexpatrolError
from geo.privacy import masked_label, plate_id
from geo.regions import township_of
from geo.screening.core import (
    ScreenResult,
    load_checkpoints,
    plate_passes,
    plates_checkpoints,
    screen,
)
from geo.screening.inputs import PASS_SUFFIXES

#: pass folders looked for in the data directory, in order: the deployment's, the demo's
PASS_FOLDERS: Final = ("screening", "demo_passes")
#: the files of a pass folder
CHECKPOINTS_FILE: Final = "checkpoints.csv"
PASSES_DIR: Final = "passes"
WHITELIST_FILE: Final = "whitelist.csv"
#: grades that put a vehicle on the list (``none`` never is)
LISTED_GRADES: Final = ("high", "medium", "low")
#: columns of :func:`vehicle_events`
EVENT_VIEW_COLUMNS: Final = (
    "event_id",
    "kind",
    "occurred_at",
    "township_code",
    "address",
    "offence",
    "status",
)


class VehicleNotListed(HexpatrolError):
    """A vehicle's passes were asked for that is not on the list the scope may see."""


@dataclass(frozen=True)
class PassFolder:
    """A folder of checkpoint passes: ``checkpoints.csv``, ``passes/``, ``whitelist.csv``."""

    root: Path

    @property
    def checkpoints(self) -> Path:
        """The checkpoint list."""
        return self.root / CHECKPOINTS_FILE

    @property
    def passes(self) -> Path:
        """The folder of pass files (Parquet, CSV, XLSX)."""
        return self.root / PASSES_DIR

    @property
    def whitelist(self) -> Path | None:
        """Licensed operating vehicles, when the folder has the file."""
        path = self.root / WHITELIST_FILE
        return path if path.is_file() else None

    def pass_files(self) -> list[Path]:
        """The pass files, in name order."""
        if not self.passes.is_dir():
            return []
        found = (p for p in self.passes.rglob("*") if p.is_file())
        return sorted(p for p in found if p.name.lower().endswith(PASS_SUFFIXES))

    def stamp(self) -> str:
        """Names, sizes and modification times of every input: changes when a file does."""
        files = [self.checkpoints, *self.pass_files()]
        if self.whitelist is not None:
            files.append(self.whitelist)
        return "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def find_pass_folder(data_dir: str | os.PathLike[str]) -> PassFolder | None:
    """The first of :data:`PASS_FOLDERS` in ``data_dir`` with a checkpoint list and passes.

    Parameters
    ----------
    data_dir : path
        The deployment's data directory (``Settings.data_dir``).

    Returns
    -------
    PassFolder or None
        ``None`` when no folder holds ``checkpoints.csv`` and at least one pass file.
    """
    for name in PASS_FOLDERS:
        folder = PassFolder(Path(data_dir) / name)
        if folder.checkpoints.is_file() and folder.pass_files():
            return folder
    return None


@dataclass(frozen=True)
class Screening:
    """A screen as the page keeps it: graded suspects only, and where they passed.

    Attributes
    ----------
    result : ScreenResult
        The screen with ``suspects`` cut to :data:`LISTED_GRADES` and no feature table.
    checkpoints : DataFrame
        ``cp_id``, ``cp_name``, ``kind``, ``lon``, ``lat`` (WGS-84) and ``township_code``
        (the township polygon the checkpoint stands in; ``None`` outside all of them).
    visits : DataFrame
        ``plate``, ``cp_id``, ``n``: passes of each listed vehicle at each checkpoint.
    """

    result: ScreenResult
    checkpoints: pd.DataFrame
    visits: pd.DataFrame


def checkpoint_townships(checkpoints: pd.DataFrame, townships: gpd.GeoDataFrame) -> pd.Series:
    """The township code of each checkpoint by its position (point in polygon), as a Series."""
    codes = township_of(checkpoints["lon"], checkpoints["lat"], townships)
    return pd.Series(codes, index=checkpoints.index, dtype=object)


def listed_only(result: ScreenResult) -> ScreenResult:
    """The screen with only the graded vehicles and without the per-plate features."""
    listed = result.suspects[result.suspects["grade"].isin(LISTED_GRADES)]
    return replace(result, suspects=listed.reset_index(drop=True), features=result.features[:0])


def screen_folder(
    folder: PassFolder,
    settings: Settings,
    townships: gpd.GeoDataFrame,
    *,
    known: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
    window: tuple[dt.date, dt.date] | None = None,
) -> Screening:
    """Screen a pass folder on DuckDB and keep what the page may show.

    Parameters
    ----------
    folder : PassFolder
        From :func:`find_pass_folder`.
    settings : Settings
        Townships, key areas, ``[screening]`` (window, rules, grades).
    townships : GeoDataFrame
        Township polygons (``code``): each checkpoint's township is where it stands.
    known : DataFrame, optional
        Known plates (``plate``, ``n_cases``), e.g. the store's cases.
    now : datetime, optional
        Passes later than a day after it are rejected (default: now in the deployment's
        time zone, :data:`geo.schema.TZ`).
    window : (date, date), optional
        Screen these days only, those of them with passes (e.g. a calendar month: see
        :func:`geo.briefsuspects.screen_month`); default the settings' ``window_days`` up to
        the last day of the data.

    Returns
    -------
    Screening
        The graded suspects, the checkpoints with townships, and the suspects' visits.

    Raises
    ------
    NoPassesInWindow
        When ``window`` holds no usable pass.
    """
    cps = load_checkpoints(folder.checkpoints, settings)
    whitelist = str(folder.whitelist) if folder.whitelist is not None else None
    passes = str(folder.passes)
    first, last = window or (None, None)
    result = listed_only(
        screen(
            cps,
            passes,
            whitelist=whitelist,
            known=known,
            settings=settings,
            now=now,
            date_from=first,
            date_to=last,
            within_data=window is not None,
        )
    )
    visits = plates_checkpoints(
        cps,
        passes,
        result.suspects["plate"],
        date_from=result.window[0],
        date_to=result.window[1],
        settings=settings,
    )
    table = cps.table[["cp_id", "cp_name", "kind", "lon", "lat"]].copy()
    table["township_code"] = checkpoint_townships(table, townships)
    return Screening(result, table, visits)


def vehicle_townships(visits: pd.DataFrame, checkpoints: pd.DataFrame) -> pd.Series:
    """Per plate, the codes of the townships whose checkpoints it passed (``"a,b"``)."""
    towns = checkpoints.set_index("cp_id")["township_code"]
    rows = visits.assign(code=visits["cp_id"].map(towns)).dropna(subset=["code"])
    return rows.groupby("plate")["code"].agg(lambda s: ",".join(sorted(set(s)))).astype(object)


def _in_township(codes: pd.Series, township_code: str) -> pd.Series:
    return codes.map(lambda v: township_code in str(v).split(",")).astype(bool)


def scoped_suspects(screening: Screening, scope: Scope) -> pd.DataFrame:
    """The listed vehicles ``scope`` may see, best first.

    Parameters
    ----------
    screening : Screening
        From :func:`screen_folder`.
    scope : Scope
        A township scope keeps the vehicles that passed a checkpoint standing in that
        township; a masking scope shows plates as ``渝F·B**** (V1a2b3c4d)``.

    Returns
    -------
    DataFrame
        The suspect columns of :class:`geo.screening.core.ScreenResult` (``plate`` as the
        scope shows it), plus ``vehicle_id`` (a keyed hash of the plate: the same vehicle,
        the same id while the server runs) and ``township_codes``.
    """
    s = screening.result.suspects
    s = s[s["grade"].isin(LISTED_GRADES)].copy()
    towns = vehicle_townships(screening.visits, screening.checkpoints)
    s["township_codes"] = s["plate"].map(towns).fillna("").astype(object)
    s["vehicle_id"] = [plate_id(p) for p in s["plate"]]
    if scope.township_code is not None:  # its own list, numbered from 1 (no county ranks)
        s = s[_in_township(s["township_codes"], scope.township_code)].copy()
        s["rank"] = np.arange(1, len(s) + 1)
    if scope.mask_plates:
        s["plate"] = pd.Series([masked_label(p) for p in s["plate"]], index=s.index, dtype=object)
    return s.reset_index(drop=True)


def scoped_result(screening: Screening, scope: Scope) -> ScreenResult:
    """The screen as ``scope`` may export it (its vehicles, plates as it sees them)."""
    return replace(screening.result, suspects=scoped_suspects(screening, scope))


def listed_plate(screening: Screening, scope: Scope, vehicle_id: str) -> str:
    """The plate of a vehicle on ``scope``'s list; :class:`VehicleNotListed` otherwise."""
    s = screening.result.suspects
    s = s[s["grade"].isin(LISTED_GRADES)]
    ids = pd.Series([plate_id(p) for p in s["plate"]], index=s.index, dtype=object)
    hit = s[ids == vehicle_id]
    if hit.empty:
        raise VehicleNotListed(f"vehicle {vehicle_id!r} is not on the suspect list")
    plate = str(hit["plate"].iloc[0])
    if scope.township_code is not None:
        towns = vehicle_townships(screening.visits, screening.checkpoints).get(plate, "")
        if scope.township_code not in str(towns).split(","):
            raise VehicleNotListed(f"vehicle {vehicle_id!r} is not on this township's list")
    return plate


def vehicle_passes(
    folder: PassFolder, settings: Settings, screening: Screening, scope: Scope, vehicle_id: str
) -> pd.DataFrame:
    """One listed vehicle's passes in the screened days, as ``scope`` may see them.

    Parameters
    ----------
    folder, settings
        The pass folder and settings the screen ran on.
    screening : Screening
        From :func:`screen_folder`.
    scope : Scope
        A township scope sees only the passes at checkpoints standing in its township.
    vehicle_id : str
        The ``vehicle_id`` of a row of :func:`scoped_suspects`; any other id raises
        :class:`VehicleNotListed`, so no pass of an unlisted vehicle is ever read out.

    Returns
    -------
    DataFrame
        ``time`` (local), ``cp_id``, ``cp_name``, ``kind``, ``lon``, ``lat``,
        ``township_code``.
    """
    plate = listed_plate(screening, scope, vehicle_id)
    first, last = screening.result.window
    found = plate_passes(
        folder.checkpoints, folder.passes, plate, date_from=first, date_to=last, settings=settings
    )
    towns = screening.checkpoints.set_index("cp_id")["township_code"]
    found["township_code"] = found["cp_id"].map(towns)
    if scope.township_code is not None:
        found = found[found["township_code"] == scope.township_code]
    columns = ["time", "cp_id", "cp_name", "kind", "lon", "lat", "township_code"]
    return found[columns].reset_index(drop=True)


def timeline(passes: pd.DataFrame, window: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """Passes per day (rows, every day of ``window``) and hour (columns 0-23)."""
    days = pd.date_range(window[0], window[1], freq="D").date
    times = pd.to_datetime(passes["time"])
    counts = pd.crosstab(times.dt.date, times.dt.hour) if len(passes) else pd.DataFrame()
    table = counts.reindex(index=days, columns=range(24), fill_value=0)
    table.index.name, table.columns.name = "day", "hour"
    return table.astype("int64")


def checkpoint_counts(passes: pd.DataFrame) -> pd.DataFrame:
    """Per checkpoint passed: ``n`` passes, ``first`` and ``last`` time; most passed first."""
    if passes.empty:
        columns = ["cp_id", "cp_name", "kind", "lon", "lat", "n", "first", "last"]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    grouped = passes.groupby(["cp_id", "cp_name", "kind", "lon", "lat"], dropna=False)
    out = grouped["time"].agg(n="size", first="min", last="max").reset_index()
    return out.sort_values(["n", "cp_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def vehicle_events(events: pd.DataFrame, vehicle_id: str) -> pd.DataFrame:
    """The cases and tips of one vehicle (by the plate's keyed id), newest first.

    ``events`` are the scope's events (:func:`geo.dataset.load_dataset`): masked ones carry
    a ``plate_id``; the commander's carry the plate, whose id is computed the same way.
    Returns :data:`EVENT_VIEW_COLUMNS` (those present).
    """
    if events.empty or "plate" not in events.columns:
        return pd.DataFrame(columns=[c for c in EVENT_VIEW_COLUMNS if c in events.columns])
    if "plate_id" in events.columns:
        ids = events["plate_id"].astype(object)
    else:
        ids = pd.Series([plate_id(p) for p in events["plate"]], index=events.index, dtype=object)
    hits = events[(ids == vehicle_id).to_numpy(dtype=bool)]
    hits = hits.sort_values("occurred_at", ascending=False, kind="stable")
    return hits[[c for c in EVENT_VIEW_COLUMNS if c in hits.columns]].reset_index(drop=True)


def grade_counts(suspects: pd.DataFrame) -> dict[str, int]:
    """Vehicles per listed grade (every grade present, 0 when none)."""
    found = suspects["grade"].value_counts()
    return {g: int(found.get(g, 0)) for g in LISTED_GRADES}


def only_grades(suspects: pd.DataFrame, grades: Iterable[str]) -> pd.DataFrame:
    """The rows of the chosen grades (all listed grades when none is chosen)."""
    chosen = list(grades) or list(LISTED_GRADES)
    return suspects[np.isin(suspects["grade"].to_numpy(dtype=object), chosen)]
