"""The screen end to end: files or frames in, a graded suspect list out.

Two layers, as elsewhere in hexpatrol: :func:`score_vehicles` works on plain tables (the
feature table and the known plates) and knows nothing of files or engines; :func:`screen`
reads the inputs, runs the engine and hands the features to it. :func:`plate_passes` lists
one vehicle's passes (for a track on a map), :func:`plates_checkpoints` where listed plates
passed (counts only), :func:`plates_pass_minutes` when (per minute, for activity by period).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from geo.config import Settings
from geo.regions import load_key_areas, load_townships
from geo.screening.engines import DuckDBEngine, Engine, Progress, SparkEngine
from geo.screening.features import compute_features
from geo.screening.inputs import (
    Checkpoints,
    ScreeningInputError,
    TableSource,
    find_pass_files,
    group_pass_files,
    read_checkpoints,
    read_known,
    read_whitelist,
)
from geo.screening.reasons import reasons_for
from geo.screening.schema import KEY_METRICS, clean_plate
from geo.screening.scoring import (
    choose_scorer,
    evaluate,
    grade,
    rank_order,
    rule_strengths,
    scorer_scores,
)
from geo.screening.settings import ENGINES, SCORERS, ScreeningSettings

PassSource: TypeAlias = str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | pd.DataFrame


@dataclass
class ScreenResult:
    """What a screen found, and how.

    Attributes
    ----------
    suspects : DataFrame
        One row per screened, non-whitelisted plate, best first: ``rank``, ``plate``,
        ``score`` (0-100, of the scorer used), ``grade`` (``high``/``medium``/``low``/
        ``none``), ``score_rules``, ``score_model`` (NaN without enough known plates),
        ``known``, ``n_cases``, ``reasons`` (list of (code, params); words via
        :func:`geo.screening.reasons.reason_text`), key metrics, ``first_seen``,
        ``last_seen``.
    features : DataFrame
        Every feature of every plate (see :data:`geo.screening.features.FEATURE_DTYPES`).
    counts : dict
        ``rows_in``, ``used``, ``rejected``, ``outside_window``, ``misreads_merged``,
        ``whitelisted`` (plates), ``known_screened`` (known plates among the screened).
    rejects : DataFrame
        ``reason`` (code) and ``n``; ``samples`` shows a few raw rows per reason.
    window : (date, date)
        First and last day screened.
    engine, scorer : str
        Engine that ran the features; scorer that ranks the list (``rules``/``model``).
    evaluation : DataFrame
        The backtest per scorer (empty without enough known plates).
    """

    suspects: pd.DataFrame
    features: pd.DataFrame
    counts: dict[str, int]
    rejects: pd.DataFrame
    samples: pd.DataFrame
    window: tuple[dt.date, dt.date]
    engine: str
    scorer: str
    evaluation: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _seen(seconds: pd.Series) -> pd.Series:
    return pd.to_datetime(seconds.astype("int64"), unit="s")


def score_vehicles(
    features: pd.DataFrame,
    known: pd.DataFrame | None = None,
    *,
    settings: ScreeningSettings | None = None,
    window_days: int = 30,
    urban: str = "",
    scorer: str | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Score, grade, explain and rank vehicles from their features (the numeric core).

    Parameters
    ----------
    features : DataFrame
        One row per plate (:func:`geo.screening.features.compute_features`): ``plate``
        (cleaned), the rule and model metrics, ``route_a``, ``route_b``, ``first_t`` and
        ``last_t`` (local wall-clock seconds since 1970).
    known : DataFrame, optional
        Known illegal-operation plates: ``plate`` in the cleaned form of
        :func:`geo.screening.schema.clean_plate` (not cleaned here) and optionally
        ``n_cases``; without it each row counts as one case. Plates with a case are the
        positives the model learns from and the backtest hides.
    settings : ScreeningSettings, optional
        Rules, grade levels, ``scorer``, ``min_known``, backtest share and rounds, early
        hour (default: :class:`~geo.screening.settings.ScreeningSettings` defaults).
    window_days : int, default 30
        Days screened (quoted in reasons).
    urban : str, default ""
        Name of the merged county town (route names put it last).
    scorer : {"auto", "rules", "model"}, optional
        Overrides ``settings.scorer``. ``auto`` backtests both scorers and takes the better
        (rules on a tie, or without enough known plates).
    seed : int, default 0
        Randomness of the model and the backtest folds.
    progress : callable, optional
        ``progress(label, None)`` when scoring starts and, with ``auto``, when the
        backtest starts.

    Returns
    -------
    suspects : DataFrame
        One row per plate, best first (ties by plate): ``rank``, ``plate``, ``score``,
        ``grade``, ``score_rules``, ``score_model``, ``known``, ``n_cases``, ``reasons``,
        ``route``, the :data:`KEY_METRICS`, ``first_seen`` and ``last_seen`` (naive local
        times). See :class:`ScreenResult`.
    scorer : str
        The scorer used: ``rules`` or ``model``.
    evaluation : DataFrame
        The backtest (run only when the scorer is ``auto``; may be empty).

    Raises
    ------
    ScreeningInputError
        When the scorer is ``model`` (or not a known scorer) but the model cannot be
        learned: fewer than ``settings.min_known`` known plates, or fewer than two other
        plates, among ``features``.
    """
    s = settings or ScreeningSettings()
    choice = scorer or s.scorer
    if choice not in SCORERS:
        raise ScreeningInputError(f"scorer was {choice!r} but must be one of {SCORERS}")
    cases = _known_cases(features, known)
    positive = (cases > 0).to_numpy()
    if progress is not None:
        progress("scoring vehicles", None)
    scores = scorer_scores(features, positive, s, seed)
    if choice == "auto" and progress is not None:
        progress("backtesting the two scorers", None)
    evaluation = evaluate(features, positive, s, seed=seed) if choice == "auto" else pd.DataFrame()
    if choice == "auto":
        choice = choose_scorer(evaluation)
    if choice not in scores:
        raise ScreeningInputError(
            f"the model scorer needs at least {s.min_known} known plates and two other plates "
            f"among the screened vehicles; {int(positive.sum())} known of {len(positive)} "
            "(give --known or use the rules)"
        )
    table = _suspect_table(features, scores, choice, cases, s, window_days, urban)
    return table, choice, evaluation


def _known_cases(features: pd.DataFrame, known: pd.DataFrame | None) -> pd.Series:
    if known is None or known.empty:
        return pd.Series(0, index=features.index, dtype="int64")
    counts = (
        known.groupby("plate")["n_cases"].sum()
        if "n_cases" in known
        else (known.groupby("plate").size())
    )
    return features["plate"].map(counts).fillna(0).astype("int64")


def _route_names(features: pd.DataFrame, urban: str) -> list[str]:
    """Route names such as 江口镇—云阳县城区 (county town last); empty without a route."""
    out = []
    for a, b, days in zip(
        features["route_a"], features["route_b"], features["route_days"], strict=True
    ):
        if not isinstance(a, str) or not days:
            out.append("")
        else:
            out.append(f"{b}—{a}" if a == urban else f"{a}—{b}")
    return out


def _suspect_table(
    features: pd.DataFrame,
    scores: dict[str, pd.Series],
    choice: str,
    cases: pd.Series,
    s: ScreeningSettings,
    window_days: int,
    urban: str,
) -> pd.DataFrame:
    chosen = scores[choice]
    strengths = rule_strengths(features, s.rules)
    table = pd.DataFrame(
        {
            "plate": features["plate"],
            "score": chosen.round(1),
            "grade": grade(chosen, s.grade_levels),
            "score_rules": scores["rules"].round(1),
            "score_model": scores["model"].round(1) if "model" in scores else np.nan,
            "known": cases > 0,
            "n_cases": cases,
            "reasons": reasons_for(
                features,
                strengths,
                s.rules,
                window=window_days,
                urban=urban,
                early_hour=s.early_hour,
                n_cases=cases,
                model=scores.get("model"),
            ),
        }
    )
    table["route"] = _route_names(features, urban)
    for col in KEY_METRICS:
        table[col] = features[col]
    table["first_seen"] = _seen(features["first_t"])
    table["last_seen"] = _seen(features["last_t"])
    table = table.iloc[rank_order(chosen, features["plate"])].reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


# ---------------------------------------------------------------- the adapter


def _engine(
    name: str, s: ScreeningSettings, temp_dir: str, spark_master: str | None, spark_session: Any
) -> Engine:
    if name not in ENGINES:
        raise ScreeningInputError(f"engine was {name!r} but is expected to be in {ENGINES}")
    if name == "spark":
        return SparkEngine(spark_master or s.spark_master, conf=s.spark_conf, session=spark_session)
    return DuckDBEngine(
        memory_limit=s.duckdb_memory_limit,
        threads=s.duckdb_threads,
        temp_directory=os.path.join(temp_dir, "duckdb"),
    )


def _temp_base(settings: Settings) -> str:
    """Where DuckDB and the pass readers spill: ``temp_directory`` or ``data_dir/tmp``."""
    base = settings.screening.temp_directory or os.path.join(settings.data_dir, "tmp")
    os.makedirs(base, exist_ok=True)
    return base


def load_checkpoints(
    source: TableSource | Checkpoints, settings: Settings, crs: str | None = None
) -> Checkpoints:
    """The checkpoint list with the settings' townships, key areas and towns (read once).

    Parameters
    ----------
    source : path, DataFrame or Checkpoints
        As for :func:`screen` (a :class:`Checkpoints` is returned as it is).
    settings : Settings
        Townships, key areas (market days), region name, ``[screening]``.
    crs : str, optional
        Coordinate system of rows without a 坐标系 column.

    Returns
    -------
    Checkpoints
        See :func:`geo.screening.inputs.read_checkpoints`.
    """
    if isinstance(source, Checkpoints):
        return source
    s = settings.screening
    return read_checkpoints(
        source,
        crs=crs,
        townships=load_townships(
            settings.townships,
            code_field=settings.township_code_field,
            name_field=settings.township_name_field,
        )
        if Path(settings.townships).exists()
        else None,
        key_areas=load_key_areas(settings.key_areas) if Path(settings.key_areas).exists() else None,
        hub_kinds=s.hub_kinds,
        merge_subdistricts=s.merge_subdistricts,
        urban_name=urban_name(settings),
    )


def urban_name(settings: Settings) -> str:
    """The merged county town's name: the region's name + 城区 (e.g. 云阳县城区)."""
    return f"{settings.region_name}城区"


def _plates(
    source: TableSource | pd.DataFrame | None, reader: Any, warnings: list[str]
) -> pd.DataFrame | None:
    if source is None:
        return None
    if isinstance(source, pd.DataFrame) and "plate" in source.columns:
        return source.assign(plate=source["plate"].map(clean_plate))
    table, found = reader(source)
    warnings += found
    return table


def screen(
    checkpoints: TableSource | Checkpoints,
    passes: PassSource,
    *,
    whitelist: TableSource | None = None,
    known: TableSource | None = None,
    crs: str | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    within_data: bool = False,
    settings: Settings | None = None,
    scorer: str | None = None,
    evaluate: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    spark_session: Any = None,
    seed: int = 0,
) -> ScreenResult:
    """Screen checkpoint passes for suspected illegal-operation vehicles.

    Parameters
    ----------
    checkpoints : path, DataFrame or Checkpoints
        The checkpoint list (see :func:`geo.screening.inputs.read_checkpoints`); a
        ``Checkpoints`` is used as it is (``crs`` and the settings' files are not applied).
    passes : path, glob, folder, list of them, or DataFrame
        Pass files: Parquet, CSV (UTF-8/GBK) or XLSX, local or ``hdfs://``/``s3a://``
        (Spark); a frame with 号牌号码/过车时间/卡口编号 (or English) columns. Times are
        taken as Asia/Shanghai wall-clock times (epoch numbers and tz-aware times are
        converted to it).
    whitelist : path or DataFrame, optional
        Licensed operating vehicles (号牌号码, 车辆类别); never listed. A frame with a
        ``plate`` column is used as it is (plates cleaned, not checked).
    known : path or DataFrame, optional
        Known illegal-operation plates (any table with a plate column, e.g. a case ledger;
        a frame with ``plate`` and ``n_cases``, as :func:`score_vehicles` takes).
    crs : str, optional
        Coordinate system of checkpoints without a 坐标系 column: ``wgs84`` (default),
        ``gcj02`` or ``bd09``.
    engine : {"duckdb", "spark"}, default "duckdb"
        Where the features are computed (not taken from the settings).
    spark_master : str, optional
        ``local[*]``, ``spark://host:7077``, ``yarn`` (default: the settings'
        ``spark_master``).
    date_from, date_to : date, optional
        First and last local day screened, both included. Default ``date_to``: the last
        day of the data; default ``date_from``: ``window_days - 1`` days before
        ``date_to``, or the first day of the data if later.
    within_data : bool, default False
        Shrink ``date_from`` .. ``date_to`` to the days from the first to the last day with
        a usable pass (a calendar month the data hold only part of: its empty days are not
        counted as days without driving); :class:`~geo.screening.features.NoPassesInWindow`
        when none is left.
    settings : Settings, optional
        Townships and key areas (market days; read when their files exist), holidays,
        region name (the county town is ``region_name`` + 城区), ``data_dir``,
        ``[screening]``. Default: :class:`~geo.config.Settings` defaults (the demo).
    scorer : {"auto", "rules", "model"}, optional
        Default: the settings' ``scorer``.
    evaluate : bool, default False
        Backtest both scorers even when the scorer is fixed.
    progress : callable, optional
        Called with (step label, fraction or None) as the engine works.
    now : datetime, optional
        Naive local time: passes later than a day after it are rejected as
        ``future_time`` (default: now in :data:`geo.schema.TZ`, not the machine's zone).
    spark_session : SparkSession, optional
        An existing session to use (not stopped afterwards).
    seed : int, default 0
        Randomness of the model and the backtest.

    Returns
    -------
    ScreenResult
        The ranked suspects, features, pass accounting, window, engine, scorer, backtest,
        warnings (unusable whitelist or known entries, known plates on the whitelist …)
        and timings. Spilled data goes to the settings' ``temp_directory`` (default
        ``data_dir/tmp``) and is removed before it returns.

    Raises
    ------
    ScreeningInputError
        When an input cannot be found, read or lacks a needed column, ``engine`` is
        unknown, no pass is usable, ``date_to`` is before ``date_from``, or the ``model``
        scorer lacks known plates (see :func:`score_vehicles`).
    ConfigError
        When the settings' township or key-area file exists but cannot be used.
    """
    settings = settings or Settings()
    s = settings.screening
    warnings: list[str] = []
    _warm_up()
    cps = load_checkpoints(checkpoints, settings, crs)
    white = _plates(whitelist, read_whitelist, warnings)
    known_t = _plates(known, read_known, warnings)
    with tempfile.TemporaryDirectory(dir=_temp_base(settings), prefix="screen-") as tmp:
        groups = _groups(passes, tmp)
        eng = _engine(engine, s, tmp, spark_master, spark_session)
        try:
            run = compute_features(
                eng,
                cps,
                groups,
                [] if white is None else white["plate"],
                settings=s,
                periods=settings.periods,
                date_from=date_from,
                date_to=date_to,
                within_data=within_data,
                now=now,
                progress=progress,
            )
        finally:
            eng.close()
    return _result(run, known_t, white, settings, scorer, evaluate, seed, warnings, progress)


def _warm_up() -> None:
    """Import scikit-learn in the background while the engine reads the passes."""
    import importlib
    import threading

    threading.Thread(
        target=importlib.import_module, args=("sklearn.ensemble",), daemon=True
    ).start()


def _groups(passes: PassSource, tmp: str) -> list[Any]:
    from geo.screening.inputs import PassGroup

    if isinstance(passes, pd.DataFrame):
        return [PassGroup("frame", ("(frame)",), frame=passes)]
    return group_pass_files(find_pass_files(passes), tmp)


def _result(
    run: Any,
    known: pd.DataFrame | None,
    white: pd.DataFrame | None,
    settings: Settings,
    scorer: str | None,
    want_eval: bool,
    seed: int,
    warnings: list[str],
    progress: Progress | None,
) -> ScreenResult:
    s = settings.screening
    days = (run.window[1] - run.window[0]).days + 1
    if known is not None and white is not None:
        both = sorted(set(known["plate"]) & set(white["plate"]))
        if both:
            warnings.append(
                f"{len(both)} known plates are on the whitelist and are not listed "
                f"(e.g. {both[0]}); check the whitelist"
            )
    suspects, used, evaluation = score_vehicles(
        run.features,
        known,
        settings=s,
        window_days=days,
        urban=urban_name(settings),
        scorer=scorer,
        seed=seed,
        progress=progress,
    )
    if want_eval and evaluation.empty:
        positive = (_known_cases(run.features, known) > 0).to_numpy()
        evaluation = evaluate(run.features, positive, s, seed=seed)
    counts = dict(run.counts)
    counts["whitelisted"] = 0 if white is None else len(white)
    counts["known_screened"] = int(suspects["known"].sum())
    return ScreenResult(
        suspects,
        run.features,
        counts,
        run.rejects,
        run.samples,
        run.window,
        run.engine,
        used,
        evaluation,
        [*run.warnings, *warnings],
        run.timings,
    )


def _day_bounds(date_from: dt.date | None, date_to: dt.date | None) -> tuple[int, int]:
    """Local-time seconds bounding the days ``date_from`` .. ``date_to`` (open = unbounded)."""
    epoch = dt.date(1970, 1, 1)
    lo = -(2**62) if date_from is None else (date_from - epoch).days * 86400
    hi = 2**62 if date_to is None else ((date_to - epoch).days + 1) * 86400
    return lo, hi


def _plates_query(
    cps: Checkpoints,
    passes: PassSource,
    plates: Iterable[str],
    bounds: tuple[int, int],
    sql: str,
    settings: Settings,
) -> pd.DataFrame:
    """Run ``sql`` over the passes ``p`` (``plate``, ``t``, ``cp_id`` …) of ``plates`` only.

    The plates are joined as a table (never spliced into the SQL); no other plate's pass
    leaves the engine. DuckDB runs as for :func:`screen`: the ``[screening]`` threads,
    memory limit and temporary folder.
    """
    wanted = sorted({clean_plate(p) for p in plates} - {""})
    with tempfile.TemporaryDirectory(dir=_temp_base(settings), prefix="plate-") as tmp:
        eng = _engine("duckdb", settings.screening, tmp, None, None)
        try:
            eng.put(
                "cp",
                cps.table[["cp_id", "cp_name", "kind", "town", "lon", "lat"]].astype(
                    {"cp_id": object, "cp_name": object, "kind": object, "town": object}
                ),
            )
            eng.put("wanted", pd.DataFrame({"plate": pd.Series(wanted, dtype=object)}))
            key = eng.raw_view(_groups(passes, tmp))
            eng.execute(
                "CREATE OR REPLACE TEMP VIEW p AS SELECT w.plate, r.t, c.cp_id, c.cp_name, "
                f"c.kind, c.town, c.lon, c.lat FROM raw r JOIN cp c ON trim(r.cp_raw) = c.{key} "
                f"JOIN wanted w ON hp_plate(r.plate_raw) = w.plate "
                f"WHERE r.t >= {int(bounds[0])} AND r.t < {int(bounds[1])}"
            )
            return eng.fetch(sql)
        finally:
            eng.close()


def plate_passes(
    checkpoints: TableSource | Checkpoints,
    passes: PassSource,
    plate: str,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """One vehicle's passes in time order, with where each checkpoint is.

    The passes as read, on DuckDB: unlike :func:`screen`, repeated reads are not merged,
    misreads are not reassigned and the whitelist does not apply. Passes at a checkpoint
    missing from the list, or whose time cannot be read, are left out.

    Parameters
    ----------
    checkpoints, passes, crs, settings
        As for :func:`screen` (``settings`` for reading the checkpoint list and for DuckDB's
        ``[screening]`` threads, memory limit and temporary folder).
    plate : str
        The plate (any spelling: ``渝F·A1234`` = ``渝FA1234``; cleaned as
        :func:`geo.screening.schema.clean_plate` does).
    date_from, date_to : date, optional
        First and last local day of the passes, both included; default: no limit.

    Returns
    -------
    DataFrame
        ``time`` (naive local time), ``cp_id``, ``cp_name``, ``kind``, ``town``, ``lon``,
        ``lat`` (WGS-84); sorted by time, then checkpoint. Empty when the plate has no pass.

    Raises
    ------
    ScreeningInputError
        When the checkpoint list or the pass files cannot be found or read.
    """
    settings = settings or Settings()
    cps = load_checkpoints(checkpoints, settings, crs)
    frame = _plates_query(
        cps,
        passes,
        [plate],
        _day_bounds(date_from, date_to),
        "SELECT t, cp_id, cp_name, kind, town, lon, lat FROM p ORDER BY t, cp_id",
        settings,
    )
    frame.insert(0, "time", pd.to_datetime(frame.pop("t").astype("int64"), unit="s"))
    return frame


def plates_checkpoints(
    checkpoints: TableSource | Checkpoints,
    passes: PassSource,
    plates: Iterable[str],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """How often each of ``plates`` passed each checkpoint (counts only, no pass rows).

    Parameters
    ----------
    checkpoints, passes, crs, settings
        As for :func:`screen` (the checkpoint list and DuckDB's ``[screening]`` set-up).
    plates : iterable of str
        The plates asked about (e.g. the listed suspects); other plates are not read out.
    date_from, date_to : date, optional
        Only passes on these days.

    Returns
    -------
    DataFrame
        ``plate`` (cleaned), ``cp_id``, ``n``; one row per plate and checkpoint passed.
    """
    settings = settings or Settings()
    cps = load_checkpoints(checkpoints, settings, crs)
    frame = _plates_query(
        cps,
        passes,
        plates,
        _day_bounds(date_from, date_to),
        "SELECT plate, cp_id, count(*) AS n FROM p GROUP BY plate, cp_id ORDER BY plate, cp_id",
        settings,
    )
    return frame.astype({"plate": object, "cp_id": object, "n": "int64"})


def plates_pass_minutes(
    checkpoints: TableSource | Checkpoints,
    passes: PassSource,
    plates: Iterable[str],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """When ``plates`` passed which checkpoint, to the minute (for activity by period).

    The same passes as :func:`plates_checkpoints` counts, kept per local minute so that
    each can be given its periods (night, weekend, holiday, market day); no other plate's
    pass is read out.

    Parameters
    ----------
    checkpoints, passes, crs, settings
        As for :func:`screen`.
    plates : iterable of str
        The plates asked about (e.g. the listed suspects).
    date_from, date_to : date, optional
        Only passes on these days.

    Returns
    -------
    DataFrame
        ``plate`` (cleaned), ``cp_id``, ``time`` (naive local time, to the minute), ``n``
        (passes in that minute); sorted by plate, checkpoint and time.
    """
    settings = settings or Settings()
    cps = load_checkpoints(checkpoints, settings, crs)
    frame = _plates_query(
        cps,
        passes,
        plates,
        _day_bounds(date_from, date_to),
        "SELECT plate, cp_id, (t // 60) * 60 AS t, count(*) AS n FROM p "
        "GROUP BY ALL ORDER BY plate, cp_id, t",
        settings,
    )
    frame.insert(2, "time", pd.to_datetime(frame.pop("t").astype("int64"), unit="s"))
    return frame.astype({"plate": object, "cp_id": object, "n": "int64"})
