"""The ``[screening]`` table of ``hexpatrol.toml``: every threshold of the screen, with defaults.

Kept free of heavy imports: :mod:`geo.config` loads it with the other settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from geo.errors import ConfigError

SCORERS: Final = ("auto", "rules", "model")
ENGINES: Final = ("duckdb", "spark")


@dataclass(frozen=True)
class Rule:
    """One transparent rule: a pattern counts when every metric reaches its threshold.

    A metric at its threshold gives half the rule's weight, at ``strong`` the full weight,
    linearly in between; the weakest metric of the rule decides. ``gate`` metrics must reach
    their threshold but do not grade the rule.
    """

    code: str
    weight: float
    metrics: tuple[tuple[str, float, float], ...]  # (metric, threshold, strong)
    gate: tuple[tuple[str, float], ...] = ()


#: The default rules (weights add up to 100). Metrics are columns of the feature table.
DEFAULT_RULES: Final = (
    Rule("route", 30, (("route_days", 6, 15), ("route_trips_per_day", 3.0, 5.0))),
    Rule(
        "hub",
        15,
        (("hub_days", 4, 12), ("hub_visits_per_day", 3.0, 5.0)),
        gate=(("hub_wave_share", 0.3),),
    ),
    Rule("offday", 15, (("offday_lift", 1.4, 2.5),), gate=(("active_days", 4),)),
    Rule("market", 10, (("market_lift", 1.5, 2.5),), gate=(("market_days_active", 3),)),
    Rule("early", 10, (("early_share", 0.25, 0.6),), gate=(("active_days", 4),)),
    Rule("span", 5, (("span_hours", 9.0, 13.0),), gate=(("active_days", 4),)),
    Rule("mileage", 10, (("km_per_day", 120.0, 250.0),), gate=(("active_days", 4),)),
    Rule("towns", 5, (("distinct_towns", 5, 9),)),
)

_RULE_CODES: Final = tuple(r.code for r in DEFAULT_RULES)


def _pair(value: Any, what: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{what} was {value!r} but must be [threshold, strong]") from exc
    if b < a:
        raise ConfigError(f"{what}: strong level {b} is below the threshold {a}")
    return a, b


def _rule_from(base: Rule, raw: Mapping[str, Any]) -> Rule:
    """Override a default rule's weight and metric levels from a TOML table."""
    known = {"weight"} | {m for m, _, _ in base.metrics} | {m for m, _ in base.gate}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"[screening.rules.{base.code}]: unknown keys {unknown}; known: {sorted(known)}"
        )
    metrics = tuple(
        (m, *_pair(raw[m], f"[screening.rules.{base.code}] {m}")) if m in raw else (m, a, b)
        for m, a, b in base.metrics
    )
    gate = tuple((m, float(raw.get(m, a))) for m, a in base.gate)
    weight = float(raw.get("weight", base.weight))
    if weight < 0:
        raise ConfigError(f"[screening.rules.{base.code}] weight must be >= 0")
    return Rule(base.code, weight, metrics, gate)


@dataclass(frozen=True)
class ScreeningSettings:
    """How passes are cleaned, described and scored; every field has a default.

    Attributes
    ----------
    window_days : int
        Days screened when no ``--from`` is given, ending on the last day of the data.
    dedup_seconds : int
        The same plate read again at the same checkpoint within this many seconds is one
        pass (the second read is rejected as ``duplicate_read``).
    trip_gap_minutes : int
        A longer gap between two passes means the vehicle stopped: a new trip starts.
    dwell_minutes : int
        Passes in one town spread over at least this long mean the vehicle stopped there
        (an end of a run), not that it drove through.
    hub_visit_gap_minutes : int
        Passes at a hub checkpoint closer than this are one visit.
    hub_kinds : tuple of str
        Checkpoint kinds that are hubs (stations where touts wait for arrivals).
    wave_bin_minutes, wave_factor : int, float
        A hub's busy spells ("waves", after arrivals): bins of this many minutes with at least
        ``wave_factor`` times the hub's mean passes per bin.
    early_hour, late_hour : int
        A day counts as early when its first pass is before ``early_hour`` (from 03:00), as
        late when its last pass is at or after ``late_hour``.
    road_factor : float
        Road distance ÷ straight-line distance, for the mileage estimate.
    misread_max_passes, misread_min_passes, misread_minutes : int
        A plate seen at most ``misread_max_passes`` times is taken as a misread of a plate
        one character away that is seen at least ``misread_min_passes`` times (and five times
        as often) and passed within ``misread_minutes`` of at least half of its reads; its
        passes go to that plate (the most frequent such plate).
    merge_subdistricts : bool
        Treat all 街道 (urban sub-districts) as one town, the county town, for routes.
    scorer : str
        ``auto`` (the scorer that backtests better on the known plates; rules when there are
        too few), ``rules`` or ``model``.
    min_known : int
        Known plates among the screened ones needed to learn a model and to backtest.
    eval_share, eval_repeats : float, int
        Share of the known plates hidden in each backtest round, and the rounds
        (``--evaluate``; the scores are means over rounds).
    grade_levels : (float, float, float)
        Scores (0-100) from which a plate is 一般关注 (low), 疑似 (medium), 高度疑似 (high).
    rules : tuple of Rule
        The transparent rules; override weights and levels in ``[screening.rules.NAME]``.
    duckdb_memory_limit : str
        DuckDB's memory limit (it spills to ``temp_directory`` beyond it), e.g. ``"2GB"``.
    duckdb_threads : int
        DuckDB worker threads; 0 = one per core.
    temp_directory : str
        Where engines spill; empty = ``data_dir/tmp``.
    spark_master : str
        Default Spark master (``local[*]``, ``spark://host:7077``, ``yarn``).
    spark_conf : tuple of (str, str)
        Extra Spark settings (``[screening.spark_conf]`` table), e.g. executor memory.
    passes_retention_days : int
        Raw passes older than this many days (before today minus the days) are deleted from
        the deployment's pass folder at each pass import and by ``hexpatrol passes prune``;
        the deletion is reported and audited. 0 keeps passes for ever.
    """

    window_days: int = 30
    dedup_seconds: int = 60
    trip_gap_minutes: int = 20
    dwell_minutes: int = 10
    hub_visit_gap_minutes: int = 15
    hub_kinds: tuple[str, ...] = ("hsr_station", "bus_terminal")
    wave_bin_minutes: int = 10
    wave_factor: float = 1.5
    early_hour: int = 6
    late_hour: int = 22
    road_factor: float = 1.3
    misread_max_passes: int = 3
    misread_min_passes: int = 10
    misread_minutes: int = 20
    merge_subdistricts: bool = True
    scorer: str = "auto"
    min_known: int = 10
    eval_share: float = 0.8
    eval_repeats: int = 4
    grade_levels: tuple[float, float, float] = (30.0, 50.0, 70.0)
    rules: tuple[Rule, ...] = DEFAULT_RULES
    duckdb_memory_limit: str = "1.5GB"
    duckdb_threads: int = 0
    temp_directory: str = ""
    spark_master: str = "local[*]"
    spark_conf: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    passes_retention_days: int = 90

    def __post_init__(self) -> None:
        if self.scorer not in SCORERS:
            raise ConfigError(f"[screening] scorer was {self.scorer!r} but must be in {SCORERS}")
        if not 1 <= self.window_days <= 3660:
            raise ConfigError(f"[screening] window_days was {self.window_days}; use 1..3660")
        if not 0 < self.eval_share < 1:
            raise ConfigError(f"[screening] eval_share was {self.eval_share}; use 0 < x < 1")
        if not 1 <= self.eval_repeats <= 20:
            raise ConfigError(f"[screening] eval_repeats was {self.eval_repeats}; use 1..20")
        low, medium, high = self.grade_levels
        if not 0 <= low <= medium <= high <= 100:
            raise ConfigError(
                f"[screening] grade_levels was {self.grade_levels}; need 0 <= low <= medium "
                "<= high <= 100"
            )
        for name in ("dedup_seconds", "trip_gap_minutes", "dwell_minutes", "wave_bin_minutes"):
            if int(getattr(self, name)) <= 0:
                raise ConfigError(f"[screening] {name} must be > 0")
        if not isinstance(self.passes_retention_days, int) or self.passes_retention_days < 0:
            raise ConfigError(
                f"[screening] passes_retention_days was {self.passes_retention_days!r}; use a "
                "whole number of days >= 0 (0 keeps passes for ever)"
            )
        if not 0 <= self.early_hour <= 12 or not 12 <= self.late_hour <= 24:
            raise ConfigError("[screening] early_hour must be 0..12 and late_hour 12..24")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> ScreeningSettings:
        """Build from the TOML ``[screening]`` table (sub-tables ``rules``, ``spark_conf``)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"[screening]: unknown settings {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "rules":
                values[key] = _rules_from(value)
            elif key == "spark_conf":
                values[key] = tuple((str(k), str(v)) for k, v in dict(value).items())
            elif key in ("hub_kinds", "grade_levels"):
                values[key] = tuple(value)
            else:
                values[key] = value
        return replace(cls(), **values)


def _rules_from(raw: Any) -> tuple[Rule, ...]:
    if not isinstance(raw, Mapping):
        raise ConfigError("[screening.rules] must be a table of rule tables")
    unknown = sorted(set(raw) - set(_RULE_CODES))
    if unknown:
        raise ConfigError(f"[screening.rules]: unknown rules {unknown}; known: {_RULE_CODES}")
    return tuple(_rule_from(r, raw[r.code]) if r.code in raw else r for r in DEFAULT_RULES)
