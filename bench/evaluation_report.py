"""Write docs/EVALUATION.md: rolling monthly backtests on the real and the demo data.

Run: ``.venv/bin/python bench/evaluation_report.py`` (10-20 minutes on two cores). Every
figure comes from the ``hexpatrol evaluate`` commands printed in the report; real data are
read in place from ../shared/realdata. Other demo seeds are generated into a temporary
folder with ``hexpatrol demo --seed``.
"""

from __future__ import annotations

import contextlib
import io
import math
import shlex
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.cli import main  # noqa: E402
from geo.evaluate import WEIGHT_COLUMNS, summarize  # noqa: E402
from geo.forecast import BASE_METHODS  # noqa: E402

HOUSTON = "../shared/realdata/houston_crime_2010.csv.gz"
VANCOUVER = "../shared/realdata/vancouver_thefts_2020.csv.gz"
HOUSTON_ARGS = ["--input", HOUSTON, "--lat-col", "lat", "--lon-col", "lon"]
HOUSTON_ARGS += ["--time-col", "local_time", "--bbox", "-95.9", "29.4", "-94.9", "30.2"]
VANCOUVER_ARGS = ["--input", VANCOUVER, "--lat-col", "Y", "--lon-col", "X"]
VANCOUVER_ARGS += ["--time-col", "YEAR,MONTH,DAY,HOUR,MINUTE", "--crs", "EPSG:32610"]
DEMO_ARGS = ["--input", "data/demo/cases.csv"]
DATA = {
    "Houston 2010 (all offences)": HOUSTON_ARGS,
    "Vancouver 2020 (thefts)": VANCOUVER_ARGS,
    "Yunyang demo (synthetic cases)": DEMO_ARGS,
}
#: the data sets of the issue, and two variants the old report already had
MAIN = [
    (name, variant, extra)
    for name in DATA
    for variant, extra in (
        ("res 9", ["--res", "9"]),
        ("res 8", ["--res", "8"]),
        ("res 9, night", ["--res", "9", "--period", "night"]),
    )
]
#: variations: other resolutions, spans, samples, offence types, periods, and demo data from
#: other generator seeds. SEEN: those that were among the 26 runs looked at while choosing
#: the blend's design (with 20-30% instead of 10-20% samples); the others were run only
#: after the design was fixed.
SEEN = {
    ("Houston 2010", "res 10"),
    ("Vancouver 2020", "res 10"),
    ("Yunyang demo", "res 10"),
    ("Yunyang demo, seed 7", "res 9"),
    ("Yunyang demo, seed 7", "res 8"),
    ("Yunyang demo, seed 99", "res 9"),
    *{("Houston 2010", f"res 9, {k}") for k in ("theft", "burglary", "auto theft")},
    *{("Houston 2010", f"res 9, {k}") for k in ("aggravated assault", "robbery")},
    *{("Vancouver 2020", f"res 9, {k}") for k in ("Theft from Vehicle", "Other Theft")},
    ("Vancouver 2020", "res 9, Theft of Bicycle"),
}
HELD_OUT = [
    ("Houston 2010", "res 10", [*HOUSTON_ARGS, "--res", "10"]),
    ("Houston 2010", "res 7", [*HOUSTON_ARGS, "--res", "7"]),
    ("Houston 2010", "res 9, weekend", [*HOUSTON_ARGS, "--res", "9", "--period", "weekend"]),
    ("Houston 2010", "res 9, March-August", [*HOUSTON_ARGS, "--res", "9", "--since", "2010-03-01"]),
    ("Houston 2010", "res 9, 10% sample", [*HOUSTON_ARGS, "--res", "9", "--sample", "0.1"]),
    *[
        (
            "Houston 2010",
            f"res 9, {kind}",
            [*HOUSTON_ARGS, "--res", "9", "--where", f"offense={kind}"],
        )
        for kind in ("theft", "burglary", "auto theft", "aggravated assault", "robbery")
    ],
    ("Vancouver 2020", "res 10", [*VANCOUVER_ARGS, "--res", "10"]),
    ("Vancouver 2020", "res 7", [*VANCOUVER_ARGS, "--res", "7"]),
    ("Vancouver 2020", "res 9, weekend", [*VANCOUVER_ARGS, "--res", "9", "--period", "weekend"]),
    (
        "Vancouver 2020",
        "res 9, July-December",
        [*VANCOUVER_ARGS, "--res", "9", "--since", "2020-07-01"],
    ),
    ("Vancouver 2020", "res 9, 20% sample", [*VANCOUVER_ARGS, "--res", "9", "--sample", "0.2"]),
    *[
        (
            "Vancouver 2020",
            f"res 9, {kind}",
            [*VANCOUVER_ARGS, "--res", "9", "--where", f"TYPE={kind}"],
        )
        for kind in ("Theft from Vehicle", "Other Theft", "Theft of Bicycle", "Theft of Vehicle")
    ],
    ("Yunyang demo", "res 10", [*DEMO_ARGS, "--res", "10"]),
    ("Yunyang demo", "res 9, weekend", [*DEMO_ARGS, "--res", "9", "--period", "weekend"]),
    ("Yunyang demo", "res 9, 20% sample", [*DEMO_ARGS, "--res", "9", "--sample", "0.2"]),
    ("Yunyang demo", "res 9, tips only", ["--input", "data/demo/tips.csv", "--res", "9"]),
    ("Yunyang demo, seed 7", "res 9", ["--input", "{seed7}/cases.csv", "--res", "9"]),
    ("Yunyang demo, seed 7", "res 8", ["--input", "{seed7}/cases.csv", "--res", "8"]),
    ("Yunyang demo, seed 99", "res 9", ["--input", "{seed99}/cases.csv", "--res", "9"]),
]
PATROL = [
    ("Houston 2010", "res 9", [*HOUSTON_ARGS, "--res", "9"]),
    ("Vancouver 2020", "res 9", [*VANCOUVER_ARGS, "--res", "9"]),
    ("Yunyang demo", "res 9", [*DEMO_ARGS, "--res", "9"]),
    ("Yunyang demo", "res 9, night", [*DEMO_ARGS, "--res", "9", "--period", "night"]),
]
PATROL_OPTIONS = ["--patrol", "--teams", "6", "--radius", "1000"]


def md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def run(args: list[str], out: Path) -> tuple[pd.DataFrame, int]:
    """``hexpatrol evaluate ARGS --out OUT``; the metrics and the events used."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["evaluate", *args, "--out", str(out)])
    if code != 0:
        raise SystemExit(f"failed ({code}): {shlex.join(args)}")
    used = buf.getvalue().split(" events used")[0].rsplit(" ", 1)[-1]
    print(f"done: {shlex.join(args)}", file=sys.stderr, flush=True)
    return pd.read_csv(out), int(used)


def margin(metrics: pd.DataFrame) -> dict[str, object]:
    """Default vs the best single method (best on the mean) at 5%, with the paired SE."""
    at5 = metrics[metrics["area_share"] == 0.05]
    pai = at5.pivot(index="month", columns="method", values="pai")
    singles = pai[list(BASE_METHODS)].mean()
    best = str(singles.idxmax())
    diff = (pai["default"] - pai[best]).dropna()
    se = float(diff.std(ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    return {
        "months": len(pai),
        "default": float(pai["default"].mean()),
        "best": best,
        "best_pai": float(singles[best]),
        "last": float(singles["last"]),
        "margin": float(pai["default"].mean() - singles[best]),
        "se": se,
        "beats_all": bool(pai["default"].mean() >= singles.max() - 1e-9),
    }


def headline_row(name: str, variant: str, used: int, m: dict[str, object]) -> dict[str, str]:
    return {
        "data": name,
        "variant": variant,
        "events": f"{used:,}",
        "test months": str(m["months"]),
        "PAI@5% default": f"{m['default']:.2f}",
        "best single method": f"{m['best']} {m['best_pai']:.2f}",
        "margin ± SE": f"{m['margin']:+.3f} ± {m['se']:.3f}",
        "last month": f"{m['last']:.2f}",
        "default ≥ every single": "yes" if m["beats_all"] else "NO",
    }


def details(name: str, variant: str, cmd: list[str], metrics: pd.DataFrame) -> list[str]:
    summary = summarize(metrics)
    table = summary.pivot(index="method", columns="area_share", values=["hit_rate", "pai", "pei"])
    table.columns = [f"{m} @{s:.0%}" for m, s in table.columns]
    last = metrics[metrics["method"] == "default"].iloc[-1]
    weights = ", ".join(f"{c[2:]} {last[c]:.2f}" for c in WEIGHT_COLUMNS)
    return [
        f"### {name}, {variant}",
        "",
        f"`.venv/bin/hexpatrol evaluate {shlex.join(cmd)} --out metrics.csv`",
        "",
        f"Weights of the default in the last test month ({last['month']}): {weights}",
        "",
        md_table(table.round(3).reset_index()),
        "",
    ]


def patrol_rows(name: str, variant: str, result: pd.DataFrame) -> tuple[dict[str, str], str]:
    wide = result.pivot(index="month", columns="plan", values=["hit_rate", "area_share"])
    mean = result.groupby("plan")[["hit_rate", "area_share", "pai"]].mean()
    better = int((wide[("hit_rate", "default")] > wide[("hit_rate", "last")]).sum())
    worse = int((wide[("hit_rate", "default")] < wide[("hit_rate", "last")]).sum())
    row = {
        "data": name,
        "variant": variant,
        "test months": str(len(wide)),
        "forecast plan: events caught": f"{mean.loc['default', 'hit_rate']:.1%}",
        "last-month plan: events caught": f"{mean.loc['last', 'hit_rate']:.1%}",
        "area within reach (forecast / last)": (
            f"{mean.loc['default', 'area_share']:.2%} / {mean.loc['last', 'area_share']:.2%}"
        ),
        "PAI (forecast / last)": f"{mean.loc['default', 'pai']:.1f} / "
        f"{mean.loc['last', 'pai']:.1f}",
        "months forecast better / worse": f"{better} / {worse}",
    }
    months = pd.DataFrame(
        {
            "month": wide.index,
            "events": result.groupby("month")["events"].first().astype(int).to_numpy(),
            "forecast plan": wide[("hit_rate", "default")].map("{:.1%}".format).to_numpy(),
            "last-month plan": wide[("hit_rate", "last")].map("{:.1%}".format).to_numpy(),
        }
    )
    return row, md_table(months)


INTRO = [
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
    "Base methods (`geo.forecast`, parameters fixed in advance, nothing tuned on a test "
    "month): `last` (last month's counts, the baseline), `window12` (last 12 months), "
    "`ewma` (monthly decay 0.8), `kde` (ewma smoothed over two rings), `gistar` (Gi\\* z of "
    "the last 3 months), `near_repeat` (events of the last 28 days, 7-day decay, ring-1 "
    "spread).",
    "",
    "**`default`** (`geo.ensemble`) blends all six: each surface s is scaled to "
    "log(1 + s / mean(s)) and the blend is their weighted sum. The weights of month t come "
    "from the months before t only (at most 24): each earlier month T was forecast from the "
    "months before T and every method scored by its hit rate at 5%; the weight of a method "
    "is the share of 200 bootstrap resamplings of those months in which it has the best "
    "mean hit rate (ties share), shrunk toward equal weights by λ = 0.5 / (0.5 + months). "
    "Bagging the choice removes most of the noise of picking one winner (the former default "
    "picked the best method of the last three months and lost to `window12` on Vancouver at "
    "night), methods that are as good as the best share the weight, and the shrinkage keeps "
    "every method in play while there are few months. The design (log scaling, bagged "
    "weights, λ = 0.5, the 24-month window) was chosen among about fifteen variants "
    "(linear pools fitted by likelihood, softmax weights, rank averaging, other λ and "
    "windows) on the nine main runs and 14 of the variations; the variations marked "
    "*seen in design: no* were run only after it was fixed.",
    "",
    "**Margin ± SE**: the default's mean PAI at 5% minus that of the best single method "
    "(best on the mean, chosen after the fact, so the comparison is against hindsight), "
    "with the standard error of the paired monthly differences — the noise against which "
    "a margin should be read.",
    "",
    "Reproduce with `.venv/bin/python bench/evaluation_report.py` (run from the project "
    "folder, ../shared beside it), or any single command below.",
    "",
]


def main_report() -> None:
    main_rows, held_rows, patrol_table, patrol_months, detail = [], [], [], [], []
    held_commands: list[str] = []
    gains: list[tuple[str, str, pd.Series]] = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = {}
        for seed in (7, 99):
            folder = Path(tmp) / f"demo{seed}"
            with contextlib.redirect_stdout(io.StringIO()):
                main(["demo", "--seed", str(seed), "--out", str(folder)])
            seeds[f"seed{seed}"] = str(folder)
        out = Path(tmp) / "m.csv"
        for name, variant, extra in MAIN:
            cmd = [*DATA[name], *extra]
            metrics, used = run(cmd, out)
            main_rows.append(headline_row(name, variant, used, margin(metrics)))
            detail += details(name, variant, cmd, metrics)
        for name, variant, cmd in HELD_OUT:
            metrics, used = run([a.format(**seeds) for a in cmd], out)
            row = headline_row(name, variant, used, margin(metrics))
            held_rows.append(row | {"seen in design": "yes" if (name, variant) in SEEN else "no"})
            shown = shlex.join([a.format(seed7="demo7", seed99="demo99") for a in cmd])
            held_commands.append(f"- {name}, {variant}: `hexpatrol evaluate {shown} --out m.csv`")
        for name, variant, cmd in PATROL:
            result, _ = run([*cmd, *PATROL_OPTIONS], out)
            row, months = patrol_rows(name, variant, result)
            row["command"] = (
                f"`hexpatrol evaluate {shlex.join([*cmd, *PATROL_OPTIONS])} --out p.csv`"
            )
            patrol_table.append(row)
            patrol_months += [f"#### {name}, {variant}", "", months, ""]
            gains.append((name, variant, result.groupby("plan")["hit_rate"].mean()))
    main_frame, held_frame = pd.DataFrame(main_rows), pd.DataFrame(held_rows)
    lines = [*INTRO, "## Default vs every single method, PAI at 5% of the area", ""]
    lines += [md_table(main_frame), "", *summary_lines(main_frame, "main"), ""]
    lines += ["## Other data: variations of the three sets", "", md_table(held_frame), ""]
    lines += summary_lines(held_frame, "variation")
    unseen = held_frame[held_frame["seen in design"] == "no"].reset_index(drop=True)
    lines += ["", *summary_lines(unseen, "never-seen"), "", *DISCUSSION, ""]
    lines += ["Commands of the variations (`demo7`, `demo99`: made first with "]
    lines[-1] += "`hexpatrol demo --seed 7 --out demo7` and `--seed 99 --out demo99`):"
    lines += ["", *held_commands, ""]
    lines += [*PATROL_INTRO, md_table(pd.DataFrame(patrol_table).drop(columns="command")), ""]
    lines += [patrol_summary(gains), "", "Commands:", ""]
    lines += [f"- {r['data']}, {r['variant']}: {r['command']}" for r in patrol_table]
    lines += ["", "### Month by month (share of the month's events within reach)", ""]
    lines += [*patrol_months, "## Details (mean over test months)", "", *detail]
    (ROOT / "docs" / "EVALUATION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("docs/EVALUATION.md written")


def summary_lines(frame: pd.DataFrame, label: str) -> list[str]:
    margins = frame["margin ± SE"].str.split(" ± ").str[0].astype(float)
    ses = frame["margin ± SE"].str.split(" ± ").str[1].astype(float)
    wins = int((frame["default ≥ every single"] == "yes").sum())
    worst = int(margins.idxmin())
    within = (margins >= 0) | (margins.abs() <= 2 * ses)
    clearly = [
        f"{frame.loc[i, 'data']}, {frame.loc[i, 'variant']} ({margins[i]:+.3f} ± {ses[i]:.3f}, "
        f"{margins[i] / float(frame.loc[i, 'PAI@5% default']):+.1%})"
        for i in frame.index[~within]
    ]
    lines = [
        f"The default is ≥ every single method in {wins} of {len(frame)} {label} runs; the "
        f"largest shortfall is {margins[worst]:+.3f} PAI ({frame.loc[worst, 'data']}, "
        f"{frame.loc[worst, 'variant']}), and {int(within.sum())} of {len(frame)} margins are "
        "positive or within two standard errors of zero."
    ]
    if clearly:
        lines[0] += " Below by more than two standard errors: " + "; ".join(clearly) + "."
    return lines


def patrol_summary(gains: list[tuple[str, str, pd.Series]]) -> str:
    parts = [
        f"{name}, {variant}: {100 * (g['default'] - g['last']):+.1f} points"
        for name, variant, g in gains
    ]
    return (
        "Events caught by the forecast plan minus those caught by the last-month plan: "
        + "; ".join(parts)
        + ". With the same six teams the forecast plan catches more on the demo, whose "
        "monthly counts per cell are small and noisy while its sources are stable; on the real "
        "cities the two plans are within a fraction of a point, because six posts of 1 km reach "
        "only the very busiest downtown cells, which last month's counts already find. Per "
        "unit of area reached (PAI) the gap is smaller: the forecast plan's posts overlap less "
        "and reach slightly more of the area."
    )


DISCUSSION = [
    "Where the default falls short of the best single method it is by a small fraction of "
    "its PAI, and except where listed above inside the month-to-month noise; where it "
    "gains, a second method carries information the best one lacks (smoothing for sparse "
    "offences and small samples, recent activity at night). It cannot be guaranteed to be "
    "≥ a method picked after the fact on every data set — the best single method differs "
    "from set to set (`window12`, `ewma`, `kde`, `gistar`, `last`), and no rule that sees "
    "only the past can match hindsight everywhere. The claim the tables support is that it "
    "is never worse than the best single method by more than a fraction of a percent "
    "(mostly within noise), and far better than any fixed choice would be across all of "
    "them.",
]
PATROL_INTRO = [
    "## Patrol plans, backtested",
    "",
    "`geo.evaluate.patrol_backtest` (`hexpatrol evaluate --patrol`, and the 效果评估 page): "
    "for each of the last 12 months (after 3 of training), two plans of 6 posts with a reach "
    "of 1 km are made from the data before the month only — one covering the most default "
    "forecast risk, one covering the most of last month's counts (what a commander would "
    "do by hand) — and each is scored by the share of that month's events whose cell centre "
    "lies within 1 km of a post. Posts are chosen by lazy greedy among the riskiest tenth of "
    "the area; the share of the area within reach is nearly the same for both plans, so "
    "the events caught compare directly.",
    "",
]


if __name__ == "__main__":
    main_report()
