"""Tipster identities never leave the store; exports are formula-safe."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from geo.export import rejects_to_xlsx
from geo.imports import commit_import, preview_import
from geo.ingest import read_ledger
from geo.store import Store

LEDGER = (
    "编号,类型,发生时间,经度,纬度,车牌号,举报人,举报人电话,地点\n"
    'T1,举报,2025-10-03 08:00,108.66,30.96,渝F77777,王秘密,13912345678,=HYPERLINK("x")\n'
    "T2,举报,2025-10-03 09:00,300,30.96,渝F77778,李保密,13987654321,+1+2\n"
).encode()
SECRETS = ("王秘密", "13912345678", "李保密", "13987654321")


def _xlsx_cells(data: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]


def test_reject_download_has_the_row_but_no_tipster(two_townships) -> None:
    result = read_ledger(LEDGER, name="tips.csv", townships=two_townships)
    assert result.n_rejected == 1
    data = rejects_to_xlsx(result.rejects_with_rows())
    cells = [str(c) for c in _xlsx_cells(data) if c is not None]
    assert "300" in cells and any("经度" in c for c in cells)
    assert not any(s in c for s in SECRETS for c in cells)
    assert "'+1+2" in cells  # the formula-looking value is neutralised


def test_store_keeps_tipsters_apart(tmp_path, two_townships) -> None:
    with Store(f"sqlite:///{tmp_path}/p.sqlite") as store:
        batch = commit_import(
            store,
            preview_import(store, LEDGER, name="tips.csv", townships=two_townships),
            username="x",
        )
        events = store.events().to_string()
        rejects = store.batch_rejects(batch).to_string()
        audit = store.audit_log().to_string()
        for text in (events, rejects, audit):
            assert not any(s in text for s in SECRETS)
        assert set(store.table("tipsters")["tipster_name"]) == {"王秘密"}
        data = rejects_to_xlsx(store.batch_rejects(batch))
        assert not any(s in str(c) for s in SECRETS for c in _xlsx_cells(data))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reject_workbook_opens_with_reasons(two_townships, lang) -> None:
    result = read_ledger(LEDGER, name="tips.csv", townships=two_townships)
    data = rejects_to_xlsx(result.rejects_with_rows(), lang=lang)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert any(n.startswith("xl/worksheets/") for n in z.namelist())
    cells = [str(c) for c in _xlsx_cells(data) if c is not None]
    assert any(("超出范围" if lang == "zh" else "out of range") in c for c in cells)
