r"""Read ledger files into sheets of cells by sheet row: CSV, every XLSX sheet, GeoJSON.

What a reader must not do is lose rows without saying so. So:

* every worksheet of a workbook is looked at; each one whose header names the columns of a
  ledger (a time and a position) is read, the others are listed as skipped with their row
  count (a cover sheet, a lookup list);
* a workbook's *real* used range is read, not the range it declares (some exporters write
  ``A1:H3`` for a sheet of thirty rows);
* one stray ``"`` in a CSV does not swallow the following lines into one cell: a quoted cell
  that runs over line ends *and* holds the delimiter is read again line by line;
* control characters (NUL, ``\x01`` …) are removed from every cell: no database, spreadsheet
  or page can choke on them later;
* a file that cannot be read raises :class:`geo.errors.LedgerReadError` with a message in
  English and Chinese — never another exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import LedgerReadError
from geo.schema import HEADER_ALIASES

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_cell(value: object) -> object:
    """A cell without control characters (strings only; other values as they are)."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def norm_header(text: object) -> str:
    """A header as compared with the known spellings: no case, spaces, ``_``, brackets."""
    return re.sub(r"[\s_\-()（）:：*]", "", str(text)).lower()


ALIAS_LOOKUP: Final = {
    norm_header(alias): canon for canon, aliases in HEADER_ALIASES.items() for alias in aliases
}


def map_headers(columns: list[str]) -> dict[str, str]:
    """Map input headers to canonical names; the first column of each meaning wins."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        canon = ALIAS_LOOKUP.get(norm_header(col))
        if canon and canon not in taken:
            mapping[col] = canon
            taken.add(canon)
    return mapping


def is_ledger_header(canon: set[str]) -> bool:
    """Whether recognised columns make a ledger: a time and a position."""
    has_time = bool(canon & {"occurred_at", "date"})
    has_place = "lonlat" in canon or {"lon", "lat"} <= canon or "__geom_type" in canon
    return has_time and has_place


@dataclass
class Sheet:
    """One sheet of a ledger file.

    Attributes
    ----------
    name : str or None
        The worksheet's name (``None`` for CSV and GeoJSON).
    frame : DataFrame
        Cells (objects) under their header, indexed by sheet row number (1-based).
    """

    name: str | None
    frame: pd.DataFrame


@dataclass
class Workbook:
    """What :func:`read_sheets` found in a file.

    Attributes
    ----------
    sheets : list of Sheet
        The sheets read as ledgers.
    skipped : list of (str, int)
        Sheets not read (no ledger header) and how many non-empty rows each had.
    """

    sheets: list[Sheet]
    skipped: list[tuple[str, int]] = field(default_factory=list)


Records = list[tuple[int, list[object]]]  # (sheet row number, cells)


def _header_row(records: Records) -> int:
    """Index of the header line: the first of the top ten that names >= 2 known columns."""
    for i, (_, cells) in enumerate(records[:10]):
        if len(map_headers(["" if c is None else str(c) for c in cells])) >= 2:
            return i
    return 0


def _unique(header: list[str]) -> list[str]:
    """Repeated or empty headers made unique: 备注, 备注.2, column_3."""
    header = [c or f"column_{i + 1}" for i, c in enumerate(header)]
    seen: dict[str, int] = {}
    out = []
    for c in header:
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c}.{seen[c]}")
    return out


def _blank_row(cells: list[object]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def frame_from_records(records: Records) -> pd.DataFrame:
    """Header (found in the first ten lines) and body rows as a frame indexed by sheet row."""
    records = [(n, [clean_cell(c) for c in cells]) for n, cells in records]
    if not records:
        return pd.DataFrame(index=pd.Index([], name="row"), dtype=object)
    h = _header_row(records)
    header = _unique([("" if c is None else str(c)).strip() for c in records[h][1]])
    body, numbers = [], []
    for number, cells in records[h + 1 :]:
        cells = list(cells) + [None] * (len(header) - len(cells))
        if _blank_row(cells):
            continue  # blank lines are layout, not records
        if any(not _blank_row([c]) for c in cells[len(header) :]):
            header = _unique(header + [""] * (len(cells) - len(header)))
        body.append(cells[: len(header)])
        numbers.append(number)
    body = [b + [None] * (len(header) - len(b)) for b in body]
    return pd.DataFrame(body, columns=header, index=pd.Index(numbers, name="row"), dtype=object)


# ---------------------------------------------------------------- CSV


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerReadError(
        f"{name}: text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 CSV or as XLSX",
        zh=f"{name}:文本既不是 UTF-8 也不是 GBK 编码;请另存为 UTF-8 CSV 或 XLSX",
    )


def _dialect(text: str) -> type[csv.Dialect]:
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","

    class Dialect(csv.excel):  # only the delimiter is guessed: a lone ' in a cell (Xi'an
        pass  # Road) made the sniffer take ' as the quote character and merge rows

    Dialect.delimiter = delimiter
    return Dialect


def _swallowed(cells: list[str], delimiter: str, width: int) -> bool:
    """Whether a record running over line ends took in lines of other records.

    A stray quote makes the reader run on to the next quote: the record then has the wrong
    number of cells, or one of its cells holds a line with a whole row's delimiters. A quoted
    address over two lines with a comma in it is neither.
    """
    if len(cells) != width:
        return True
    least = max(2, width - 2)
    for cell in cells:
        lines = cell.splitlines()[1:]
        if any(line.count(delimiter) >= least for line in lines):
            return True
    return False


def _one_line(line: str, dialect: type[csv.Dialect]) -> list[str]:
    """Cells of one physical line; with an odd number of quotes the quotes are literal."""
    if line.count(dialect.quotechar or '"') % 2:
        return next(csv.reader([line], dialect, quoting=csv.QUOTE_NONE), [])
    return next(csv.reader([line], dialect), [])


def csv_records(text: str, dialect: type[csv.Dialect]) -> Records:
    """CSV records with the sheet row (physical line) each starts on."""
    lines = list(io.StringIO(text, newline=""))  # \n, \r\n and old Mac \r all end a line
    reader = csv.reader(lines, dialect)
    spans: list[tuple[int, int, list[str]]] = []
    start = 0
    for cells in reader:
        spans.append((start, reader.line_num, list(cells)))
        start = reader.line_num
    single = [len(c) for a, b, c in spans if b - a == 1 and any(x.strip() for x in c)]
    width = max(set(single), key=single.count) if single else 0
    out: Records = []
    for a, b, cells in spans:
        if b - a > 1 and _swallowed(cells, str(dialect.delimiter), width):
            out += [(k + 1, list(_one_line(lines[k], dialect))) for k in range(a, b)]
        else:
            out.append((a + 1, list[object](cells)))
    return out


def _read_csv(data: bytes, name: str) -> Workbook:
    text = _decode(data, name)
    try:
        records = csv_records(text, _dialect(text))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise LedgerReadError(
            f"{name}: not readable as CSV ({exc})", zh=f"{name}:无法按 CSV 读取({exc})"
        ) from exc
    return Workbook([Sheet(None, frame_from_records(records))])


# ---------------------------------------------------------------- XLSX


def _cell(value: object) -> object:
    """Excel cell values as ingest reads them (times of day kept as time objects)."""
    if isinstance(value, dt.datetime | dt.date | dt.time | int | float | str) or value is None:
        return value
    return str(value)


def _sheet_records(ws: object) -> Records:
    ws.reset_dimensions()  # type: ignore[attr-defined]  # the declared range may be too small
    rows = ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
    return [(i, [_cell(v) for v in r]) for i, r in enumerate(rows, start=1)]


def _broken(name: str, exc: BaseException) -> LedgerReadError:
    return LedgerReadError(
        f"{name}: not a readable XLSX workbook ({type(exc).__name__}: {exc}); open it in Excel "
        "or WPS and save it again as .xlsx",
        zh=f"{name}:工作簿已损坏或不是 XLSX 文件({type(exc).__name__});请用 Excel 或 WPS "
        "打开后重新另存为 .xlsx",
    )


def _read_xlsx(data: bytes, name: str) -> Workbook:
    import openpyxl

    try:  # openpyxl raises many types for broken files, also while iterating rows
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            parts = [(ws.title, _sheet_records(ws)) for ws in wb.worksheets]
        finally:
            wb.close()
    except Exception as exc:
        raise _broken(name, exc) from exc
    if not parts:  # a workbook whose sheets are all missing is broken, not empty
        raise _broken(name, ValueError("the workbook has no readable worksheet"))
    book = Workbook([])
    for title, records in parts:
        frame = frame_from_records(records)
        if is_ledger_header(set(map_headers(list(frame.columns)).values())):
            book.sheets.append(Sheet(title, frame))
        elif any(not _blank_row(cells) for _, cells in records):
            book.skipped.append((title, sum(not _blank_row(c) for _, c in records)))
    if not book.sheets and parts:  # no ledger sheet: the first sheet, for the error message
        book.sheets.append(Sheet(parts[0][0], frame_from_records(parts[0][1])))
        book.skipped = [s for s in book.skipped if s[0] != parts[0][0]]
    return book


# ---------------------------------------------------------------- GeoJSON


def _read_geojson(data: bytes, name: str) -> Workbook:
    try:
        # times stay as written: GDAL would read a naive time next to an offset one as UTC
        # and give a bare date next to a datetime a clock time
        gdf = gpd.read_file(io.BytesIO(data), DATE_AS_STRING="YES", datetime_as_string=True)
    except Exception as exc:
        raise LedgerReadError(
            f"{name}: not readable GeoJSON ({exc})", zh=f"{name}:无法按 GeoJSON 读取"
        ) from exc
    frame = pd.DataFrame(gdf.drop(columns="geometry"), dtype=object).map(clean_cell)
    geoms = gdf.geometry
    is_point = geoms.geom_type.eq("Point").to_numpy()
    xs = np.full(len(gdf), None, dtype=object)
    ys = np.full(len(gdf), None, dtype=object)
    if is_point.any():  # GeoSeries.x raises on any non-point, so take points only
        xs[is_point] = geoms[is_point].x.to_numpy()
        ys[is_point] = geoms[is_point].y.to_numpy()
    frame["经度"] = xs
    frame["纬度"] = ys
    frame["__geom_type"] = geoms.geom_type.fillna("none").to_numpy()
    frame.index = pd.Index(range(1, len(frame) + 1), name="row")  # feature number
    return Workbook([Sheet(None, frame)])


READERS: Final[dict[str, Callable[[bytes, str], Workbook]]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".geojson": _read_geojson,
    ".json": _read_geojson,
}


def _file_data(source: str | os.PathLike[str] | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        if not name:
            raise LedgerReadError("reading bytes needs a file name to tell the format")
        return source, name
    path = Path(source)
    try:
        return path.read_bytes(), name or path.name
    except OSError as exc:
        raise LedgerReadError(
            f"{path}: cannot read the file ({exc.strerror})",
            zh=f"{path}:无法读取文件({exc.strerror})",
        ) from exc


def read_sheets(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> Workbook:
    """Read a ledger file (a path, or bytes and its file ``name``) into its ledger sheets.

    Parameters
    ----------
    source : path or bytes
        The file.
    name : str, optional
        The file name (needed with bytes: its suffix tells the format).

    Returns
    -------
    Workbook
        The sheets read and the sheets skipped.

    Raises
    ------
    LedgerReadError
        When the file cannot be read or is empty.
    """
    data, label = _file_data(source, name)
    suffix = Path(label).suffix.lower()
    if suffix == ".xls":
        raise LedgerReadError(
            f"{label}: old .xls workbooks are not read; save it as .xlsx",
            zh=f"{label}:不支持旧版 .xls 工作簿;请另存为 .xlsx",
        )
    reader = READERS.get(suffix)
    if reader is None:
        raise LedgerReadError(
            f"{label}: file type {suffix or '(none)'!r} not supported; use {sorted(READERS)}",
            zh=f"{label}:不支持的文件类型 {suffix or '(无)'};请使用 CSV、XLSX 或 GeoJSON",
        )
    book = reader(data, label)
    if not book.sheets or (len(book.sheets[0].frame.columns) == 0 and not book.skipped):
        raise LedgerReadError(f"{label}: the file is empty", zh=f"{label}:文件是空的")
    return book


def read_table(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> pd.DataFrame:
    """The first ledger sheet of a file as an all-object frame by sheet row."""
    return read_sheets(source, name=name).sheets[0].frame
