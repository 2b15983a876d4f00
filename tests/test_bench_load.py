"""The load benchmark's quick mode runs against the real app, so it cannot rot.

One app (the launcher on the demo data, a throwaway store) serves both runs: the
quick mode (5 sessions, every role, every step) must pass without an error, and the same
benchmark with a wrong password must fail (twice: a second visit in the same "browser"),
so a broken login cannot pass unseen.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.client import StreamlitSession, Widget, widget_state
from bench.load.report import step_stats
from bench.load.scenario import ACTIONS, STEPS, Account, Visit, mix
from bench.load.server import start_app, stop_app

ROOT = Path(__file__).resolve().parents[1]
CODES = [f"500235{i:03d}" for i in range(100, 142)]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = start_app(tmp_path_factory.mktemp("load"))
    try:
        yield app.url
    finally:
        stop_app(app)


def _bench(url: str, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = subprocess.run(
        [sys.executable, "bench/bench_load.py", "--url", url, "--json", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def test_quick_mode_replays_every_step(app_url: str, tmp_path: Path) -> None:
    proc, data = _bench(app_url, tmp_path / "quick.json", "--quick")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (run,) = data["runs"]
    assert run["n"] == 5 and run["roles"] == {"analyst": 1, "commander": 1, "township": 3}
    expected: dict[str, int] = {}
    for role, count in run["roles"].items():
        for step in STEPS[role]:
            expected[step] = expected.get(step, 0) + count  # one visit each
    got = {step: s["n"] + s["skipped"] for step, s in run["steps"].items()}
    assert got == expected
    assert all(s["errors"] == 0 for s in run["steps"].values()), run["errors"]
    assert all(s["p50"] > 0 for s in run["steps"].values())
    assert run["server"]["peak_rss_mb"] > 100  # the app's process was found and sampled
    assert "| make a plan |" in proc.stdout and "| make the briefing |" in proc.stdout


def test_a_failed_login_fails_the_benchmark(app_url: str, tmp_path: Path) -> None:
    proc, data = _bench(
        app_url, tmp_path / "bad.json", "--sessions", "1", "--profile", "quick",
        "--iterations", "2", "--password", "not the password",
    )  # fmt: skip
    assert proc.returncode == 1
    (run,) = data["runs"]
    # both visits (the second in a "reloaded tab" with the same cookies) were refused
    assert run["steps"]["login"]["errors"] == 2 and run["steps"]["open"]["n"] == 2
    assert "filter_night" not in run["steps"]  # nothing after a failed login is timed
    assert any("login as commander failed" in e for e in run["errors"])


async def _visit(url: str, jar: http.cookiejar.CookieJar, *, log_in: bool) -> bool:
    """Open the app in a tab with ``jar``; True if it came up logged in."""
    tab = StreamlitSession(url, jar=jar, timeout=300)
    visit = Visit(tab, Account("t500235105", "township"), 0)
    try:
        await tab.connect()
        await ACTIONS["open"](visit)
        was_logged_in = visit.logged_in
        if log_in:
            await ACTIONS["login"](visit)
        return was_logged_in
    finally:
        await tab.close()


def test_a_reloaded_tab_comes_back_logged_in_by_its_cookie(app_url: str) -> None:
    jar = http.cookiejar.CookieJar()
    assert asyncio.run(_visit(app_url, jar, log_in=True)) is False
    assert any(c.name != "_streamlit_xsrf" for c in jar)  # the login cookie was kept
    assert asyncio.run(_visit(app_url, jar, log_in=False)) is True
    assert asyncio.run(_visit(app_url, http.cookiejar.CookieJar(), log_in=False)) is False


@pytest.mark.parametrize(
    ("n", "roles"),
    [
        (1, {"commander": 1}),
        (5, {"commander": 1, "analyst": 1, "township": 3}),
        (50, {"commander": 6, "analyst": 2, "township": 42}),
    ],
)
def test_role_mix(n: int, roles: dict[str, int]) -> None:
    accounts = mix(n, CODES)
    assert len(accounts) == n
    assert {r: sum(a.role == r for a in accounts) for r in roles} == roles
    towns = [a.username for a in accounts if a.role == "township"]
    assert len(set(towns)) == len(towns) and all(t[1:] in CODES for t in towns)


def test_stats_leave_failures_and_skipped_logins_out_of_the_percentiles() -> None:
    rows = [
        {"step": "login", "seconds": 1.0},
        {"step": "login", "seconds": 3.0},
        {"step": "login", "seconds": 99.0, "error": "ReplayError: login failed"},
        {"step": "login", "seconds": 0.0, "skipped": True},
        {"step": "make_plan", "seconds": 5.0, "error": "boom"},
    ]
    stats = step_stats(rows)
    assert stats["login"]["n"] == 2 and stats["login"]["errors"] == 1
    assert stats["login"]["skipped"] == 1
    assert stats["login"]["p50"] == 2.0 and stats["login"]["max"] == 3.0
    assert stats["make_plan"]["errors"] == 1 and math.isnan(stats["make_plan"]["p95"])
    assert list(stats) == ["login", "make_plan"]


def test_widgets_are_known_by_key_and_values_encoded_as_the_browser_does() -> None:
    keyed = Widget("$$ID-0123abcd-map_periods", "multiselect", "", "", None)
    unkeyed = Widget("$$ID-0123abcd-None", "text_input", "login", "", None)
    assert keyed.key == "map_periods" and unkeyed.key is None
    assert list(widget_state(keyed, ["夜间"]).string_array_value.data) == ["夜间"]
    assert widget_state(unkeyed, "commander").string_value == "commander"
    assert widget_state(Widget("$$ID-1-go", "button", "", "", None), True).trigger_value
