"""Command line: ``hexpatrol demo | check | hotspots`` (also ``python -m geo``)."""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

from geo.config import PROJECT_DIR, load_settings
from geo.errors import ConfigError, LedgerReadError


def _cmd_demo(args: argparse.Namespace) -> int:
    script = PROJECT_DIR / "data" / "make_demo.py"
    if not script.is_file():
        print(
            f"error: {script} not found (demo generation needs a source checkout)", file=sys.stderr
        )
        return 2
    argv = ["make_demo.py", "--seed", str(args.seed)]
    if args.out:
        argv += ["--out", str(args.out)]
    old = sys.argv
    sys.argv = argv
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = old
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from geo.export import to_safe_csv
    from geo.ingest import read_ledger
    from geo.regions import load_townships

    try:
        settings = load_settings(args.config)
        townships = None if args.no_townships else load_townships(settings.townships)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = read_ledger(args.file, crs=args.crs, kind=args.kind, townships=townships)
    except LedgerReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.file}: {result.n_rows} rows, {result.n_accepted} accepted, "
        f"{result.n_rejected} rejected"
    )
    if result.n_rejected:
        by_reason = result.rejects.groupby("reason_code")["row"].nunique()
        for code, n in by_reason.sort_values(ascending=False).items():
            print(f"  {code}: {n} rows")
        for rec in result.rejects.head(args.show).itertuples():
            print(f"  row {rec.row}, column {rec.column!r}: {rec.reason}")
    if args.rejects:
        Path(args.rejects).write_bytes(to_safe_csv(result.rejects_with_rows()))
        print(f"reject table written to {args.rejects}")
    return 0


def _cmd_hotspots(args: argparse.Namespace) -> int:
    import h3

    from geo.hotspots import GI_CLASSES, StudyArea, hotspots
    from geo.ingest import read_ledger
    from geo.periods import PERIOD_KEYS, label_events, select_period
    from geo.regions import load_key_areas, load_townships

    periods = [p.strip() for p in (args.period or "").split(",") if p.strip()]
    unknown = [p for p in periods if p.lstrip("!") not in PERIOD_KEYS]
    if unknown:
        print(
            f"error: unknown period {unknown}; choose from {', '.join(PERIOD_KEYS)}",
            file=sys.stderr,
        )
        return 2
    try:
        settings = load_settings(args.config)
        townships = None if args.no_townships else load_townships(settings.townships)
        key_areas = None if args.no_townships else load_key_areas(settings.key_areas)
        result = read_ledger(args.input, crs=args.crs, kind=args.kind, townships=townships)
    except (ConfigError, LedgerReadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    events = result.events
    print(
        f"{args.input}: {result.n_rows} rows, {result.n_accepted} accepted, "
        f"{result.n_rejected} rejected (see `hexpatrol check` for the reasons)"
    )
    if events.empty:
        print("error: no accepted events to analyse", file=sys.stderr)
        return 1
    labels = label_events(events, key_areas=key_areas, settings=settings.periods)
    for warning in labels.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    events = events[select_period(labels.labels, periods)]
    print(f"{len(events)} events in period {'+'.join(periods) or 'all'}")
    if townships is not None:
        area = StudyArea.from_townships(townships, args.res, args.k)
    elif len(events):
        area = StudyArea.from_points(events["lat"], events["lon"], args.res, args.k)
    else:
        print("error: no events in that period", file=sys.stderr)
        return 1
    weights = {"case": args.case_weight, "tip": args.tip_weight}
    hot = hotspots(events, area, weights=weights, transform=args.transform, fdr=not args.no_fdr)
    centres = [h3.cell_to_latlng(c) for c in hot["h3_cell"]]
    hot["lat"] = [round(c[0], 6) for c in centres]
    hot["lon"] = [round(c[1], 6) for c in centres]
    hot["gi_label"] = hot["gi_class"].map(lambda c: GI_CLASSES[c][0])
    hot.to_csv(args.out, index=False, encoding="utf-8-sig", float_format="%.6g")
    counts = hot["gi_class"].value_counts()
    summary = ", ".join(f"{c} {counts[c]}" for c in GI_CLASSES if c in counts and c != "ns")
    print(f"{len(hot)} cells written to {args.out} ({summary or 'no significant cell'})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hexpatrol``."""
    parser = argparse.ArgumentParser(
        prog="hexpatrol",
        description="H3 hotspot maps and patrol suggestions for illegal passenger transport.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="write the synthetic Yunyang demo data set")
    demo.add_argument("--out", type=Path, help="folder to write (default data/demo)")
    demo.add_argument("--seed", type=int, default=20251001)
    demo.set_defaults(func=_cmd_demo)

    check = sub.add_parser("check", help="validate a ledger: accepted and rejected rows")
    check.add_argument("file", help="CSV (UTF-8/GBK), XLSX or GeoJSON ledger")
    check.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        help="coordinate system of rows without a crs column (default wgs84)",
    )
    check.add_argument(
        "--kind", choices=["case", "tip"], help="record type of rows without a kind column"
    )
    check.add_argument("--rejects", metavar="OUT.csv", help="write the reject table here")
    check.add_argument("--config", help="hexpatrol.toml (default: $HEXPATROL_CONFIG or ./)")
    check.add_argument(
        "--no-townships",
        action="store_true",
        help="skip the township look-up (no study-area check)",
    )
    check.add_argument("--show", type=int, default=10, help="reject lines to print (default 10)")
    check.set_defaults(func=_cmd_check)

    hot = sub.add_parser("hotspots", help="Getis-Ord Gi* hotspots of a ledger, one row per cell")
    hot.add_argument("--input", required=True, help="any ledger `hexpatrol check` accepts")
    hot.add_argument("--out", required=True, help="CSV to write (h3_cell, n, gi_z, gi_p, …)")
    hot.add_argument(
        "--res",
        type=int,
        default=9,
        choices=range(7, 11),
        metavar="{7..10}",
        help="H3 resolution (default 9)",
    )
    hot.add_argument("--k", type=int, default=1, help="neighbourhood rings (default 1)")
    hot.add_argument(
        "--period",
        help="periods that must all hold, e.g. night,holiday (prefix ! to exclude: weekend,!night)",
    )
    hot.add_argument("--crs", choices=["wgs84", "gcj02", "bd09"])
    hot.add_argument("--kind", choices=["case", "tip"])
    hot.add_argument("--case-weight", type=float, default=1.0)
    hot.add_argument("--tip-weight", type=float, default=0.5)
    hot.add_argument("--transform", choices=["none", "log1p"], default="none")
    hot.add_argument("--no-fdr", action="store_true", help="classes from raw p, not FDR q")
    hot.add_argument("--config", help="hexpatrol.toml (default: $HEXPATROL_CONFIG or ./)")
    hot.add_argument(
        "--no-townships",
        action="store_true",
        help="no jurisdiction polygons: study area = the points' convex hull",
    )
    hot.set_defaults(func=_cmd_hotspots)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
