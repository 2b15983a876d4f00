"""The screening computation, written once as SQL that DuckDB and Spark SQL both run.

Each step is a ``SELECT`` that an engine materialises as a table (DuckDB: a temporary table,
spilled to disk beyond its memory limit; Spark: a cached table). The text is identical for
both engines; the few functions the two spell differently (regular expressions, reading a
time) are defined by each engine under the same ``hp_*`` names (:func:`duckdb_prelude`,
:func:`spark_prelude`) from the same patterns and formats in :mod:`geo.screening.schema`.

Only integer arithmetic feeds the sums (distances are rounded to whole metres per leg, times
are whole seconds of local wall-clock time), and every ratio is one division at the end, so
both engines give bit-identical features.

Input tables (registered by the engine): ``raw`` (``plate_raw``, ``t``: local epoch seconds
or NULL, ``cp_raw``, ``time_raw``), ``cp`` (checkpoints: ``cpi``, ``cp_id``, ``cp_name``,
``town`` id, ``hub``, ``x``, ``y`` in metres), ``towns`` (``town_id``, ``town``), ``cal``
(``day``, ``off``), ``mkt`` (``town``, ``day``: market days), ``mtown`` (``town``,
``mdays``), ``wl`` (whitelisted ``plate``), ``pos`` (``i`` = 1..12).

Plates, checkpoints and towns are numbered early (plates by a dictionary in plate order,
checkpoints and towns in the order of their ids and names), so the sorts behind the window
functions compare integers; the order is the same as the strings' (byte order), so ties and
"first" rows are the same in both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from geo.screening.schema import (
    PLATE_FROM,
    PLATE_PATTERN,
    PLATE_TO,
    TIME_FORMATS,
    TIME_FROM,
    TIME_TO,
    java_pattern,
)

SHANGHAI_OFFSET: Final = 8 * 3600  # China has had no daylight saving time since 1991


@dataclass(frozen=True)
class Step:
    """One materialised table: its name, what the progress line says, and its SELECT."""

    name: str
    label: str
    sql: str


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _clean_time(arg: str) -> str:
    """SQL turning a time spelling into ``2025-10-01 08:00:00`` form (both engines)."""
    spaced = f"translate(trim({arg}), {_sql_text(TIME_FROM)}, {_sql_text(TIME_TO)})"
    return f"regexp_replace(trim(replace({spaced}, '  ', ' ')), '([.][0-9]+|:)$', '')"


#: characters that make a plate need the slow clean-up (separators, full-width, lower case);
#: regular expressions here have no backslash (Spark SQL literals would eat it)
_UNUSUAL: Final = "[ \t·・•‧∙._—–ａ-ｚＡ-Ｚ０-９a-z-]"


def duckdb_prelude() -> list[str]:
    """DuckDB macros for the ``hp_*`` helper functions."""
    formats = "[" + ", ".join(_sql_text(f) for f in TIME_FORMATS) + "]"
    return [
        f"CREATE OR REPLACE TEMP MACRO hp_plate(x) AS CASE WHEN regexp_matches(x, "
        f"{_sql_text(_UNUSUAL)}) THEN upper(translate(trim(x), {_sql_text(PLATE_FROM)}, "
        f"{_sql_text(PLATE_TO)})) ELSE x END",
        f"CREATE OR REPLACE TEMP MACRO hp_plate_ok(p) AS regexp_full_match(p, "
        f"{_sql_text(PLATE_PATTERN)})",
        "CREATE OR REPLACE TEMP MACRO hp_ts_sec(ts) AS CAST(epoch(ts) AS BIGINT)",
        f"CREATE OR REPLACE TEMP MACRO hp_tstz_sec(ts) AS CAST(epoch(ts) AS BIGINT) + "
        f"{SHANGHAI_OFFSET}",
        f"CREATE OR REPLACE TEMP MACRO hp_text_sec(s) AS COALESCE("
        f"CAST(epoch(try_strptime(s, {_sql_text(TIME_FORMATS[0])})) AS BIGINT), "
        f"CASE WHEN regexp_full_match(trim(s), '[0-9]{{10}}') "
        f"THEN TRY_CAST(trim(s) AS BIGINT) + {SHANGHAI_OFFSET} "
        f"WHEN regexp_full_match(trim(s), '[0-9]{{13}}') "
        f"THEN TRY_CAST(trim(s) AS BIGINT) // 1000 + {SHANGHAI_OFFSET} "
        f"ELSE CAST(epoch(try_strptime({_clean_time('s')}, {formats})) AS BIGINT) END)",
    ]


def spark_prelude() -> list[str]:
    """Spark SQL functions for the ``hp_*`` helpers (Spark >= 4 SQL user functions)."""
    parse = ", ".join(f"try_to_timestamp(c, {_sql_text(java_pattern(f))})" for f in TIME_FORMATS)
    first = _sql_text(java_pattern(TIME_FORMATS[0]))
    return [
        f"CREATE OR REPLACE TEMPORARY FUNCTION hp_plate(x STRING) RETURNS STRING RETURN CASE "
        f"WHEN regexp_like(x, {_sql_text(_UNUSUAL)}) THEN upper(translate(trim(x), "
        f"{_sql_text(PLATE_FROM)}, {_sql_text(PLATE_TO)})) ELSE x END",
        f"CREATE OR REPLACE TEMPORARY FUNCTION hp_plate_ok(p STRING) RETURNS BOOLEAN RETURN "
        f"regexp_like(p, {_sql_text(PLATE_PATTERN)})",
        "CREATE OR REPLACE TEMPORARY FUNCTION hp_ts_sec(ts TIMESTAMP_NTZ) RETURNS BIGINT RETURN "
        "unix_timestamp(ts)",
        f"CREATE OR REPLACE TEMPORARY FUNCTION hp_tstz_sec(ts TIMESTAMP) RETURNS BIGINT RETURN "
        f"unix_timestamp(ts) + {SHANGHAI_OFFSET}",
        f"CREATE OR REPLACE TEMPORARY FUNCTION hp_clock(c STRING) RETURNS BIGINT RETURN "
        f"unix_timestamp(coalesce({parse}))",
        f"CREATE OR REPLACE TEMPORARY FUNCTION hp_text_sec(s STRING) RETURNS BIGINT RETURN "
        f"COALESCE(unix_timestamp(try_to_timestamp(s, {first})), CASE "
        f"WHEN regexp_like(trim(s), '^[0-9]{{10}}$') THEN TRY_CAST(trim(s) AS BIGINT) + "
        f"{SHANGHAI_OFFSET} "
        f"WHEN regexp_like(trim(s), '^[0-9]{{13}}$') THEN TRY_CAST(trim(s) AS BIGINT) DIV 1000 "
        f"+ {SHANGHAI_OFFSET} "
        f"ELSE hp_clock({_clean_time('s')}) END)",
    ]


# ---------------------------------------------------------------- cleaning

CLASSIFY: Final = Step(
    "classified",
    "reading and checking passes",
    """
SELECT plate, t, cpi, reason,
  CASE WHEN reason IS NULL THEN NULL ELSE plate_raw END AS plate_raw,
  CASE WHEN reason IS NULL THEN NULL ELSE CAST(time_raw AS STRING) END AS time_raw,
  CASE WHEN reason IS NULL THEN NULL ELSE cp_raw END AS cp_raw
FROM (
  SELECT p.plate, p.t, k.cpi, p.plate_raw, p.time_raw, p.cp_raw,
    CASE
      WHEN p.plate IS NULL OR p.plate = '' THEN 'missing_plate'
      WHEN p.t IS NULL OR p.t < {t_min} THEN 'bad_time'
      WHEN p.t > {t_future} THEN 'future_time'
      WHEN NOT (p.ok OR hp_plate_ok(p.plate)) THEN 'not_plate'
      WHEN k.cpi IS NULL THEN 'unknown_checkpoint'
      ELSE NULL END AS reason
  FROM (
    SELECT CASE WHEN ok THEN plate_raw ELSE hp_plate(plate_raw) END AS plate, ok, t,
      trim(cp_raw) AS cp_key, plate_raw, time_raw, cp_raw
    FROM (SELECT *, COALESCE(hp_plate_ok(plate_raw), FALSE) AS ok FROM raw) r
  ) p LEFT JOIN cp k ON p.cp_key = k.{cp_key}
) c
""",
)

PLATES: Final = Step(
    "plates",
    "numbering plates",
    """
SELECT plate, ROW_NUMBER() OVER (ORDER BY plate) AS pid
FROM (
  SELECT DISTINCT plate FROM classified
  WHERE reason IS NULL AND t >= {t_lo} AND t < {t_hi}
) d
""",
)

DEDUP: Final = Step(
    "dedup",
    "removing double reads",
    """
SELECT pid, t, cpi FROM (
  SELECT p.pid, c.t, c.cpi,
    c.t - LAG(c.t) OVER (PARTITION BY p.pid, c.cpi ORDER BY c.t) AS g
  FROM classified c JOIN plates p ON c.plate = p.plate
  WHERE c.reason IS NULL AND c.t >= {t_lo} AND c.t < {t_hi}
) x
WHERE g IS NULL OR g > {dedup}
""",
)

PLATE_COUNTS: Final = Step(
    "plate_n",
    "counting plates",
    "SELECT pid, COUNT(*) AS n FROM dedup GROUP BY pid",
)

_MASK: Final = "CONCAT(SUBSTRING({p}, 1, pos.i - 1), '?', SUBSTRING({p}, pos.i + 1, 20))"

MISREAD: Final = Step(
    "misread",
    "finding misread plates",
    f"""
WITH np AS (
  SELECT n.pid, n.n, p.plate FROM plate_n n JOIN plates p ON n.pid = p.pid
), rare AS (
  SELECT d.pid, d.t, np.plate FROM dedup d JOIN np ON d.pid = np.pid
  WHERE np.n <= {{misread_max}}
), rk AS (
  SELECT r.pid, r.t, {_MASK.format(p="r.plate")} AS k
  FROM rare r JOIN pos ON pos.i <= LENGTH(r.plate)
), fk AS (
  SELECT np.pid, {_MASK.format(p="np.plate")} AS k
  FROM np JOIN pos ON pos.i <= LENGTH(np.plate)
  WHERE np.n >= {{misread_min}}
), cand AS (
  SELECT DISTINCT rk.pid AS rare, rk.t, fk.pid AS cand FROM rk JOIN fk ON rk.k = fk.k
), hit AS (
  SELECT c.rare, c.cand, COUNT(DISTINCT c.t) AS m
  FROM cand c JOIN dedup d
    ON d.pid = c.cand AND d.t >= c.t - {{misread_sec}} AND d.t <= c.t + {{misread_sec}}
  GROUP BY c.rare, c.cand
), best AS (
  SELECT h.rare, h.cand,
    ROW_NUMBER() OVER (PARTITION BY h.rare ORDER BY nc.n DESC, h.cand) AS k
  FROM hit h JOIN plate_n nr ON nr.pid = h.rare JOIN plate_n nc ON nc.pid = h.cand
  WHERE 2 * h.m >= nr.n AND nc.n >= {{misread_ratio}} * nr.n
)
SELECT rare, cand FROM best WHERE k = 1
""",
)

# ---------------------------------------------------------------- sequences, visits, runs
#
# A *visit* is a stretch of passes in one town with no gap over ``trip_gap`` (found from its
# first and last passes only: the rows where it starts or ends). A visit is an
# *end* (the vehicle stopped there) when its passes spread over ``dwell`` or more, or a gap
# over ``trip_gap`` comes before or after it (or it is the vehicle's first or last). A *run*
# goes from one end to the next in another town without a long gap in between: towns passed
# through on the way are not ends. A route counts on a day with at least two runs on it.

#: a vehicle's passes after double reads and misreads (whitelisted vehicles left out)
_PASSES: Final = """
  SELECT COALESCE(m.cand, d.pid) AS pid, d.t, d.cpi
  FROM dedup d LEFT JOIN misread m ON d.pid = m.rare
  LEFT JOIN (SELECT p.pid FROM plates p JOIN wl ON p.plate = wl.plate) w
    ON COALESCE(m.cand, d.pid) = w.pid
  WHERE w.pid IS NULL
"""

SEQ: Final = Step(
    "seq",
    "ordering each vehicle's passes",
    f"""
SELECT s.pid, s.t, CAST(FLOOR(s.t / 86400) AS BIGINT) AS day, s.t % 86400 AS sod, s.cpi,
  k.town, k.hub, s.rn,
  s.t - s.prev_t AS gap_in,
  s.next_t - s.t AS gap_out,
  CASE WHEN kp.town = k.town AND s.t - s.prev_t <= {{trip_gap}} THEN 0 ELSE 1 END
    AS new_visit,
  CASE WHEN kn.town = k.town AND s.next_t - s.t <= {{trip_gap}} THEN 0 ELSE 1 END
    AS end_visit,
  CASE WHEN s.t - s.prev_t <= {{trip_gap}}
       THEN CAST(FLOOR(SQRT((k.x - kp.x) * (k.x - kp.x) + (k.y - kp.y) * (k.y - kp.y))
                       * {{road_factor}} + 0.5) AS BIGINT)
       ELSE 0 END AS leg_m
FROM (
  SELECT pid, t, cpi,
    ROW_NUMBER() OVER w AS rn,
    LAG(t) OVER w AS prev_t, LEAD(t) OVER w AS next_t,
    LAG(cpi) OVER w AS prev_cpi, LEAD(cpi) OVER w AS next_cpi
  FROM ({_PASSES}) p
  WINDOW w AS (PARTITION BY pid ORDER BY t, cpi)
) s
JOIN cp k ON s.cpi = k.cpi
LEFT JOIN cp kp ON s.prev_cpi = kp.cpi
LEFT JOIN cp kn ON s.next_cpi = kn.cpi
""",
)

VISITS: Final = Step(
    "visits",
    "town visits",
    """
SELECT pid, rn AS vid, town, t AS t_first, day, gap_in,
  CASE WHEN end_visit = 1 THEN t ELSE next_t END AS t_last,
  CASE WHEN end_visit = 1 THEN gap_out ELSE next_gap_out END AS gap_out
FROM (
  SELECT pid, rn, t, day, town, gap_in, gap_out, new_visit, end_visit,
    LEAD(t) OVER v AS next_t, LEAD(gap_out) OVER v AS next_gap_out
  FROM seq WHERE new_visit = 1 OR end_visit = 1
  WINDOW v AS (PARTITION BY pid ORDER BY rn)
) b
WHERE new_visit = 1
""",
)

RUNS: Final = Step(
    "runs",
    "runs between towns",
    """
WITH e AS (
  SELECT * FROM visits
  WHERE t_last - t_first >= {dwell} OR gap_in IS NULL OR gap_in > {trip_gap}
     OR gap_out IS NULL OR gap_out > {trip_gap}
), l AS (
  SELECT pid, town, gap_in,
    LAG(town) OVER v AS prev_town, LAG(gap_out) OVER v AS prev_gap_out,
    LAG(day) OVER v AS prev_day
  FROM e
  WINDOW v AS (PARTITION BY pid ORDER BY vid)
)
SELECT pid, prev_day AS day, LEAST(prev_town, town) AS a, GREATEST(prev_town, town) AS b
FROM l
WHERE prev_town IS NOT NULL AND prev_town <> town
  AND gap_in <= {trip_gap} AND prev_gap_out <= {trip_gap}
""",
)

ROUTES: Final = Step(
    "route_f",
    "repeated routes",
    """
WITH pd AS (
  SELECT pid, a, b, day, COUNT(*) AS n FROM runs GROUP BY pid, a, b, day
), pr AS (
  SELECT pid, a, b,
    SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS rdays,
    SUM(CASE WHEN n >= 2 THEN n ELSE 0 END) AS rtrips,
    SUM(n) AS trips
  FROM pd GROUP BY pid, a, b
), ranked AS (
  SELECT pid, a, b, rdays, rtrips, trips,
    SUM(trips) OVER (PARTITION BY pid) AS all_trips,
    ROW_NUMBER() OVER (PARTITION BY pid ORDER BY rdays DESC, rtrips DESC, trips DESC, a, b)
      AS k
  FROM pr
)
SELECT pid, a AS route_a, b AS route_b, rdays, rtrips, all_trips FROM ranked WHERE k = 1
""",
)

# ---------------------------------------------------------------- days, hubs, markets

DAYS: Final = Step(
    "days_f",
    "daily activity",
    """
WITH d AS (
  SELECT pid, day, COUNT(*) AS n, MIN(sod) AS first_sod, MAX(sod) AS last_sod,
    SUM(leg_m) AS m,
    MAX(CASE WHEN sod >= 10800 AND sod < {early_sec} THEN 1 ELSE 0 END) AS early,
    MAX(CASE WHEN sod >= {late_sec} OR sod < 10800 THEN 1 ELSE 0 END) AS late
  FROM seq GROUP BY pid, day
)
SELECT d.pid,
  COUNT(*) AS active_days,
  SUM(d.n) AS n_passes,
  SUM(CASE WHEN c.off = 1 THEN d.n ELSE 0 END) AS off_passes,
  SUM(CASE WHEN c.off = 1 THEN 1 ELSE 0 END) AS off_days,
  SUM(d.last_sod - d.first_sod) AS span_sec,
  SUM(d.early) AS early_days,
  SUM(d.late) AS late_days,
  SUM(d.m) AS metres,
  MIN(d.day) AS first_day,
  MAX(d.day) AS last_day
FROM d JOIN cal c ON d.day = c.day
GROUP BY d.pid
""",
)

WAVES: Final = Step(
    "wave_bins",
    "arrival waves at hubs",
    """
WITH b AS (
  SELECT d.cpi, CAST(FLOOR(d.t / 86400) AS BIGINT) AS day,
    CAST(FLOOR((d.t % 86400) / {wave_bin}) AS BIGINT) AS bin, COUNT(*) AS n
  FROM dedup d JOIN cp k ON d.cpi = k.cpi
  WHERE k.hub = 1 AND d.t % 86400 >= 21600
  GROUP BY d.cpi, CAST(FLOOR(d.t / 86400) AS BIGINT),
    CAST(FLOOR((d.t % 86400) / {wave_bin}) AS BIGINT)
), tot AS (
  SELECT d.cpi, COUNT(*) AS total FROM dedup d JOIN cp k ON d.cpi = k.cpi
  WHERE k.hub = 1 AND d.t % 86400 >= 21600 GROUP BY d.cpi
)
SELECT b.cpi, b.day, b.bin
FROM b JOIN tot ON b.cpi = tot.cpi
WHERE b.n * {bins_x_days} >= {wave_factor} * tot.total
""",
)

HUBS: Final = Step(
    "hub_f",
    "hub visits",
    """
WITH hp AS (
  SELECT pid, t, day, sod, cpi,
    t - LAG(t) OVER (PARTITION BY pid ORDER BY t, cpi) AS g
  FROM seq WHERE hub = 1
), hv AS (
  SELECT hp.pid, hp.day,
    CASE WHEN hp.g IS NULL OR hp.g > {hub_gap} THEN 1 ELSE 0 END AS visit,
    CASE WHEN wb.bin IS NULL THEN 0 ELSE 1 END AS wave
  FROM hp LEFT JOIN wave_bins wb
    ON hp.cpi = wb.cpi AND hp.day = wb.day
   AND CAST(FLOOR(hp.sod / {wave_bin}) AS BIGINT) = wb.bin
), hd AS (
  SELECT pid, day, SUM(visit) AS visits, COUNT(*) AS passes, SUM(wave) AS waves
  FROM hv GROUP BY pid, day
)
SELECT pid,
  SUM(CASE WHEN visits >= 3 THEN 1 ELSE 0 END) AS hub_days,
  COUNT(*) AS hub_active_days,
  SUM(visits) AS hub_visits,
  SUM(passes) AS hub_passes,
  SUM(waves) AS hub_wave_passes
FROM hd GROUP BY pid
""",
)

MARKETS: Final = Step(
    "market_f",
    "market days",
    """
WITH g AS (
  SELECT s.pid, s.town, s.day, COUNT(*) AS n, MAX(mt.mdays) AS mdays,
    MAX(CASE WHEN m.day IS NULL THEN 0 ELSE 1 END) AS mk
  FROM seq s JOIN mtown mt ON s.town = mt.town
  LEFT JOIN mkt m ON s.town = m.town AND s.day = m.day
  GROUP BY s.pid, s.town, s.day
)
SELECT pid, SUM(mk * n) AS mk_passes, SUM(mdays * n) AS mk_expected, SUM(mk) AS mk_days
FROM g GROUP BY pid
""",
)

TOWNS: Final = Step(
    "towns_f",
    "towns and checkpoints",
    """
WITH c AS (
  SELECT pid, cpi, MIN(town) AS town, MIN(t) AS t0, MAX(t) AS t1 FROM seq GROUP BY pid, cpi
), w AS (
  SELECT pid, COUNT(*) AS distinct_towns FROM (SELECT DISTINCT pid, town FROM c) x GROUP BY pid
)
SELECT c.pid, MIN(w.distinct_towns) AS distinct_towns, COUNT(*) AS distinct_checkpoints,
  MIN(c.t0) AS first_t, MAX(c.t1) AS last_t
FROM c JOIN w ON c.pid = w.pid
GROUP BY c.pid
""",
)

FEATURES: Final = Step(
    "features",
    "features per vehicle",
    """
SELECT pl.plate,
  CAST(d.n_passes AS BIGINT) AS n_passes,
  CAST(d.active_days AS BIGINT) AS active_days,
  CAST(d.n_passes AS DOUBLE) / d.active_days AS passes_per_day,
  CAST(d.off_days AS BIGINT) AS offday_active_days,
  CAST((d.off_passes + 1) * {n_work} AS DOUBLE)
    / ((d.n_passes - d.off_passes + 1) * {n_off}) AS offday_lift,
  CAST(COALESCE(h.hub_days, 0) AS BIGINT) AS hub_days,
  CAST(COALESCE(h.hub_visits, 0) AS DOUBLE) / GREATEST(COALESCE(h.hub_active_days, 0), 1)
    AS hub_visits_per_day,
  CAST(COALESCE(h.hub_wave_passes, 0) AS DOUBLE) / GREATEST(COALESCE(h.hub_passes, 0), 1)
    AS hub_wave_share,
  ta.town AS route_a, tb.town AS route_b,
  CAST(COALESCE(r.rdays, 0) AS BIGINT) AS route_days,
  CAST(COALESCE(r.rtrips, 0) AS DOUBLE) / GREATEST(COALESCE(r.rdays, 0), 1)
    AS route_trips_per_day,
  CAST(COALESCE(r.all_trips, 0) AS DOUBLE) / d.active_days AS runs_per_day,
  CAST(COALESCE(m.mk_passes, 0) + 1 AS DOUBLE) * {n_days}
    / (COALESCE(m.mk_expected, 0) + {n_days}) AS market_lift,
  CAST(COALESCE(m.mk_days, 0) AS BIGINT) AS market_days_active,
  CAST(d.span_sec AS DOUBLE) / (d.active_days * 3600) AS span_hours,
  CAST(d.early_days AS DOUBLE) / d.active_days AS early_share,
  CAST(d.late_days AS DOUBLE) / d.active_days AS late_share,
  CAST(d.metres AS DOUBLE) / (d.active_days * 1000) AS km_per_day,
  CAST(t.distinct_towns AS BIGINT) AS distinct_towns,
  CAST(t.distinct_checkpoints AS BIGINT) AS distinct_checkpoints,
  CAST(t.first_t AS BIGINT) AS first_t,
  CAST(t.last_t AS BIGINT) AS last_t
FROM days_f d
JOIN plates pl ON d.pid = pl.pid
JOIN towns_f t ON d.pid = t.pid
LEFT JOIN route_f r ON d.pid = r.pid
LEFT JOIN towns ta ON r.route_a = ta.town_id
LEFT JOIN towns tb ON r.route_b = tb.town_id
LEFT JOIN hub_f h ON d.pid = h.pid
LEFT JOIN market_f m ON d.pid = m.pid
""",
)

#: the steps after CLASSIFY, in order, each with the tables no later step reads (dropped
#: after it to free memory); the pass account is taken right after DEDUP
STEPS: Final = (
    (PLATES, ()),
    (DEDUP, ()),
    (PLATE_COUNTS, ("classified",)),
    (MISREAD, ()),
    (SEQ, ()),
    (WAVES, ("dedup", "plate_n", "misread")),
    (VISITS, ()),
    (RUNS, ("visits",)),
    (ROUTES, ("runs",)),
    (DAYS, ()),
    (HUBS, ("wave_bins",)),
    (MARKETS, ()),
    (TOWNS, ("seq",)),
    (FEATURES, ("route_f", "days_f", "hub_f", "market_f", "towns_f")),
)

REJECT_COUNTS: Final = "SELECT reason, COUNT(*) AS n FROM classified GROUP BY reason"
OUTSIDE_WINDOW: Final = """
SELECT COUNT(*) AS n FROM classified WHERE reason IS NULL AND (t < {t_lo} OR t >= {t_hi})
"""
DUPLICATES: Final = """
SELECT (SELECT COUNT(*) FROM classified
        WHERE reason IS NULL AND t >= {t_lo} AND t < {t_hi})
     - (SELECT COUNT(*) FROM dedup) AS n
"""
REJECT_SAMPLES: Final = """
SELECT reason, plate_raw, time_raw, cp_raw FROM (
  SELECT reason, plate_raw, time_raw, cp_raw,
    ROW_NUMBER() OVER (PARTITION BY reason ORDER BY plate_raw, time_raw, cp_raw) AS k
  FROM classified WHERE reason IS NOT NULL
) s WHERE k <= {n}
"""
TIME_SPAN: Final = "SELECT MIN(t) AS t0, MAX(t) AS t1 FROM classified WHERE reason IS NULL"
MISREAD_COUNT: Final = """
SELECT COUNT(*) AS n FROM dedup d JOIN misread m ON d.pid = m.rare
"""
