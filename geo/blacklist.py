"""黑名单 (focused monitoring): repeat vehicles, repeat persons and key areas under watch.

Pure computation on the canonical event frame (:data:`geo.ingest.EVENT_COLUMNS`). Three
tables, each following user-set :class:`BlacklistRules`:

- :func:`vehicle_blacklist`: plates seen in at least N cases and tips within the look-back
  window (plates normalised first, so ``渝F·12345`` and ``渝f 12345`` are one vehicle);
- :func:`person_blacklist`: the same for the person involved (``party``: 当事人/驾驶人);
- :func:`key_area_watchlist`: key areas with many events within their watch radius lately,
  or with events growing fast against the window before.

Plates and names are masked by default (:func:`geo.privacy.mask_plate`, :func:`mask_name`);
tipster fields are never read. Windows end at ``now``, which defaults to the latest event,
so historic and demo ledgers give the same answer on any day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Geod

from geo.errors import ConfigError
from geo.privacy import mask_name, mask_plate, normalize_party, present_value
from geo.schema import PLATE_PLACEHOLDERS, TZ

#: Columns of :func:`vehicle_blacklist`.
VEHICLE_COLUMNS: Final = (
    "plate",
    "n_events",
    "n_cases",
    "n_tips",
    "first_seen",
    "last_seen",
    "townships",
    "last_lat",
    "last_lon",
    "event_ids",
)
#: Columns of :func:`person_blacklist` (``party`` in place of ``plate``).
PERSON_COLUMNS: Final = ("party", *VEHICLE_COLUMNS[1:])
#: Columns of :func:`key_area_watchlist`.
WATCHLIST_COLUMNS: Final = (
    "id",
    "name",
    "category",
    "township_code",
    "radius_m",
    "n_window",
    "n_previous",
    "growth",
    "flagged",
    "reason",
)
#: Watch radius of a key area without one (as :func:`geo.regions.load_key_areas`).
DEFAULT_RADIUS_M: Final = 300.0

_KINDS: Final = ("case", "tip")
_PLATE_SEPARATORS: Final = re.compile(r"[\s·・•‧∙.\-_—–]+")
_PLATE_CHAR: Final = re.compile(r"[A-Z0-9]")
#: Fewer Latin letters and digits than this is no usable plate (a city letter + 5 serial).
_PLATE_MIN_CHARS: Final = 4
#: placeholders of the schema, upper case, plus what pandas writes for a missing value
_NO_PLATE: Final = frozenset(p.upper() for p in PLATE_PLACEHOLDERS) | {"NAN", "NAT", "<NA>"}
_GEOD: Final = Geod(ellps="WGS84")
#: Metres per degree of latitude (its minimum, at the equator) and of longitude at the equator.
_M_PER_DEG_LAT: Final = 110_574.0
_M_PER_DEG_LON: Final = 111_319.49


class BlacklistRulesError(ConfigError, ValueError):
    """A :class:`BlacklistRules` field is out of range (a ConfigError and a ValueError)."""


@dataclass(frozen=True)
class BlacklistRules:
    """User-set thresholds of the blacklist; every window ends at ``now``.

    Attributes
    ----------
    window_days : int
        Look-back of the vehicle and person lists: events in ``(now - window_days, now]``.
    vehicle_min_events : int
        A plate is listed with at least this many events (cases and tips) in the window.
    vehicle_min_cases : int
        ... and at least this many of them cases (0 = tips alone can list a plate).
    person_min_events : int
        A person (``party``) is listed with at least this many events in the window.
    area_window_days : int
        Window of the key-area watch: events in ``(now - area_window_days, now]``, compared
        with the window of the same length just before it.
    area_min_events : int
        A key area is flagged (reason ``count``) with at least this many events within its
        watch radius in the window.
    area_growth : float
        A key area is also flagged (reason ``growth``) when its events in the window are at
        least ``area_growth`` times those of the window before and at least half of
        ``area_min_events``. Must be > 1.
    """

    window_days: int = 365
    vehicle_min_events: int = 3
    vehicle_min_cases: int = 0
    person_min_events: int = 2
    area_window_days: int = 30
    area_min_events: int = 20
    area_growth: float = 1.5

    def __post_init__(self) -> None:
        minimum = {
            "window_days": 1,
            "vehicle_min_events": 1,
            "vehicle_min_cases": 0,
            "person_min_events": 1,
            "area_window_days": 1,
            "area_min_events": 1,
        }
        for name, low in minimum.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise BlacklistRulesError(f"{name} was {value!r} but must be an integer")
            if value < low:
                raise BlacklistRulesError(f"{name} was {value} but must be >= {low}")
        growth = self.area_growth
        if isinstance(growth, bool) or not isinstance(growth, int | float | np.number):
            raise BlacklistRulesError(f"area_growth was {growth!r} but must be a number")
        if not (math.isfinite(float(growth)) and float(growth) > 1.0):
            raise BlacklistRulesError(f"area_growth was {growth!r} but must be > 1")


# ---------------------------------------------------------------- normalising and masking


def _missing(value: object) -> bool:
    return not present_value(value)


def normalize_plate(text: object) -> str:
    """The comparable form of a plate: ``渝F·12345``, ``渝f 12345``, ``渝F-12345`` → ``渝F12345``.

    Full-width characters are folded (NFKC), letters upper-cased, and spaces, ``·``, ``.``,
    ``-``, ``_`` and similar separators removed. Missing values (None, NaN, NA), blanks,
    placeholders (``无牌``, ``不详``, ``N/A``, ``NULL``) and fragments with fewer than four
    Latin letters and digits (``渝F``) give ``""``, so they never group into one "vehicle".
    """
    if _missing(text):
        return ""
    plate = _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text)).upper())
    if plate in _NO_PLATE or len(_PLATE_CHAR.findall(plate)) < _PLATE_MIN_CHARS:
        return ""
    return plate


# ---------------------------------------------------------------- windows


def _require(events: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in events.columns]
    if missing:
        raise ValueError(f"events lack columns {missing}")


def _times(events: pd.DataFrame) -> pd.Series:
    """``occurred_at`` as tz-aware datetimes in Asia/Shanghai (naive ones taken as local)."""
    col = events["occurred_at"]
    times = col if pd.api.types.is_datetime64_any_dtype(col) else pd.to_datetime(col)
    if getattr(times.dt, "tz", None) is None:
        return times.dt.tz_localize(TZ)
    return times.dt.tz_convert(TZ)


def _now(now: dt.datetime | pd.Timestamp | str | None, times: pd.Series) -> pd.Timestamp | None:
    """The end of every window: ``now`` (naive = Asia/Shanghai) or the latest event."""
    if now is None:
        latest = times.max()
        return None if pd.isna(latest) else pd.Timestamp(latest)
    stamp = pd.Timestamp(now)
    if pd.isna(stamp):
        raise ValueError(f"now was {now!r} but must be a date-time")
    return stamp.tz_localize(TZ) if stamp.tzinfo is None else stamp.tz_convert(TZ)


def _in_window(times: pd.Series, end: pd.Timestamp, days: int) -> npt.NDArray[np.bool_]:
    """Events in ``(end - days, end]`` (missing times never are)."""
    start = end - pd.Timedelta(days=days)
    return ((times > start) & (times <= end)).fillna(False).to_numpy(dtype=bool)


def _column(events: pd.DataFrame, name: str) -> pd.Series:
    if name in events.columns:
        return events[name]
    return pd.Series([None] * len(events), index=events.index, dtype=object)


# ---------------------------------------------------------------- repeat vehicles and persons


def _empty_repeat(key: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            key: pd.Series(dtype=object),
            "n_events": pd.Series(dtype="int64"),
            "n_cases": pd.Series(dtype="int64"),
            "n_tips": pd.Series(dtype="int64"),
            "first_seen": pd.Series(dtype=pd.DatetimeTZDtype(tz=TZ)),
            "last_seen": pd.Series(dtype=pd.DatetimeTZDtype(tz=TZ)),
            "townships": pd.Series(dtype=object),
            "last_lat": pd.Series(dtype="float64"),
            "last_lon": pd.Series(dtype="float64"),
            "event_ids": pd.Series(dtype=object),
        }
    )


def _repeat_table(
    events: pd.DataFrame,
    keys: pd.Series,
    *,
    key: str,
    window_days: int,
    min_events: int,
    min_cases: int,
    now: dt.datetime | pd.Timestamp | str | None,
    masker: Callable[[object], str] | None,
) -> pd.DataFrame:
    """One row per non-empty key with enough events in the window (see the public callers).

    ``keys`` holds one normalised key per event (``""`` for none), aligned with ``events``.
    """
    if events.empty:
        return _empty_repeat(key)
    _require(events, ("occurred_at", "kind"))
    times = _times(events)
    end = _now(now, times)
    if end is None:
        return _empty_repeat(key)
    kind = _column(events, "kind").astype(object).to_numpy()
    keep = (
        _in_window(times, end, window_days)
        & (keys.to_numpy(dtype=object) != "")
        & np.isin(kind, _KINDS)
    )
    if not keep.any():
        return _empty_repeat(key)
    rows = pd.DataFrame(
        {
            "key": keys.to_numpy(dtype=object)[keep],
            "t": times.array[keep],
            "case": kind[keep] == "case",
            "lat": pd.to_numeric(_column(events, "lat"), errors="coerce").to_numpy()[keep],
            "lon": pd.to_numeric(_column(events, "lon"), errors="coerce").to_numpy()[keep],
            "township": _column(events, "township_code").astype(object).to_numpy()[keep],
            "event_id": [
                "" if _missing(v) else str(v) for v in _column(events, "event_id").to_numpy()[keep]
            ],
        }
    ).sort_values(["t", "event_id"], kind="stable")
    counts = rows.groupby("key", sort=False).agg(n_events=("case", "size"), n_cases=("case", "sum"))
    listed = counts.index[(counts["n_events"] >= min_events) & (counts["n_cases"] >= min_cases)]
    if listed.empty:
        return _empty_repeat(key)
    counts = counts.loc[listed]
    rows = rows[rows["key"].isin(listed)]
    grouped = rows.groupby("key", sort=False)
    last = rows.drop_duplicates("key", keep="last").set_index("key")
    out = pd.DataFrame(
        {
            "n_events": counts["n_events"].astype("int64"),
            "n_cases": counts["n_cases"].astype("int64"),
            "first_seen": grouped["t"].min(),
            "last_seen": grouped["t"].max(),
            "townships": grouped["township"].agg(
                lambda s: ",".join(sorted({str(c).strip() for c in s if not _missing(c)} - {""}))
            ),
            "last_lat": last["lat"],
            "last_lon": last["lon"],
            "event_ids": grouped["event_id"].agg(list),
        }
    )
    out["n_tips"] = out["n_events"] - out["n_cases"]
    out.index.name = "key"
    out = out.reset_index().sort_values(
        ["n_events", "last_seen", "key"], ascending=[False, False, True], kind="stable"
    )
    out[key] = [masker(k) for k in out["key"]] if masker else out["key"]
    return out[list((key, *VEHICLE_COLUMNS[1:]))].reset_index(drop=True)


def _normalized(values: pd.Series, normalize: Callable[[object], str]) -> pd.Series:
    """``normalize`` applied once per distinct value (missing values give ``""``)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([normalize(u) for u in uniques] + [""], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def vehicle_blacklist(
    events: pd.DataFrame,
    rules: BlacklistRules | None = None,
    *,
    now: dt.datetime | pd.Timestamp | str | None = None,
    mask: bool = True,
) -> pd.DataFrame:
    """Repeat vehicles: plates with enough cases and tips in the look-back window.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``event_id``, ``kind``, ``occurred_at``, ``lat``, ``lon``,
        ``township_code``, ``plate``); other columns are ignored. Plates are compared by
        :func:`normalize_plate`; events without a plate are left out.
    rules : BlacklistRules, optional
        ``window_days``, ``vehicle_min_events`` and ``vehicle_min_cases`` apply.
    now : datetime-like, optional
        End of the window (naive = Asia/Shanghai); default the latest event's time.
    mask : bool
        Mask plates with :func:`geo.privacy.mask_plate` (default); ``False`` shows the
        normalised plate (commander role only). Events read under a masking scope carry a
        ``plate_id`` (:func:`geo.privacy.mask_events`) instead of the real plate: vehicles
        are then grouped by it and shown as ``渝F·B**** (V1a2b3c4d)``.

    Returns
    -------
    pandas.DataFrame
        :data:`VEHICLE_COLUMNS`: one row per listed plate with its event counts in the
        window, first and last time seen, the townships (comma-joined codes), the last
        position and the event ids (oldest first); most events first, then most recently
        seen. Empty (same columns) when nothing qualifies.
    """
    rules = rules or BlacklistRules()
    masker: Callable[[object], str] | None = mask_plate if mask else None
    if "plate_id" in events.columns:  # plates already masked where the data were read
        keys = events["plate_id"].astype("string").fillna("").astype(object)
        shown = dict(zip(keys, _column(events, "plate").astype(object), strict=True))

        def masker(k: object) -> str:
            return f"{shown.get(k) or ''} ({k})"
    else:
        keys = _normalized(_column(events, "plate"), normalize_plate)
    return _repeat_table(
        events,
        keys,
        key="plate",
        window_days=rules.window_days,
        min_events=rules.vehicle_min_events,
        min_cases=rules.vehicle_min_cases,
        now=now,
        masker=masker,
    )


def person_blacklist(
    events: pd.DataFrame,
    rules: BlacklistRules | None = None,
    *,
    now: dt.datetime | pd.Timestamp | str | None = None,
    mask: bool = True,
) -> pd.DataFrame:
    """Repeat persons: the ``party`` (当事人/驾驶人) with enough events in the window.

    As :func:`vehicle_blacklist`, keyed by the person (:func:`normalize_party`; a cell naming
    several people counts for each) with ``person_min_events``; names are masked with
    :func:`mask_name` unless ``mask`` is false. Returns :data:`PERSON_COLUMNS`, empty when
    the events have no ``party`` column.
    """
    rules = rules or BlacklistRules()
    if "party" not in events.columns or events.empty:
        return _empty_repeat("party")
    masker: Callable[[object], str] | None = mask_name if mask else None
    if "party_id" in events.columns:  # masked where the data were read: count by the ids
        shown: dict[object, str] = {}
        per_row = []
        for ids, names in zip(events["party_id"], events["party"], strict=True):
            split = str(ids).split("、") if isinstance(ids, str) and ids else [""]
            masked = str(names).split("、") if isinstance(names, str) else []
            shown.update(zip(split, masked, strict=False))
            per_row.append(split)

        def masker(k: object) -> str:
            return f"{shown.get(k, '')} ({k})"
    else:
        codes, uniques = pd.factorize(events["party"], use_na_sentinel=True)
        persons = [normalize_party(u) or [""] for u in uniques] + [[""]]
        per_row = [persons[c] for c in codes]  # code -1 (missing) is the last entry
    rows = events.iloc[np.repeat(np.arange(len(events)), [len(p) for p in per_row])]
    rows = rows.reset_index(drop=True)
    keys = pd.Series([name for p in per_row for name in p], dtype=object)
    return _repeat_table(
        rows,
        keys,
        key="party",
        window_days=rules.window_days,
        min_events=rules.person_min_events,
        min_cases=0,
        now=now,
        masker=masker,
    )


# ---------------------------------------------------------------- key areas under watch


def key_area_ids(key_areas: pd.DataFrame) -> list[str]:
    """Each key area's ``id`` (as :func:`geo.regions.load_key_areas` assigns: ``ka000`` …)."""
    if "id" in key_areas.columns:
        return ["" if _missing(v) else str(v) for v in key_areas["id"]]
    return [f"ka{i:03d}" for i in range(len(key_areas))]


def _count_within(
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    centre_lon: float,
    centre_lat: float,
    radius_m: float,
) -> npt.NDArray[np.bool_]:
    """Which of the points, sorted by ``lat``, lie within ``radius_m`` (WGS-84 geodesic).

    A latitude band found by binary search and a longitude box pick the candidates; their
    exact ellipsoidal distances decide. Returns a mask over the points.
    """
    inside = np.zeros(len(lat), dtype=bool)
    dlat = radius_m / _M_PER_DEG_LAT * 1.001
    lo = int(np.searchsorted(lat, centre_lat - dlat, side="left"))
    hi = int(np.searchsorted(lat, centre_lat + dlat, side="right"))
    if hi <= lo:
        return inside
    cos_max = math.cos(math.radians(min(abs(centre_lat) + dlat, 90.0)))
    band_lon = lon[lo:hi]
    if cos_max > 1e-9:
        dlon = radius_m / (_M_PER_DEG_LON * cos_max) * 1.001
        box = np.abs(band_lon - centre_lon) <= dlon
    else:
        box = np.ones(hi - lo, dtype=bool)
    idx = np.flatnonzero(box)
    if idx.size:
        band_lat = lat[lo:hi]
        _, _, dist = _GEOD.inv(
            np.full(idx.size, centre_lon),
            np.full(idx.size, centre_lat),
            band_lon[idx],
            band_lat[idx],
        )
        inside[lo + idx[np.asarray(dist) <= radius_m]] = True
    return inside


def _area_counts(
    events: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    radius: np.ndarray,
    times: pd.Series,
    end: pd.Timestamp | None,
    rules: BlacklistRules,
) -> tuple[np.ndarray, np.ndarray]:
    """Events within each area's radius in the current window and in the one before."""
    n = len(areas)
    n_window = np.zeros(n, dtype=np.int64)
    n_previous = np.zeros(n, dtype=np.int64)
    if not n or end is None:
        return n_window, n_previous
    current = _in_window(times, end, rules.area_window_days)
    previous = _in_window(
        times, end - pd.Timedelta(days=rules.area_window_days), rules.area_window_days
    )
    lat = pd.to_numeric(events["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(events["lon"], errors="coerce").to_numpy(dtype=float)
    keep = (current | previous) & np.isfinite(lat) & np.isfinite(lon)
    order = np.argsort(lat[keep], kind="stable")
    lat_s, lon_s, cur_s = lat[keep][order], lon[keep][order], current[keep][order]
    centres = areas.geometry.representative_point()
    for i, (cx, cy, r) in enumerate(zip(centres.x, centres.y, radius, strict=True)):
        if not (math.isfinite(cx) and math.isfinite(cy)) or r <= 0:
            continue
        inside = _count_within(lon_s, lat_s, cx, cy, r)
        n_window[i] = int(np.count_nonzero(inside & cur_s))
        n_previous[i] = int(np.count_nonzero(inside & ~cur_s))
    return n_window, n_previous


def key_area_watchlist(
    events: pd.DataFrame,
    key_areas: gpd.GeoDataFrame,
    rules: BlacklistRules | None = None,
    *,
    now: dt.datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Key areas under watch: many events within their radius lately, or fast growth.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``occurred_at``, ``lat``, ``lon`` in WGS-84); cases and tips count
        alike.
    key_areas : geopandas.GeoDataFrame
        Key areas (:func:`geo.regions.load_key_areas`): ``name``, ``category``, optional
        ``id``, ``radius_m`` (default 300 m) and ``township_code``; point geometries.
    rules : BlacklistRules, optional
        ``area_window_days``, ``area_min_events`` and ``area_growth`` apply.
    now : datetime-like, optional
        End of the window (naive = Asia/Shanghai); default the latest event's time.

    Returns
    -------
    pandas.DataFrame
        :data:`WATCHLIST_COLUMNS`, one row per key area: events within ``radius_m``
        (geodesic, inclusive) in ``(now - area_window_days, now]`` (``n_window``) and in the
        window before (``n_previous``), ``growth`` = their ratio (NaN when ``n_previous``
        is 0), ``flagged`` and ``reason`` (``count``, ``growth``, ``count+growth`` or
        ``""``). Flagged areas first, then by ``n_window``; otherwise in input order.
    """
    rules = rules or BlacklistRules()
    missing = {"name", "category"} - set(key_areas.columns)
    if missing:
        raise ValueError(f"key_areas lacks columns {sorted(missing)}")
    areas = key_areas
    if areas.crs is not None and not areas.crs.equals("EPSG:4326"):
        areas = areas.to_crs(4326)
    n = len(areas)
    radius = (
        pd.to_numeric(areas["radius_m"], errors="coerce").fillna(DEFAULT_RADIUS_M).to_numpy()
        if "radius_m" in areas.columns
        else np.full(n, DEFAULT_RADIUS_M)
    ).astype(float)
    if not events.empty:
        _require(events, ("occurred_at", "lat", "lon"))
    times = _times(events) if not events.empty else pd.Series(dtype=pd.DatetimeTZDtype(tz=TZ))
    end = _now(now, times)
    n_window, n_previous = _area_counts(events, areas, radius, times, end, rules)
    by_count = n_window >= rules.area_min_events
    by_growth = (n_window >= rules.area_growth * n_previous) & (
        2 * n_window >= rules.area_min_events
    )
    reason = np.where(by_count & by_growth, "count+growth", np.where(by_count, "count", "")).astype(
        object
    )
    reason[by_growth & ~by_count] = "growth"
    growth = np.where(n_previous > 0, n_window / np.maximum(n_previous, 1), np.nan)
    township = (
        ["" if _missing(v) else str(v) for v in areas["township_code"]]
        if "township_code" in areas.columns
        else [""] * n
    )
    out = pd.DataFrame(
        {
            "id": key_area_ids(areas),
            "name": [str(v) for v in areas["name"]],
            "category": [str(v) for v in areas["category"]],
            "township_code": township,
            "radius_m": radius,
            "n_window": n_window,
            "n_previous": n_previous,
            "growth": growth.astype(float),
            "flagged": by_count | by_growth,
            "reason": reason,
        }
    )
    out = out.sort_values(["flagged", "n_window"], ascending=[False, False], kind="stable")
    return out.reset_index(drop=True)
