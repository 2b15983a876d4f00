"""Monthly hotspot briefing (月度通报): figures, a static map, tables and templated text.

:func:`compose` gathers everything for one month and one scope (the county or a township)
from the data set; every sentence of the text is a template filled with those numbers —
nothing is invented. :func:`render_map` draws the Gi* map with matplotlib; :func:`to_docx`
writes a 公文-style Word document and :func:`to_pdf` converts it with LibreOffice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.dataset import Dataset
from geo.hotspots import GI_CLASSES, TREND_CATEGORIES, key_area_risk
from geo.i18n import t
from geo.periods import PeriodSettings
from geo.planning import PlanRequest, make_plan, track_record_text
from geo.privacy import mask_plate
from geo.schema import TZ
from geo.views import hotspot_view

BREAKDOWN: Final = ("night", "weekend", "holiday", "market_day", "school_commute")
CJK_FONTS: Final = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
)


@dataclass
class Briefing:
    """Everything one briefing shows; ``text`` holds its paragraphs by section."""

    month: str
    scope: str
    township_code: str | None
    figures: dict[str, Any]
    top_cells: pd.DataFrame
    trends: dict[str, int]
    risk: pd.DataFrame
    periods: pd.DataFrame
    vehicles: pd.DataFrame
    plan_posts: pd.DataFrame
    plan_figures: dict[str, float]
    cells: Any = None  # GeoDataFrame of the month's hexagons (for the map)
    text: dict[str, list[str]] = field(default_factory=dict)
    map_png: bytes = b""


def _pct_change(now: int, before: int) -> float | None:
    return None if before == 0 else (now - before) / before


def _change_words(change: float | None, unit_before: str) -> str:
    if change is None:
        return f"{unit_before}无可比数据"
    if abs(change) < 0.0005:
        return f"{unit_before}持平"
    word = "上升" if change > 0 else "下降"
    return f"{unit_before}{word}{abs(change):.1%}"


def _month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(f"{month}-01", tz=TZ)
    return start, start + pd.offsets.MonthBegin(1)


def _scoped(ds: Dataset, township: str | None) -> Dataset:
    if township is None:
        return ds
    if township not in set(ds.townships["code"]):
        raise ValueError(f"township {township!r} is not in the township list")
    keep = ds.events["township_code"] == township
    return dataclasses.replace(
        ds,
        events=ds.events[keep],
        labels=ds.labels.loc[keep[keep].index],
        key_areas=ds.key_areas[ds.key_areas["township_code"] == township],
    )


def compose(
    ds: Dataset,
    month: str,
    *,
    township: str | None = None,
    region_name: str = "云阳县",
    periods: PeriodSettings | None = None,
    res: int = 8,
    teams: int = 6,
) -> Briefing:
    """All figures, tables and sentences of the briefing of ``month`` (``YYYY-MM``).

    With ``township`` (a 9-digit code) only that township's events, cells and key areas
    are used — nothing from its neighbours.
    """
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ValueError(f"month was {month!r} but is expected as YYYY-MM")
    start, end = _month_bounds(month)
    scoped = _scoped(ds, township)
    names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    scope = names[township] if township else region_name
    events = scoped.events
    when = events["occurred_at"]
    in_month = (when >= start) & (when < end)
    prev_start = start - pd.offsets.MonthBegin(1)
    in_prev = (when >= prev_start) & (when < start)
    year_start = start - pd.DateOffset(years=1)
    in_year = (when >= year_start) & (when < year_start + pd.offsets.MonthBegin(1))
    month_events = events[in_month]
    if month_events.empty and not events[(when < end)].size:
        raise ValueError(f"no events in or before {month} for {scope}")

    def count(mask: pd.Series, kind: str) -> int:
        return int((mask & (events["kind"] == kind)).sum())

    cases, tips = count(in_month, "case"), count(in_month, "tip")
    verified = int(
        (
            in_month
            & (events["kind"] == "tip")
            & (events.get("status", pd.Series(index=events.index)) == "属实")
        ).sum()
    )
    figures: dict[str, Any] = {
        "cases": cases,
        "tips": tips,
        "verified_tips": verified,
        "cases_prev": count(in_prev, "case"),
        "tips_prev": count(in_prev, "tip"),
        "cases_last_year": count(in_year, "case"),
        "tips_last_year": count(in_year, "tip"),
        "events": int(in_month.sum()),
    }
    figures["cases_mom"] = _pct_change(cases, figures["cases_prev"])
    figures["cases_yoy"] = _pct_change(cases, figures["cases_last_year"])
    figures["tips_mom"] = _pct_change(tips, figures["tips_prev"])

    # hotspots and trends of the months up to this one (trends need history)
    view = hotspot_view(
        scoped,
        res=res,
        start=(start - pd.DateOffset(months=11)).date(),
        end=(end - pd.Timedelta(days=1)).date(),
        township_codes=(township,) if township else None,
    )
    month_view = hotspot_view(
        scoped,
        res=res,
        start=start.date(),
        end=(end - pd.Timedelta(days=1)).date(),
        township_codes=(township,) if township else None,
        trends=False,  # the trends come from the 12-month view
    )
    stats = month_view.stats.merge(
        view.stats[["h3_cell", "trend"]], on="h3_cell", how="left", suffixes=("_month", "")
    )
    cells = month_view.cells.drop(columns=["trend", "trend_label"], errors="ignore").merge(
        view.stats[["h3_cell", "trend"]], on="h3_cell", how="left"
    )
    cells["trend"] = cells["trend"].fillna("no_pattern")
    classes = stats["gi_class"].value_counts()
    for code in ("hot_99", "hot_95", "hot_90"):
        figures[code] = int(classes.get(code, 0))
    hot = cells[cells["gi_class"].str.startswith("hot")].sort_values("gi_z", ascending=False)
    top = hot.head(10) if len(hot) else cells.sort_values("n", ascending=False).head(10)
    top_cells = pd.DataFrame(
        {
            "序号": range(1, len(top) + 1),
            "乡镇": top["township"].to_numpy(),
            "最近重点区域": top["nearest_key_area"].to_numpy(),
            "距离(米)": top["key_area_m"].round(0).to_numpy(),
            "事件数": top["n"].to_numpy(),
            "热点分级": [GI_CLASSES[c][0] for c in top["gi_class"]],
        }
    )
    trend_counts = {
        k: int(v) for k, v in view.stats["trend"].value_counts().items() if k != "no_pattern"
    }
    # this month's hotspot evidence, with the trends of the last 12 months
    risk = (
        key_area_risk(scoped.key_areas, month_view.stats, view.stats[["h3_cell", "trend"]])
        if len(scoped.key_areas) and len(month_view.stats)
        else month_view.risk
    )
    # period breakdown
    labels = scoped.labels.loc[month_events.index]
    total = max(len(month_events), 1)
    periods_table = pd.DataFrame(
        {
            "时段": [t(f"period_{k}", "zh") for k in BREAKDOWN],
            "事件数": [int(labels[k].sum()) for k in BREAKDOWN],
        }
    )
    periods_table["占比"] = (periods_table["事件数"] / total).map(lambda v: f"{v:.1%}")
    figures.update({f"period_{k}": int(labels[k].sum()) for k in BREAKDOWN})
    # repeat vehicles, plates masked
    # (masked data sets count by the keyed plate id: masked plates alike are not one car)
    key = "plate_id" if "plate_id" in month_events else "plate"
    plates = month_events[key].dropna() if key in month_events else pd.Series(dtype=str)
    plates = plates[plates.astype(str).str.len() > 0]
    repeat = plates.value_counts()
    repeat = repeat[repeat >= 2].head(10)
    shown = (
        month_events.drop_duplicates(key).set_index(key)["plate"]
        if key == "plate_id" and len(plates)
        else pd.Series(plates.to_numpy(), index=plates.to_numpy()).drop_duplicates()
    )
    vehicles = pd.DataFrame(
        {
            "代号": [f"V{i:02d}" for i in range(1, len(repeat) + 1)],
            "车牌(脱敏)": [
                mask_plate(shown[p]) if key == "plate" else shown[p] for p in repeat.index
            ],
            "本月出现次数": repeat.to_numpy(),
        }
    )
    figures["repeat_vehicles"] = int((plates.value_counts() >= 2).sum())
    # next month's suggested plan: the default forecast of next month's night risk, from the
    # data up to this month's end
    upto = scoped.events["occurred_at"] < end
    history = dataclasses.replace(
        scoped, events=scoped.events[upto], labels=scoped.labels.loc[upto[upto].index]
    )
    fixed = tuple(
        history.key_areas.loc[
            history.key_areas["category"].isin(["hsr_station", "hospital", "shopping"]), "id"
        ]
    )
    plan_posts = pd.DataFrame()
    plan_figures: dict[str, float] = {}
    if len(history.events):
        plan = make_plan(
            history,
            PlanRequest(
                period="night",
                teams=teams,
                fixed_posts=fixed,
                res=res,
                township_codes=(township,) if township else (),
                forecast_month=str(pd.Period(month, freq="M") + 1),
            ),
            periods=periods,
        )
        plan_posts = plan.plan.posts
        plan_figures = plan.figures
    briefing = Briefing(
        month,
        scope,
        township,
        figures,
        top_cells,
        trend_counts,
        risk,
        periods_table,
        vehicles,
        plan_posts,
        plan_figures,
        cells,
    )
    briefing.text = write_text(briefing)
    return briefing


def write_text(b: Briefing) -> dict[str, list[str]]:
    """The briefing's sentences, each a template filled from ``b``'s numbers."""
    f = b.figures
    year, mon = b.month.split("-")
    when = f"{int(year)}年{int(mon)}月"
    situation = [
        f"{when},{b.scope}共查处非法营运案件{f['cases']}起,"
        f"{_change_words(f['cases_mom'], '环比')},{_change_words(f['cases_yoy'], '同比')};"
        f"受理群众举报线索{f['tips']}条,{_change_words(f['tips_mom'], '环比')},"
        f"其中经核实属实{f['verified_tips']}条。",
    ]
    total = max(f["events"], 1)
    parts = [
        f"{t(f'period_{k}', 'zh')}{f[f'period_{k}']}起(占{f[f'period_{k}'] / total:.1%})"
        for k in BREAKDOWN
    ]
    situation.append(f"从时段看,本月案件与线索共{f['events']}起,其中" + "、".join(parts) + "。")
    if f["repeat_vehicles"]:
        situation.append(f"本月有{f['repeat_vehicles']}辆车被查处或举报2次及以上,已列入重点关注。")
    hot_total = f["hot_99"] + f["hot_95"] + f["hot_90"]
    hotspots = [
        f"经Gi*热点分析,本月共识别显著热点格{hot_total}个,其中99%置信{f['hot_99']}个、"
        f"95%置信{f['hot_95']}个、90%置信{f['hot_90']}个。"
    ]
    if len(b.top_cells):
        places = list(dict.fromkeys(p for p in b.top_cells["最近重点区域"] if p))[:3]
        if places:
            hotspots.append(f"热点主要集中在{'、'.join(places)}周边。")
    if b.trends:
        trend_text = "、".join(f"{TREND_CATEGORIES[k][0]}{v}个" for k, v in b.trends.items())
        hotspots.append(f"近12个月趋势:{trend_text}。")
    risk_lines = []
    if len(b.risk):
        for level, label in (("high", "高"), ("medium", "中"), ("low", "低")):
            names = b.risk.loc[b.risk["level"] == level, "name"].tolist()
            if names:
                shown = "、".join(names[:6]) + ("等" if len(names) > 6 else "")
                risk_lines.append(f"{label}风险区域{len(names)}处:{shown}。")
    plan_lines = []
    if b.plan_figures:
        fixed = b.plan_posts.loc[b.plan_posts["kind"] == "fixed", "name"].tolist()
        mobile = int((b.plan_posts["kind"] == "mobile").sum())
        fixed_text = f"在{'、'.join(fixed)}设固定岗,并" if fixed else ""
        plan_lines.append(
            f"建议下月夜间{fixed_text}部署机动巡逻队{mobile}支,"
            f"预计可覆盖下月夜间预测风险的{b.plan_figures['coverage_share']:.1%},覆盖热点格"
            f"{int(b.plan_figures['hot_cells_covered'])}个(共{int(b.plan_figures['hot_cells'])}个)。"
            + track_record_text(b.plan_figures, "zh")
        )
        plan_lines.append("节假日、春运期间机动警力按倍数增加,逢场日加强场镇早间巡查。")
    return {"situation": situation, "hotspots": hotspots, "risk": risk_lines, "plan": plan_lines}


# ---------------------------------------------------------------- the static map


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def render_map(ds: Dataset, b: Briefing, *, dpi: int = 150) -> bytes:
    """PNG of the month's Gi* classes on hexagons over township boundaries and key areas.

    With a legend, a north arrow and a scale bar; Chinese labels use a Noto CJK font.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from geo.hotspots import GI_CLASSES as CLASSES

    colors = {
        "hot_99": "#b2182b",
        "hot_95": "#ef8a62",
        "hot_90": "#fddbc7",
        "ns": "#eeeeee",
        "cold_90": "#d1e5f0",
        "cold_95": "#67a9cf",
        "cold_99": "#2166ac",
    }
    font = _cjk_font()
    rc: dict[str, Any] = {"font.family": font} if font else {}
    towns = (
        ds.townships
        if b.township_code is None
        else ds.townships[ds.townships["code"] == b.township_code]
    )
    with plt.rc_context(rc):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(8, 8.5))
        metric = towns.estimate_utm_crs()
        towns_m = towns.to_crs(metric)
        towns_m.plot(ax=ax, facecolor="#fbfbf7", edgecolor="#5b6770", linewidth=0.6)
        cells = b.cells
        if cells is not None and len(cells):
            shown = cells.to_crs(metric)
            shown.plot(
                ax=ax,
                color=[colors[c] for c in shown["gi_class"]],
                linewidth=0.1,
                edgecolor="#999999",
            )
        keys = (
            ds.key_areas
            if b.township_code is None
            else ds.key_areas[ds.key_areas["township_code"] == b.township_code]
        )
        if len(keys):
            pts = keys.to_crs(metric)
            ax.scatter(
                pts.geometry.x,
                pts.geometry.y,
                s=18,
                marker="^",
                color="#08306b",
                zorder=5,
                label="重点区域",
            )
            high = set(b.risk.loc[b.risk["level"] == "high", "name"]) if len(b.risk) else set()
            for x, y, name in zip(pts.geometry.x, pts.geometry.y, keys["name"], strict=True):
                if name in high or len(keys) <= 8:  # label what matters, keep it legible
                    ax.annotate(
                        name,
                        (x, y),
                        xytext=(3, 3),
                        textcoords="offset points",
                        fontsize=6,
                        color="#08306b",
                    )
        for geom, name in zip(towns_m.geometry, towns["name"], strict=True):
            p = geom.representative_point()
            ax.annotate(name, (p.x, p.y), fontsize=6, color="#56606a", ha="center")
        ax.set_axis_off()
        minx, miny, maxx, maxy = towns_m.total_bounds
        width = maxx - minx
        # scale bar: a round length near a fifth of the width
        length = 10 ** np.floor(np.log10(width / 5))
        length *= 5 if width / 5 / length >= 5 else (2 if width / 5 / length >= 2 else 1)
        x0, y0 = minx + width * 0.05, miny + (maxy - miny) * 0.03
        ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=3)
        label = f"{length / 1000:g} 千米" if length >= 1000 else f"{length:g} 米"
        ax.text(x0 + length / 2, y0 + (maxy - miny) * 0.012, label, ha="center", fontsize=8)
        # north arrow
        ax.annotate(
            "北",
            xy=(0.95, 0.95),
            xytext=(0.95, 0.86),
            xycoords="axes fraction",
            ha="center",
            fontsize=10,
            arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
        )
        handles = [
            Patch(facecolor=colors[c], edgecolor="#999999", label=CLASSES[c][0])
            for c in ("hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99")
        ]
        ax.legend(
            handles=handles,
            loc="lower right",
            fontsize=7,
            title="Gi*热点分级",
            title_fontsize=8,
            frameon=True,
        )
        ax.set_title(f"{b.scope}{b.month.replace('-', '年')}月非法营运热点分布", fontsize=12)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------- DOCX and PDF

SECTIONS: Final = (
    ("situation", "一、总体情况"),
    ("hotspots", "二、热点分布与趋势"),
    ("risk", "三、重点区域风险等级"),
    ("plan", "四、下月工作建议"),
)


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _table(doc: Any, frame: pd.DataFrame, body_font: str) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(name)), body_font, 10.5, bold=True)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if pd.isna(value) else str(value)), body_font, 10.5)


def to_docx(b: Briefing, *, issuer: str = "非法营运整治工作专班", synthetic: bool = False) -> bytes:
    """The briefing as a 公文-style Word document (title, 一二三 headings, tables, map)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt
    from PIL import Image

    title_font, heading_font, body_font = (
        "Noto Serif CJK SC",
        "Noto Sans CJK SC",
        "Noto Serif CJK SC",
    )
    doc = Document()
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    year, mon = b.month.split("-")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(
        p.add_run(f"{b.scope}{int(year)}年{int(mon)}月非法营运热点研判通报"),
        title_font,
        22,
        bold=True,
    )
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(f"{issuer}　{dt.date.today():%Y年%m月%d日}"), body_font, 14)
    if synthetic:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run("(本通报基于合成演示数据,非真实案件)"), body_font, 12)

    def para(text: str) -> None:
        q = doc.add_paragraph()
        q.paragraph_format.first_line_indent = Pt(32)
        q.paragraph_format.line_spacing = Pt(28)
        _font(q.add_run(text), body_font, 16)

    for key, heading in SECTIONS:
        h = doc.add_paragraph()
        _font(h.add_run(heading), heading_font, 16, bold=True)
        for sentence in b.text.get(key, []):
            para(sentence)
        if key == "situation":
            _table(doc, b.periods, body_font)
            if len(b.vehicles):
                para("重点关注车辆(车牌已脱敏):")
                _table(doc, b.vehicles, body_font)
        if key == "hotspots":
            if b.map_png:
                # fit a 12 x 11 cm box, so the map shares a page with its section's text
                img_w, img_h = Image.open(io.BytesIO(b.map_png)).size
                size = {"width": Cm(12)} if img_w / img_h >= 12 / 11 else {"height": Cm(11)}
                doc.add_picture(io.BytesIO(b.map_png), **size)
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if len(b.top_cells):
                para("主要热点格:")
                _table(doc, b.top_cells, body_font)
        if key == "risk" and len(b.risk):
            frame = b.risk[["name", "level_label", "reasons"]].rename(
                columns={"name": "重点区域", "level_label": "风险等级", "reasons": "依据"}
            )
            _table(doc, frame, body_font)
        if key == "plan" and len(b.plan_posts):
            frame = b.plan_posts[["post", "kind", "name", "time"]].assign(
                kind=lambda d: d["kind"].map({"fixed": "固定岗", "mobile": "机动巡逻"})
            )
            _table(
                doc,
                frame.rename(
                    columns={"post": "序号", "kind": "类型", "name": "位置", "time": "时段"}
                ),
                body_font,
            )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """Convert DOCX bytes to PDF with LibreOffice (``soffice --headless``)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError(
            "LibreOffice is not installed (Debian: apt-get install "
            "libreoffice-writer-nogui); the DOCX is still available"
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "briefing.docx"
        src.write_bytes(docx)
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return (Path(tmp) / "briefing.pdf").read_bytes()
