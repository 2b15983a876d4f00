"""Import a large, duplicate-heavy ledger: time and peak memory of `hexpatrol import`.

The hostile case of issue 15: 400 demo cases each repeated 500 times with new ids (200,000
rows, every copy a likely duplicate of hundreds of others: same plate, place and time), plus
a county-year case (the 5,494 demo cases copied ten times). Each import runs as its own
process into an empty SQLite store; the peak RSS is that process's (``ru_maxrss``).
Goal: ≤ 2 GB peak RSS for 200,000 rows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "demo" / "cases.csv"


def ledger(path: Path, distinct: int, copies: int) -> int:
    """Write ``distinct`` demo cases × ``copies`` with new ids; returns the row count."""
    cases = pd.read_csv(CASES, skiprows=1, dtype=str).head(distinct)
    parts = []
    for k in range(copies):
        part = cases.copy()
        part["案件编号"] = part["案件编号"] + f"-{k:04d}"
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return len(frame)


_CHILD = """
import resource, sys
from geo.cli import main
code = main(sys.argv[1:])
print("peak_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def run_import(path: Path, db: Path) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and the summary line of one `hexpatrol import` process."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, "import", str(path), "--db", f"sqlite:///{db}"]
        + ["--user", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t0
    lines = out.stdout.strip().splitlines()
    peak_kb = float(next(ln.split()[1] for ln in lines if ln.startswith("peak_kb")))
    return seconds, peak_kb / 1024, lines[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    args = parser.parse_args()
    cases = [("duplicate-heavy", 40, 50)] if args.quick else [
        ("county year", 5494, 10),
        ("duplicate-heavy", 400, 500),
    ]
    print("| ledger | rows | import time | peak RSS |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, distinct, copies in cases:
            path = Path(tmp) / f"{name.replace(' ', '_')}.csv"
            rows = ledger(path, distinct, copies)
            seconds, peak_mb, summary = run_import(path, Path(tmp) / f"{path.stem}.sqlite")
            print(f"| {name} | {rows:,} | {seconds:.1f} s | {peak_mb:,.0f} MB |")
            print(f"<!-- {summary} -->")


if __name__ == "__main__":
    main()
