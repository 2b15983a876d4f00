"""Hostile and messy input (issue 15): each finding of the probe as a test.

Every file is generated here (no committed binaries): corrupt and multi-sheet workbooks,
a CSV with a stray quote, control characters, placeholders, over-long cells, ambiguous dates,
complainant columns and township imports with a point in another township.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.cli import main as cli
from geo.errors import LedgerReadError
from geo.export import neutralize, rejects_to_xlsx
from geo.fields import parse_time_checked
from geo.imports import NEIGHBOURS, commit_import, mask_originals, preview_import
from geo.ingest import IngestResult, read_ledger, read_ledgers
from geo.store import Store

NOW = pd.Timestamp("2025-12-01 12:00", tz="Asia/Shanghai")
HEADER = ["编号", "类型", "发生时间", "经度", "纬度", "车牌号"]


def row(i: int, **cells: object) -> list[object]:
    base = {
        "编号": f"A{i}",
        "类型": "查处",
        "发生时间": f"2025-10-{1 + i % 28:02d} 20:15",
        "经度": 108.65,
        "纬度": 30.95,
        "车牌号": f"渝F{10000 + i}",
    }
    base.update(cells)
    return [base.get(h, "") for h in HEADER]


def csv_bytes(rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(xlsx: bytes, change) -> bytes:
    """The workbook with each zip member passed through ``change(name, data) -> data|None``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = change(item.filename, src.read(item.filename))
            if data is not None:
                dst.writestr(item, data)
    return out.getvalue()


def accounted(res: IngestResult) -> None:
    assert res.n_rows == res.n_accepted + res.n_rejected


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["500235001", "500235002"], "name": ["甲镇", "乙乡"]},
        geometry=[shapely.box(108.6, 30.9, 108.7, 31.0), shapely.box(108.7, 30.9, 108.8, 31.0)],
        crs=4326,
    )


# ---------------------------------------------------------------- 2. control characters


class TestControlCharacters:
    def test_cells_are_cleaned_and_the_reject_export_writes(self) -> None:
        rows = [HEADER, row(1, 车牌号="渝F1\x0023"), row(2, 发生时间="2025-10-0\x01x 20:15")]
        res = read_ledger(csv_bytes(rows), name="c.csv", now=NOW)
        accounted(res)
        assert res.events["plate"].tolist() == ["渝F123"]
        assert "\x01" not in res.rejects["value"].iloc[0]
        book = openpyxl.load_workbook(io.BytesIO(rejects_to_xlsx(res.rejects_with_rows())))
        assert book.active.max_row == 2

    def test_the_spreadsheet_sanitiser_removes_them_from_any_cell(self) -> None:
        assert neutralize("a\x00b\x1fc") == "abc"
        assert neutralize("=\x01SUM(A1)") == "'=SUM(A1)"
        frame = pd.DataFrame({"原始_备注\x02": ["x\x03y"], "row": [2], "reason_zh": ["z"]})
        data = rejects_to_xlsx(frame)
        cells = [c.value for c in openpyxl.load_workbook(io.BytesIO(data)).active[1]]
        assert "原始_备注" in cells


# ---------------------------------------------------------------- 3. corrupt workbooks


class TestCorruptWorkbooks:
    def good(self) -> bytes:
        return workbook({"台账": [HEADER, row(1), row(2)]})

    @pytest.mark.parametrize(
        "change",
        [
            lambda n, d: d.replace(b"<sheetData>", b"<sheetData><row><c") if "sheet1" in n else d,
            lambda n, d: None if n.startswith("xl/worksheets/") else d,
            lambda n, d: b"\x00garbage" if n == "xl/workbook.xml" else d,
            lambda n, d: d[: len(d) // 2] if "sharedStrings" in n or "sheet1" in n else d,
        ],
        ids=["bad_xml", "missing_sheet_part", "garbage_workbook", "truncated_parts"],
    )
    def test_read_raises_a_ledger_error(self, tmp_path: Path, change, capsys) -> None:
        data = rewrite(self.good(), change)
        with pytest.raises(LedgerReadError) as err:
            read_ledger(data, name="坏.xlsx", now=NOW)
        assert "坏.xlsx" in str(err.value) and "重新另存为" in err.value.text("zh")
        path = tmp_path / "坏.xlsx"
        path.write_bytes(data)
        assert cli(["check", str(path), "--no-townships"]) == 2
        assert "error: 坏.xlsx" in capsys.readouterr().err
        db = f"sqlite:///{tmp_path}/s.sqlite"
        assert cli(["import", str(path), "--db", db, "--user", "t"]) == 2
        with Store(db) as store:
            assert store.n_batches() == 0

    def test_not_a_ledger_is_one_message(self) -> None:
        data = csv_bytes([["姓名", "单位", "备注"], ["张三", "某局", "无"]] * 3)
        with pytest.raises(LedgerReadError, match="not recognised as a ledger") as err:
            read_ledger(data, name="名单.csv", now=NOW)
        assert "未识别为台账" in err.value.text("zh") and "姓名" in err.value.text("zh")


# ---------------------------------------------------------------- 4. rows lost silently


class TestEveryRowAccounted:
    def test_a_cover_sheet_first(self) -> None:
        data = workbook(
            {"封面": [["2025年10月台账"], ["填报单位:某镇"]], "数据": [HEADER, row(1), row(2)]}
        )
        res = read_ledger(data, name="b.xlsx", now=NOW)
        accounted(res)
        assert res.n_rows == 2 and res.n_accepted == 2
        assert any("封面" in zh for _, zh in res.notes)

    def test_every_monthly_sheet(self) -> None:
        sheets = {
            f"{m}月": [HEADER] + [row(100 * m + i) for i in range(10)] for m in (9, 10)
        }
        res = read_ledger(workbook(sheets), name="m.xlsx", now=NOW)
        accounted(res)
        assert res.n_accepted == 20
        assert set(res.events["source_file"]) == {"m.xlsx · 9月", "m.xlsx · 10月"}

    def test_ids_repeated_across_sheets_are_rejected_in_the_later_one(self) -> None:
        sheets = {"一": [HEADER, row(1), row(2)], "二": [HEADER, row(2), row(3)]}
        res = read_ledger(workbook(sheets), name="r.xlsx", now=NOW)
        accounted(res)
        assert res.n_accepted == 3
        assert res.rejects[["file", "reason_code"]].values.tolist() == [
            ["r.xlsx · 二", "duplicate_id"]
        ]

    def test_a_declared_used_range_that_is_too_small(self) -> None:
        data = workbook({"台账": [HEADER] + [row(i) for i in range(30)]})
        small = rewrite(
            data,
            lambda n, d: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C3"', d)
            if n.startswith("xl/worksheets/")
            else d,
        )
        with zipfile.ZipFile(io.BytesIO(small)) as z:
            assert b'ref="A1:C3"' in z.read("xl/worksheets/sheet1.xml")
        res = read_ledger(small, name="d.xlsx", now=NOW)
        assert res.n_rows == 30 and res.n_accepted == 30

    def test_a_stray_quote_swallows_no_rows(self) -> None:
        lines = [",".join(HEADER)] + [",".join(map(str, row(i))) for i in range(5)]
        lines[2] = lines[2].replace("渝F10001", '"渝F10001')  # opens a quote never closed
        res = read_ledger("\n".join(lines).encode(), name="q.csv", now=NOW)
        accounted(res)
        assert res.n_rows == 5 and res.n_accepted == 4
        assert res.rejects["reason_code"].tolist() == ["bad_plate"]

    def test_a_quoted_address_over_two_lines_stays_one_cell(self) -> None:
        rows = [[*HEADER, "地点"], [*row(1), "云阳县, 双江街道\n北站"], [*row(2), "x"]]
        res = read_ledger(csv_bytes(rows), name="a.csv", now=NOW)
        assert res.events["address"].tolist() == ["云阳县, 双江街道\n北站", "x"]

    def test_cells_beyond_the_header_are_kept(self) -> None:
        rows = [HEADER, [*row(1), "多出的内容"]]
        res = read_ledger(csv_bytes(rows), name="w.csv", now=NOW)
        assert "多出的内容" in res.raw.iloc[0].tolist()


# ---------------------------------------------------------------- 5. placeholders, memory


class TestDuplicateSearch:
    @pytest.mark.parametrize("placeholder", ["不详", "无牌", "无", "-", "未知", "N/A"])
    def test_placeholder_plates_are_no_plate(self, tmp_path: Path, placeholder: str) -> None:
        rows = [HEADER] + [row(i, 车牌号=placeholder, 发生时间="2025-10-01 20:15") for i in range(40)]
        with Store(f"sqlite:///{tmp_path}/s.sqlite") as store:
            preview = preview_import(store, csv_bytes(rows), name="p.csv", now=NOW)
        assert preview.counts["new"] == 40 and preview.counts["flagged"] == 0
        assert preview.new["plate"].isna().all()

    def test_many_records_of_one_plate_compare_in_bounded_work(self, tmp_path: Path) -> None:
        """2,000 records of one plate within minutes: each looks at ≤ 2×NEIGHBOURS others."""
        from geo.imports import _candidates, _points

        times = pd.date_range("2025-10-01 20:00", periods=2000, freq="s", tz="Asia/Shanghai")
        frame = pd.DataFrame(
            {
                "event_id": [f"e{i}" for i in range(2000)],
                "kind": "case",
                "occurred_at": times,
                "lat": 30.95,
                "lon": 108.65,
                "key": "渝F12345",
            }
        )
        stored = frame.iloc[0:0].assign(occurred_at=pd.Series(dtype="datetime64[ns]"))
        pts = _points(frame, stored)
        left, right = _candidates(pts, pd.RangeIndex(2000).to_numpy(), window=30)
        assert len(left) <= 2000 * NEIGHBOURS
        rows = [HEADER] + [
            row(i, 发生时间=f"2025-10-01 20:{i % 60:02d}", 车牌号="渝F12345") for i in range(300)
        ]
        with Store(f"sqlite:///{tmp_path}/s.sqlite") as store:
            preview = preview_import(store, csv_bytes(rows), name="d.csv", now=NOW)
        assert 0 < preview.counts["flagged"] < 300  # the first one has nothing to point to


# ---------------------------------------------------------------- 6. lengths, on both stores


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"车牌号": "渝F12345、渝F23456、渝F34567、渝F45678、渝F56789"}, "several_plates"),
        ({"编号": "X" * 129}, "too_long"),
        ({"车牌号": "渝F" + "1" * 40}, "too_long"),
    ],
    ids=["five_plates", "long_id", "long_plate"],
)
def test_what_one_store_refuses_is_rejected_at_ingest(db_url: str, cells, code) -> None:
    rows = [HEADER, row(1), row(2, **cells), row(3, 车牌号="渝F\x0099")]
    with Store(db_url) as store:
        preview = preview_import(store, csv_bytes(rows), name="l.csv", now=NOW)
        assert preview.counts["new"] == 2 and preview.counts["rejected"] == 1
        assert preview.result.rejects["reason_code"].tolist() == [code]
        assert commit_import(store, preview, username="t")
        assert len(store.events()) == 2
        assert "渝F99" in set(store.events()["plate"])


# ---------------------------------------------------------------- 7. dates


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("25-10-01", "two_digit_year"),
        ("25/10/01 20:30", "two_digit_year"),
        ("25.10.01", "two_digit_year"),
        ("20:30", "no_date"),
        ("8点30分", "no_date"),
        ("晚上8点", "no_date"),
        (0.854166, "no_date"),
        (pd.Timestamp("2025-10-01 20:30").time(), "no_date"),
        ("2025", "incomplete_date"),
        ("2025-10", "incomplete_date"),
        ("2025年10月", "incomplete_date"),
        ("01/10/2025", "ambiguous_date"),
        ("10/01/2025 20:30", "ambiguous_date"),
        ("Oct 1 2025", "bad_time"),
    ],
)
def test_dates_that_cannot_be_sure_are_rejected(value: object, code: str) -> None:
    ts, _, found = parse_time_checked(value)
    assert ts is None and found == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13/10/2025", "2025-10-13"), ("10/13/2025 20:30", "2025-10-13 20:30")],
)
def test_unambiguous_day_month_orders_are_read(value: str, expected: str) -> None:
    ts, _, _ = parse_time_checked(value)
    assert ts == pd.Timestamp(expected, tz="Asia/Shanghai")


# ---------------------------------------------------------------- 8. township imports


def test_a_township_import_decides_by_the_point(tmp_path: Path, towns) -> None:
    header = [*HEADER, "乡镇"]
    rows = [header, [*row(1), "甲镇"], [*row(2, 经度=108.75), "甲镇"]]  # row 3 lies in 乙乡
    with Store(f"sqlite:///{tmp_path}/s.sqlite") as store:
        preview = preview_import(
            store, csv_bytes(rows), name="t.csv", townships=towns, scope="500235001", now=NOW
        )
    assert preview.counts["new"] == 1 and preview.counts["rejected"] == 1
    rej = preview.result.rejects.iloc[0]
    assert (rej["row"], rej["reason_code"]) == (3, "outside_scope")


# ---------------------------------------------------------------- 11. complainant columns

TIPSTERS = {
    "举报人": "甲某",
    "联系电话": "13900000001",
    "联系电话.2": "13900000002",
    "投诉人": "乙某",
    "投诉人电话": "13900000003",
    "来电人": "丙某",
    "来电号码": "13900000004",
    "反映人": "丁某",
    "联系人": "戊某",
    "联系方式": "13900000005",
    "手机号": "13900000006",
}


def test_complainant_columns_reach_no_reject_file(tmp_path: Path) -> None:
    header = [*HEADER, *[h.split(".")[0] for h in TIPSTERS]]
    secrets = list(TIPSTERS.values())
    rows = [header, [*row(1), *secrets], [*row(2, 发生时间="坏"), *secrets]]
    res = read_ledger(csv_bytes(rows), name="x.csv", kind="tip", now=NOW)
    assert res.n_rejected == 1
    with Store(f"sqlite:///{tmp_path}/s.sqlite") as store:
        preview = preview_import(store, csv_bytes(rows), name="x.csv", now=NOW)
        batch = commit_import(store, preview, username="t")
        stored = store.batch_rejects(str(batch))
    outputs = [
        res.raw.to_string(),
        res.rejects_with_rows().to_string(),
        stored.to_string(),
        mask_originals(stored).to_string(),
        rejects_to_xlsx(res.rejects_with_rows()).decode("latin-1"),
    ]
    for text in outputs:
        assert not any(s in text for s in secrets)


# ---------------------------------------------------------------- 12. found in review


def test_a_combined_position_column_is_named_in_its_reject(towns) -> None:
    rows = [["编号", "类型", "发生时间", "经纬度"], ["A1", "查处", "2025-10-01 20:15", "109.5,30.95"]]
    res = read_ledger(csv_bytes(rows), name="p.csv", townships=towns, now=NOW)
    rej = res.rejects.iloc[0]
    assert (rej["column"], rej["value"], rej["reason_code"]) == ("经纬度", "109.5,30.95", "outside_area")
    assert "None" not in rej["reason"] + rej["reason_zh"]


def test_a_cross_file_duplicate_keeps_only_the_first_tipster(tmp_path: Path) -> None:
    header = [*HEADER, "举报人"]
    (tmp_path / "a.csv").write_bytes(csv_bytes([header, [*row(1), "第一人"]]))
    (tmp_path / "b.csv").write_bytes(csv_bytes([header, [*row(1), "第二人"]]))
    res = read_ledgers([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert res.n_accepted == 1 and res.n_rejected == 1
    assert res.tipsters["tipster_name"].tolist() == ["第一人"]


# ---------------------------------------------------------------- the corpus and properties


def corpus() -> dict[str, bytes]:
    """Malformed ledgers: each must give counts that add up, or exit 2 with a message."""
    good = [HEADER, row(1), row(2)]
    text = csv_bytes(good)
    return {
        "empty.csv": b"",
        "header_only.csv": csv_bytes([HEADER]),
        "bom_only.csv": b"\xef\xbb\xbf",
        "binary.csv": bytes(range(256)) * 4,
        "nul.csv": text.replace(b"A1", b"A\x001"),
        "utf16.csv": text.decode().encode("utf-16"),
        "ragged.csv": b"\n".join([",".join(HEADER).encode(), b"A1,1", b",,,,,,,,,,,,,"]),
        "only_quotes.csv": b'"""""""\n"""\n',
        "html.csv": b"<html><body>not a csv</body></html>",
        "xlsx_as_csv.csv": workbook({"a": good}),
        "csv_as.xlsx": text,
        "zip_not_xlsx.xlsx": rewrite(workbook({"a": good}), lambda n, d: d if "rels" in n else None),
        "empty_sheets.xlsx": workbook({"a": [], "b": []}),
        "json_array.geojson": b"[1,2,3]",
        "bad.geojson": b'{"type":"FeatureCollection","features":[{"type":"Feature"}]}',
        "huge_cell.csv": csv_bytes([HEADER, row(1, 车牌号="x" * 200_000)]),
        "many_columns.csv": csv_bytes([[*HEADER, *map(str, range(3000))], row(1)]),
    }


@pytest.mark.parametrize("name", sorted(corpus()))
def test_corpus_no_traceback(tmp_path: Path, name: str, capsys) -> None:
    data = corpus()[name]
    try:
        res = read_ledger(data, name=name, now=NOW)
    except LedgerReadError as exc:
        assert str(exc) and exc.text("zh")
    else:
        accounted(res)
    path = tmp_path / name
    path.write_bytes(data)
    code = cli(["check", str(path), "--no-townships"])
    out = capsys.readouterr()
    assert code in (0, 2) and "Traceback" not in out.err
    assert code == 0 or out.err.startswith("error:")


# cells with quotes, delimiters and control characters (line breaks in cells are tested
# above: a quoted cell holding lines of a whole row's delimiters is read line by line)
_CELL = st.text(alphabet=st.sampled_from(list('渝F12,"\t\x00;:-/. 年月日=+@`${}<>')), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.lists(_CELL, min_size=0, max_size=9), min_size=1, max_size=8),
    good=st.integers(min_value=0, max_value=3),
)
def test_property_any_ledger_is_accounted_and_keeps_tipsters_apart(cells, good) -> None:
    header = [*HEADER, "举报人", "联系电话"]
    rows = [header] + [[*row(i), f"TIPNAME{i}Q", f"TIPPHONE{i}Q"] for i in range(good)]
    width = len(HEADER)  # the tipster values stay in their own columns
    rows += [
        (c + [""] * width)[:width] + [f"TIPNAME{k}X", f"TIPPHONE{k}X"] for k, c in enumerate(cells)
    ]
    try:
        res = read_ledger(csv_bytes(rows), name="h.csv", kind="tip", now=NOW)
    except LedgerReadError:
        return
    accounted(res)
    shown = res.events.to_string() + res.rejects_with_rows().to_string() + res.raw.to_string()
    assert "TIPNAME" not in shown and "TIPPHONE" not in shown
    assert set(res.tipsters["event_id"]) <= set(res.events["event_id"])
