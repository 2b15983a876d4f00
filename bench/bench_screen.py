"""Screening speed and memory: DuckDB vs pandas on the same features; Spark local[2]; out of core.

Run: ``.venv/bin/python bench/bench_screen.py [--quick] [--huge] [--no-spark]``.

Data: the synthetic demo county (``data/make_passes.py``, six weeks, ~2.3M passes) copied
until the wanted size, each copy with its own plates (another issuing-office letter or
province), written as daily Parquet files under ``var/bench_screen/`` (gitignored; made once).

- **DuckDB, 10M passes**: ``geo.screening.screen`` end to end (read, clean, features, both
  scorers and the backtest that picks one) in a fresh process; wall time and peak RSS.
- **vs pandas, 1M passes**: the same features by a straightforward pandas implementation
  (sort + group-by + merge, :func:`pandas_features` below), checked equal to DuckDB's in the
  same run; beside it the floor: DuckDB reading the same Parquet columns and nothing else.
- **Spark local[2], 10M passes**: the same screen on Spark (start-up timed separately).
- ``--huge``: **100M passes** from Parquet with DuckDB's memory limit at 2.5 GB: must finish,
  peak RSS below 4 GB.

``--quick`` runs every part at small sizes (tests/test_bench_quick.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data"))

from geo.screening.features import FEATURE_DTYPES, calendar_tables, day_number  # noqa: E402
from geo.screening.schema import PLATE_PATTERN, clean_plate  # noqa: E402
from geo.screening.settings import ScreeningSettings  # noqa: E402

CACHE = ROOT / "var" / "bench_screen"
NOW = dt.datetime(2025, 11, 1)
LETTERS = "ABCDEGHJKLMNPQRSTUVWXYZ"
PROVINCES = "渝川鄂湘黔陕甘豫"


# ---------------------------------------------------------------- data


def base_demo(quick: bool) -> Path:
    """The demo county written once (small in quick mode)."""
    import make_passes

    out = CACHE / ("base_quick" if quick else "base")
    if not (out / "summary.json").is_file():
        make_passes.write_demo(out, scale=0.05 if quick else 1.0, n_days=14 if quick else 42)
    return out


def _recode(plates: pa.ChunkedArray, copy: int) -> pa.Array:
    """Copy ``copy`` of a plate: another issuing-office letter (and province past 23 copies)."""
    if copy == 0:
        return plates
    letter, province = LETTERS[copy % len(LETTERS)], PROVINCES[copy // len(LETTERS)]
    values = plates.to_pandas()
    ok = values.str.match(PLATE_PATTERN)
    new = province + letter + values.str[2:]
    return pa.array(values.where(~ok, new))


def copies(n_rows: int, quick: bool) -> Path:
    """``n_rows`` passes: the demo county copied with fresh plates, daily Parquet files."""
    base = base_demo(quick)
    out = CACHE / f"passes_{n_rows}"
    if (out / "done").is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    files = sorted((base / "passes").glob("*.parquet"))
    tables = [pq.read_table(f) for f in files]
    per_copy = sum(t.num_rows for t in tables)
    left, copy = n_rows, 0
    while left > 0:
        for f, table in zip(files, tables, strict=True):
            take = table.slice(0, min(table.num_rows, left))
            if take.num_rows == 0:
                break
            take = take.set_column(0, "号牌号码", _recode(take.column(0), copy))
            pq.write_table(take, out / f"c{copy:03d}_{f.name}")
            left -= take.num_rows
        copy += 1
    (out / "done").write_text(f"{n_rows} rows, {copy} copies of {per_copy}\n")
    return out


# ---------------------------------------------------------------- one screen in a fresh process

RUNNER = """
import json, resource, sys, time, datetime as dt
t0 = time.perf_counter()
from dataclasses import replace
from geo.config import Settings
from geo.screening import screen
args = json.loads(sys.argv[1])
s = Settings()
if args["memory"]:
    s = replace(s, screening=replace(s.screening, duckdb_memory_limit=args["memory"]))
started = {}
def progress(label, fraction):
    started.setdefault(label, time.perf_counter())
r = screen(args["cps"], args["passes"], whitelist=args["white"], known="data/demo/cases.csv",
           engine=args["engine"], spark_master=args.get("master"), settings=s,
           date_from=dt.date.fromisoformat(args["first"]), now=dt.datetime(2025, 11, 1),
           progress=progress)
t1 = time.perf_counter()
feat = started.get("scoring vehicles", t1) - started.get("reading and checking passes", t0)
use = resource.getrusage(resource.RUSAGE_SELF)
peak, cpu = use.ru_maxrss / 1024, use.ru_utime + use.ru_stime
print(json.dumps({"seconds": t1 - t0, "cpu_s": cpu, "features_s": feat, "peak_mib": peak,
                  "rows": r.counts["rows_in"], "vehicles": len(r.suspects),
                  "scorer": r.scorer, "start_s": started.get("reading and checking passes",
                  t0) - t0}))
"""


def run_screen(
    passes: Path, base: Path, engine: str = "duckdb", memory: str = "", master: str | None = None
) -> dict[str, float]:
    """``screen`` on ``passes`` in a new Python process; time, phase times and peak RSS."""
    args = {
        "cps": str(base / "checkpoints.csv"),
        "passes": str(passes / "*.parquet"),
        "white": str(base / "whitelist.csv"),
        "engine": engine,
        "memory": memory,
        "master": master,
        "first": first_day(base).isoformat(),
    }
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{engine} screen failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def first_day(base: Path) -> dt.date:
    """The first simulated day (every pass is screened: the window starts there)."""
    return dt.date.fromisoformat(json.loads((base / "summary.json").read_text())["first_day"])


def load() -> str:
    return "load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg())


# ---------------------------------------------------------------- the pandas peer
#
# The same features as geo/screening/sql.py, written the way a pandas user would: sort,
# group-by shift, merge. Integer sums and one division per ratio, as in the SQL, so the
# results can be compared exactly.


def _clean(
    raw: pd.DataFrame, cps: pd.DataFrame, t_lo: int, t_hi: int, s: ScreeningSettings
) -> pd.DataFrame:
    """Valid passes in the window, double reads removed: plate, t, cp_id."""
    plate = raw["号牌号码"].map(clean_plate, na_action="ignore").fillna("")
    t = raw["过车时间"].astype("datetime64[s]").astype("int64")
    t = t.where(raw["过车时间"].notna())
    ok = plate.str.match(PLATE_PATTERN) & t.notna() & raw["卡口编号"].isin(set(cps["cp_id"]))
    ok &= (t >= t_lo) & (t < t_hi)
    p = pd.DataFrame({"plate": plate[ok], "t": t[ok].astype("int64"), "cp_id": raw["卡口编号"][ok]})
    p = p.sort_values(["plate", "cp_id", "t"], kind="stable")
    prev = p.groupby(["plate", "cp_id"], sort=False)["t"].shift()
    return p[~((p["t"] - prev) <= s.dedup_seconds)].reset_index(drop=True)


def _masked(plates: pd.Series) -> pd.DataFrame:
    rows = []
    for i in range(1, 13):
        has = plates.str.len() >= i
        sel = plates[has]
        rows.append(pd.DataFrame({"plate": sel, "k": sel.str[: i - 1] + "?" + sel.str[i:]}))
    return pd.concat(rows, ignore_index=True)


def _misread(p: pd.DataFrame, s: ScreeningSettings) -> pd.Series:
    """Rare plate → the frequent plate it is a misread of."""
    n = p["plate"].value_counts()
    rare = p[p["plate"].map(n) <= s.misread_max_passes]
    rk = _masked(rare["plate"].drop_duplicates()).merge(rare, on="plate")
    fk = _masked(pd.Series(n.index[n >= s.misread_min_passes]))
    cand = rk.merge(fk.rename(columns={"plate": "cand"}), on="k")
    cand = cand[cand["plate"] != cand["cand"]][["plate", "t", "cand"]].drop_duplicates()
    near = cand.merge(p[["plate", "t"]].rename(columns={"plate": "cand", "t": "t2"}), on="cand")
    near = near[(near["t2"] - near["t"]).abs() <= s.misread_minutes * 60]
    hit = near.groupby(["plate", "cand"])["t"].nunique().rename("m").reset_index()
    hit["nr"], hit["nc"] = hit["plate"].map(n), hit["cand"].map(n)
    hit = hit[(2 * hit["m"] >= hit["nr"]) & (hit["nc"] >= 5 * hit["nr"])]
    best = hit.sort_values(["plate", "nc", "cand"], ascending=[True, False, True])
    return best.drop_duplicates("plate").set_index("plate")["cand"]


def _sequence(p: pd.DataFrame, cps: pd.DataFrame, s: ScreeningSettings) -> pd.DataFrame:
    gap = s.trip_gap_minutes * 60
    p = p.merge(cps[["cp_id", "town", "hub", "x", "y"]], on="cp_id")
    p = p.sort_values(["plate", "t", "cp_id"], kind="stable").reset_index(drop=True)
    g = p.groupby("plate", sort=False)
    prev_t, next_t = g["t"].shift(), g["t"].shift(-1)
    prev_town, next_town = g["town"].shift(), g["town"].shift(-1)
    p["gap_in"], p["gap_out"] = p["t"] - prev_t, next_t - p["t"]
    p["new_visit"] = (~((prev_town == p["town"]) & (p["gap_in"] <= gap))).astype(int)
    p["end_visit"] = (~((next_town == p["town"]) & (p["gap_out"] <= gap))).astype(int)
    dx, dy = p["x"] - g["x"].shift(), p["y"] - g["y"].shift()
    leg = np.floor(np.sqrt(dx * dx + dy * dy) * s.road_factor + 0.5)
    p["leg_m"] = np.where(p["gap_in"] <= gap, leg, 0).astype("int64")
    p["day"], p["sod"] = p["t"] // 86400, p["t"] % 86400
    p["vid"] = p.groupby("plate", sort=False)["new_visit"].cumsum()
    return p


def _runs(seq: pd.DataFrame, s: ScreeningSettings) -> pd.DataFrame:
    gap, dwell = s.trip_gap_minutes * 60, s.dwell_minutes * 60
    v = seq.groupby(["plate", "vid"], sort=True).agg(
        town=("town", "min"), t_first=("t", "min"), t_last=("t", "max"), day=("day", "min")
    )
    v["gap_in"] = seq[seq["new_visit"] == 1].groupby(["plate", "vid"])["gap_in"].max()
    v["gap_out"] = seq[seq["end_visit"] == 1].groupby(["plate", "vid"])["gap_out"].max()
    end = (v["t_last"] - v["t_first"] >= dwell) | v["gap_in"].isna() | (v["gap_in"] > gap)
    end |= v["gap_out"].isna() | (v["gap_out"] > gap)
    e = v[end].reset_index()
    g = e.groupby("plate", sort=False)
    e["prev_town"], e["prev_out"], e["prev_day"] = (
        g["town"].shift(),
        g["gap_out"].shift(),
        g["day"].shift(),
    )
    r = e[
        e["prev_town"].notna()
        & (e["prev_town"] != e["town"])
        & (e["gap_in"] <= gap)
        & (e["prev_out"] <= gap)
    ]
    a = np.where(r["prev_town"] < r["town"], r["prev_town"], r["town"])
    b = np.where(r["prev_town"] < r["town"], r["town"], r["prev_town"])
    return pd.DataFrame({"plate": r["plate"], "day": r["prev_day"].astype("int64"), "a": a, "b": b})


def _routes(runs: pd.DataFrame) -> pd.DataFrame:
    pd_ = runs.groupby(["plate", "a", "b", "day"]).size().rename("n").reset_index()
    pd_["two"] = pd_["n"] >= 2
    pd_["nt"] = np.where(pd_["two"], pd_["n"], 0)
    pr = (
        pd_.groupby(["plate", "a", "b"])
        .agg(rdays=("two", "sum"), rtrips=("nt", "sum"), trips=("n", "sum"))
        .reset_index()
    )
    pr["all_trips"] = pr.groupby("plate")["trips"].transform("sum")
    pr = pr.sort_values(
        ["plate", "rdays", "rtrips", "trips", "a", "b"],
        ascending=[True, False, False, False, True, True],
    )
    return pr.drop_duplicates("plate").set_index("plate")


def _days(seq: pd.DataFrame, cal: pd.DataFrame, s: ScreeningSettings) -> pd.DataFrame:
    seq = seq.assign(
        early=((seq["sod"] >= 10800) & (seq["sod"] < s.early_hour * 3600)).astype(int),
        late=((seq["sod"] >= s.late_hour * 3600) | (seq["sod"] < 10800)).astype(int),
    )
    d = (
        seq.groupby(["plate", "day"])
        .agg(
            n=("t", "size"),
            first_sod=("sod", "min"),
            last_sod=("sod", "max"),
            m=("leg_m", "sum"),
            early=("early", "max"),
            late=("late", "max"),
        )
        .reset_index()
    )
    d = d.merge(cal, on="day")
    d["offn"] = np.where(d["off"] == 1, d["n"], 0)
    d["span"] = d["last_sod"] - d["first_sod"]
    return d.groupby("plate").agg(
        active_days=("day", "size"),
        n_passes=("n", "sum"),
        off_passes=("offn", "sum"),
        off_days=("off", "sum"),
        span_sec=("span", "sum"),
        early_days=("early", "sum"),
        late_days=("late", "sum"),
        metres=("m", "sum"),
    )


def _hubs(
    passes: pd.DataFrame, seq: pd.DataFrame, n_days: int, s: ScreeningSettings
) -> pd.DataFrame:
    b = s.wave_bin_minutes * 60
    at = passes[(passes["hub"] == 1) & (passes["sod"] >= 21600)]
    counts = at.groupby(["cp_id", "day", at["sod"] // b]).size().rename("n").reset_index()
    total = at.groupby("cp_id").size()
    bins_x_days = (18 * 60) // s.wave_bin_minutes * n_days
    wave = counts[counts["n"] * bins_x_days >= s.wave_factor * counts["cp_id"].map(total)]
    hp = seq[seq["hub"] == 1].copy()
    hp["g"] = hp["t"] - hp.groupby("plate", sort=False)["t"].shift()
    hp["visit"] = (hp["g"].isna() | (hp["g"] > s.hub_visit_gap_minutes * 60)).astype(int)
    hp["bin"] = hp["sod"] // b
    keys = set(zip(wave["cp_id"], wave["day"], wave["sod"], strict=True))
    hp["wave"] = [int(k in keys) for k in zip(hp["cp_id"], hp["day"], hp["bin"], strict=True)]
    hd = (
        hp.groupby(["plate", "day"])
        .agg(visits=("visit", "sum"), passes=("t", "size"), waves=("wave", "sum"))
        .reset_index()
    )
    hd["three"] = (hd["visits"] >= 3).astype(int)
    return hd.groupby("plate").agg(
        hub_days=("three", "sum"),
        hub_active_days=("day", "size"),
        hub_visits=("visits", "sum"),
        hub_passes=("passes", "sum"),
        hub_wave_passes=("waves", "sum"),
    )


def _markets(seq: pd.DataFrame, mkt: pd.DataFrame, mtown: pd.DataFrame) -> pd.DataFrame:
    m = seq.merge(mtown, on="town")
    on = set(zip(mkt["town"], mkt["day"], strict=True))
    m["mk"] = [int(k in on) for k in zip(m["town"], m["day"], strict=True)]
    m["key"] = np.where(m["mk"] == 1, m["town"] + "|" + m["day"].astype(str), None)
    return m.groupby("plate").agg(
        mk_passes=("mk", "sum"), mk_expected=("mdays", "sum"), mk_days=("key", "nunique")
    )


def pandas_features(
    raw: pd.DataFrame,
    cps: pd.DataFrame,
    white: set[str],
    lo: dt.date,
    hi: dt.date,
    markets: dict,
    s: ScreeningSettings,
) -> pd.DataFrame:
    """Every feature of :func:`geo.screening.features.compute_features`, in pandas."""
    t_lo, t_hi = day_number(lo) * 86400, (day_number(hi) + 1) * 86400
    p = _clean(raw, cps, t_lo, t_hi, s)
    p["plate"] = p["plate"].map(_misread(p, s)).fillna(p["plate"])
    cal, mkt, mtown, _ = calendar_tables(lo, hi, markets, None)
    allp = p.merge(cps[["cp_id", "hub"]], on="cp_id")
    allp["day"], allp["sod"] = allp["t"] // 86400, allp["t"] % 86400
    seq = _sequence(p[~p["plate"].isin(white)], cps, s)
    d = _days(seq, cal, s)
    r = _routes(_runs(seq, s)).reindex(d.index)
    h = _hubs(allp, seq, len(cal), s).reindex(d.index).fillna(0)
    m = _markets(seq, mkt, mtown).reindex(d.index).fillna(0)
    tw = seq.groupby("plate").agg(
        distinct_towns=("town", "nunique"),
        distinct_checkpoints=("cp_id", "nunique"),
        first_t=("t", "min"),
        last_t=("t", "max"),
    )
    return _assemble(d, r, h, m, tw, cal)


def _assemble(
    d: pd.DataFrame,
    r: pd.DataFrame,
    h: pd.DataFrame,
    m: pd.DataFrame,
    tw: pd.DataFrame,
    cal: pd.DataFrame,
) -> pd.DataFrame:
    n_off = max(int(cal["off"].sum()), 1)
    n_work, n_days = max(len(cal) - int(cal["off"].sum()), 1), len(cal)
    rdays, rtrips = r["rdays"].fillna(0), r["rtrips"].fillna(0)
    f = pd.DataFrame(index=d.index)
    f["n_passes"], f["active_days"] = d["n_passes"], d["active_days"]
    f["passes_per_day"] = d["n_passes"].astype(float) / d["active_days"]
    f["offday_active_days"] = d["off_days"]
    f["offday_lift"] = ((d["off_passes"] + 1) * n_work).astype(float) / (
        (d["n_passes"] - d["off_passes"] + 1) * n_off
    )
    f["hub_days"] = h["hub_days"]
    f["hub_visits_per_day"] = h["hub_visits"].astype(float) / h["hub_active_days"].clip(lower=1)
    f["hub_wave_share"] = h["hub_wave_passes"].astype(float) / h["hub_passes"].clip(lower=1)
    f["route_a"], f["route_b"] = r["a"], r["b"]
    f["route_days"] = rdays
    f["route_trips_per_day"] = rtrips.astype(float) / rdays.clip(lower=1)
    f["runs_per_day"] = r["all_trips"].fillna(0).astype(float) / d["active_days"]
    f["market_lift"] = (m["mk_passes"] + 1).astype(float) * n_days / (m["mk_expected"] + n_days)
    f["market_days_active"] = m["mk_days"]
    f["span_hours"] = d["span_sec"].astype(float) / (d["active_days"] * 3600)
    f["early_share"] = d["early_days"].astype(float) / d["active_days"]
    f["late_share"] = d["late_days"].astype(float) / d["active_days"]
    f["km_per_day"] = d["metres"].astype(float) / (d["active_days"] * 1000)
    f = f.join(tw).reset_index().sort_values("plate").reset_index(drop=True)
    for col, dtype in FEATURE_DTYPES.items():
        f[col] = f[col].astype(dtype)
    return f[list(FEATURE_DTYPES)]


# ---------------------------------------------------------------- the comparisons


def _inputs(base: Path) -> tuple[object, set[str], dt.date, dt.date]:
    from geo.config import Settings
    from geo.screening.core import load_checkpoints
    from geo.screening.inputs import read_whitelist

    cps = load_checkpoints(base / "checkpoints.csv", Settings(), None)
    white = set(read_whitelist(base / "whitelist.csv")[0]["plate"])
    summary = json.loads((base / "summary.json").read_text())
    return cps, white, first_day(base), dt.date.fromisoformat(summary["last_day"])


def _duck_features(
    files: list[str], cps: object, white: set[str], lo: dt.date, hi: dt.date
) -> tuple[pd.DataFrame, float, float]:
    """DuckDB features of ``files``: the table, wall seconds, CPU seconds (all threads)."""
    from geo.screening.engines import DuckDBEngine
    from geo.screening.features import compute_features
    from geo.screening.inputs import group_pass_files

    t0, c0 = time.perf_counter(), time.process_time()
    engine = DuckDBEngine()
    run = compute_features(
        engine,
        cps,
        group_pass_files(files, str(CACHE / "tmp")),
        white,
        date_from=lo,
        date_to=hi,
        now=NOW,
    )  # type: ignore[arg-type]
    engine.close()
    return run.features, time.perf_counter() - t0, time.process_time() - c0


def versus_pandas(passes: Path, base: Path, repeat: int = 3) -> dict[str, float]:
    """DuckDB features vs the pandas peer on the same files; equal output required.

    DuckDB runs ``repeat`` times (best wall time kept: the machine is shared); pandas once.
    CPU seconds count every thread of the process.
    """
    import duckdb

    from geo.screening.inputs import find_pass_files

    cps, white, lo, hi = _inputs(base)
    files = find_pass_files(str(passes / "*.parquet"))
    runs = [_duck_features(files, cps, white, lo, hi) for _ in range(repeat)]
    ours, duck_s, duck_cpu = min(runs, key=lambda r: r[1])
    t1, c1 = time.perf_counter(), time.process_time()
    raw = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    theirs = pandas_features(raw, cps.table, white, lo, hi, cps.markets, ScreeningSettings())
    pandas_s, pandas_cpu = time.perf_counter() - t1, time.process_time() - c1
    pd.testing.assert_frame_equal(ours[list(FEATURE_DTYPES)], theirs, check_exact=True)
    con = duckdb.connect()
    scans = []
    for _ in range(repeat):
        t3 = time.perf_counter()
        con.execute(
            "CREATE OR REPLACE TABLE x AS SELECT 号牌号码, 过车时间, 卡口编号 "
            f"FROM read_parquet('{passes}/*.parquet')"
        )
        scans.append(time.perf_counter() - t3)
    return {
        "rows": float(len(raw)),
        "vehicles": float(len(ours)),
        "duckdb_s": duck_s,
        "duckdb_cpu_s": duck_cpu,
        "pandas_s": pandas_s,
        "pandas_cpu_s": pandas_cpu,
        "scan_s": min(scans),
    }


def report(name: str, r: dict[str, float]) -> None:
    print(
        f"{name}: "
        + ", ".join(f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()),
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description="screening benchmark")
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    parser.add_argument("--huge", action="store_true", help="also 100M passes out of core")
    parser.add_argument("--no-spark", action="store_true", help="skip Spark")
    args = parser.parse_args(argv)
    q = args.quick
    base = base_demo(q)
    print(f"machine: {os.cpu_count()} cores; {load()}", flush=True)
    cmp = versus_pandas(copies(60_000 if q else 1_000_000, q), base)
    cmp["speed-up"] = cmp["pandas_s"] / cmp["duckdb_s"]
    cmp["speed-up_cpu"] = cmp["pandas_cpu_s"] / cmp["duckdb_cpu_s"]
    report("features on DuckDB vs pandas (same output)", cmp)
    big = copies(150_000 if q else 10_000_000, q)
    report("DuckDB screen", run_screen(big, base))
    if not (q or args.no_spark):
        report("Spark local[2] screen", run_screen(big, base, "spark", master="local[2]"))
    if args.huge and not q:
        report(
            "DuckDB screen, 100M, memory_limit 2.5GB",
            run_screen(copies(100_000_000, q), base, memory="2.5GB"),
        )
    print(f"done; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
