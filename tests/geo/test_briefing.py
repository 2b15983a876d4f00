"""The briefing's text is checked number by number against the data it came from."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from geo.briefdoc import MARGINS_MM, to_docx, to_pdf
from geo.briefing import compose
from geo.briefmap import densest_extent, render_map, render_trend
from geo.cli import main

TZ = "Asia/Shanghai"
MONTH = "2025-10"


@pytest.fixture(scope="module")
def county(demo):
    b = compose(demo, MONTH)
    b.map_png = render_map(demo, b, dpi=120)
    b.trend_png = render_trend(b, dpi=120)
    return b


def month_events(demo, code: str | None = None, month: str = MONTH) -> pd.DataFrame:
    start = pd.Timestamp(f"{month}-01", tz=TZ)
    ev = demo.events
    sel = (ev["occurred_at"] >= start) & (ev["occurred_at"] < start + pd.offsets.MonthBegin(1))
    if code:
        sel &= ev["township_code"] == code
    return ev[sel]


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in {text!r}"
    return float(m.group(1))


def test_headline_figures_in_the_text_match_the_data(county, demo) -> None:
    ev = month_events(demo)
    cases, tips = (ev["kind"] == "case").sum(), (ev["kind"] == "tip").sum()
    verified = ((ev["kind"] == "tip") & (ev["status"] == "属实")).sum()
    prev = month_events(demo, month="2025-09")
    last_year = month_events(demo, month="2024-10")
    text = county.text["situation"][0]
    assert number(r"共查处非法营运案件(\d+)起", text) == cases
    assert number(r"受理群众举报线索(\d+)条", text) == tips
    assert number(r"属实(\d+)条", text) == verified
    mom = (cases - (prev["kind"] == "case").sum()) / (prev["kind"] == "case").sum()
    yoy = (cases - (last_year["kind"] == "case").sum()) / (last_year["kind"] == "case").sum()
    assert number(r"案件\d+起,环比(?:上升|下降)([\d.]+)%", text) == round(abs(mom) * 100, 1)
    assert number(r"同比(?:上升|下降)([\d.]+)%", text) == round(abs(yoy) * 100, 1)
    assert ("环比上升" in text) == (mom > 0)


def test_period_breakdown_matches_the_labels(county, demo) -> None:
    ev = month_events(demo)
    labels = demo.labels.loc[ev.index]
    text = county.text["situation"][1]
    assert number(r"共(\d+)起", text) == len(ev)
    for word, key in (("夜间", "night"), ("法定节假日", "holiday"), ("逢场日", "market_day")):
        assert number(word + r"(\d+)起", text) == labels[key].sum()


def test_hotspot_and_risk_sentences_match_the_tables(county) -> None:
    hot = county.text["hotspots"][0]
    n99, n95, n90 = (county.figures[k] for k in ("hot_99", "hot_95", "hot_90"))
    assert number(r"显著热点格(\d+)个", hot) == n99 + n95 + n90
    assert number(r"99%置信(\d+)个", hot) == n99
    for line in county.text["risk"]:
        label = line[0]
        level = {"高": "high", "中": "medium", "低": "low"}[label]
        assert number(r"风险区域(\d+)处", line) == (county.risk["level"] == level).sum()
    plan = county.text["plan"][0]
    assert number(r"机动巡逻队(\d+)支", plan) == (county.plan_posts["kind"] == "mobile").sum()
    share = county.plan_figures["coverage_share"]
    assert number(r"覆盖下月夜间预测风险的([\d.]+)%", plan) == round(share * 100, 1)


def test_plan_sentence_gives_the_forecast_track_record(county) -> None:
    plan, f = county.text["plan"][0], county.plan_figures
    found = re.search(
        r"按该方法,过去(\d+)个月覆盖区域\(占全域面积([\d.]+)%\)平均命中([\d.]+)%事件,"
        r"PAI ([\d.]+)。",
        plan,
    )
    assert found, plan
    months, area, hit, pai = (float(g) for g in found.groups())
    assert months == f["backtest_months"] == 12
    assert area == round(f["area_share"] * 100, 2) and hit == round(f["backtest_hit_rate"] * 100, 1)
    assert pai == round(f["backtest_pai"], 1)
    assert 0 < f["backtest_hit_rate"] <= 1 and f["backtest_pai"] > 1


def test_township_briefing_sees_only_its_township(demo) -> None:
    code = demo.townships.set_index("name").loc["江口镇", "code"]
    b = compose(demo, MONTH, township=code)
    ev = month_events(demo, code)
    assert b.scope == "江口镇" and b.figures["cases"] == (ev["kind"] == "case").sum()
    assert b.figures["events"] == len(ev)
    assert set(b.top_cells["乡镇"]) <= {"江口镇"}
    ka = demo.key_areas.set_index("name")
    assert all(ka.loc[n, "township_code"] == code for n in b.risk["name"])
    assert b.text["situation"][0].startswith("2025年10月,江口镇")


def test_bad_month_and_township(demo) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        compose(demo, "October")
    with pytest.raises(ValueError, match="not in the township list"):
        compose(demo, MONTH, township="123")


def test_outputs_docx_png_pdf(county, demo) -> None:
    from docx import Document

    assert county.map_png.startswith(b"\x89PNG")
    data = to_docx(county, synthetic=True)
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "云阳县2025年10月非法营运热点研判通报" in text
    for heading in (
        "一、总体情况",
        "二、热点分布与趋势",
        "三、重点区域风险等级",
        "四、下月工作建议",
    ):
        assert heading in text
    assert len(doc.inline_shapes) == 2 and len(doc.tables) >= 5  # map and trend, 附件 pages
    cells = " ".join(c.text for table in doc.tables for row in table.rows for c in row.cells)
    raw_plates = set(month_events(demo)["plate"].dropna()) - {""}
    assert not any(p in cells or p in text for p in raw_plates)  # plates only masked
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed (make test installs it)")
    pdf = to_pdf(data)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        assert "非法营运热点研判通报" in out.stdout.decode("utf-8")


def test_cli_brief(tmp_path: Path, capsys) -> None:
    code = "500235131"
    assert (
        main(["brief", "--month", MONTH, "--township", code, "--out", str(tmp_path), "--no-pdf"])
        == 0
    )
    stem = tmp_path / f"briefing_{MONTH}_{code}"
    assert stem.with_suffix(".docx").stat().st_size > 10_000
    assert stem.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    assert "江口镇" in capsys.readouterr().out
    assert main(["brief", "--month", "1999-01", "--out", str(tmp_path), "--no-pdf"]) == 1


def test_docx_is_a4_with_gbt9704_margins_and_one_font(county) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(to_docx(county)))
    for section in doc.sections:
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        assert round(section.top_margin.mm) == MARGINS_MM["top"] == 37
        assert round(section.bottom_margin.mm) == 35
        assert round(section.left_margin.mm) == 28 and round(section.right_margin.mm) == 26
    fonts = {
        f.get(qn(attr))
        for f in doc.element.body.iter(qn("w:rFonts"))
        for attr in ("w:eastAsia", "w:ascii", "w:hAnsi")
    }
    assert len(fonts - {None}) == 1  # one family for title, headings, text and tables
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "附件1" in text and "附件2" in text and "附件:1." in text


def test_tables_say_integers_and_tell_vehicles_apart(county, demo) -> None:
    vehicles = county.vehicles
    assert len(vehicles) == 10 and vehicles["识别码"].is_unique  # masked alike, codes differ
    assert vehicles["识别码"].str.fullmatch(r"V[0-9a-f]{8}").all()
    assert not vehicles["车牌(脱敏)"].str.contains(r"\d{3}").any()
    top = county.top_cells
    assert (top["事件数"] > 0).all()  # no hot cell with 0 events in the table
    assert all(isinstance(v, int) for v in top["距离(米)"].dropna())
    from docx import Document

    doc = Document(io.BytesIO(to_docx(county)))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert not any(re.fullmatch(r"\d+\.0", c) for c in cells)  # "332", never "332.0"
    for table in doc.tables:  # the header repeats on each page; no row breaks across pages
        first, *rest = table.rows
        assert first._tr.trPr.xpath("./w:tblHeader")
        assert all(row._tr.trPr.xpath("./w:cantSplit") for row in rest)


def test_trend_counts_match_the_data(county, demo) -> None:
    monthly = county.monthly
    assert len(monthly) == 12 and monthly["month"].iloc[-1] == MONTH
    ev = month_events(demo)
    assert monthly["cases"].iloc[-1] == (ev["kind"] == "case").sum()
    assert monthly["tips"].iloc[-1] == (ev["kind"] == "tip").sum()
    earlier = month_events(demo, month="2024-11")
    assert monthly["cases"].iloc[0] == (earlier["kind"] == "case").sum()
    assert county.trend_png.startswith(b"\x89PNG")


def test_inset_covers_the_densest_cells(county) -> None:
    cells = county.cells
    crs = cells.estimate_utm_crs()
    box = densest_extent(cells, crs, aspect=1.5)
    assert box is not None
    w, h = box[2] - box[0], box[3] - box[1]
    assert abs(w / h - 1.5) < 1e-6 and w >= 4000
    centres = cells.to_crs(crs).geometry.centroid

    def events_in(x0: float, y0: float) -> int:
        inside = centres.x.between(x0, x0 + w) & centres.y.between(y0, y0 + h)
        return int(cells.loc[inside.to_numpy(), "n"].sum())

    # no box of that size around the single busiest cell holds more events
    busiest = centres.iloc[int(cells["n"].to_numpy().argmax())]
    assert events_in(box[0], box[1]) >= events_in(busiest.x - w / 2, busiest.y - h / 2)
    from PIL import Image

    width, height = Image.open(io.BytesIO(county.map_png)).size
    assert 0.75 < width / height < 0.85  # fills the 156 × 196 mm map page


def test_pdf_pages_are_a4(county) -> None:
    if shutil.which("soffice") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice and poppler needed (make test installs them)")
    pdf = to_pdf(to_docx(county, synthetic=True))
    info = subprocess.run(["pdfinfo", "-", "-l", "99"], input=pdf, capture_output=True).stdout
    sizes = re.findall(rb"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)
    assert sizes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in sizes)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    pages = text.split("\f")[: len(sizes)]
    attachments = [i for i, p in enumerate(pages) if p.lstrip().startswith("附件")]
    assert len(attachments) == 2 and attachments[-1] == len(sizes) - 1  # each 附件 one page


def test_no_night_teams_suggested_without_night_events(demo) -> None:
    import dataclasses

    code = demo.townships.set_index("name").loc["江口镇", "code"]
    keep = ~(demo.labels["night"] & (demo.events["township_code"] == code))
    quiet = dataclasses.replace(demo, events=demo.events[keep], labels=demo.labels[keep])
    b = compose(quiet, MONTH, township=code)
    assert b.figures["events"] > 0 and b.figures["period_night"] == 0
    assert b.figures["night_12m"] == 0 and b.plan_posts.empty
    plan = "".join(b.text["plan"])
    assert "不单独部署夜间巡逻力量" in plan and "机动巡逻队" not in plan
    busy = compose(demo, MONTH, township=code)
    assert busy.figures["night_12m"] > 0 and "机动巡逻队" in "".join(busy.text["plan"])


def test_hot_cells_follow_the_deployments_gi_options(demo) -> None:
    """The briefing's hot cells are the map's under the same settings, not the defaults'."""
    import datetime as dt

    from geo.views import GiOptions, hotspot_view

    options = GiOptions(weights=(1.0, 0.0), k=2, transform="log1p", fdr=False)
    b = compose(demo, MONTH, gi=options)
    view = hotspot_view(
        demo,
        res=8,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 10, 31),
        trends=False,
        **options.keywords(),
    )
    classes = view.stats["gi_class"].value_counts()
    got = [b.figures[c] for c in ("hot_99", "hot_95", "hot_90")]
    assert got == [int(classes.get(c, 0)) for c in ("hot_99", "hot_95", "hot_90")]
    assert got != [compose(demo, MONTH).figures[c] for c in ("hot_99", "hot_95", "hot_90")]


def test_suspect_section_in_the_docx_numbered_and_without_plates(county) -> None:
    """With a screen, 四 is the suspect vehicles and the plan moves to 五; no plate printed."""
    import dataclasses

    from docx import Document

    from geo.briefing import write_text
    from tests.geo.test_briefsuspects import literal_summary

    summary = literal_summary()
    b = dataclasses.replace(county, suspects=summary)
    b.text = write_text(b)
    doc = Document(io.BytesIO(to_docx(b)))
    text = "\n".join(p.text for p in doc.paragraphs)
    order = [text.index(h) for h in ("三、重点区域风险等级", "四、疑似非法营运车辆筛查情况")]
    order.append(text.index("五、下月工作建议"))
    assert order == sorted(order) and "四、下月工作建议" not in text
    line = b.text["suspects"][0]
    assert number(r"高度疑似(\d+)辆", line) == summary.grades["high"] == 2
    assert number(r"、疑似(\d+)辆", line) == summary.grades["medium"] == 1
    assert number(r"一般关注(\d+)辆", line) == summary.grades["low"] == 1
    assert number(r"新增(\d+)辆", line) == summary.new == 2
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]
    places = next(t for t in tables if t[0][:2] == ["序号", "卡口"])
    assert [row[1] for row in places[1:]] == ["高铁站", "甲镇出入口", "乙镇出入口"]
    assert [row[-1] for row in places[1:]] == ["42", "20", "4"]
    assert places[1][3] == "高铁站" and places[2][3] == "乡镇出入口"  # kinds in words
    every = text + " ".join(c for t in tables for row in t for c in row)
    assert not re.search(r"渝F\d{5}", every)  # no full plate of the screens anywhere


def test_compose_refuses_screens_of_another_month(demo) -> None:
    from geo.briefsuspects import MonthScreens

    with pytest.raises(ValueError, match="screens are of 2025-09"):
        compose(demo, MONTH, screens=MonthScreens("2025-09", None, None))
