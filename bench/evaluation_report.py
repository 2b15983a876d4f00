"""Write docs/EVALUATION.md: rolling monthly backtests on the real and the demo data.

Run: ``.venv/bin/python bench/evaluation_report.py`` (about a minute). Every figure comes
from the ``hexpatrol evaluate`` commands printed in the report; real data are read in place
from ../shared/realdata.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.cli import main  # noqa: E402
from geo.evaluate import summarize  # noqa: E402

HOUSTON = "../shared/realdata/houston_crime_2010.csv.gz"
VANCOUVER = "../shared/realdata/vancouver_thefts_2020.csv.gz"
RUNS = [
    (
        "Houston 2010 (all offences)",
        [
            "--input",
            HOUSTON,
            "--lat-col",
            "lat",
            "--lon-col",
            "lon",
            "--time-col",
            "local_time",
            "--bbox",
            "-95.9",
            "29.4",
            "-94.9",
            "30.2",
        ],
    ),
    (
        "Vancouver 2020 (thefts)",
        [
            "--input",
            VANCOUVER,
            "--lat-col",
            "Y",
            "--lon-col",
            "X",
            "--time-col",
            "YEAR,MONTH,DAY,HOUR,MINUTE",
            "--crs",
            "EPSG:32610",
        ],
    ),
    ("Yunyang demo (synthetic cases)", ["--input", "data/demo/cases.csv"]),
]
VARIANTS = [("all", "9", []), ("all", "8", []), ("night", "9", ["--period", "night"])]


def md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def main_report() -> None:
    lines = [
        "# Evaluation: does the map predict next month?",
        "",
        "Rolling-origin monthly backtests (`geo.evaluate.backtest`): for every test month, each "
        "method forecasts from the months before it only; the top cells covering 1, 2, 5 and "
        "10% of the study area are flagged and scored on that month's events. **Hit rate** = "
        "share of the month's events in flagged cells; **PAI** = hit rate / flagged area share "
        "(Chainey 2008); **PEI** = hits / the most hits the same number of cells could have "
        "had (NIJ 2017). The study area is the H3 cells of the events' convex hull, widened "
        "by one ring. The first 3 months are training only.",
        "",
        "Methods (`geo.forecast`, parameters fixed in advance, nothing tuned on a test month): "
        "`last` (last month's counts, the baseline), `window12` (last 12 months), `ewma` "
        "(monthly decay 0.8), `kde` (ewma smoothed over two rings), `gistar` (Gi\\* z of the "
        "last 3 months), `near_repeat` (events of the last 28 days, 7-day decay, ring-1 "
        "spread) and **`default`**, which at each origin picks the base method with the best "
        "mean PAI at 5% over the three preceding backtest months (all before the origin), "
        "`ewma` when there are none yet.",
        "",
        "Reproduce with `.venv/bin/python bench/evaluation_report.py` (run from the project "
        "folder, ../shared beside it), or any single command below.",
        "",
        "## Headline: default vs last-period counts, PAI at 5% of the area",
        "",
        "| data | events used | res | period | test months | PAI@5% default | PAI@5% last | "
        "hit rate@5% default | hit rate@5% last | default beats last |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    details = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in RUNS:
            for period, res, extra in VARIANTS:
                cmd = [*args, "--res", res, *extra]
                buf = io.StringIO()
                out = Path(tmp) / "m.csv"
                with contextlib.redirect_stdout(buf):
                    code = main(["evaluate", *cmd, "--out", str(out)])
                if code != 0:
                    raise SystemExit(f"failed: {cmd}")
                used = buf.getvalue().split(" events used")[0].rsplit(" ", 1)[-1]
                metrics = pd.read_csv(out)
                summary = summarize(metrics)
                at5 = summary[summary["area_share"] == 0.05].set_index("method")
                d, last = at5.loc["default"], at5.loc["last"]
                lines.append(
                    f"| {name} | {int(used):,} | {res} | {period} | {int(d['months'])} | "
                    f"{d['pai']:.2f} | {last['pai']:.2f} | {d['hit_rate']:.1%} | "
                    f"{last['hit_rate']:.1%} | {'yes' if d['pai'] > last['pai'] else 'NO'} |"
                )
                chosen = (
                    metrics[metrics["method"] == "default"]
                    .groupby("month")["chosen"]
                    .first()
                    .value_counts()
                    .to_dict()
                )
                table = summary.pivot(
                    index="method", columns="area_share", values=["hit_rate", "pai", "pei"]
                )
                table.columns = [f"{m} @{s:.0%}" for m, s in table.columns]
                details += [
                    f"### {name}, res {res}, period {period}",
                    "",
                    f"`.venv/bin/hexpatrol evaluate {shlex.join(cmd)} --out metrics.csv`",
                    "",
                    f"default chose: {', '.join(f'{k} ({v} months)' for k, v in chosen.items())}",
                    "",
                    md_table(table.round(3).reset_index()),
                    "",
                ]
    lines += [
        "",
        "On the real data the default (which ends up choosing long-run weighted history, "
        "`ewma`/`window12`) beats last month's counts; smoothing (`kde`) and the near-repeat "
        "term lose at these fine resolutions because offences concentrate on the same "
        "micro-places month after month. On the synthetic demo the generator draws every "
        "month from the same stable sources, so long-run history is again the best guess.",
        "",
        "## Details (mean over test months)",
        "",
        *details,
    ]
    (ROOT / "docs" / "EVALUATION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("docs/EVALUATION.md written")


if __name__ == "__main__":
    main_report()
