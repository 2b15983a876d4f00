"""Concurrent sessions: N users replayed over Streamlit's websocket against the running app.

Run: ``.venv/bin/python bench/bench_load.py [--quick] [--sessions 1 10 25 50]
[--profile read stress] [--url URL] [--json results.json]``.

Each of N sessions is a user with a role (mostly township accounts, some commanders, an
analyst: ``bench.load.scenario.mix``) who opens the app, logs in and works through their
steps (map: add 夜间, pick a township, 巡逻建议, make a plan; analyst: 月度通报, pick a
month, make the briefing), with think time between steps, twice (two visits, the second
in a reloaded tab). A step's time runs from sending its BackMsg until the server's
``script_finished``; an exception element, a missing widget, a failed login or no answer
is an error. Without ``--url`` each (profile, N) gets a fresh app process
(``python -m app_pages.launch``, as ``make run``) on the demo data (throwaway store)
whose process tree is sampled for peak RSS and mean CPU;
one unmeasured commander logs in first (the cold start figures). ``--quick`` (CI): N = 5,
one visit each, 0.2-0.5 s think time, no warm-up.
Exit status 1 if any step failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import report  # noqa: E402
from bench.load.client import ReplayError, StreamlitSession  # noqa: E402
from bench.load.scenario import (  # noqa: E402
    ACTIONS,
    THINK,
    Account,
    Plan,
    StepResult,
    Visit,
    mix,
    run_session,
)
from bench.load.server import Sampler, listening_pid, start_app, stop_app  # noqa: E402
from geo.auth import DEMO_PASSWORD  # noqa: E402
from geo.config import Settings  # noqa: E402
from geo.dataset import settings_townships  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="N=5, one visit, 0.2-0.5 s think, no warm-up (CI)"
    )
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25, 50])
    p.add_argument("--profile", nargs="+", choices=sorted(THINK), default=["read", "stress"])
    p.add_argument(
        "--think",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="think time range in seconds (overrides the profile's)",
    )
    p.add_argument("--iterations", type=int, help="visits per session (2; --quick: 1)")
    p.add_argument("--url", help="drive a running app (or a proxy) instead of starting one")
    p.add_argument(
        "--pid",
        type=int,
        action="append",
        default=[],
        help="with --url: process to sample (repeatable; default: the listener)",
    )
    p.add_argument("--password", default=DEMO_PASSWORD, help="password of every account")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds a step may take")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="write every run's figures and samples here")
    p.add_argument(
        "--report",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="only print the tables of runs saved with --json",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.sessions, args.profile = [5], ["quick"]
    if args.iterations is None:
        args.iterations = 1 if args.quick else 2
    return args


def township_codes() -> list[str]:
    """The demo's township codes (one ``t<code>`` account each)."""
    return [str(c) for c in settings_townships(Settings())["code"]]


async def warm_up(url: str, password: str, timeout: float) -> dict[str, Any]:
    """One commander opens the app and logs in before the measured run (creates the store).

    Returns when the login form and the first map were there, in seconds after the call,
    or what went wrong (the measured sessions will then show it too).
    """
    start = time.perf_counter()
    tab = StreamlitSession(url, timeout=timeout)
    visit = Visit(tab, Account("commander", "commander", password), 0)
    try:
        await tab.connect()
        await ACTIONS["open"](visit)
        form = time.perf_counter() - start
        await ACTIONS["login"](visit)
        return {"login_form_s": form, "first_map_s": time.perf_counter() - start}
    except (ReplayError, OSError) as exc:
        return {"error": f"warm-up: {exc}"}
    finally:
        await tab.close()


async def _progress(results: list[StepResult], t0: float, stop: asyncio.Event) -> None:
    """A line on stderr every 30 s, so a long run shows it is alive."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=30)
        except TimeoutError:
            errors = sum(r.error is not None for r in results)
            print(
                f"  {time.perf_counter() - t0:5.0f} s: {len(results)} steps, {errors} errors",
                file=sys.stderr,
                flush=True,
            )


async def drive(
    accounts: list[Account], plan: Plan, pids: list[int]
) -> tuple[list[StepResult], dict[str, float], float, float]:
    """Run every session at once; returns the steps, server figures, wall and client CPU."""
    results: list[StepResult] = []
    sampler = Sampler(pids) if pids else None
    stop = asyncio.Event()
    t0, cpu0 = time.perf_counter(), time.process_time()
    watchers = [asyncio.create_task(_progress(results, t0, stop))]
    if sampler is not None:
        watchers.append(asyncio.create_task(sampler.run(stop)))
    try:
        await asyncio.gather(
            *(run_session(i, a, plan, results.append, t0) for i, a in enumerate(accounts))
        )
    finally:
        stop.set()
        await asyncio.gather(*watchers)
    wall = time.perf_counter() - t0
    client_cpu = 100 * (time.process_time() - cpu0) / wall
    return results, sampler.result() if sampler else {}, wall, client_cpu


def others_cpu(server: dict[str, float], client_cpu: float) -> float:
    """CPU the rest of the machine used meanwhile (other work on a shared machine)."""
    if not server:
        return float("nan")
    return max(0.0, server["machine_cpu_percent"] - server["mean_cpu_percent"] - client_cpu)


def run_once(args: argparse.Namespace, n: int, profile: str) -> dict[str, Any]:
    """One (profile, N): start the app unless ``--url``, warm it up, drive N sessions."""
    lo, hi = args.think or THINK[profile]
    accounts = mix(n, township_codes(), args.password)
    with tempfile.TemporaryDirectory(prefix="hexpatrol-load-") as tmp:
        app = None if args.url else start_app(Path(tmp))
        try:
            url = app.url if app is not None else str(args.url)
            # CI (--quick) skips the warm-up: its first sessions then also set up the store
            cold = {} if args.quick else asyncio.run(warm_up(url, args.password, args.timeout))
            if app is not None and cold and "error" not in cold:  # from the process start
                offset = time.perf_counter() - app.started - cold["first_map_s"]
                cold = {"ready_s": app.ready_s} | {k: v + offset for k, v in cold.items()}
            pids = [app.process.pid] if app else args.pid or [p for p in [listening_pid(url)] if p]
            load_before = os.getloadavg()
            plan = Plan(url, (float(lo), float(hi)), args.iterations, args.timeout, args.seed)
            results, server, wall, client_cpu = asyncio.run(drive(accounts, plan, pids))
        finally:
            if app is not None:
                stop_app(app)
    rows = [r.as_dict() for r in results]
    roles = sorted({a.role for a in accounts})
    return {
        "profile": profile,
        "n": n,
        "think": [lo, hi],
        "iterations": args.iterations,
        "roles": {role: sum(a.role == role for a in accounts) for role in roles},
        "url": args.url or "started: python -m app_pages.launch",
        "cold_start": cold,
        "load": {"before": list(load_before), "after": list(os.getloadavg())},
        "wall_s": wall,
        "client_cpu_percent": client_cpu,
        "server": server,
        "others_cpu_percent": others_cpu(server, client_cpu),
        "steps": report.step_stats(rows),
        "errors": report.error_lines(rows),
        "results": rows,
    }


def _print_run(run: dict[str, Any]) -> None:
    """One run's table and errors on stdout."""
    roles = ", ".join(f"{k} {v}" for k, v in run["roles"].items())
    cold = (
        ", ".join(
            f"{k} {v:.1f} s" if isinstance(v, float) else f"{k} {v}"
            for k, v in run["cold_start"].items()
        )
        or "not measured"
    )
    print(
        f"\n### {run['profile']}, N = {run['n']} ({roles}; {run['wall_s']:.0f} s; "
        f"client CPU {run['client_cpu_percent']:.0f}%; cold start: {cold})\n"
    )
    print(report.step_table(run["steps"]))
    for line in run["errors"]:
        print(f"- {line}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Run every (profile, N); print the tables; write JSON; 1 if any step failed."""
    args = parse_args(argv)
    if args.report:
        saved = [run for path in args.report for run in json.loads(path.read_text())["runs"]]
        for run in saved:
            _print_run(run)
        print("\n" + report.summary_table(saved))
        return 0
    runs = []
    for profile in args.profile:
        for n in args.sessions:
            print(f"{profile}: N = {n} …", file=sys.stderr, flush=True)
            runs.append(run_once(args, n, profile))
            _print_run(runs[-1])
    print("\n" + report.summary_table(runs))
    if args.json:
        args.json.write_text(json.dumps({"runs": runs}, ensure_ascii=False, indent=1, default=str))
    failed = sum(s["errors"] for run in runs for s in run["steps"].values())
    timed = sum(s["n"] for run in runs for s in run["steps"].values())
    if failed or not timed:
        print(f"\nFAILED: {failed} of {failed + timed} steps failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
