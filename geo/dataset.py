"""The working data set of a deployment: boundaries, key areas, routes and events."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.auth import Scope, ensure_demo_users
from geo.cells import with_cells
from geo.config import Settings, is_demo
from geo.coords import utm_crs
from geo.errors import ConfigError
from geo.imports import seed
from geo.ingest import read_ledgers
from geo.keyarea_edits import stored_key_areas
from geo.periods import PeriodSettings, label_events
from geo.privacy import mask_events
from geo.regions import (
    load_base_layer,
    load_key_areas,
    load_routes,
    load_townships,
    township_of,
)
from geo.schema import REJECT_COLUMNS, TZ
from geo.store import Store, open_store


@dataclass(frozen=True)
class Dataset:
    """Everything the map needs, loaded once per settings.

    ``events`` carries ``cell_7`` .. ``cell_10`` so any resolution is a cheap group-by;
    ``labels`` holds each event's period labels (:data:`geo.periods.PERIOD_KEYS`, same
    index); ``rejects`` lists start-up ledger rows that failed validation (nothing is
    dropped silently); ``warnings`` says what could not be labelled (e.g. holiday data
    missing for a year) or loaded; ``base_layers`` holds the base map's ``roads``,
    ``villages`` and ``rivers`` (reference data, clipped to the scope's townships) that the
    settings name. Tipster identities are not part of it.
    """

    townships: gpd.GeoDataFrame
    key_areas: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame | None
    events: pd.DataFrame
    rejects: pd.DataFrame
    labels: pd.DataFrame
    warnings: tuple[str, ...] = ()
    base_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


def settings_townships(settings: Settings) -> gpd.GeoDataFrame:
    """The township polygons a deployment's settings name, with their field mapping."""
    return load_townships(
        settings.townships,
        code_field=settings.township_code_field,
        name_field=settings.township_name_field,
    )


def prepare_store(settings: Settings, *, seed_events: bool = True) -> Store:
    """The deployment's store, ready for its first user.

    Parameters
    ----------
    settings : Settings
        The deployment (its ``database_url`` or ``data_dir`` names the store).
    seed_events : bool, default True
        Also load the settings' ``events`` files into a store that has no records yet
        (otherwise the first data load does it).

    Returns
    -------
    Store
        Opened and migrated; on the synthetic demo with its documented accounts.
    """
    opened = open_store(configured=settings.database_url, data_dir=settings.data_dir)
    towns = settings_townships(settings)
    if is_demo(settings):  # the documented demo accounts, only ever on the synthetic demo
        ensure_demo_users(opened, dict(zip(towns["code"], towns["name"], strict=True)))
    if seed_events:
        seed(opened, list(settings.events), townships=towns)
    return opened


def load_base_layers(
    settings: Settings, townships: gpd.GeoDataFrame
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """The base map's vector layers the settings name, clipped near ``townships``.

    A file that cannot be read is left out with a warning (the map still works without it).
    """
    metric = utm_crs(townships)
    area = townships.to_crs(metric).union_all().buffer(2000)
    clip = gpd.GeoSeries([area], crs=metric).to_crs(4326).iloc[0]
    layers: dict[str, gpd.GeoDataFrame] = {}
    warnings: list[str] = []
    for kind in ("roads", "villages", "rivers"):
        path = getattr(settings, kind)
        if path is None:
            continue
        try:
            layers[kind] = load_base_layer(
                path,
                kind,
                name_field=getattr(settings, f"{kind}_name_field"),
                class_field=settings.roads_class_field if kind == "roads" else "class",
                clip=clip,
            )
        except ConfigError as exc:
            warnings.append(f"{kind} layer left out: {exc}")
    return layers, warnings


def region_key_areas(
    settings: Settings, townships: gpd.GeoDataFrame, *, store: Store | None = None
) -> gpd.GeoDataFrame:
    """Every key area of the region (as edited in the app, else the file's), with townships.

    Parameters
    ----------
    settings : Settings
        The key-area file.
    townships : GeoDataFrame
        Every township polygon (``code``).
    store : Store, optional
        Key areas edited in the app replace the file's.

    Returns
    -------
    GeoDataFrame
        The key areas with ``township_code``: the file's where given, else the township
        their representative point lies in.
    """
    edited = stored_key_areas(store) if store is not None else None
    key_areas = edited if edited is not None else load_key_areas(settings.key_areas)
    points = key_areas.geometry.representative_point()
    found = township_of(points.x, points.y, townships)
    if "township_code" in key_areas.columns:  # the file's own value wins where given
        given = key_areas["township_code"].astype("string").str.strip()
        key_areas["township_code"] = given.mask(
            given.isna() | (given == ""), pd.Series(found, index=key_areas.index)
        )
    else:
        key_areas["township_code"] = found
    return key_areas


def load_dataset(
    settings: Settings,
    ledgers: Sequence[str | os.PathLike[str]] = (),
    *,
    store: Store | None = None,
    scope: Scope | None = None,
) -> Dataset:
    """The data set of a deployment, from its store or from ledger files, within a scope.

    With a ``store`` (and no ``ledgers``) the events come from the store, which is seeded
    from the settings' ``events`` files the first time; key areas edited in the app replace
    the key-area file. Without a store, the ledger files are read and every row validated:
    ``ledgers`` replaces the settings' ``events`` files (the command line's ``--input``).

    ``scope`` limits what is loaded at all (this is where roles are enforced, not in the
    pages): with a township, only that township's polygon, its key areas and the events
    that both carry its code and lie inside its polygon; with ``mask_plates``, plates are
    masked (a ``plate_id`` tells vehicles apart).

    Parameters
    ----------
    settings : Settings
        The deployment: township, key-area, route and base-layer files, the ``events``
        ledger files and the ``periods`` table that labels each event.
    ledgers : sequence of path, default ()
        Ledger files to read instead of the settings' ``events`` files (any format
        :func:`geo.ingest.read_ledger` reads). Given, they are read even with a ``store``
        (its edited key areas are still used); empty, the settings' files are read when
        there is no store.
    store : Store, optional
        Where the events live (imports, undos, reviews). Seeded from the settings'
        ``events`` files when it has never had a batch, which writes to it; events a
        reviewer marked as duplicates are left out.
    scope : Scope, optional
        What the user may see (see :class:`geo.auth.Scope`). ``None`` loads the whole
        region with plates in full, as the command line does.

    Returns
    -------
    Dataset
        Townships and key areas (WGS-84) of the scope, the events with ``cell_7`` ..
        ``cell_10`` (``occurred_at`` tz-aware Asia/Shanghai local time; with
        ``mask_plates`` plates and parties masked, ``plate_id`` and ``party_id`` added),
        their period labels (same index), the start-up rejects (empty when the events
        come from the store, or with a township scope), warnings and base layers.

    Raises
    ------
    ConfigError
        When ``scope`` names a township code the township file lacks, or a township,
        key-area or route file cannot be read or lacks a column. A base layer that
        cannot be read is left out with a warning instead.
    LedgerReadError
        When a ledger file cannot be read at all (bad rows become rejects, never errors).
    """
    townships = settings_townships(settings)
    codes = scope.township_codes if scope is not None else None
    if codes is not None:
        unknown = set(codes) - set(townships["code"])
        if unknown:
            raise ConfigError(f"scope names townships {sorted(unknown)} that are not configured")
    key_areas = region_key_areas(settings, townships, store=store)
    routes = load_routes(settings.routes)
    if store is not None and not ledgers:
        seed(store, list(settings.events), townships=townships)
        raw_events = store.events(township_codes=codes)
        rejects = pd.DataFrame(columns=list(REJECT_COLUMNS))
    else:
        result = read_ledgers(list(ledgers or settings.events), townships=townships)
        raw_events, rejects = result.events, result.rejects
        if codes is not None:
            rejects = rejects.iloc[0:0]  # other townships' rows are not this user's business
    if codes is not None:
        townships = townships[townships["code"].isin(codes)].reset_index(drop=True)
        key_areas = key_areas[key_areas["township_code"].isin(codes)].reset_index(drop=True)
        inside = township_of(raw_events["lon"], raw_events["lat"], townships)
        keep = raw_events["township_code"].isin(codes).to_numpy() & pd.notna(inside)
        raw_events = raw_events[keep].reset_index(drop=True)
    if scope is not None and scope.mask_plates:
        raw_events = mask_events(raw_events)
    events = with_cells(raw_events)
    periods = label_events(events, key_areas=key_areas, settings=settings.periods)
    base_layers, base_warnings = load_base_layers(settings, townships)
    return Dataset(
        townships,
        key_areas,
        routes,
        events,
        rejects,
        periods.labels,
        (*periods.warnings, *base_warnings),
        base_layers,
    )


def ledger_dataset(
    events: pd.DataFrame,
    *,
    townships: gpd.GeoDataFrame | None = None,
    key_areas: gpd.GeoDataFrame | None = None,
    periods: PeriodSettings | None = None,
) -> Dataset:
    """The data set of events read on their own (one ledger on the command line).

    Parameters
    ----------
    events : DataFrame
        Canonical events (:attr:`geo.ingest.IngestResult.events`).
    townships, key_areas : GeoDataFrame, optional
        Their polygons and key areas; none means no jurisdiction (an empty frame).
    periods : PeriodSettings, optional
        Hours, holidays and market days of the period labels (default: the defaults).

    Returns
    -------
    Dataset
        With ``cell_7`` .. ``cell_10`` and period labels; no routes, rejects or base map.
    """
    empty = gpd.GeoDataFrame({"code": [], "name": []}, geometry=[], crs=4326)
    townships = townships if townships is not None else empty
    key_areas = key_areas if key_areas is not None else empty.assign(id=[], category=[])
    cells = with_cells(events)
    labels = label_events(cells, key_areas=key_areas, settings=periods)
    rejects = pd.DataFrame(columns=list(REJECT_COLUMNS))
    warnings = tuple(labels.warnings)
    return Dataset(townships, key_areas, None, cells, rejects, labels.labels, warnings)


def local_times(times: pd.Series) -> pd.Series:
    """``times`` in the deployment's time zone (:data:`geo.schema.TZ`).

    Tz-aware times are converted (the same instants), naive ones are taken as local wall
    clock times; times already in it are returned as they are.
    """
    zone = getattr(times.dt, "tz", None)
    if zone is None:
        return times.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="shift_forward")
    return times if str(zone) == str(TZ) else times.dt.tz_convert(TZ)


def filter_events(
    events: pd.DataFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: Collection[str] | None = None,
    township_codes: Collection[str] | None = None,
    hours: tuple[dt.time, dt.time] | None = None,
) -> pd.DataFrame:
    """Events of the given dates, kinds and townships.

    ``start`` and ``end`` are local dates, both included; ``None`` or an empty collection
    means no restriction on that field. ``hours`` keeps events whose local clock time is in
    [start, end) and may wrap midnight (``(22:00, 02:00)``); day-precision events are left
    out then, as their hour is unknown. Local means the deployment's time zone,
    :data:`geo.schema.TZ`, for dates and hours alike (see :func:`local_times`).

    Parameters
    ----------
    events : DataFrame
        Canonical events: ``occurred_at`` tz-aware (as :func:`load_dataset` gives them, in
        :data:`geo.schema.TZ`; another zone is converted, naive times are taken as local),
        ``kind``, ``township_code`` and optionally ``time_precision``.
    start, end : date, optional
        First and last local day kept, both included.
    kinds : collection of str, optional
        Record kinds kept (``case``, ``tip``).
    township_codes : collection of str, optional
        Township codes kept (the ``township_code`` column, not the polygons).
    hours : (time, time), optional
        Local clock window [from, to), minutes precision; from > to wraps midnight.
        Events whose ``time_precision`` is ``day`` are dropped when it is given.

    Returns
    -------
    DataFrame
        The rows of ``events`` that meet every condition, with their index and columns.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> events = pd.DataFrame(
    ...     {
    ...         "kind": ["case", "tip", "case"],
    ...         "township_code": ["500235001", "500235001", "500235002"],
    ...         "occurred_at": pd.to_datetime(
    ...             ["2024-03-01 23:30", "2024-03-02 12:00", "2024-03-03 01:15"]
    ...         ).tz_localize("Asia/Shanghai"),
    ...     }
    ... )
    >>> filter_events(events, hours=(dt.time(22), dt.time(2))).index.tolist()
    [0, 2]
    >>> filter_events(events, start=dt.date(2024, 3, 2), kinds=["case"]).index.tolist()
    [2]
    """
    mask = pd.Series(True, index=events.index)
    local = local_times(events["occurred_at"])
    if start is not None:
        mask &= local >= pd.Timestamp(start, tz=TZ)
    if end is not None:
        mask &= local < pd.Timestamp(end, tz=TZ) + pd.Timedelta(days=1)
    if kinds:
        mask &= events["kind"].isin(list(kinds))
    if township_codes:
        mask &= events["township_code"].isin(list(township_codes))
    if hours is not None:
        minutes = local.dt.hour * 60 + local.dt.minute
        a = hours[0].hour * 60 + hours[0].minute
        b = hours[1].hour * 60 + hours[1].minute
        mask &= (minutes >= a) & (minutes < b) if a <= b else (minutes >= a) | (minutes < b)
        if "time_precision" in events.columns:
            mask &= events["time_precision"] != "day"
    return events[mask]


def date_span(events: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """First and last local date of the events; today twice when there are none.

    Parameters
    ----------
    events : DataFrame
        Canonical events (``occurred_at`` tz-aware).

    Returns
    -------
    (date, date)
        Bounds for date pickers, also for a scope without any event yet.
    """
    times = events["occurred_at"].dropna() if "occurred_at" in events else pd.Series([])
    if times.empty:
        today = pd.Timestamp.now(tz=TZ).date()
        return today, today
    return times.min().tz_convert(TZ).date(), times.max().tz_convert(TZ).date()
