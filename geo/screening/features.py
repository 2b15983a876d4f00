"""Run the screening SQL on an engine: clean the passes, describe every vehicle.

:func:`compute_features` registers the small tables, exposes the pass files as ``raw``,
runs the cleaning and feature steps of :mod:`geo.screening.sql` and returns one row per
vehicle with the counts of every pass used or rejected (rows in = used + rejected + outside
the window).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from geo.periods import PeriodSettings, day_calendar
from geo.schema import TZ
from geo.screening import sql
from geo.screening.engines import DuckDBEngine, Engine, Progress
from geo.screening.inputs import Checkpoints, PassGroup, ScreeningInputError
from geo.screening.schema import REJECT_REASONS, plate_kind
from geo.screening.settings import ScreeningSettings

EPOCH: Final = dt.date(1970, 1, 1)
T_MIN: Final = (dt.date(2000, 1, 1) - EPOCH).days * 86400


class NoPassesInWindow(ScreeningInputError):
    """The days asked for hold no usable pass (a screen with ``within_data``)."""


#: feature columns and their dtypes, as returned by :func:`compute_features`
FEATURE_DTYPES: Final = {
    "plate": "object",
    "n_passes": "int64",
    "active_days": "int64",
    "passes_per_day": "float64",
    "offday_active_days": "int64",
    "offday_lift": "float64",
    "hub_days": "int64",
    "hub_visits_per_day": "float64",
    "hub_wave_share": "float64",
    "route_a": "object",
    "route_b": "object",
    "route_days": "int64",
    "route_trips_per_day": "float64",
    "runs_per_day": "float64",
    "market_lift": "float64",
    "market_days_active": "int64",
    "span_hours": "float64",
    "early_share": "float64",
    "late_share": "float64",
    "km_per_day": "float64",
    "distinct_towns": "int64",
    "distinct_checkpoints": "int64",
    "first_t": "int64",
    "last_t": "int64",
}
#: features the learned scorer uses (numbers only)
MODEL_FEATURES: Final = (
    "n_passes",
    "active_days",
    "passes_per_day",
    "offday_active_days",
    "offday_lift",
    "hub_days",
    "hub_visits_per_day",
    "hub_wave_share",
    "route_days",
    "route_trips_per_day",
    "runs_per_day",
    "market_lift",
    "market_days_active",
    "span_hours",
    "early_share",
    "late_share",
    "km_per_day",
    "distinct_towns",
    "distinct_checkpoints",
    "local_plate",
    "special_plate",
)


@dataclass
class FeatureRun:
    """Features per vehicle and the account of every pass row."""

    features: pd.DataFrame
    counts: dict[str, int]
    rejects: pd.DataFrame  # reason, n
    samples: pd.DataFrame  # reason, plate_raw, time_raw, cp_raw (a few per reason)
    window: tuple[dt.date, dt.date]
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the engines' day index of local dates)."""
    return (day - EPOCH).days


def calendar_tables(
    first: dt.date, last: dt.date, markets: dict[str, list], periods: PeriodSettings | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """``cal`` (day, off), ``mkt`` (town, day) and ``mtown`` (town, mdays) for a window."""
    dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    cal = day_calendar(dates, periods)
    off = (cal.days["weekend"] | cal.days["holiday"]).to_numpy(bool)
    days = np.array([day_number(d) for d in dates], dtype=np.int64)
    cal_t = pd.DataFrame({"day": days, "off": off.astype(np.int64)})
    rows = []
    for town, cycles in sorted(markets.items()):
        hit = np.zeros(len(dates), dtype=bool)
        for cycle in cycles:
            hit |= cycle.matches(dates)
        rows += [(town, int(d)) for d in days[hit]]
    mkt = pd.DataFrame(rows, columns=["town", "day"]).astype({"town": object, "day": np.int64})
    mtown = mkt.groupby("town", as_index=False).size().rename(columns={"size": "mdays"})
    mtown = mtown.astype({"town": object, "mdays": np.int64})
    return cal_t, mkt, mtown, cal.warnings


def _params(s: ScreeningSettings, cal: pd.DataFrame, lo: dt.date, hi: dt.date) -> dict[str, object]:
    n_off = int(cal["off"].sum())
    n_work = len(cal) - n_off
    bins = (18 * 60) // s.wave_bin_minutes
    return {
        "t_lo": day_number(lo) * 86400,
        "t_hi": (day_number(hi) + 1) * 86400,
        "dedup": s.dedup_seconds,
        "misread_max": s.misread_max_passes,
        "misread_min": s.misread_min_passes,
        "misread_ratio": 5,
        "misread_sec": s.misread_minutes * 60,
        "trip_gap": s.trip_gap_minutes * 60,
        "dwell": s.dwell_minutes * 60,
        "road_factor": repr(float(s.road_factor)),
        "early_sec": s.early_hour * 3600,
        "late_sec": s.late_hour * 3600,
        "wave_bin": s.wave_bin_minutes * 60,
        "wave_factor": repr(float(s.wave_factor)),
        "bins_x_days": bins * len(cal),
        "hub_gap": s.hub_visit_gap_minutes * 60,
        "n_off": max(n_off, 1),
        "n_work": max(n_work, 1),
        "n_days": len(cal),
    }


def _window(
    engine: Engine,
    s: ScreeningSettings,
    date_from: dt.date | None,
    date_to: dt.date | None,
    within_data: bool = False,
) -> tuple[dt.date, dt.date]:
    """The screened days: as given, else the last ``window_days`` days of the data.

    ``within_data`` shrinks given days to those from the first to the last day with a usable
    pass, and raises :class:`NoPassesInWindow` when none is left.
    """
    span = engine.fetch(sql.TIME_SPAN)
    first, last = span["t0"].iloc[0], span["t1"].iloc[0]
    if last is None or pd.isna(last):
        raise ScreeningInputError(
            "passes: no usable pass (every row was rejected; see the reasons above)"
        )
    first_day = EPOCH + dt.timedelta(days=int(first) // 86400)
    last_day = EPOCH + dt.timedelta(days=int(last) // 86400)
    if within_data:
        asked = (date_from, date_to)
        date_from = max(date_from or first_day, first_day)
        date_to = min(date_to or last_day, last_day)
        if date_to < date_from:
            raise NoPassesInWindow(f"passes: none from {asked[0]} to {asked[1]}")
    if date_to is None:
        date_to = last_day
    if date_from is None:
        date_from = max(first_day, date_to - dt.timedelta(days=s.window_days - 1))
    if date_to < date_from:
        raise ScreeningInputError(f"--to {date_to} is before --from {date_from}")
    return date_from, date_to


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` as the naive local time the passes are read in (:data:`geo.schema.TZ`).

    Default: the current time there, not the machine's clock (a server may run in UTC); an
    aware ``now`` is converted, a naive one is taken as local already.
    """
    if now is None:
        return dt.datetime.now(TZ).replace(tzinfo=None)
    return now.astimezone(TZ).replace(tzinfo=None) if now.tzinfo else now


def compute_features(
    engine: Engine,
    checkpoints: Checkpoints,
    groups: list[PassGroup],
    whitelist: Iterable[str] = (),
    *,
    settings: ScreeningSettings | None = None,
    periods: PeriodSettings | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    within_data: bool = False,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> FeatureRun:
    """Clean the passes and compute every vehicle's features on ``engine``.

    Parameters
    ----------
    engine : Engine
        :class:`~geo.screening.engines.DuckDBEngine` or ``SparkEngine``.
    checkpoints : Checkpoints
        From :func:`geo.screening.inputs.read_checkpoints`.
    groups : list of PassGroup
        Pass files (:func:`geo.screening.inputs.group_pass_files`).
    whitelist : iterable of str
        Cleaned plates of licensed vehicles: never described or listed.
    settings, periods : ScreeningSettings, PeriodSettings
        Thresholds; holidays and make-up workdays.
    date_from, date_to : date, optional
        The screened days (default: the last ``window_days`` of the data).
    within_data : bool, default False
        Screen only the days of ``date_from`` .. ``date_to`` from the first to the last day
        with a usable pass (a calendar month of which the data hold a part); raises
        :class:`NoPassesInWindow` when they hold none of it.
    now : datetime, optional
        Passes later than a day after this are rejected as ``future_time``; naive = local
        time (see :func:`local_now`; default: now in :data:`geo.schema.TZ`, whatever the
        machine's zone).
    progress : callable, optional
        Called with (step label, fraction or None).

    Returns
    -------
    FeatureRun
        Features (one row per non-whitelisted plate, sorted by plate), pass counts, reject
        reasons with samples, the window and the engine's name.
    """
    s = settings or ScreeningSettings()
    timings: dict[str, float] = {}
    now_sec = int((local_now(now) - dt.datetime(1970, 1, 1)).total_seconds())
    towns = _town_ids(checkpoints)
    _register(engine, checkpoints, whitelist, towns)
    key = engine.raw_view(groups)
    _run(
        engine,
        sql.CLASSIFY,
        {"t_min": T_MIN, "t_future": now_sec + 86400, "cp_key": key},
        progress,
        timings,
    )
    lo, hi = _window(engine, s, date_from, date_to, within_data)
    cal, mkt, mtown, cal_warnings = calendar_tables(lo, hi, checkpoints.markets, periods)
    mkt["town"] = mkt["town"].map(towns).astype(np.int64)
    mtown["town"] = mtown["town"].map(towns).astype(np.int64)
    for name, frame in (("cal", cal), ("mkt", mkt), ("mtown", mtown)):
        engine.put(name, frame)
    params = _params(s, cal, lo, hi)
    account: tuple[dict[str, int], pd.DataFrame, pd.DataFrame] | None = None
    for step, unused in sql.STEPS:
        _run(engine, step, params, progress, timings)
        if step is sql.DEDUP:
            account = _account(engine, params)
        elif step is sql.MISREAD and account is not None:
            account[0]["misreads_merged"] = int(engine.fetch(sql.MISREAD_COUNT)["n"].iloc[0])
        engine.drop(unused)
    assert account is not None
    counts, rejects, samples = account
    features = _features(engine.fetch("SELECT * FROM features ORDER BY plate"), cal)
    return FeatureRun(
        features,
        counts,
        rejects,
        samples,
        (lo, hi),
        engine.name,
        timings,
        [*checkpoints.warnings, *cal_warnings],
    )


def _town_ids(checkpoints: Checkpoints) -> dict[str, int]:
    """Towns numbered in name order (byte order, as the engines compare strings)."""
    names = sorted({str(t) for t in checkpoints.table["town"]} | set(checkpoints.markets))
    return {name: i + 1 for i, name in enumerate(names)}


def _register(
    engine: Engine, checkpoints: Checkpoints, whitelist: Iterable[str], towns: dict[str, int]
) -> None:
    cp = checkpoints.table.sort_values("cp_id", kind="stable").reset_index(drop=True)
    engine.put(
        "cp",
        pd.DataFrame(
            {
                "cpi": np.arange(1, len(cp) + 1, dtype=np.int64),
                "cp_id": cp["cp_id"].astype(object),
                "cp_name": cp["cp_name"].astype(object),
                "town": cp["town"].astype(str).map(towns).astype(np.int64),
                "hub": cp["hub"].astype(np.int64),
                "x": cp["x"].astype(float),
                "y": cp["y"].astype(float),
            }
        ),
    )
    engine.put(
        "towns",
        pd.DataFrame(
            {
                "town_id": np.array(list(towns.values()), dtype=np.int64),
                "town": pd.Series(list(towns), dtype=object),
            }
        ),
    )
    engine.put("wl", pd.DataFrame({"plate": sorted(set(whitelist))}, dtype=object))
    engine.put("pos", pd.DataFrame({"i": np.arange(1, 13, dtype=np.int64)}))


def _run(
    engine: Engine,
    step: sql.Step,
    params: dict[str, object],
    progress: Progress | None,
    timings: dict[str, float],
) -> None:
    began = time.perf_counter()
    engine.materialize(step, step.sql.format(**params), progress)
    timings[step.name] = time.perf_counter() - began


def _features(frame: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    """Types fixed (the same whatever the engine) plus plate facts computed in Python."""
    out = pd.DataFrame({c: frame[c] for c in FEATURE_DTYPES}, index=range(len(frame)))
    for col, dtype in FEATURE_DTYPES.items():
        out[col] = out[col].astype(dtype) if dtype != "object" else out[col].astype(object)
    if cal["off"].sum() == 0 or cal["off"].sum() == len(cal):
        out["offday_lift"] = 1.0  # a window of one kind of day says nothing
    out["province"] = out["plate"].str[:1]
    kinds = out["plate"].map(plate_kind)
    out["plate_kind"] = kinds
    out["special_plate"] = kinds.isin(["coach", "police", "trailer"]).astype(np.int64)
    local = out["province"].mode()
    out["local_plate"] = (out["province"] == (local.iloc[0] if len(local) else "")).astype(np.int64)
    return out


def _account(
    engine: Engine, params: dict[str, object]
) -> tuple[dict[str, int], pd.DataFrame, pd.DataFrame]:
    """Rows in, used, rejected (by reason) and outside the window."""
    by_reason = engine.fetch(sql.REJECT_COUNTS)
    n = {
        str(r): int(c) for r, c in zip(by_reason["reason"].fillna(""), by_reason["n"], strict=True)
    }
    valid = n.pop("", 0)
    outside = int(engine.fetch(sql.OUTSIDE_WINDOW.format(**params))["n"].iloc[0])
    dups = int(engine.fetch(sql.DUPLICATES.format(**params))["n"].iloc[0])
    unreadable, bad_lines = (
        engine.unreadable_rows() if isinstance(engine, DuckDBEngine) else (0, pd.DataFrame())
    )
    reasons = {r: n.get(r, 0) for r in REJECT_REASONS} | {"duplicate_read": dups}
    if unreadable:
        reasons["unreadable_row"] = unreadable
    rejected = sum(reasons.values())
    rows_in = valid + sum(n.values()) + unreadable
    counts = {
        "rows_in": rows_in,
        "used": valid - outside - dups,
        "rejected": rejected,
        "outside_window": outside,
        "misreads_merged": 0,
    }
    rejects = pd.DataFrame({"reason": list(reasons), "n": list(reasons.values())})
    samples = engine.fetch(sql.REJECT_SAMPLES.format(n=3))
    if len(bad_lines):
        lines = pd.DataFrame(
            {
                "reason": "unreadable_row",
                "plate_raw": bad_lines["text"],
                "time_raw": "line " + bad_lines["line"].astype(str),
                "cp_raw": bad_lines["file"].map(lambda f: str(f).rsplit("/", 1)[-1]),
            }
        )
        samples = pd.concat([samples, lines], ignore_index=True)
    return counts, rejects[rejects["n"] > 0].reset_index(drop=True), samples
