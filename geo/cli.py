"""Command line (``hexpatrol …`` or ``python -m geo …``); ``hexpatrol -h`` lists the commands."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.auth import AuthError, Scope
from geo.config import PROJECT_DIR, load_settings
from geo.errors import ConfigError, HexpatrolError, LedgerReadError
from geo.schema import TZ
from geo.store import Store, StoreError, open_store

if TYPE_CHECKING:
    import pandas as pd

    from geo.dataset import Dataset
    from geo.planning import PlanRequest, PlanResult


def _cmd_demo(args: argparse.Namespace) -> int:
    script = PROJECT_DIR / "data" / "make_demo.py"
    if not script.is_file():
        print(
            f"error: {script} not found (demo generation needs a source checkout)", file=sys.stderr
        )
        return 2
    argv = [sys.executable, str(script), "--seed", str(args.seed)]
    if args.out:
        argv += ["--out", str(args.out)]
    return subprocess.run(argv, check=False).returncode


def _cmd_check(args: argparse.Namespace) -> int:
    from geo.dataset import settings_townships
    from geo.export import to_safe_csv
    from geo.ingest import read_ledger

    try:
        settings = load_settings(args.config)
        townships = None if args.no_townships else settings_townships(settings)
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
    _print_notes(result.notes, result.kind_guess)
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


def _print_notes(notes: list[tuple[str, str]], kind_guess: str | None) -> None:
    """What the user should know beyond the counts (sheets skipped, townships corrected)."""
    if kind_guess:
        print(f"  record type read from the headers: {kind_guess}")
    for en, _zh in notes:
        print(f"  note: {en}")


def _cmd_hotspots(args: argparse.Namespace) -> int:
    import h3

    from geo.dataset import ledger_dataset, settings_townships
    from geo.hotspots import GI_CLASSES, StudyArea
    from geo.ingest import read_ledger
    from geo.periods import PERIOD_KEYS
    from geo.regions import load_key_areas
    from geo.views import EventQuery, GiOptions, hotspot_view, period_events

    periods = tuple(p.strip() for p in (args.period or "").split(",") if p.strip())
    unknown = [p for p in periods if p.lstrip("!") not in PERIOD_KEYS]
    if unknown:
        print(
            f"error: unknown period {unknown}; choose from {', '.join(PERIOD_KEYS)}",
            file=sys.stderr,
        )
        return 2
    try:
        settings = load_settings(args.config)
        townships = None if args.no_townships else settings_townships(settings)
        key_areas = None if args.no_townships else load_key_areas(settings.key_areas)
        result = read_ledger(args.input, crs=args.crs, kind=args.kind, townships=townships)
    except (ConfigError, LedgerReadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.input}: {result.n_rows} rows, {result.n_accepted} accepted, "
        f"{result.n_rejected} rejected (see `hexpatrol check` for the reasons)"
    )
    if result.events.empty:
        print("error: no accepted events to analyse", file=sys.stderr)
        return 1
    ds = ledger_dataset(
        result.events, townships=townships, key_areas=key_areas, periods=settings.periods
    )
    for warning in ds.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    query = EventQuery(args.res, periods=periods)
    events = period_events(ds, **query.filters())
    print(f"{len(events)} events in period {'+'.join(periods) or 'all'}")
    area = None  # the townships' cells (and their events')
    if townships is None:
        if events.empty:
            print("error: no events in that period", file=sys.stderr)
            return 1
        area = StudyArea.from_points(events["lat"], events["lon"], args.res, args.k)
    gi = GiOptions((args.case_weight, args.tip_weight), args.k, args.transform, not args.no_fdr)
    view = hotspot_view(ds, query, gi=gi, area=area, trends=False, lang="zh")
    hot = view.stats.drop(columns=["trend", "trend_label"])
    centres = [h3.cell_to_latlng(c) for c in hot["h3_cell"]]
    hot["lat"] = [round(c[0], 6) for c in centres]
    hot["lon"] = [round(c[1], 6) for c in centres]
    hot = hot[[c for c in hot.columns if c != "gi_label"] + ["gi_label"]]  # columns as before
    hot.to_csv(args.out, index=False, encoding="utf-8-sig", float_format="%.6g")
    counts = hot["gi_class"].value_counts()
    summary = ", ".join(f"{c} {counts[c]}" for c in GI_CLASSES if c in counts and c != "ns")
    print(f"{len(hot)} cells written to {args.out} ({summary or 'no significant cell'})")
    return 0


def _parse_hours(text: str) -> tuple[dt.time, dt.time]:
    try:
        a, b = (dt.time.fromisoformat(x.strip()) for x in text.split("-"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"hours {text!r} are not HH:MM-HH:MM") from exc
    return a, b


def _parse_where(text: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"filter {text!r} is not COLUMN=VALUE")
    return column.strip(), value.strip()


def _parse_latlon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"base {text!r} is not LAT,LON") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"base {text!r} is out of range (LAT,LON)")
    return lat, lon


def _holiday_days(text: str, settings: Any) -> tuple[dt.date, ...]:
    """The days of a statutory holiday given as KEY:YEAR (national_day:2025)."""
    from geo.periods import holiday_blocks

    key, _, year = text.partition(":")
    if not year.isdigit():
        return ()
    first, last = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    for block in holiday_blocks(first, last, settings.periods):
        if key.strip() in block.keys:
            return block.days
    return ()


def _plan_request(args: argparse.Namespace, ds: Dataset, settings: Any) -> PlanRequest | int:
    """The plan request of ``hexpatrol plan``'s options (or an exit code after an error)."""
    from geo.coverage import ring_radius_m
    from geo.planning import PlanRequest

    ka = ds.key_areas
    fixed = []
    for item in [x.strip() for x in (args.fixed or "").split(",") if x.strip()]:
        hit = ka[(ka["id"] == item) | (ka["name"] == item)]
        if hit.empty:
            print(
                f"error: fixed post {item!r} is not a key area; known: {', '.join(ka['name'])}",
                file=sys.stderr,
            )
            return 2
        fixed.append(str(hit["id"].iloc[0]))
    days: tuple[dt.date, ...] = _holiday_days(args.holiday, settings) if args.holiday else ()
    if args.holiday and not days:
        print(
            f"error: --holiday {args.holiday}: no such holiday (e.g. national_day:2025)",
            file=sys.stderr,
        )
        return 2
    if args.date_from or args.date_to:
        first = args.date_from or args.date_to
        last = args.date_to or args.date_from
        if last < first:
            print("error: --to is before --from", file=sys.stderr)
            return 2
        days = tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    radius = args.radius if args.k_ring is None else ring_radius_m(args.k_ring, args.res)
    try:
        request = PlanRequest(
            period=args.period,
            teams=args.teams,
            team_size=args.team_size,
            radius_m=radius,
            fixed_posts=tuple(fixed),
            bases=tuple(args.base),
            max_travel_m=args.max_travel,
            days=days,
            holiday_factor=args.holiday_factor,
            shifts=args.shifts,
            hours=args.hours,
            res=args.res,
            exact=not args.greedy,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return request


def _cmd_plan(args: argparse.Namespace) -> int:
    from geo.dataset import load_dataset
    from geo.export import to_safe_csv
    from geo.planning import make_plan, track_record_text

    try:
        settings = load_settings(args.config)
        ds = load_dataset(settings, ledgers=[args.input])
    except (ConfigError, LedgerReadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.input}: {len(ds.events)} events accepted, "
        f"{ds.rejects['row'].nunique() if len(ds.rejects) else 0} rows rejected"
    )
    request = _plan_request(args, ds, settings)
    if isinstance(request, int):
        return request
    result = make_plan(ds, request, periods=settings.periods)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    posts = result.plan.posts
    if result.schedule is not None:
        table = result.schedule.days
    else:
        table = posts.assign(day="")
    cols = ["day", "kind", "h3_cell", "lat", "lon", "name", "time", "risk_covered"]
    Path(args.out).write_bytes(to_safe_csv(table[cols].round({"lat": 5, "lon": 5})))
    f = result.figures
    method = "exact (HiGHS, optimal)" if f["optimal"] else "greedy"
    print(
        f"{len(posts)} posts ({int(f['fixed_posts'])} fixed) by {method}: "
        f"{f['coverage_share']:.1%} of the period's risk covered, "
        f"{int(f['hot_cells_covered'])}/{int(f['hot_cells'])} hot cells; "
        f"{int(f['person_shifts'])} person-shifts"
    )
    if result.schedule is not None:
        print(
            f"rotation over {len(request.days)} days: expected coverage "
            f"{result.schedule.expected_coverage:.1%}"
        )
    if result.outlook is not None:
        print(f"risk: the default forecast of {result.outlook.month} for this period")
        print(track_record_text(f, "en"))
    print(f"plan written to {args.out}")
    _plan_files(args, ds, request, result, settings)
    return 0


def _plan_files(
    args: argparse.Namespace, ds: Dataset, request: PlanRequest, result: PlanResult, settings: Any
) -> None:
    """The plan's Excel workbook and printable page (with the posts' map), when asked for."""
    import pandas as pd

    from geo.export import plan_to_html, plan_to_xlsx
    from geo.i18n import t
    from geo.planning import track_record_text
    from geo.planprint import plan_map_png, printed_plan

    if not (args.xlsx or args.html):
        return
    period = t(f"period_{args.period}", "zh")
    title = f"{settings.region_name}巡逻建议({period} {result.time_window})"
    plan = printed_plan(result, request, title=title, period_label=period)
    font = str(settings.cjk_font) if settings.cjk_font else None
    picture = plan_map_png(ds, plan, result.cells, font_file=font)
    notes = [f"生成时间 {pd.Timestamp.now(tz=TZ):%Y-%m-%d %H:%M}"]
    if result.outlook is not None:
        notes += [f"风险:{result.outlook.month}综合预测。", track_record_text(result.figures, "zh")]
    if args.xlsx:
        Path(args.xlsx).write_bytes(plan_to_xlsx(plan, map_png=picture, notes=notes))
        print(f"workbook written to {args.xlsx}")
    if args.html:
        Path(args.html).write_text(
            plan_to_html(plan, map_png=picture, notes=notes), encoding="utf-8"
        )
        print(f"printable page written to {args.html}")


def _read_evaluation_input(args: argparse.Namespace) -> tuple[pd.DataFrame, int] | int:
    """Events of a point file (``--*-col``) or a ledger, and the rows left out."""
    from geo.evaluate import read_points
    from geo.ingest import read_ledger

    try:
        if args.lat_col or args.lon_col or args.time_col:
            if not (args.lat_col and args.lon_col and args.time_col):
                print("error: give --lat-col, --lon-col and --time-col together", file=sys.stderr)
                return 2
            events = read_points(
                args.input,
                lat_col=args.lat_col,
                lon_col=args.lon_col,
                time_col=args.time_col,
                crs=args.crs,
                where=dict(args.where),
            )
            return events, int(events.attrs.get("dropped", 0))
        result = read_ledger(args.input, crs=args.crs if args.crs else None)
        return result.events, result.n_rejected
    except (LedgerReadError, ValueError, KeyError, OSError) as exc:
        print(f"error: {args.input}: {exc}", file=sys.stderr)
        return 2


def _narrow(events: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """Events inside ``--bbox``, between ``--since`` and ``--until``, ``--sample`` of them."""
    import pandas as pd

    keep = pd.Series(True, index=events.index)
    if args.bbox:
        minx, miny, maxx, maxy = args.bbox
        keep &= events["lon"].between(minx, maxx) & events["lat"].between(miny, maxy)
    times = events["occurred_at"]
    local = times.dt.tz_localize(None) if times.dt.tz is not None else times
    if args.since:
        keep &= local >= pd.Timestamp(args.since)
    if args.until:
        keep &= local < pd.Timestamp(args.until) + pd.Timedelta(days=1)
    events = events[keep].reset_index(drop=True)
    if args.sample is not None:
        events = events.sample(frac=args.sample, random_state=0).sort_index()
    return events.reset_index(drop=True)


def _evaluation_events(args: argparse.Namespace) -> pd.DataFrame | int:
    """The events ``hexpatrol evaluate`` scores (or an exit code after an error message)."""
    from geo.periods import PERIOD_KEYS, label_events, select_period

    periods = [p.strip() for p in (args.period or "").split(",") if p.strip()]
    bad = [p for p in periods if p.lstrip("!") not in PERIOD_KEYS]
    if bad:
        print(f"error: unknown period {bad}; periods: {', '.join(PERIOD_KEYS)}", file=sys.stderr)
        return 2
    if args.sample is not None and not 0 < args.sample <= 1:
        print(f"error: --sample was {args.sample} but must be in (0, 1]", file=sys.stderr)
        return 2
    read = _read_evaluation_input(args)
    if isinstance(read, int):
        return read
    events, dropped = read
    narrowed = _narrow(events, args)
    dropped += len(events) - len(narrowed)
    events = narrowed
    if periods:
        if events["occurred_at"].dt.tz is None:
            events = events.assign(occurred_at=events["occurred_at"].dt.tz_localize(TZ))
        events = events[select_period(label_events(events).labels, periods)]
    print(f"{args.input}: {len(events)} events used, {dropped} rows left out")
    return events


def _cmd_patrol_backtest(args: argparse.Namespace, events: pd.DataFrame) -> int:
    from geo.evaluate import patrol_backtest

    try:
        result = patrol_backtest(
            events,
            res=args.res,
            teams=args.teams,
            radius_m=args.radius,
            months=args.months,
            min_train_months=args.min_train,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.empty:
        print("error: not enough months for a patrol backtest", file=sys.stderr)
        return 1
    result.to_csv(args.out, index=False, float_format="%.6g")
    table = result.pivot(index="month", columns="plan", values=["hit_rate", "area_share"])
    table.columns = [f"{plan} {what}" for what, plan in table.columns]
    print(
        f"{result['month'].nunique()} test months, res {args.res}, {args.teams} posts of "
        f"{args.radius:g} m; share of each month's events within the plan's reach:"
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    mean = result.groupby("plan")[["hit_rate", "area_share", "pai"]].mean()
    for plan, row in mean.iterrows():
        print(
            f"mean {plan}: {row['hit_rate']:.1%} of events in {row['area_share']:.2%} "
            f"of the area (PAI {row['pai']:.1f})"
        )
    print(f"patrol backtest written to {args.out}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.evaluate import backtest, summarize
    from geo.forecast import METHODS

    methods = list(METHODS) if args.method == "all" else [m.strip() for m in args.method.split(",")]
    bad_methods = [m for m in methods if m not in METHODS]
    if bad_methods:
        print(
            f"error: unknown method {bad_methods}; methods: {', '.join(METHODS)}, all",
            file=sys.stderr,
        )
        return 2
    events = _evaluation_events(args)
    if isinstance(events, int):
        return events
    if args.patrol:
        return _cmd_patrol_backtest(args, events)
    metrics = backtest(events, res=args.res, methods=methods, min_train_months=args.min_train)
    if metrics.empty:
        print("error: not enough months for a backtest", file=sys.stderr)
        return 1
    metrics.to_csv(args.out, index=False, float_format="%.6g")
    summary = summarize(metrics)
    print(f"{metrics['month'].nunique()} test months, res {args.res}; mean over months:")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"metrics written to {args.out}")
    return 0


def _brief_screens(settings: Any, ds: Any, month: str) -> Any:
    """The month's checkpoint-pass screens for the briefing, or None without a pass folder."""
    from geo.briefsuspects import month_screens, previous_month
    from geo.screening.inputs import ScreeningInputError, known_from_events
    from geo.vehicles import find_pass_folder

    folder = find_pass_folder(settings.data_dir)
    try:
        before = previous_month(month)
    except ValueError:  # the briefing says so
        return None
    if folder is None:
        return None
    print(
        f"screening the checkpoint passes in {folder.root} for {month} and {before} …",
        file=sys.stderr,
        flush=True,
    )
    try:
        return month_screens(
            folder, settings, ds.townships, month, known=known_from_events(ds.events)
        )
    except ScreeningInputError as exc:
        print(f"warning: no section on suspect vehicles: {exc}", file=sys.stderr)
        return None


def _cmd_brief(args: argparse.Namespace) -> int:
    from geo.briefdoc import to_docx, to_pdf
    from geo.briefmap import deployment_briefing
    from geo.config import is_demo
    from geo.dataset import load_dataset

    try:
        settings = load_settings(args.config)
        if args.input:
            ds = load_dataset(settings, ledgers=args.input)
        else:  # what the app shows: the store (imports, undos, reviews, edited key areas)
            with _store(args) as store:
                ds = load_dataset(settings, store=store, scope=Scope(None, mask_plates=False))
    except (ConfigError, LedgerReadError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.all_townships:
        scopes: list[str | None] = [None, *ds.townships["code"].tolist()]
    else:
        scopes = [args.township]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    synthetic = is_demo(settings)
    screens = _brief_screens(settings, ds, args.month)
    failed = 0
    for i, code in enumerate(scopes, start=1):
        try:
            b = deployment_briefing(
                ds, args.month, settings, township=code, teams=args.teams, screens=screens
            )
        except ValueError as exc:
            print(f"[{i}/{len(scopes)}] {code or 'county'}: skipped ({exc})", file=sys.stderr)
            failed += 1
            continue
        stem = out / f"briefing_{args.month}_{code or 'county'}"
        stem.with_suffix(".png").write_bytes(b.map_png)
        docx = to_docx(b, synthetic=synthetic)
        stem.with_suffix(".docx").write_bytes(docx)
        made = [".docx", ".png"]
        if not args.no_pdf:
            try:
                stem.with_suffix(".pdf").write_bytes(to_pdf(docx))
                made.append(".pdf")
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"warning: no PDF for {b.scope}: {exc}", file=sys.stderr)
        print(
            f"[{i}/{len(scopes)}] {b.scope}: {b.figures['cases']} cases, {b.figures['tips']} "
            f"tips -> {stem.name}{{{','.join(made)}}}",
            flush=True,
        )
    return 1 if failed == len(scopes) else 0


def _cmd_init(args: argparse.Namespace) -> int:
    from geo.scaffold import init_deployment

    try:
        made = init_deployment(args.dir, args.region, code=args.code, force=args.force)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in made:
        print(f"wrote {path}")
    print(f"next: put township polygons in {Path(args.dir) / 'boundaries'} and follow README.txt")
    return 0


def _cmd_basemap(args: argparse.Namespace) -> int:
    from geo.tiles import TilesError, import_tiles, list_tilesets, remove_tileset

    try:
        if args.action == "list":
            found = list_tilesets(args.out)
            for ts in found:
                print(
                    f"{ts.name}: {ts.tiles} {ts.format} tiles, zoom {ts.minzoom}-{ts.maxzoom}, "
                    f"bounds {', '.join(f'{v:.4f}' for v in ts.bounds)}"
                )
            if not found:
                print("no tile sets imported (hexpatrol basemap import FILE.mbtiles)")
            return 0
        if not args.source:
            print(f"error: basemap {args.action} needs a file or name", file=sys.stderr)
            return 2
        if args.action == "remove":
            if not remove_tileset(args.source, root=args.out):
                print(f"error: no tile set named {args.source!r}", file=sys.stderr)
                return 2
            print(f"tile set {args.source} removed")
            return 0
        info = import_tiles(
            args.source,
            name=args.name,
            out_dir=args.out,
            tms=args.tms,
            progress=lambda n: print(f"  {n} tiles…", flush=True),
        )
    except TilesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.source}: {info.tiles} {info.format} tiles, zoom {info.minzoom}-{info.maxzoom} "
        f"-> tile set {info.name!r}"
    )
    if args.out is None:
        print(f'use it: set tiles = "local" and basemap = "{info.name}" in hexpatrol.toml')
    return 0


def _whoami(given: str | None) -> str:
    """The user name to record: ``--user``, else the login name ("unknown" if it has none)."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _store(args: argparse.Namespace) -> Store:
    settings = load_settings(args.config)
    return open_store(args.db, configured=settings.database_url, data_dir=settings.data_dir)


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.dataset import settings_townships
    from geo.export import rejects_to_xlsx
    from geo.imports import commit_import, preview_import

    try:
        settings = load_settings(args.config)
        townships = settings_townships(settings)
        if args.scope and args.scope not in set(townships["code"]):
            raise ConfigError(f"--scope {args.scope!r} is not a configured township code")
        store = open_store(args.db, configured=settings.database_url, data_dir=settings.data_dir)
    except (ConfigError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    with store:
        for file in args.files:
            try:
                preview = preview_import(
                    store,
                    file,
                    crs=args.crs,
                    kind=args.kind,
                    townships=townships,
                    scope=args.scope,
                )
            except (LedgerReadError, OSError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 2
                continue
            c = preview.counts
            print(
                f"{file}: {c['rows']} rows: {c['new']} new, {c['changed']} changed, "
                f"{c['unchanged']} duplicate (already stored), {c['rejected']} rejected, "
                f"{c['flagged']} flagged as likely duplicates"
            )
            _print_notes(preview.result.notes, preview.result.kind_guess)
            if c["rejected"] and args.rejects:
                out = Path(args.rejects)
                if len(args.files) > 1:
                    out = out.with_name(f"{out.stem}_{Path(file).stem}{out.suffix}")
                out.write_bytes(rejects_to_xlsx(preview.result.rejects_with_rows()))
                print(f"  reject table written to {out}")
            if args.dry_run:
                continue
            if c["rows"] == 0:
                print("  nothing to import: the ledger has no rows")
                continue

            def progress(done: int, total: int) -> None:
                print(f"  writing {done}/{total}", file=sys.stderr, flush=True)

            batch = commit_import(store, preview, username=_whoami(args.user), progress=progress)
            print(f"  batch {batch} committed", flush=True)
    return status


def _cmd_batches(args: argparse.Namespace) -> int:
    from geo.imports import batch_changes, batch_table

    try:
        store = _store(args)
    except (ConfigError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with store:
        table = batch_table(store)
        if args.show:
            changes = batch_changes(store, args.show, mask=False)
            if changes.empty:
                print(f"batch {args.show} wrote no records (or there is no such batch)")
            for rec in changes.itertuples():
                print(
                    f"{rec.change:<8} {rec.event_id}  {rec.occurred_at:%Y-%m-%d %H:%M}  "
                    f"{rec.township_code}  {rec.fields}"
                )
            return 0
    if table.empty:
        print("no import batches yet (hexpatrol import FILE adds one)")
    for rec in table.itertuples():
        print(
            f"{rec.batch_id}  {rec.created_at:%Y-%m-%d %H:%M}  {rec.status:<9}  "
            f"{rec.username:<10}  {rec.n_new} new, {rec.n_changed} changed, "
            f"{rec.n_unchanged} duplicate, {rec.n_rejected} rejected, "
            f"{rec.n_flagged} flagged  {rec.file_name}"
        )
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    from geo.imports import undo_batch

    try:
        with _store(args) as store:
            done = undo_batch(store, args.batch, username=_whoami(args.user))
    except (ConfigError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"batch {args.batch} undone: {done['removed']} events removed, "
        f"{done['restored']} previous versions restored"
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise AuthError("the two passwords differ")
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from geo.auth import add_user, list_users, remove_user, set_password
    from geo.dataset import settings_townships

    if args.action != "list" and not args.name:
        print(f"error: hexpatrol users {args.action} needs a user name", file=sys.stderr)
        return 2
    try:
        settings = load_settings(args.config)
        store = open_store(args.db, configured=settings.database_url, data_dir=settings.data_dir)
        with store:
            by = _whoami(None)
            if args.action == "list":
                table = list_users(store)
                if table.empty:
                    print("no users yet: hexpatrol users add NAME --role commander")
                for rec in table.fillna("").itertuples():
                    print(f"{rec.username:<16} {rec.role:<10} {rec.township_code}")
            elif args.action == "add":
                codes = set(settings_townships(settings)["code"])
                add_user(
                    store,
                    args.name,
                    _read_password(args),
                    role=args.role,
                    township_code=args.township,
                    display_name=args.display_name or args.name,
                    by=by,
                    known_townships=codes,
                )
                print(f"user {args.name} added ({args.role})")
            elif args.action == "passwd":
                set_password(store, args.name, _read_password(args), by=by)
                print(f"password of {args.name} changed")
            else:
                remove_user(store, args.name, by=by)
                print(f"user {args.name} removed")
    except (ConfigError, StoreError, AuthError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _screen_progress() -> Callable[[str, float | None], None]:
    """Progress lines on stderr: one per step; on a terminal, the percentage in place."""
    tty = sys.stderr.isatty()
    last = {"label": ""}

    def report(label: str, fraction: float | None) -> None:
        if label != last["label"]:
            if tty and last["label"]:
                print(file=sys.stderr)
            last["label"] = label
            print(f"  {label} …", end="" if tty else "\n", file=sys.stderr, flush=True)
        elif tty and fraction is not None:
            print(f"\r  {label} … {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    return report


def _screen_store_known(args: argparse.Namespace, settings: Any) -> Any:
    """Known plates from the store's cases (and an audit line), when there is a store."""
    import os

    from geo.screening import known_from_events

    configured = args.db or os.environ.get("HEXPATROL_DB_URL") or settings.database_url
    if not configured and not (Path(settings.data_dir) / "hexpatrol.sqlite").is_file():
        return None
    with open_store(args.db, configured=settings.database_url, data_dir=settings.data_dir) as st:
        st.log(_whoami(None), "screen", detail=f"passes={args.passes} out={args.out}")
        return known_from_events(st.events())


def _print_screen_account(result: Any, lang: str) -> None:
    from geo.i18n import t

    c = result.counts
    w0, w1 = result.window
    print(
        f"passes: {c['rows_in']:,} rows in = {c['used']:,} used + {c['rejected']:,} rejected + "
        f"{c['outside_window']:,} outside {w0}..{w1}"
    )
    samples = result.samples
    for reason, n in zip(result.rejects["reason"], result.rejects["n"], strict=True):
        eg = samples[samples["reason"] == reason].head(1)
        example = ""
        if len(eg):
            r = eg.iloc[0].where(eg.iloc[0].notna(), "(empty)")
            example = f" (e.g. {r['plate_raw']!r} at {r['cp_raw']!r}, {r['time_raw']!r})"
        print(f"  {reason}: {n:,} rows — {t(f'screen_reject_{reason}', lang)}{example}")
    if c["misreads_merged"]:
        print(
            f"  {c['misreads_merged']:,} passes of misread plates given to the plate they belong to"
        )
    print(
        f"whitelist: {c['whitelisted']:,} plates; known plates among the screened: "
        f"{c['known_screened']:,}"
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _print_evaluation(result: Any, share: float) -> None:
    ev = result.evaluation
    if ev.empty:
        print(
            "backtest: too few known plates among the screened vehicles (needs "
            "[screening] min_known; give --known or import cases with plates)"
        )
        return
    print(
        f"backtest ({share:.0%} of the known plates hidden, {int(ev['rounds'].iloc[0])} rounds, "
        f"{int(ev['hidden'].iloc[0])} hidden each):"
    )
    print("  scorer  P@10   P@20   P@50   P@100  R@20   R@100  R-precision")
    for v in ev.to_dict("records"):
        print(
            f"  {v['scorer']:<6}  {v['precision@10']:.3f}  {v['precision@20']:.3f}  "
            f"{v['precision@50']:.3f}  {v['precision@100']:.3f}  {v['recall@20']:.3f}  "
            f"{v['recall@100']:.3f}  {v['r_precision']:.3f}"
        )


def _cmd_screen(args: argparse.Namespace) -> int:
    from geo.config import is_demo
    from geo.screening import screen, suspects_to_csv, suspects_to_xlsx
    from geo.screening.inputs import read_known

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        print(f"error: --out {out} must end in .csv or .xlsx", file=sys.stderr)
        return 2
    try:
        settings = load_settings(args.config)
        known = _screen_store_known(args, settings) if not args.known or args.db else None
        if args.known:
            from_file, warnings = read_known(args.known)
            for w in warnings:
                print(f"warning: {w}", file=sys.stderr)
            known = from_file if known is None else pd_concat(known, from_file)
        result = screen(
            args.checkpoints,
            args.passes,
            whitelist=args.whitelist,
            known=known,
            crs=args.crs,
            engine=args.engine,
            spark_master=args.spark_master,
            date_from=args.date_from,
            date_to=args.date_to,
            settings=settings,
            scorer=args.scorer,
            evaluate=args.evaluate,
            progress=_screen_progress(),
        )
    except (ConfigError, LedgerReadError, StoreError, ValueError, OSError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    lang = args.lang or settings.language
    print(file=sys.stderr)
    _print_screen_account(result, lang)
    if args.evaluate or not result.evaluation.empty:
        _print_evaluation(result, settings.screening.eval_share)
    keep = {"top": args.top, "min_grade": args.min_grade}
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(suspects_to_xlsx(result, lang, synthetic=is_demo(settings), **keep))
    else:
        out.write_bytes(suspects_to_csv(result, lang, **keep))
    grades = result.suspects["grade"].value_counts()
    print(
        f"{len(result.suspects):,} vehicles screened on {result.engine}, ranked by "
        f"{result.scorer}: {grades.get('high', 0)} highly suspected, {grades.get('medium', 0)} "
        f"suspected, {grades.get('low', 0)} to watch; written to {out}"
    )
    return 0


def pd_concat(a: Any, b: Any) -> Any:
    """Known plates from two sources, cases added up per plate."""
    import pandas as pd

    both = pd.concat([a, b], ignore_index=True)
    return both.groupby("plate", as_index=False)["n_cases"].sum()


def _screen_parser(sub: Any) -> None:
    """``hexpatrol screen``: its arguments."""
    scr = sub.add_parser(
        "screen", help="screen checkpoint passes (过车数据) for suspected black cars"
    )
    scr.add_argument("--checkpoints", required=True, help="checkpoint list (CSV/XLSX/Parquet)")
    scr.add_argument(
        "--passes",
        required=True,
        nargs="+",
        metavar="FILE|DIR|GLOB",
        help="pass files: Parquet, CSV (UTF-8/GBK) or XLSX; files, folders, globs "
        "(quote them), hdfs:// or s3a:// paths with --engine spark",
    )
    scr.add_argument("--whitelist", help="licensed operating vehicles (号牌号码, 车辆类别)")
    scr.add_argument(
        "--known",
        help="known illegal-operation plates: any table with a plate "
        "column, e.g. a case ledger (default: the store's cases)",
    )
    scr.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        help="coordinates of checkpoints without a 坐标系 column (default wgs84)",
    )
    scr.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    scr.add_argument(
        "--spark-master", metavar="URL", help="local[*] (default), spark://host:7077 or yarn"
    )
    scr.add_argument(
        "--from",
        dest="date_from",
        type=dt.date.fromisoformat,
        help="first day screened (default: 30 days before --to)",
    )
    scr.add_argument(
        "--to",
        dest="date_to",
        type=dt.date.fromisoformat,
        help="last day screened (default: the last day of the data)",
    )
    scr.add_argument(
        "--scorer",
        choices=["auto", "rules", "model"],
        help="ranking: auto (the one that backtests better; default), rules, model",
    )
    scr.add_argument(
        "--evaluate",
        action="store_true",
        help="hide a share of the known plates and report precision@k, recall@k",
    )
    scr.add_argument("--out", required=True, help="suspects.csv or suspects.xlsx")
    scr.add_argument("--lang", choices=["zh", "en"], help="language of grades and reasons")
    scr.add_argument("--top", type=int, help="write only the first N vehicles")
    scr.add_argument(
        "--min-grade",
        choices=["high", "medium", "low", "none"],
        default="none",
        help="write only vehicles of this grade or better (default: all)",
    )
    _store_arguments(scr)
    scr.set_defaults(func=_cmd_screen)


def _passes_env(args: argparse.Namespace) -> tuple[Any, Store, Any]:
    from geo.pass_imports import deployment_folder

    settings = load_settings(args.config)
    store = open_store(args.db, configured=settings.database_url, data_dir=settings.data_dir)
    return settings, store, deployment_folder(settings.data_dir)


def _print_prune(pruned: Any) -> None:
    """The retention's line: always said, never silent."""
    if pruned.cutoff is None:
        print("retention: passes are kept for ever ([screening] passes_retention_days = 0)")
    elif pruned.n_passes:
        print(
            f"retention: deleted {pruned.n_passes:,} passes of {pruned.n_days} days before "
            f"{pruned.cutoff} ({len(pruned.files_rewritten)} files rewritten, "
            f"{len(pruned.files_removed)} removed)"
        )
    else:
        print(f"retention: no pass before {pruned.cutoff}; nothing deleted")
    if pruned.not_parquet:
        print(f"  not pruned (not Parquet; delete by hand): {', '.join(pruned.not_parquet)}")


def _print_pass_preview(file: str, pre: Any) -> None:
    c = pre.counts
    print(
        f"{file}: {c['rows']:,} rows: {c['new']:,} new passes ({pre.first_day} to "
        f"{pre.last_day}), {c['duplicates']:,} already stored, {c['repeated']:,} repeated "
        f"in the file, {c['rejected']:,} rejected"
    )
    for code in (k for k in c if k.startswith("reject_") and c[k]):
        rows = pre.rejects.loc[pre.rejects["reason"] == code[7:], "row"].head(5).tolist()
        print(f"  rejected, {code[7:]}: {c[code]:,} (rows {', '.join(map(str, rows))} …)")
    if c["unknown_cp"]:
        print(
            f"  {c['unknown_cp']:,} passes at checkpoints not in checkpoints.csv "
            f"({', '.join(pre.unknown_checkpoints[:5])} …): stored; add them to the list"
        )
    if pre.same_file:
        print(f"  the same file was imported as batch {pre.same_file}")


def _cmd_passes_import(args: argparse.Namespace) -> int:
    from geo.pass_imports import commit_passes, preview_passes

    try:
        settings, store, folder = _passes_env(args)
    except HexpatrolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    with store:
        for file in args.files:
            try:
                pre = preview_passes(store, folder, file, settings=settings)
                _print_pass_preview(file, pre)
                if args.dry_run or pre.counts["new"] == 0:
                    print("  nothing written" if args.dry_run else "  nothing new to import")
                    continue
                done = commit_passes(
                    store,
                    folder,
                    pre,
                    username=_whoami(args.user),
                    settings=settings,
                    progress=lambda n, total: print(
                        f"  writing {n:,}/{total:,}", file=sys.stderr, flush=True
                    ),
                )
            except HexpatrolError as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 2
                continue
            print(f"  batch {done.batch_id}: {done.n_stored:,} passes in {done.path}")
            _print_prune(done.pruned)
    return status


def _cmd_passes_other(args: argparse.Namespace) -> int:
    from geo.pass_imports import pass_batch_table, prune_passes, save_checkpoints, undo_passes

    try:
        settings, store, folder = _passes_env(args)
        with store:
            if args.passes_command == "undo":
                n = undo_passes(store, folder, args.batch, username=_whoami(args.user))
                print(f"pass batch {args.batch} undone: {n:,} passes deleted")
            elif args.passes_command == "prune":
                days = settings.screening.passes_retention_days
                _print_prune(prune_passes(store, folder, days=days, username=_whoami(args.user)))
            elif args.passes_command == "checkpoints":
                cps = save_checkpoints(
                    store, folder, args.file, settings=settings, username=_whoami(args.user)
                )
                for w in cps.warnings:
                    print(f"warning: {w}", file=sys.stderr)
                print(f"{len(cps.table)} checkpoints written to {folder.checkpoints}")
            else:
                for r in pass_batch_table(store).itertuples():
                    print(
                        f"{r.batch_id}  {r.created_at:%Y-%m-%d %H:%M}  {r.status:<9}  "
                        f"{r.username:<10}  {r.n_stored:,} passes {r.first_day} to "
                        f"{r.last_day}, {r.n_pruned:,} pruned  {r.file_name}"
                    )
    except HexpatrolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _passes_parser(sub: Any) -> None:
    """``hexpatrol passes``: import, undo, prune, checkpoints, batches."""
    top = sub.add_parser(
        "passes", help="checkpoint passes (过车数据) of the app's pass folder: import, undo, prune"
    )
    cmds = top.add_subparsers(dest="passes_command", required=True)
    imp = cmds.add_parser("import", help="append pass files, one batch each, then apply retention")
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV (UTF-8/GBK), XLSX, Parquet")
    imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    imp.set_defaults(func=_cmd_passes_import)
    undo = cmds.add_parser("undo", help="delete a pass batch's passes")
    undo.add_argument("batch", help="batch id (P…), see hexpatrol passes batches")
    cps = cmds.add_parser("checkpoints", help="check and install the checkpoint list")
    cps.add_argument("file", help="卡口编号, 卡口名称, 经度, 纬度, 卡口类型, 所属乡镇 …")
    prune = cmds.add_parser(
        "prune", help="delete passes older than [screening] passes_retention_days"
    )
    bat = cmds.add_parser("batches", help="list pass batches, newest first")
    for p in (imp, undo, cps, prune, bat):
        _store_arguments(p)
        p.add_argument("--user", help="name recorded in the audit log (default: login name)")
    for p in (undo, cps, prune, bat):
        p.set_defaults(func=_cmd_passes_other)


def _cmd_serve(args: argparse.Namespace) -> int:
    from geo.config import config_file
    from geo.serve import serve

    try:
        settings = load_settings(args.config)
        return serve(
            settings,
            config=config_file(args.config),  # the workers read this file, wherever they run
            workers=args.workers,
            port=args.port,
            address=args.address,
        )
    except (ConfigError, HexpatrolError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _serve_parser(sub: Any) -> None:
    srv = sub.add_parser("serve", help="several app processes behind nginx, for many users at once")
    srv.add_argument("--workers", type=int, default=2, help="app processes (about one per core)")
    srv.add_argument("--port", type=int, default=8501, help="port users open (default 8501)")
    srv.add_argument(
        "--address", default="127.0.0.1", help="address to listen on (0.0.0.0: the network)"
    )
    srv.add_argument("--config", help="hexpatrol.toml (default: $HEXPATROL_CONFIG or ./)")
    srv.set_defaults(func=_cmd_serve)


def _store_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $HEXPATROL_DB_URL, the config's database_url, or "
        "the SQLite file in data_dir)",
    )
    p.add_argument("--config", help="hexpatrol.toml (default: $HEXPATROL_CONFIG or ./)")


def _demo_parser(sub: Any) -> None:
    demo = sub.add_parser("demo", help="write the synthetic Yunyang demo data set")
    demo.add_argument("--out", type=Path, help="folder to write (default data/demo)")
    demo.add_argument("--seed", type=int, default=20251001)
    demo.set_defaults(func=_cmd_demo)


def _check_parser(sub: Any) -> None:
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


def _hotspots_parser(sub: Any) -> None:
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


def _plan_parser(sub: Any) -> None:
    plan = sub.add_parser("plan", help="patrol coverage plan (posts, rotation) for a period")
    plan.add_argument("--input", required=True, help="any ledger `hexpatrol check` accepts")
    plan.add_argument("--out", required=True, help="CSV, one row per team-post-day")
    plan.add_argument(
        "--period",
        default="night",
        choices=["night", "weekend", "holiday", "market_day", "school_commute", "custom"],
    )
    plan.add_argument("--hours", type=_parse_hours, help="custom hours, e.g. 18:00-23:00")
    plan.add_argument("--teams", type=int, default=6, help="mobile teams (default 6)")
    plan.add_argument("--team-size", type=int, default=4, help="people per team (default 4)")
    plan.add_argument("--shifts", type=int, default=1, help="shifts per day (default 1)")
    reach = plan.add_mutually_exclusive_group()
    reach.add_argument("--radius", type=float, default=1000.0, help="team reach, m (default 1000)")
    reach.add_argument("--k-ring", type=int, help="team reach in H3 rings at --res instead")
    plan.add_argument(
        "--base",
        action="append",
        type=_parse_latlon,
        default=[],
        help="a team base LAT,LON (repeat for several)",
    )
    plan.add_argument("--max-travel", type=float, help="mobile posts within M metres of a base")
    plan.add_argument("--fixed", help="key areas staffed every day (names or ids, comma-separated)")
    plan.add_argument(
        "--from",
        dest="date_from",
        type=dt.date.fromisoformat,
        help="first day of a rotation (YYYY-MM-DD)",
    )
    plan.add_argument(
        "--to",
        dest="date_to",
        type=dt.date.fromisoformat,
        help="last day of a rotation (YYYY-MM-DD)",
    )
    plan.add_argument(
        "--holiday",
        metavar="KEY:YEAR",
        help="rotate over a statutory holiday from the holiday calendar, e.g. national_day:2025 "
        "(new_years_day, spring_festival, tomb_sweeping_day, labour_day, dragon_boat_festival, "
        "mid_autumn_festival, national_day)",
    )
    plan.add_argument(
        "--holiday-factor",
        type=float,
        default=2.0,
        help="team multiplier on holidays and in 春运 (default 2)",
    )
    plan.add_argument("--res", type=int, default=9, choices=range(7, 11), metavar="{7..10}")
    plan.add_argument("--seed", type=int, default=0, help="rotation seed")
    how = plan.add_mutually_exclusive_group()
    how.add_argument("--exact", action="store_true", help="optimal posts with HiGHS (default)")
    how.add_argument("--greedy", action="store_true", help="fast lazy-greedy posts")
    plan.add_argument("--xlsx", help="also write an Excel workbook")
    plan.add_argument("--html", help="also write a printable page (Chinese)")
    plan.add_argument("--config", help="hexpatrol.toml (default: $HEXPATROL_CONFIG or ./)")
    plan.set_defaults(func=_cmd_plan)


def _evaluate_parser(sub: Any) -> None:
    ev = sub.add_parser("evaluate", help="rolling monthly backtest: hit rate, PAI, PEI")
    ev.add_argument(
        "--input",
        required=True,
        help="a ledger, or any CSV(.gz) of timestamped points with --*-col",
    )
    ev.add_argument("--out", required=True, help="metrics CSV, one row per method/month/share")
    ev.add_argument("--lat-col", help="latitude (or projected y) column")
    ev.add_argument("--lon-col", help="longitude (or projected x) column")
    ev.add_argument("--time-col", help="time column, or parts: YEAR,MONTH,DAY,HOUR,MINUTE")
    ev.add_argument(
        "--crs",
        help="coordinates' system: EPSG:… for projected x/y, or wgs84/gcj02/bd09 for a ledger",
    )
    ev.add_argument(
        "--bbox",
        type=float,
        nargs=4,
        metavar=("MINLON", "MINLAT", "MAXLON", "MAXLAT"),
        help="keep points inside this box (e.g. to drop mis-geocoded rows)",
    )
    ev.add_argument("--res", type=int, default=9, choices=range(7, 11), metavar="{7..10}")
    ev.add_argument(
        "--method",
        default="all",
        help="default, last, window12, ewma, kde, "
        "gistar, near_repeat, comma-separated, or all (default)",
    )
    ev.add_argument("--period", help="only events in these periods, e.g. night or weekend")
    ev.add_argument(
        "--where",
        action="append",
        type=_parse_where,
        default=[],
        metavar="COLUMN=VALUE",
        help="with --*-col: only rows whose COLUMN is VALUE (repeatable), e.g. offense=theft",
    )
    ev.add_argument("--since", type=dt.date.fromisoformat, help="only events from this date")
    ev.add_argument("--until", type=dt.date.fromisoformat, help="only events up to this date")
    ev.add_argument(
        "--sample", type=float, help="a random share of the events (0-1, seed 0), to test"
    )
    ev.add_argument("--min-train", type=int, default=3, help="months before the first test")
    ev.add_argument(
        "--patrol",
        action="store_true",
        help="backtest patrol plans instead: each month, a plan on the default forecast vs "
        "a plan on last month's counts, both from the data before the month",
    )
    ev.add_argument("--teams", type=int, default=6, help="--patrol: posts per plan (default 6)")
    ev.add_argument(
        "--radius", type=float, default=1000.0, help="--patrol: reach of a post, m (default 1000)"
    )
    ev.add_argument(
        "--months", type=int, default=12, help="--patrol: test months, the last ones (default 12)"
    )
    ev.set_defaults(func=_cmd_evaluate)


def _brief_parser(sub: Any) -> None:
    brief = sub.add_parser("brief", help="monthly hotspot briefing (DOCX, PDF, PNG map)")
    brief.add_argument("--month", required=True, help="YYYY-MM")
    who = brief.add_mutually_exclusive_group()
    who.add_argument("--township", help="9-digit township code (default: the whole county)")
    who.add_argument(
        "--all-townships", action="store_true", help="the county briefing and one per township"
    )
    brief.add_argument("--out", required=True, help="folder to write into")
    brief.add_argument(
        "--input",
        action="append",
        help="ledger file(s) instead of the store (repeatable); default: the store's records",
    )
    brief.add_argument("--teams", type=int, default=6, help="mobile teams in the suggested plan")
    brief.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice PDF")
    _store_arguments(brief)
    brief.set_defaults(func=_cmd_brief)


def _import_parser(sub: Any) -> None:
    imp = sub.add_parser("import", help="import ledgers into the store, one batch per file")
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV, XLSX or GeoJSON ledger(s)")
    imp.add_argument("--crs", choices=["wgs84", "gcj02", "bd09"])
    imp.add_argument("--kind", choices=["case", "tip"])
    imp.add_argument(
        "--scope", metavar="CODE", help="township code: reject rows outside that township"
    )
    imp.add_argument("--user", help="recorded with the batch (default: your login name)")
    imp.add_argument("--rejects", metavar="OUT.xlsx", help="write rejected rows with reasons")
    imp.add_argument("--dry-run", action="store_true", help="preview only, write nothing")
    _store_arguments(imp)
    imp.set_defaults(func=_cmd_import)


def _batches_parser(sub: Any) -> None:
    bat = sub.add_parser("batches", help="list import batches, newest first")
    bat.add_argument(
        "--show", metavar="BATCH", help="list the records a batch added or changed, and how"
    )
    _store_arguments(bat)
    bat.set_defaults(func=_cmd_batches)


def _undo_parser(sub: Any) -> None:
    undo = sub.add_parser("undo", help="take an import batch back out of the store")
    undo.add_argument("batch", help="batch id (see hexpatrol batches)")
    undo.add_argument("--user", help="recorded in the audit log (default: your login name)")
    _store_arguments(undo)
    undo.set_defaults(func=_cmd_undo)


def _users_parser(sub: Any) -> None:
    usr = sub.add_parser("users", help="add, remove, list users; change passwords")
    usr.add_argument("action", choices=["add", "remove", "passwd", "list"])
    usr.add_argument("name", nargs="?", default="", help="user name (not for list)")
    usr.add_argument("--role", choices=["commander", "analyst", "township"], default="analyst")
    usr.add_argument("--township", metavar="CODE", help="township code (township role)")
    usr.add_argument("--display-name", default="")
    usr.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _store_arguments(usr)
    usr.set_defaults(func=_cmd_users)


def _basemap_parser(sub: Any) -> None:
    bm = sub.add_parser(
        "basemap", help="offline base map: import raster MBTiles the app serves itself"
    )
    bm.add_argument("action", choices=["import", "list", "remove"])
    bm.add_argument(
        "source", nargs="?", help="FILE.mbtiles or a folder of z/x/y tiles (remove: the name)"
    )
    bm.add_argument("--name", help="tile-set name for hexpatrol.toml (default: the file name)")
    bm.add_argument(
        "--out",
        type=Path,
        help="write into this folder (for your own web server) instead of the app's static/tiles",
    )
    bm.add_argument("--tms", action="store_true", help="folder rows counted from the south")
    bm.set_defaults(func=_cmd_basemap)


def _init_parser(sub: Any) -> None:
    init = sub.add_parser("init", help="scaffold a deployment folder for a new region")
    init.add_argument("--region", required=True, help="region name, e.g. 垫江县")
    init.add_argument("--code", default="", help="6-digit administrative code")
    init.add_argument("--dir", default=".", help="folder to create (default: here)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.set_defaults(func=_cmd_init)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hexpatrol``."""
    parser = argparse.ArgumentParser(
        prog="hexpatrol",
        description="H3 hotspot maps and patrol suggestions for illegal passenger transport.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _demo_parser(sub)
    _check_parser(sub)
    _hotspots_parser(sub)
    _plan_parser(sub)
    _evaluate_parser(sub)
    _brief_parser(sub)
    _import_parser(sub)
    _batches_parser(sub)
    _undo_parser(sub)
    _users_parser(sub)
    _basemap_parser(sub)
    _init_parser(sub)
    _screen_parser(sub)
    _passes_parser(sub)
    _serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
