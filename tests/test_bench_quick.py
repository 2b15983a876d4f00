"""Every benchmark runs in quick mode, so `make bench` cannot rot between full runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# bench_load.py needs the app running: tests/test_bench_load.py runs its quick mode
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py") if p.name != "bench_load.py")
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.mark.parametrize("script", SCRIPTS, ids=SCRIPTS)
def test_quick_run(script: str) -> None:
    if script in ("bench_gistar.py", "bench_mclp.py") and not REALDATA.exists():
        pytest.skip("needs ../shared/realdata")
    out = subprocess.run(
        [sys.executable, f"bench/{script}", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip()
