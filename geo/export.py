"""Safe exports: CSV and Excel that spreadsheets open without running formulas; plan pages."""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from geo.config import Settings
from geo.dataset import Dataset
from geo.i18n import pick, t
from geo.planning import PlanRequest, PlanResult, make_plan, suspect_note, track_record_text
from geo.planprint import PrintedPlan, busy_days_note, plan_map_png, printed_plan

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
#: characters a spreadsheet file cannot hold (XML 1.0 forbids them; openpyxl raises)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralize(value: object) -> object:
    """One sanitiser for every spreadsheet cell: safe to write, and never run as a formula.

    Control characters (NUL, U+0001 …) are removed, and a text cell that a spreadsheet
    would run as a formula gets an apostrophe in front.
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(_DANGEROUS) and not _NUMBER.match(value):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM, so Excel shows Chinese) with formula cells neutralised."""
    safe = frame.map(neutralize)
    safe.columns = [neutralize(c) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


# ---------------------------------------------------------------- patrol plans

PLAN_COLUMNS_ZH: Final = {
    "day": "日期",
    "team": "组号",
    "post": "岗位序号",
    "post_no": "岗位号",
    "kind": "类型",
    "name": "岗位位置",
    "duty": "岗位/巡逻范围",
    "time": "时段",
    "hours": "时段",
    "people": "人数",
    "lat": "纬度",
    "lon": "经度",
    "risk_covered": "覆盖风险",
    "hot_cells_covered": "覆盖热点格",
}
KIND_ZH: Final = {"fixed": "固定岗", "mobile": "机动巡逻"}
FIGURE_LABELS: Final = {
    "coverage_share": ("时段风险覆盖率", "Share of period risk covered"),
    "hot_cells_covered": ("覆盖的热点格", "Hot cells covered"),
    "hot_cells": ("热点格总数", "Hot cells in all"),
    "posts": ("岗位数(含固定岗)", "Posts (incl. fixed)"),
    "fixed_posts": ("固定岗", "Fixed posts"),
    "days": ("天数", "Days"),
    "person_shifts": ("所需人次(人数×队数×班次)", "Person-shifts (size × teams × shifts)"),
    "expected_rotation_coverage": ("轮换方案期望覆盖率", "Expected coverage of the rotation"),
    "greedy_share_of_optimum": ("快速解/最优解", "Greedy / optimum"),
    "forecast_risk": ("下月全域预计事件数(加权)", "Expected events next month (weighted)"),
    "area_share": ("覆盖面积占全域比例", "Share of the area within reach"),
    "backtest_hit_rate": ("回测:同等面积平均命中事件比例", "Backtest: share of events caught"),
    "backtest_pai": ("回测:PAI", "Backtest: PAI"),
    "backtest_months": ("回测月数", "Backtest months"),
}
PERCENT_FIGURES: Final = (
    "coverage_share",
    "expected_rotation_coverage",
    "greedy_share_of_optimum",
    "area_share",
    "backtest_hit_rate",
)


def _zh_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and kinds; place names, never hexagon ids; numbers stay numbers."""
    out = frame.copy()
    if "kind" in out:
        out["kind"] = out["kind"].map(KIND_ZH).fillna(out["kind"])
    if "risk_covered" in out:
        out["risk_covered"] = out["risk_covered"].astype(float).round(1)
    for col in ("lat", "lon"):
        if col in out:
            out[col] = out[col].astype(float).round(5)
    cols = [c for c in PLAN_COLUMNS_ZH if c in out.columns]
    return out[cols].rename(columns=PLAN_COLUMNS_ZH)


def plan_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Posts, teams or duty rows with headers and post kinds in the user's language."""
    if lang == "zh":
        return _zh_table(frame)
    out = frame.copy()
    if "duty_en" in out:
        out["duty"] = out.pop("duty_en")
    if "kind" in out:
        out["kind"] = out["kind"].map({"fixed": "fixed post", "mobile": "mobile patrol"})
    for col in ("lat", "lon"):
        if col in out:
            out[col] = out[col].astype(float).round(5)
    cols = [c for c in PLAN_COLUMNS_ZH if c in out.columns]
    return out[cols].rename(columns=lambda c: c.replace("_", " ").capitalize())


def _figure_rows(figures: Mapping[str, float], lang: str) -> list[tuple[str, str]]:
    rows = []
    for key, labels in FIGURE_LABELS.items():
        value = figures.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if key in PERCENT_FIGURES:
            shown = f"{value:.2%}" if key == "area_share" else f"{value:.1%}"
        else:
            shown = f"{value:,.2f}" if key == "backtest_pai" else f"{value:,.0f}"
        rows.append((pick(labels, lang), shown))
    return rows


def _sheets(plan: PrintedPlan) -> list[tuple[str, pd.DataFrame]]:
    sheets = [("分组安排", _zh_table(plan.teams))]
    if not plan.roster.empty:
        sheets.append(("排班表", plan.roster.rename(columns={"team": "组号"})))
        sheets.append(("逐日安排", _zh_table(plan.duty)))
    sheets.append(("岗位", _zh_table(plan.posts)))
    sheets.append(
        ("指标", pd.DataFrame(_figure_rows(plan.figures, "zh"), columns=["指标", "数值"]))
    )
    return sheets


def _number_formats(sheet: Any) -> None:
    """Coordinates with 5 decimals, dates as dates, risk with one decimal."""
    formats = {"纬度": "0.00000", "经度": "0.00000", "覆盖风险": "0.0", "日期": "yyyy-mm-dd"}
    for column in sheet.iter_cols(min_row=1, max_row=1):
        fmt = formats.get(str(column[0].value))
        if fmt:
            for cell in sheet[column[0].column_letter][1:]:
                cell.number_format = fmt


def plan_to_xlsx(plan: PrintedPlan, *, map_png: bytes = b"", notes: Sequence[str] = ()) -> bytes:
    """An Excel workbook of a printed plan.

    Sheets 分组安排 (team, post or patrol area, hours, people), 排班表 (teams × days) and
    逐日安排 for a rotation, 岗位 (numbered posts, place names, coordinates to 5 decimals),
    指标, 地图 (the posts' map) and 说明. Numbers are stored as numbers, dates as dates,
    every text cell is formula-safe.
    """
    from openpyxl.drawing.image import Image as XlImage

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="yyyy-mm-dd") as writer:
        for name, frame in _sheets(plan):
            frame.map(neutralize).to_excel(writer, sheet_name=name, index=False)
        about = [plan.title, f"时段:{plan.period} {plan.hours}", *notes]
        pd.DataFrame({"说明": about}).map(neutralize).to_excel(
            writer, sheet_name="说明", index=False
        )
        for sheet in writer.sheets.values():
            _fit_columns(sheet, cap=46, per_char=1.7)
            _number_formats(sheet)
            sheet.freeze_panes = "A2"
        if map_png:
            sheet = writer.book.create_sheet("地图", 1)
            sheet["A1"] = plan.title
            image = XlImage(io.BytesIO(map_png))
            image.width, image.height = 900, int(900 * image.height / max(image.width, 1))
            sheet.add_image(image, "A2")
    return buffer.getvalue()


def _fit_columns(sheet: Any, *, cap: float, per_char: float) -> None:
    """Widen each column of an openpyxl sheet to its longest cell, up to ``cap``."""
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(cap, 4 + per_char * width)


REJECT_COLUMNS_ZH: Final = {
    "file": "文件",
    "row": "行号",
    "column": "列",
    "column_name": "列",
    "value": "值",
    "reason_zh": "原因",
    "reason": "reason",
}


def rejects_to_xlsx(table: pd.DataFrame, *, lang: str = "zh") -> bytes:
    """The reject table as Excel: sheet row, column, value, reason, then the original row.

    ``table`` is :meth:`geo.ingest.IngestResult.rejects_with_rows` (original values in
    ``原始_*`` columns) or :meth:`geo.store.Store.batch_rejects` (an ``original`` dict per
    row). The reason comes in the chosen language; every cell is formula-safe.
    """
    frame = table.copy()
    if "original" in frame.columns:
        originals = pd.DataFrame(
            [dict(o or {}) for o in frame.pop("original")], index=frame.index
        ).add_prefix("原始_")
        frame = pd.concat([frame, originals], axis=1)
    drop = ["reason_code", "batch_id", "reason" if lang == "zh" else "reason_zh"]
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    if lang == "zh":
        frame = frame.rename(columns=REJECT_COLUMNS_ZH)
    frame.columns = [str(neutralize(c)) for c in frame.columns]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        name = "退回行" if lang == "zh" else "rejected rows"
        frame.map(neutralize).to_excel(writer, sheet_name=name, index=False)
        sheet = writer.sheets[name]
        _fit_columns(sheet, cap=60, per_char=1.4)
        sheet.freeze_panes = "A2"
    return buffer.getvalue()


_PRINT_CSS: Final = (
    "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC','SimSun',serif;margin:0;"
    "color:#111;font-size:10.5pt}h1{font-size:18pt;text-align:center;margin:0 0 4pt}"
    ".sub{text-align:center;margin:0 0 8pt}h2{font-size:13pt;margin:10pt 0 4pt;"
    "page-break-after:avoid}table{border-collapse:collapse;width:100%;font-size:9.5pt}"
    "th,td{border:1px solid #555;padding:2px 5px;text-align:left}th{background:#eee}"
    "td.n{text-align:right}img{width:100%;display:block;margin:4pt 0}.note{font-size:8.5pt;"
    "color:#444}@page{size:A4;margin:12mm 12mm 14mm 12mm}"
    "@media print{tr{page-break-inside:avoid}thead{display:table-header-group}}"
)


def _html_table(frame: pd.DataFrame) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    body = []
    five = {"纬度", "经度", "lat", "lon"}
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            shown = "" if value is None or (number and pd.isna(value)) else value
            if isinstance(shown, float):
                shown = f"{shown:.5f}" if column in five else f"{shown:,.1f}".removesuffix(".0")
            cls = " class='n'" if number else ""
            cells.append(f"<td{cls}>{esc(str(shown))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def plan_to_html(plan: PrintedPlan, *, map_png: bytes = b"", notes: Sequence[str] = ()) -> str:
    """A printable A4 page of the plan: map of the numbered posts, teams, roster, posts.

    No scripts and no external files (the map is embedded), so it prints from any browser.
    """
    esc = html.escape
    days = f",{len(plan.roster.columns) - 1}天轮换" if not plan.roster.empty else ""
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{esc(plan.title)}</title><style>{_PRINT_CSS}</style></head><body>",
        f"<h1>{esc(plan.title)}</h1>",
        f"<p class='sub'>{esc(f'{plan.period} {plan.hours},每组{plan.team_size}人{days}')}</p>",
    ]
    if map_png:
        data = base64.b64encode(map_png).decode("ascii")
        parts.append(f"<img alt='岗位分布图' src='data:image/png;base64,{data}'>")
    parts += ["<h2>一、分组安排</h2>", _html_table(_zh_table(plan.teams))]
    if not plan.roster.empty:
        parts += [
            "<h2>二、逐日排班表</h2>",
            _html_table(plan.roster.rename(columns={"team": "组号"})),
        ]
    parts += [
        f"<h2>{'三' if not plan.roster.empty else '二'}、岗位位置</h2>",
        _html_table(_zh_table(plan.posts)),
    ]
    figures = pd.DataFrame(_figure_rows(plan.figures, "zh"), columns=["指标", "数值"])
    parts += ["<h2>覆盖指标</h2>", _html_table(figures)]
    parts += [f"<p class='note'>{esc(note)}</p>" for note in notes]
    parts.append("</body></html>")
    return "".join(parts)


@dataclass(frozen=True)
class PlanPackage:
    """A generated plan as the page shows it.

    Attributes
    ----------
    request, result : PlanRequest, PlanResult
        What was asked and :func:`geo.planning.make_plan`'s answer.
    printed : PrintedPlan
        Teams, roster and numbered posts (:func:`geo.planprint.printed_plan`), in Chinese
        (the plan is an official document).
    activity : DataFrame or None
        The suspect activity per cell blended into the risk (``request.suspect_weight`` >
        0), for the plan's map.
    """

    request: PlanRequest
    result: PlanResult
    printed: PrintedPlan
    activity: pd.DataFrame | None = None


@dataclass(frozen=True)
class PlanDocuments:
    """A plan's printed map (PNG), workbook and printable A4 page."""

    picture: bytes
    xlsx: bytes
    html: str


def plan_package(
    ds: Dataset,
    request: PlanRequest,
    settings: Settings,
    *,
    progress: Callable[[float, str], None] | None = None,
    activity: pd.DataFrame | None = None,
    place: str | None = None,
) -> PlanPackage:
    """Make a plan and its printed form (teams, roster, numbered posts).

    Parameters
    ----------
    ds : Dataset
        The user's data (its scope decides what the plan covers).
    request : PlanRequest
        The form's choices.
    settings : Settings
        Periods and the region's name.
    progress : callable, optional
        ``progress(share, step)`` as :func:`geo.planning.make_plan` reports it.
    activity : DataFrame, optional
        Suspect activity per cell (:func:`geo.activity.suspect_activity`), blended in by
        ``request.suspect_weight``.
    place : str, optional
        Whose plan it is, in its title (a township's name); default the region's name.

    Returns
    -------
    PlanPackage
    """
    result = make_plan(ds, request, periods=settings.periods, progress=progress, activity=activity)
    period = t(f"period_{request.period}", "zh")
    title = f"{place or settings.region_name}巡逻建议({period} {result.time_window})"
    printed = printed_plan(result, request, title=title, period_label=period)
    return PlanPackage(request, result, printed, activity)


def plan_documents(
    ds: Dataset, plan: PlanPackage, settings: Settings, *, synthetic: bool = False
) -> PlanDocuments:
    """The plan's map, workbook and printable page (made when someone downloads them).

    Parameters
    ----------
    ds : Dataset
        The data the plan was made from (base layers of the map).
    plan : PlanPackage
        From :func:`plan_package`.
    settings : Settings
        The CJK font of the map.
    synthetic : bool
        Mark the documents as made from synthetic demo data.

    Returns
    -------
    PlanDocuments
    """
    result = plan.result
    font = str(settings.cjk_font) if settings.cjk_font else None
    picture = plan_map_png(ds, plan.printed, result.cells, font_file=font)
    notes = [t("synthetic_banner", "zh")] if synthetic else []
    if result.outlook is not None:
        month = result.outlook.month
        notes += [t("plan_forecast_note", "zh", month=month), track_record_text(result.figures)]
    notes += [suspect_note(result.figures)] if suspect_note(result.figures) else []
    busy = busy_days_note(plan.printed, plan.request.teams, plan.request.holiday_factor)
    notes += [busy] if busy else []
    xlsx = plan_to_xlsx(plan.printed, map_png=picture, notes=notes)
    page = plan_to_html(plan.printed, map_png=picture, notes=notes)
    return PlanDocuments(picture, xlsx, page)
