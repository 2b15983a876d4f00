"""Command line: ``hexpatrol demo | check`` (also ``python -m geo``)."""

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
