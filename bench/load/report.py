"""Step timings → per-step p50/p95/max and error counts, as Markdown tables and JSON."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from bench.load.scenario import STEP_ORDER

# what the summary table shows, as (step, statistics)
SUMMARY = [
    ("login", ("p50", "p95")),
    ("filter_night", ("p50", "p95")),
    ("pick_township", ("p95",)),
    ("open_patrol", ("p95",)),
    ("make_plan", ("p95",)),
    ("make_brief", ("p95",)),
]
LABELS = {
    "connect": "connect (HTTP + websocket)",
    "open": "open (login form)",
    "login": "log in (→ map)",
    "filter_night": "add 夜间",
    "pick_township": "pick a township",
    "open_patrol": "open 巡逻建议",
    "make_plan": "make a plan",
    "open_brief": "open 月度通报",
    "pick_month": "pick a month",
    "make_brief": "make the briefing",
}


def step_stats(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Per step: timed samples ``n``, ``errors``, ``skipped``, ``p50``/``p95``/``max`` (s).

    Failed steps count as errors and are left out of the percentiles (their time says how
    long it took to fail, not how fast the step is); so is a login skipped by a cookie.
    """
    by_step: dict[str, dict[str, Any]] = {}
    for r in results:
        entry = by_step.setdefault(r["step"], {"times": [], "errors": 0, "skipped": 0})
        if r.get("error"):
            entry["errors"] += 1
        elif r.get("skipped"):
            entry["skipped"] += 1
        else:
            entry["times"].append(float(r["seconds"]))
    stats: dict[str, dict[str, float]] = {}
    for step in [s for s in STEP_ORDER if s in by_step] + sorted(set(by_step) - set(STEP_ORDER)):
        times = np.asarray(by_step[step]["times"], dtype=float)
        some = times.size > 0
        stats[step] = {
            "n": int(times.size),
            "errors": by_step[step]["errors"],
            "skipped": by_step[step]["skipped"],
            "p50": float(np.percentile(times, 50)) if some else math.nan,
            "p95": float(np.percentile(times, 95)) if some else math.nan,
            "max": float(times.max()) if some else math.nan,
        }
    return stats


def _s(value: float) -> str:
    """Seconds for a table cell."""
    return "–" if math.isnan(value) else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def step_table(stats: Mapping[str, Mapping[str, float]]) -> str:
    """One run's steps as a Markdown table."""
    lines = ["| step | n | errors | p50 | p95 | max |", "|---|---:|---:|---:|---:|---:|"]
    for step, s in stats.items():
        n = f"{s['n']} (+{s['skipped']} by cookie)" if s.get("skipped") else str(s["n"])
        lines.append(
            f"| {LABELS.get(step, step)} | {n} | {s['errors']} | {_s(s['p50'])} "
            f"| {_s(s['p95'])} | {_s(s['max'])} |"
        )
    return "\n".join(lines)


def _mb(value: float) -> str:
    """Megabytes, or gigabytes above 1,000 MB."""
    return f"{value / 1024:.2f} GB" if value >= 1000 else f"{value:.0f} MB"


def summary_table(runs: Iterable[Mapping[str, Any]]) -> str:
    """One line per run (profile, N): the key steps, errors, server memory and CPU."""
    head = ["profile", "N"]
    for step, kinds in SUMMARY:
        head.append(f"{LABELS[step]} {' / '.join(kinds)}")
    head += ["errors", "server peak RSS", "server CPU (mean)", "others' CPU", "load avg"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for run in runs:
        stats = run["steps"]
        cells = [f"{run['profile']} ({run['think'][0]:g}-{run['think'][1]:g} s)", str(run["n"])]
        for step, kinds in SUMMARY:
            s = stats.get(step)
            cells.append(" / ".join(_s(s[k]) for k in kinds).replace(" s /", " /") if s else "–")
        server = run.get("server") or {}
        load = run["load"]
        cells += [
            str(sum(int(s["errors"]) for s in stats.values())),
            _mb(server["peak_rss_mb"]) if server else "–",
            f"{server['mean_cpu_percent']:.0f}%" if server else "–",
            f"{run['others_cpu_percent']:.0f}%" if server else "–",
            f"{load['before'][0]:.1f} → {load['after'][0]:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def error_lines(results: Iterable[Mapping[str, Any]], limit: int = 10) -> list[str]:
    """The distinct error messages, most frequent first, with how often each came."""
    counts: dict[str, int] = {}
    for r in results:
        if r.get("error"):
            key = f"{r['step']}: {r['error']}"
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return [f"{n}× {message}" for message, n in ranked[:limit]]
