"""Reading the screen's inputs: checkpoints, whitelist, known plates, and where passes are.

The small tables (checkpoints, whitelist, known plates) are read here in Python, like
ledgers (CSV in UTF-8 or GBK, XLSX, Parquet; Chinese or English headers; a title line above
the header is skipped). The passes are only *located* here — files, a folder or a glob, local
or on HDFS/object stores — and their layout sniffed; the engines read them.
"""

from __future__ import annotations

import csv
import glob
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import normalize_crs, to_wgs84
from geo.errors import LedgerReadError
from geo.ingest import read_table
from geo.periods import MarketCycle, market_cycles
from geo.regions import township_of
from geo.screening.schema import (
    CHECKPOINT_HEADERS,
    KNOWN_HEADERS,
    PASS_HEADERS,
    WHITELIST_HEADERS,
    checkpoint_kind,
    clean_plate,
    is_plate,
    map_columns,
)


class ScreeningInputError(LedgerReadError):
    """An input of the screen cannot be used (missing, unreadable, lacking a column)."""


URI: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
PASS_SUFFIXES: Final = (".parquet", ".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
TableSource: TypeAlias = str | os.PathLike[str] | pd.DataFrame


def _frame(source: TableSource, what: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.astype(object)
    path = Path(source)
    if not path.is_file():
        raise ScreeningInputError(f"{what} file {path} not found")
    if path.suffix.lower() == ".parquet":
        try:
            return pd.read_parquet(path).astype(object)
        except Exception as exc:  # pyarrow raises many types for broken files
            raise ScreeningInputError(f"{path}: not a readable Parquet file ({exc})") from exc
    try:
        return read_table(path)
    except LedgerReadError as exc:
        raise ScreeningInputError(str(exc)) from exc


def _columns(
    frame: pd.DataFrame, aliases: Mapping[str, tuple[str, ...]], need: Iterable[str], what: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Find the header (it may sit below a title line) and map it; error names what lacks."""
    need = list(need)
    found = map_columns([str(c) for c in frame.columns], dict(aliases))
    if set(need) <= set(found):
        return frame, found
    for i in range(min(5, len(frame))):  # a title line above the header
        row = ["" if v is None else str(v) for v in frame.iloc[i]]
        hit = map_columns(row, dict(aliases))
        if set(need) <= set(hit):
            body = frame.iloc[i + 1 :].copy()
            body.columns = row
            return body, hit
    missing = [n for n in need if n not in found]
    spell = "; ".join(f"{n}: {' / '.join(aliases[n][:4])}" for n in missing)
    raise ScreeningInputError(
        f"{what}: no column for {missing} (headers found: {[str(c) for c in frame.columns]}); "
        f"name them e.g. {spell}"
    )


# ---------------------------------------------------------------- checkpoints


@dataclass
class Checkpoints:
    """Checkpoints with WGS-84 positions, kinds, towns; market cycles per town; warnings.

    ``table`` has ``cp_id``, ``cp_name``, ``kind``, ``lon``, ``lat``, ``township_code``,
    ``township``, ``town`` (what routes are counted between), ``hub`` (0/1) and ``x``, ``y``
    (metres on a local plane, for mileage).
    """

    table: pd.DataFrame
    markets: dict[str, list[MarketCycle]]
    warnings: list[str] = field(default_factory=list)


def _coords(
    body: pd.DataFrame, cols: dict[str, str], crs: str | None, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon = pd.to_numeric(body[cols["lon"]], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(body[cols["lat"]], errors="coerce").to_numpy(float)
    if "crs" in cols:
        names = body[cols["crs"]].fillna(crs or "wgs84").astype(str).str.strip()
        names = names.replace("", crs or "wgs84")
    else:
        names = pd.Series(crs or "wgs84", index=body.index)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    try:
        canon = np.array([normalize_crs(n) for n in names], dtype=object)
    except ValueError as exc:
        raise ScreeningInputError(f"checkpoints: {exc}") from exc
    out_lon, out_lat = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    if ok.any():
        out_lon[ok], out_lat[ok] = to_wgs84(lon[ok], lat[ok], canon[ok])
    for row in body.index[~ok][:10]:
        warnings.append(
            f"checkpoint on row {row}: no usable longitude/latitude "
            f"({body.at[row, cols['lon']]!r}, {body.at[row, cols['lat']]!r}); its passes count "
            f"as unknown checkpoint — fill in degrees"
        )
    return out_lon, out_lat, ok


def _towns(
    table: pd.DataFrame,
    raw_town: pd.Series | None,
    townships: gpd.GeoDataFrame | None,
    merge_subdistricts: bool,
    urban_name: str,
    warnings: list[str],
) -> pd.DataFrame:
    """Township code/name from the 所属乡镇 column (name or code) or the position."""
    codes = np.full(len(table), None, dtype=object)
    names = np.full(len(table), None, dtype=object)
    if townships is not None and len(townships):
        by_name = dict(zip(townships["name"], townships["code"], strict=False))
        by_code = dict(zip(townships["code"], townships["name"], strict=False))
        if raw_town is not None:
            for i, v in enumerate(raw_town.to_numpy()):
                text = "" if v is None or v != v else str(v).strip()
                if text in by_code:
                    codes[i], names[i] = text, by_code[text]
                elif text in by_name:
                    codes[i], names[i] = by_name[text], text
        need = pd.isna(codes)
        if raw_town is not None:
            given = raw_town.notna().to_numpy() & need
            if given.any():
                shown = sorted({str(v) for v in raw_town[given]})[:5]
                warnings.append(
                    f"所属乡镇 {shown} not in the township list; the checkpoints' "
                    "positions decide their township"
                )
        if need.any():
            found = township_of(
                table["lon"].to_numpy()[need], table["lat"].to_numpy()[need], townships
            )
            codes[need] = found
            names[need] = [by_code.get(c) if c else None for c in found]
    if raw_town is not None:  # towns outside the configured list keep their own name
        text = raw_town.astype(object).where(raw_town.notna(), None).to_numpy()
        names = np.where(pd.isna(names), text, names)
    table["township_code"], table["township"] = codes, names
    town = pd.Series(names, index=table.index, dtype=object)
    if merge_subdistricts:
        town = town.where(~town.fillna("").astype(str).str.endswith("街道"), urban_name)
    table["town"] = town
    return table


def read_checkpoints(
    source: TableSource,
    *,
    crs: str | None = None,
    townships: gpd.GeoDataFrame | None = None,
    key_areas: gpd.GeoDataFrame | None = None,
    hub_kinds: Iterable[str] = ("hsr_station", "bus_terminal"),
    merge_subdistricts: bool = True,
    urban_name: str = "城区",
) -> Checkpoints:
    """Read the checkpoint list (卡口编号, 卡口名称, 经度, 纬度, 卡口类型, 所属乡镇, 片区 …).

    Parameters
    ----------
    source : path or DataFrame
        CSV (UTF-8/GBK), XLSX or Parquet, Chinese or English headers; or a frame.
    crs : str, optional
        Coordinate system of rows without a 坐标系 column: wgs84 (default), gcj02, bd09.
    townships : GeoDataFrame, optional
        Township polygons (``code``, ``name``): a checkpoint's 所属乡镇 may be a name or code
        from it; without that column the position decides.
    key_areas : GeoDataFrame, optional
        Key areas; the market-day cycles of rural markets (``market_days``) are attached to
        their townships' towns.
    hub_kinds : iterable of str
        Checkpoint kinds that are hubs.
    merge_subdistricts : bool
        All 街道 form one town named ``urban_name``.
    urban_name : str
        Name of that town (e.g. "云阳县城区").

    Returns
    -------
    Checkpoints
        The table, market cycles per town and warnings (rows left out, unknown kinds).
    """
    body, cols = _columns(
        _frame(source, "checkpoint"), CHECKPOINT_HEADERS, ("cp_id", "lon", "lat"), "checkpoints"
    )
    warnings: list[str] = []
    lon, lat, ok = _coords(body, cols, crs, warnings)
    ids = body[cols["cp_id"]].map(lambda v: "" if v is None or v != v else str(v).strip())
    table = pd.DataFrame({"cp_id": ids.to_numpy(), "lon": lon, "lat": lat})
    name_col = body[cols["name"]] if "name" in cols else ids
    table["cp_name"] = name_col.map(lambda v: "" if v is None or v != v else str(v)).to_numpy()
    table["kind"] = _kinds(body, cols, warnings)
    dup = table["cp_id"].duplicated() | table["cp_id"].eq("")
    if dup.any():
        warnings.append(
            f"{int(dup.sum())} checkpoint rows without an id or with a repeated id "
            f"were left out (first: row {body.index[np.flatnonzero(dup)[0]]})"
        )
    keep = ok & ~dup.to_numpy()
    raw_town = body[cols["township"]].reset_index(drop=True) if "township" in cols else None
    table = _towns(table, raw_town, townships, merge_subdistricts, urban_name, warnings)
    if "area" in cols:
        area = body[cols["area"]].reset_index(drop=True).fillna("").astype(str).str.strip()
        table["town"] = area.where(area != "", table["town"])
    no_town = table["town"].isna()
    if no_town.any():
        warnings.append(
            f"{int(no_town.sum())} checkpoints have no township (add 所属乡镇); each "
            "counts as a town of its own"
        )
        table.loc[no_town, "town"] = table.loc[no_town, "cp_name"]
    table["hub"] = table["kind"].isin(list(hub_kinds)).astype(int)
    markets = _markets(table, body, cols, key_areas)
    table = table[keep].reset_index(drop=True)
    table["x"], table["y"] = _plane(table["lon"].to_numpy(), table["lat"].to_numpy())
    if table.empty:
        raise ScreeningInputError("checkpoints: no usable checkpoint (id and coordinates)")
    return Checkpoints(table, markets, warnings)


def _kinds(body: pd.DataFrame, cols: dict[str, str], warnings: list[str]) -> list[str]:
    if "kind" not in cols:
        return ["other"] * len(body)
    out, unknown = [], set()
    for v in body[cols["kind"]]:
        code = checkpoint_kind(v) if v is not None and v == v else "other"
        if code is None:
            unknown.add(str(v))
            code = "other"
        out.append(code)
    if unknown:
        warnings.append(
            f"checkpoint kinds {sorted(unknown)} not known, taken as 'other' (known: "
            "高铁站, 汽车站, 商圈, 医院, 学校, 高速收费站, 乡镇出入口, 城区道路 …)"
        )
    return out


def _markets(
    table: pd.DataFrame,
    body: pd.DataFrame,
    cols: dict[str, str],
    key_areas: gpd.GeoDataFrame | None,
) -> dict[str, list[MarketCycle]]:
    """Market cycles per town: from the key areas' rural markets and a 逢场日 column."""
    out: dict[str, list[MarketCycle]] = {}
    by_code = market_cycles(key_areas)
    for code, town in zip(table["township_code"], table["town"], strict=True):
        if code in by_code and town not in out:
            out[str(town)] = list(by_code[code])
    if "market_days" in cols:
        for text, town in zip(body[cols["market_days"]], table["town"], strict=True):
            if isinstance(text, str) and text.strip() and str(town) not in out:
                try:
                    out[str(town)] = [MarketCycle.parse(text)]
                except Exception as exc:
                    raise ScreeningInputError(f"checkpoints: 逢场日 {exc}") from exc
    return out


def _plane(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres on a plane tangent at the checkpoints' mean latitude (good to ~0.1% here)."""
    lat0 = float(np.nanmean(lat)) if len(lat) else 0.0
    return lon * 111_320.0 * np.cos(np.radians(lat0)), lat * 110_574.0


# ---------------------------------------------------------------- plates


def _plates(
    source: TableSource, aliases: Mapping[str, tuple[str, ...]], what: str
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    body, cols = _columns(_frame(source, what), aliases, ("plate",), what)
    plates = body[cols["plate"]].map(clean_plate)
    good = plates.map(is_plate)
    warnings = []
    if (~good & plates.ne("")).any():
        bad = plates[~good & plates.ne("")]
        warnings.append(
            f"{what}: {len(bad)} entries are not Chinese plates and were left out "
            f"(e.g. {bad.iloc[0]!r})"
        )
    return body.assign(plate=plates)[good.to_numpy()], cols, warnings


def read_whitelist(source: TableSource) -> tuple[pd.DataFrame, list[str]]:
    """Licensed operating vehicles: ``plate`` (cleaned), ``category``; and warnings."""
    body, cols, warnings = _plates(source, WHITELIST_HEADERS, "whitelist")
    category = body[cols["category"]].astype(str) if "category" in cols else ""
    out = pd.DataFrame({"plate": body["plate"].to_numpy(), "category": category})
    return out.drop_duplicates("plate").reset_index(drop=True), warnings


def read_known(source: TableSource) -> tuple[pd.DataFrame, list[str]]:
    """Known illegal-operation plates from any table with a plate column (e.g. a case ledger).

    Returns ``plate`` and ``n_cases`` (rows naming the plate), and warnings.
    """
    body, _, warnings = _plates(source, KNOWN_HEADERS, "known plates")
    counts = body["plate"].value_counts()
    out = pd.DataFrame({"plate": counts.index.astype(str), "n_cases": counts.to_numpy()})
    return out.sort_values("plate").reset_index(drop=True), warnings


def known_from_events(events: pd.DataFrame) -> pd.DataFrame:
    """Known plates from stored events: cases (not tips) with a plate; ``plate``, ``n_cases``."""
    if events.empty or "plate" not in events.columns:
        return pd.DataFrame({"plate": pd.Series(dtype=str), "n_cases": pd.Series(dtype=int)})
    cases = events[events["kind"].eq("case")] if "kind" in events.columns else events
    plates = cases["plate"].map(clean_plate)
    plates = plates[plates.map(is_plate)]
    counts = plates.value_counts()
    out = pd.DataFrame({"plate": counts.index.astype(str), "n_cases": counts.to_numpy()})
    return out.sort_values("plate").reset_index(drop=True)


# ---------------------------------------------------------------- pass files


@dataclass(frozen=True)
class PassGroup:
    """Pass files of one layout: format, paths and how to read them."""

    fmt: str  # parquet | csv | frame
    paths: tuple[str, ...] = ()
    encoding: str = "utf-8"
    skip: int = 0
    delimiter: str = ","
    frame: pd.DataFrame | None = None
    header: tuple[str, ...] = ()


def find_pass_files(spec: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """The pass files a FILE, DIR, GLOB (or a list of them) names; URIs are kept as given."""
    specs = [spec] if isinstance(spec, str | os.PathLike) else list(spec)
    out: list[str] = []
    for item in specs:
        text = os.fspath(item)
        if URI.match(text) and not text.startswith("file://"):
            out.append(text)
            continue
        text = text.removeprefix("file://")
        if any(c in text for c in "*?["):
            hits = sorted(glob.glob(text, recursive=True))
        elif os.path.isdir(text):
            hits = sorted(str(p) for p in Path(text).rglob("*") if p.is_file())
        else:
            hits = [text] if os.path.exists(text) else []
        hits = [h for h in hits if h.lower().endswith(PASS_SUFFIXES) or not os.path.isdir(text)]
        if not hits:
            raise ScreeningInputError(
                f"passes: nothing found at {text!r} (a file, a folder or "
                "a glob such as 'passes/*.parquet')"
            )
        out += [os.path.abspath(h) for h in hits]
    return out


def _sniff_csv(path: str) -> tuple[str, int, str, tuple[str, ...]]:
    """Encoding (utf-8 or gb18030), title lines, delimiter and header of a CSV file."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    cut = head.rfind(b"\n")
    sample = head[: cut + 1] if cut > 0 else head
    try:
        text = sample.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = sample.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as exc:
            raise ScreeningInputError(
                f"{path}: text is neither UTF-8 nor GBK; save it as UTF-8 CSV or Parquet"
            ) from exc
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[:10]
    skip = next((i for i, r in enumerate(rows) if len(map_columns(r, PASS_HEADERS)) >= 2), 0)
    header = tuple(c.strip() for c in rows[skip]) if rows else ()
    return encoding, skip, delimiter, header


def group_pass_files(paths: list[str], temp_dir: str) -> list[PassGroup]:
    """Group files by layout; local CSVs that are GBK or have a title line are cleaned first."""
    groups: dict[tuple[object, ...], list[str]] = {}
    frames: list[PassGroup] = []
    for path in paths:
        suffix = Path(path.split("?")[0]).suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            frames.append(PassGroup("frame", (path,), frame=_frame(path, "passes")))
            continue
        if suffix == ".parquet":
            groups.setdefault(("parquet", ","), []).append(path)
            continue
        if suffix not in (".csv", ".txt", ".tsv"):
            raise ScreeningInputError(f"{path}: passes must be Parquet, CSV or XLSX files")
        if URI.match(path):
            groups.setdefault(("csv", ","), []).append(path)
            continue
        encoding, skip, delimiter, header = _sniff_csv(path)
        if encoding != "utf-8" or skip:
            path = _clean_copy(path, encoding, skip, temp_dir)
        groups.setdefault(("csv", delimiter, header), []).append(path)
    out = [
        PassGroup(str(k[0]), tuple(v), delimiter=str(k[1]), header=_header(k))
        for k, v in groups.items()
    ]
    return out + frames


def _header(key: tuple[object, ...]) -> tuple[str, ...]:
    names = key[2] if len(key) > 2 else ()
    return tuple(str(n) for n in names) if isinstance(names, tuple) else ()


def _clean_copy(path: str, encoding: str, skip: int, temp_dir: str) -> str:
    """A UTF-8 copy without title lines, written in chunks (engines read it as is)."""
    os.makedirs(temp_dir, exist_ok=True)
    target = os.path.join(temp_dir, f"utf8_{abs(hash(path)) % 10**12}_{Path(path).name}")
    with (
        open(path, encoding=encoding, errors="replace", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        for _ in range(skip):
            src.readline()
        while chunk := src.read(1 << 22):
            dst.write(chunk.removeprefix("\ufeff"))
    return target
