"""Safe exports: CSV and Excel that spreadsheets open without running formulas; plan pages."""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

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
    "post": "岗位序号",
    "kind": "类型",
    "name": "岗位位置",
    "time": "时段",
    "h3_cell": "六边形编号",
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
    out = frame.copy()
    if "kind" in out:
        out["kind"] = out["kind"].map(KIND_ZH).fillna(out["kind"])
    if "risk_covered" in out:
        out["risk_covered"] = out["risk_covered"].round(1)
    cols = [c for c in PLAN_COLUMNS_ZH if c in out.columns]
    return out[cols].rename(columns=PLAN_COLUMNS_ZH)


def plan_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Posts or schedule with headers and post kinds in the user's language."""
    if lang == "zh":
        return _zh_table(frame)
    out = frame.copy()
    if "kind" in out:
        out["kind"] = out["kind"].map({"fixed": "fixed post", "mobile": "mobile patrol"})
    cols = [c for c in PLAN_COLUMNS_ZH if c in out.columns]
    return out[cols].rename(columns=lambda c: c.replace("_", " ").capitalize())


def _figure_rows(figures: Mapping[str, float], lang: str) -> list[tuple[str, str]]:
    idx = 0 if lang == "zh" else 1
    rows = []
    for key, labels in FIGURE_LABELS.items():
        value = figures.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if key in PERCENT_FIGURES:
            shown = f"{value:.2%}" if key == "area_share" else f"{value:.1%}"
        else:
            shown = f"{value:,.2f}" if key == "backtest_pai" else f"{value:,.0f}"
        rows.append((labels[idx], shown))
    return rows


def plan_to_xlsx(
    posts: pd.DataFrame,
    schedule: pd.DataFrame | None,
    figures: Mapping[str, float],
    *,
    title: str,
    notes: Sequence[str] = (),
) -> bytes:
    """An Excel workbook of a plan: 岗位 (posts), 排班 (rotation), 指标 (figures), 说明."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _zh_table(posts).map(neutralize).to_excel(writer, sheet_name="岗位", index=False)
        if schedule is not None and not schedule.empty:
            _zh_table(schedule).map(neutralize).to_excel(writer, sheet_name="排班", index=False)
        pd.DataFrame(_figure_rows(figures, "zh"), columns=["指标", "数值"]).to_excel(
            writer, sheet_name="指标", index=False
        )
        pd.DataFrame({"说明": [title, *notes]}).map(neutralize).to_excel(
            writer, sheet_name="说明", index=False
        )
        for sheet in writer.sheets.values():
            _fit_columns(sheet, cap=40, per_char=1.6)
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


def plan_to_html(
    posts: pd.DataFrame,
    schedule: pd.DataFrame | None,
    figures: Mapping[str, float],
    *,
    title: str,
    notes: Sequence[str] = (),
) -> str:
    """A printable Chinese page of the plan (A4, tables, no scripts, no external assets)."""
    esc = html.escape
    figure_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _figure_rows(figures, "zh")
    )
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>",
        "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;"
        "margin:2em;color:#111}h1{font-size:20pt;text-align:center}"
        "h2{font-size:14pt;margin-top:1.4em}table{border-collapse:collapse;width:100%;"
        "font-size:10.5pt}th,td{border:1px solid #555;padding:3px 6px;text-align:left}"
        "th{background:#eee}.note{font-size:9pt;color:#444}"
        "@page{size:A4;margin:15mm}@media print{h2{page-break-after:avoid}"
        "tr{page-break-inside:avoid}}",
        "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<h2>一、覆盖指标</h2><table>{figure_rows}</table>",
        "<h2>二、岗位安排</h2>",
        _zh_table(posts).to_html(index=False, escape=True, border=0),
    ]
    if schedule is not None and not schedule.empty:
        parts += ["<h2>三、逐日轮换排班</h2>", _zh_table(schedule).to_html(index=False, border=0)]
    for note in notes:
        parts.append(f"<p class='note'>{esc(note)}</p>")
    parts.append("</body></html>")
    return "".join(parts)
