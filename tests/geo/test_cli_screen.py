"""``hexpatrol screen`` on pass files written many ways: headers, encodings, formats, messes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.store import Store
from tests.geo import screen_data as data

WEEK = ["--from", "2025-10-13", "--to", "2025-10-19"]


@pytest.fixture
def cps(tmp_path: Path) -> Path:
    path = tmp_path / "卡口.csv"
    data.CHECKPOINTS.to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture
def white(tmp_path: Path) -> Path:
    path = tmp_path / "whitelist.xlsx"
    data.WHITELIST.to_excel(path, index=False)
    return path


def screen(cps: Path, passes: list[str], out: Path, *extra: str) -> int:
    return main(
        ["screen", "--checkpoints", str(cps), "--passes", *passes, "--out", str(out), *WEEK, *extra]
    )


def read_out(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"plate": str})


def check_list(out: Path) -> pd.DataFrame:
    table = read_out(out)
    assert {"plate", "score", "grade", "reasons"} <= set(table.columns)
    assert table["plate"].tolist()[:2] == ["渝F12345", "渝F67890"]  # the runner ranks first
    assert "渝FW0001" not in set(table["plate"])  # whitelisted
    assert table["score"].is_monotonic_decreasing
    return table


def english_csv(tmp_path: Path) -> list[str]:
    frame = data.passes().rename(
        columns={"号牌号码": "Plate No", "过车时间": "pass_time", "卡口编号": "Checkpoint ID"}
    )
    frame["pass_time"] = frame["pass_time"].str.replace("-", "/", n=2)
    path = tmp_path / "passes_en.csv"
    frame.to_csv(path, index=False)
    return [str(path)]


def gbk_with_title(tmp_path: Path) -> list[str]:
    path = tmp_path / "过车.csv"
    body = data.passes().rename(columns={"号牌号码": "车牌号码", "过车时间": "抓拍时间"})
    text = "卡口过车记录(导出)\n" + body.to_csv(index=False)
    path.write_bytes(text.encode("gb18030"))
    return [str(path)]


def parquet_days(tmp_path: Path) -> list[str]:
    frame = data.passes()
    frame["过车时间"] = pd.to_datetime(frame["过车时间"], errors="coerce")
    folder = tmp_path / "days"
    folder.mkdir()
    for i, part in enumerate((frame.iloc[::2], frame.iloc[1::2])):
        part.to_parquet(folder / f"passes_{i}.parquet", index=False)
    return [str(folder / "passes_*.parquet")]


def xlsx_small(tmp_path: Path) -> list[str]:
    path = tmp_path / "passes.xlsx"
    data.passes().to_excel(path, index=False)
    return [str(path)]


def two_globs(tmp_path: Path) -> list[str]:
    frame = data.passes()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    frame.iloc[:20].to_csv(tmp_path / "a" / "x.csv", index=False)
    frame.iloc[20:].to_csv(tmp_path / "b" / "y.csv", index=False)
    return [str(tmp_path / "a"), str(tmp_path / "b" / "*.csv")]


@pytest.mark.parametrize(
    "writer",
    [english_csv, gbk_with_title, parquet_days, xlsx_small, two_globs],
    ids=["english-csv", "gbk-title-line", "parquet-glob", "xlsx", "folder-and-glob"],
)
def test_unseen_layouts(writer, tmp_path: Path, cps: Path, white: Path, capsys) -> None:
    out = tmp_path / "suspects.csv"
    assert screen(cps, writer(tmp_path), out, "--whitelist", str(white)) == 0
    check_list(out)
    text = capsys.readouterr().out
    assert "rows in = " in text and "duplicate_read: 1 rows" in text


def test_messy_rows_are_counted_not_fatal(tmp_path: Path, cps: Path, capsys) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["号牌号码", "过车时间", "卡口编号", "方向"])
    for rec in data.passes().itertuples(index=False):
        writer.writerow([*rec, "1"])
    buffer.write('渝F00001,"2025-10-13 08:00:00,A1\n')  # an unclosed quote
    buffer.write("渝F00002,2025-10-13 09:00:00\n")  # a short row
    buffer.write("渝F00003,2025-10-13 09:00:00,A1,1,extra,fields\n")  # a long row
    path = tmp_path / "messy.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    out = tmp_path / "s.csv"
    assert screen(cps, [str(path)], out) == 0
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    rows_in, used, rejected, outside = (
        int(x.replace(",", ""))
        for x in [first.split()[1], first.split()[5], first.split()[8], first.split()[11]]
    )
    assert rows_in == used + rejected + outside
    assert rows_in >= len(data.passes()) + 2


class TestErrors:
    def test_missing_passes(self, tmp_path: Path, cps: Path, capsys) -> None:
        assert screen(cps, [str(tmp_path / "none_*.csv")], tmp_path / "s.csv") == 2
        err = capsys.readouterr().err
        assert "nothing found" in err and "Traceback" not in err

    def test_broken_parquet(self, tmp_path: Path, cps: Path, capsys) -> None:
        bad = tmp_path / "bad.parquet"
        bad.write_bytes(b"PAR1 not really")
        assert screen(cps, [str(bad)], tmp_path / "s.csv") == 2
        assert "cannot read" in capsys.readouterr().err

    def test_passes_without_a_plate_column(self, tmp_path: Path, cps: Path, capsys) -> None:
        path = tmp_path / "p.csv"
        path.write_text("车辆,时间,卡口编号\nx,2025-10-13 08:00:00,A1\n", encoding="utf-8")
        assert screen(cps, [str(path)], tmp_path / "s.csv") == 2
        assert "no column for ['plate']" in capsys.readouterr().err

    def test_out_must_be_csv_or_xlsx(self, tmp_path: Path, cps: Path, capsys) -> None:
        assert screen(cps, english_csv(tmp_path), tmp_path / "s.pdf") == 2

    def test_model_without_known_plates(self, tmp_path: Path, cps: Path, capsys) -> None:
        code = screen(
            cps,
            english_csv(tmp_path),
            tmp_path / "s.csv",
            "--scorer",
            "model",
            "--db",
            f"sqlite:///{tmp_path}/empty.sqlite",
        )
        assert code == 2 and "known plates" in capsys.readouterr().err


def test_excel_is_formula_safe_and_localised(tmp_path: Path, capsys) -> None:
    frame = data.CHECKPOINTS.copy()
    frame["片区"] = ['=HYPERLINK("x")', "", "", "", ""]
    path = tmp_path / "cps.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "s.xlsx"
    assert screen(path, english_csv(tmp_path), out, "--scorer", "rules") == 0
    sheet = openpyxl.load_workbook(out)["筛查结果"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["序号", "车牌", "得分", "等级", "主要依据"]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert not [c for c in texts if c.startswith("=")]
    assert any(c.startswith("'=HYPERLINK") or "=HYPERLINK" in c for c in texts)
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["数据说明"].iter_rows()}
    assert about["计算引擎"] == "DuckDB(单机)" and about["排序方法"] == "规则"


def test_the_backtest_sheet_is_in_words() -> None:
    from geo.screening.report import _evaluation

    raw = pd.DataFrame(
        {
            "scorer": ["rules", "model"],
            "rounds": [5, 5],
            "hidden": [4, 4],
            "precision@10": [0.31234, 0.4],
            "recall@10": [0.5, 0.6],
            "r_precision": [0.2, 0.3],
        }
    )
    zh = _evaluation(raw, "zh")
    assert list(zh.columns) == [
        "排序方法",
        "回测轮数",
        "每轮隐藏的已知车辆",
        "前10名中已知车辆占比",
        "已知车辆进入前10名的比例",
        "R 精确率",
    ]
    assert zh["排序方法"].tolist() == ["规则", "模型(正例-未标注学习)"]
    assert zh.iloc[0, 3] == 0.312
    en = _evaluation(raw, "en")
    assert en.columns[3] == "Share known in the top 10" and en.iloc[1, 0].startswith("model")


def test_known_plates_from_the_store(tmp_path: Path, cps: Path, capsys) -> None:
    ledger = tmp_path / "cases.csv"
    ledger.write_text(
        "编号,类型,发生时间,经度,纬度,车牌号\nX1,查处,2025-10-01 20:00,108.70,30.95,渝F·12345\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path}/s.sqlite"
    assert main(["import", str(ledger), "--db", db, "--user", "t"]) == 0
    out = tmp_path / "s.csv"
    assert screen(cps, english_csv(tmp_path), out, "--db", db, "--lang", "en") == 0
    assert "known plates among the screened: 1" in capsys.readouterr().out
    table = read_out(out)
    assert table.loc[0, "known"] == "yes"
    assert "1 earlier case(s) on record" in table.loc[0, "reasons"]
    with Store(db) as store:
        assert "screen" in set(store.audit_log()["action"])


def test_top_and_min_grade(tmp_path: Path, cps: Path) -> None:
    out = tmp_path / "s.csv"
    assert screen(cps, english_csv(tmp_path), out, "--top", "1") == 0
    assert len(read_out(out)) == 1
    assert screen(cps, english_csv(tmp_path), out, "--min-grade", "high") == 0
    assert read_out(out).empty or set(read_out(out)["grade"]) == {"高度疑似"}
