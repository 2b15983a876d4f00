"""Monthly hotspot briefing (月度通报): figures, tables and templated text.

:func:`compose` gathers everything for one month and one scope (the county or a township)
from the data set; every sentence of the text is a template filled with those numbers —
nothing is invented. :mod:`geo.briefmap` draws its map (with an inset of the densest area)
and trend chart; :mod:`geo.briefdoc` writes the A4 公文 Word document and its PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from geo.dataset import Dataset
from geo.hotspots import GI_CLASSES, TREND_CATEGORIES, key_area_risk
from geo.i18n import label, t
from geo.periods import PeriodSettings
from geo.places import hotspot_ranking
from geo.planning import FIXED_POST_CATEGORIES, PlanRequest, make_plan, track_record_text
from geo.privacy import mask_plate, plate_id
from geo.schema import TZ
from geo.views import GiOptions, hotspot_view

if TYPE_CHECKING:
    from geo.briefsuspects import MonthScreens, SuspectSummary

BREAKDOWN: Final = ("night", "weekend", "holiday", "market_day", "school_commute")


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
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # 12 months: cases, tips
    text: dict[str, list[str]] = field(default_factory=dict)
    map_png: bytes = b""
    trend_png: bytes = b""
    suspects: SuspectSummary | None = None  # checkpoint screening; None without a pass folder


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


def _top_cells(cells: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """The top 10 cells with events (hot spots first), named by their places."""
    ranking = hotspot_ranking(
        cells,
        townships=ds.townships,
        key_areas=ds.key_areas,
        villages=ds.base_layers.get("villages"),
    )
    return pd.DataFrame(
        {
            "序号": ranking["rank"].astype(int).to_numpy(),
            "乡镇": ranking["township"].to_numpy(),
            "地标": ranking["place"].to_numpy(),
            "距离(米)": [int(m) if np.isfinite(m) else None for m in ranking["place_m"]],
            "事件数": ranking["n"].astype(int).to_numpy(),
            "热点分级": [GI_CLASSES.get(c, (c,))[0] for c in ranking["gi_class"]],
            "趋势": [TREND_CATEGORIES.get(c, ("—",))[0] for c in ranking["trend"]],
        }
    )


def _repeat_vehicles(month_events: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Vehicles seen twice or more this month: masked plate and a code that tells them apart.

    A data set read with masked plates counts by its ``plate_id`` (masked plates alike are
    not one car); otherwise the plate is masked here and its code is the same keyed id.
    """
    key = "plate_id" if "plate_id" in month_events else "plate"
    plates = month_events[key].dropna() if key in month_events else pd.Series(dtype=str)
    plates = plates[plates.astype(str).str.len() > 0]
    repeat = plates.value_counts()
    repeat = repeat[repeat >= 2].head(10)
    first = month_events.loc[plates.index].drop_duplicates(key).set_index(key)
    if key == "plate_id":
        masked = [str(first.loc[p, "plate"]) for p in repeat.index]
        codes = [str(p) for p in repeat.index]
    else:
        masked = [mask_plate(p) for p in repeat.index]
        codes = [plate_id(p) for p in repeat.index]
    vehicles = pd.DataFrame(
        {
            "代号": [f"V{i:02d}" for i in range(1, len(repeat) + 1)],
            "车牌(脱敏)": masked,
            "识别码": codes,
            "本月出现次数": repeat.astype(int).to_numpy(),
        }
    )
    return vehicles, plates


def _monthly(events: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Cases and tips in each of the 12 months up to ``end`` (zeros included)."""
    last = (end - pd.Timedelta(days=1)).strftime("%Y-%m")
    months = pd.period_range(end=last, periods=12, freq="M")
    local = events["occurred_at"].dt.tz_convert(TZ).dt.tz_localize(None).dt.to_period("M")
    table = pd.crosstab(local, events["kind"]).reindex(months, fill_value=0)
    return pd.DataFrame(
        {
            "month": [str(m) for m in months],
            "cases": table.get("case", pd.Series(0, index=months)).astype(int).to_numpy(),
            "tips": table.get("tip", pd.Series(0, index=months)).astype(int).to_numpy(),
        }
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
    gi: GiOptions | None = None,
    screens: MonthScreens | None = None,
) -> Briefing:
    """All figures, tables and sentences of the briefing of ``month`` (``YYYY-MM``).

    With ``township`` (a 9-digit code) only that township's events, cells and key areas
    are used — nothing from its neighbours.

    Months are calendar months in local time (Asia/Shanghai). Gi* runs as ``gi`` says:
    pass the deployment's (``GiOptions.from_settings``) so the briefing's hot cells are the
    map's.

    Parameters
    ----------
    ds : Dataset
        The data in the user's scope (:func:`geo.dataset.load_dataset`).
    month : str
        The month reported, ``YYYY-MM``.
    township : str, optional
        Code of a township of ``ds.townships`` (events are kept by their
        ``township_code``); ``None`` for everything in ``ds``, named ``region_name``.
    region_name : str, default "云阳县"
        Name of the scope without ``township`` (pass the settings' ``region_name``).
    periods : PeriodSettings, optional
        The deployment's ``[periods]`` table, for next month's night plan (its hours,
        holidays and 春运); default :class:`~geo.periods.PeriodSettings` defaults.
    res : int, default 8
        H3 resolution of the hotspot analysis and of the plan's posts.
    teams : int, default 6
        Mobile teams of next month's suggested night plan.
    gi : GiOptions, optional
        Event weights, rings, transform and FDR of Gi* (also the plan's weights); default
        :class:`~geo.views.GiOptions` defaults (a case 1, a tip 0.5; one ring; FDR).
    screens : MonthScreens, optional
        The checkpoint-pass screens of ``month`` and the month before
        (:func:`geo.briefsuspects.month_screens`), for the section on suspect vehicles, cut to
        ``township`` as the 车辆筛查 page cuts them; without it (no pass folder) the section
        is left out.

    Returns
    -------
    Briefing
        ``figures`` (the month's cases and tips, those of the month before and of the same
        month a year before, changes as fractions or ``None`` without a base, tips whose
        status is 属实, hot cells at 99/95/90%, events per period, repeat vehicles, night
        events in the last 12 months); tables with Chinese headers (``top_cells``: up to 10
        cells with events in the month, hot spots first, then the busiest; ``periods``;
        ``vehicles``: up to 10 plates seen twice or more in the month, masked); ``trends``
        (emerging-trend code → cells, over the 12 months up to ``month``); ``risk`` (key
        areas rated on the month with those trends); ``plan_posts`` and ``plan_figures``
        (next month's night plan, empty when the last 12 months hold no night event);
        ``cells`` and ``monthly`` (12 months of cases and tips) for the map and chart;
        ``suspects`` (:class:`geo.briefsuspects.SuspectSummary`, with ``screens`` only);
        ``text`` by section (``situation``, ``hotspots``, ``risk``, ``suspects`` with
        ``screens`` only, ``plan``). ``map_png``
        and ``trend_png`` are left empty: see :func:`render_map` and
        :func:`geo.briefmap.render_trend`.

    Raises
    ------
    ValueError
        When ``month`` is not ``YYYY-MM``, ``township`` is not in ``ds.townships``, the
        scope has no event in or before ``month`` (the command line then skips it), or
        ``screens`` are another month's.
    """
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ValueError(f"month was {month!r} but is expected as YYYY-MM")
    if screens is not None and screens.month != month:
        raise ValueError(f"screens are of {screens.month} but the briefing is of {month}")
    start, end = _month_bounds(month)
    scoped = _scoped(ds, township)
    names = dict(zip(ds.townships["code"], ds.townships["name"], strict=True))
    scope = names[township] if township else region_name
    figures, month_events = _month_figures(scoped.events, start, end)
    if month_events.empty and not (scoped.events["occurred_at"] < end).any():
        raise ValueError(f"no events in or before {month} for {scope}")

    gi = gi or GiOptions()
    top_cells, trend_counts, risk, cells = _hotspot_part(
        scoped, start, end, res=res, township=township, figures=figures, gi=gi
    )
    periods_table = _periods_table(scoped.labels.loc[month_events.index], figures)
    # repeat vehicles, plates masked, each with a code that tells it apart
    vehicles, plates = _repeat_vehicles(month_events)
    figures["repeat_vehicles"] = int((plates.value_counts() >= 2).sum())
    plan_posts, plan_figures = _next_month_plan(
        scoped, end, month, township=township, teams=teams, res=res, periods=periods, gi=gi
    )
    figures["night_12m"] = int(plan_figures.pop("night_12m", 0))
    briefing = Briefing(
        month=month,
        scope=scope,
        township_code=township,
        figures=figures,
        top_cells=top_cells,
        trends=trend_counts,
        risk=risk,
        periods=periods_table,
        vehicles=vehicles,
        plan_posts=plan_posts,
        plan_figures=plan_figures,
        cells=cells,
        monthly=_monthly(scoped.events, end),
        suspects=_suspects(screens, township, names),
    )
    briefing.text = write_text(briefing)
    return briefing


def _suspects(
    screens: MonthScreens | None, township: str | None, names: Mapping[str, str]
) -> SuspectSummary | None:
    if screens is None:
        return None
    from geo.briefsuspects import summarize

    return summarize(screens, township=township, names=names)


def _hotspot_part(
    scoped: Dataset,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    res: int,
    township: str | None,
    figures: dict[str, Any],
    gi: GiOptions,
) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame, Any]:
    """The month's hot cells (counted into ``figures``), top cells, 12-month trends, risk."""
    # hotspots and trends of the months up to this one (trends need history)
    view = hotspot_view(
        scoped,
        res=res,
        start=(start - pd.DateOffset(months=11)).date(),
        end=(end - pd.Timedelta(days=1)).date(),
        township_codes=(township,) if township else None,
        gi=gi,
    )
    month_view = hotspot_view(
        scoped,
        res=res,
        start=start.date(),
        end=(end - pd.Timedelta(days=1)).date(),
        township_codes=(township,) if township else None,
        trends=False,  # the trends come from the 12-month view
        gi=gi,
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
    top_cells = _top_cells(cells, scoped)
    trend_counts = {
        k: int(v) for k, v in view.stats["trend"].value_counts().items() if k != "no_pattern"
    }
    # this month's hotspot evidence, with the trends of the last 12 months
    risk = (
        key_area_risk(scoped.key_areas, month_view.stats, view.stats[["h3_cell", "trend"]])
        if len(scoped.key_areas) and len(month_view.stats)
        else month_view.risk
    )
    return top_cells, trend_counts, risk, cells


def _month_figures(
    events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Cases and tips of the month, the month before and a year before; the month's events."""
    when = events["occurred_at"]
    in_month = (when >= start) & (when < end)
    prev_start = start - pd.offsets.MonthBegin(1)
    in_prev = (when >= prev_start) & (when < start)
    year_start = start - pd.DateOffset(years=1)
    in_year = (when >= year_start) & (when < year_start + pd.offsets.MonthBegin(1))

    def count(mask: pd.Series, kind: str) -> int:
        return int((mask & (events["kind"] == kind)).sum())

    status = events.get("status", pd.Series(index=events.index))
    cases, tips = count(in_month, "case"), count(in_month, "tip")
    figures: dict[str, Any] = {
        "cases": cases,
        "tips": tips,
        "verified_tips": int((in_month & (events["kind"] == "tip") & (status == "属实")).sum()),
        "cases_prev": count(in_prev, "case"),
        "tips_prev": count(in_prev, "tip"),
        "cases_last_year": count(in_year, "case"),
        "tips_last_year": count(in_year, "tip"),
        "events": int(in_month.sum()),
    }
    figures["cases_mom"] = _pct_change(cases, figures["cases_prev"])
    figures["cases_yoy"] = _pct_change(cases, figures["cases_last_year"])
    figures["tips_mom"] = _pct_change(tips, figures["tips_prev"])
    return figures, events[in_month]


def _periods_table(labels: pd.DataFrame, figures: dict[str, Any]) -> pd.DataFrame:
    """Events of the month per period (night, weekend …), counted into ``figures`` too."""
    total = max(len(labels), 1)
    table = pd.DataFrame(
        {
            "时段": [t(f"period_{k}", "zh") for k in BREAKDOWN],
            "事件数": [int(labels[k].sum()) for k in BREAKDOWN],
        }
    )
    table["占比"] = (table["事件数"] / total).map(lambda v: f"{v:.1%}")
    figures.update({f"period_{k}": int(labels[k].sum()) for k in BREAKDOWN})
    return table


def _next_month_plan(
    scoped: Dataset, end: pd.Timestamp, month: str, *, township: str | None, **how: Any
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Next month's suggested night plan from the data up to this month's end.

    No plan (empty posts and figures) when the last 12 months hold no night event: there is
    no night risk to cover. ``how`` holds ``teams``, ``res``, ``periods`` and ``gi``.
    """
    upto = scoped.events["occurred_at"] < end
    recent = upto & (scoped.events["occurred_at"] >= end - pd.DateOffset(months=12))
    night = int(scoped.labels.loc[recent[recent].index, "night"].sum())
    if not night:
        return pd.DataFrame(), {"night_12m": 0}
    history = dataclasses.replace(
        scoped, events=scoped.events[upto], labels=scoped.labels.loc[upto[upto].index]
    )
    fixed = tuple(
        history.key_areas.loc[history.key_areas["category"].isin(FIXED_POST_CATEGORIES), "id"]
    )
    plan = make_plan(
        history,
        PlanRequest(
            period="night",
            teams=how["teams"],
            fixed_posts=fixed,
            res=how["res"],
            township_codes=(township,) if township else (),
            forecast_month=str(pd.Period(month, freq="M") + 1),
            weights=how["gi"].weights,
        ),
        periods=how["periods"],
    )
    return plan.plan.posts, {**plan.figures, "night_12m": night}


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
        places = list(dict.fromkeys(p for p in b.top_cells["地标"] if p))[:3]
        if places:
            hotspots.append(f"热点主要集中在{'、'.join(places)}周边。")
    if b.trends:
        trend_text = "、".join(f"{TREND_CATEGORIES[k][0]}{v}个" for k, v in b.trends.items())
        hotspots.append(f"近12个月趋势:{trend_text}。")
    hotspots.append("热点分布见附件1,近12个月查处案件与举报线索走势见附件2。")
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
    elif f.get("night_12m", 1) == 0:
        plan_lines.append(
            f"近12个月{b.scope}无夜间非法营运案件与线索,下月不单独部署夜间巡逻力量,"
            "按日常巡查安排;逢场日加强场镇早间巡查。"
        )
    text = {"situation": situation, "hotspots": hotspots, "risk": risk_lines, "plan": plan_lines}
    if b.suspects is not None:
        text["suspects"] = suspect_lines(b.suspects, b.scope, township=b.township_code is not None)
    return text


def _days(window: tuple[dt.date, dt.date]) -> str:
    """``2025年10月1日至26日`` (the days of one month)."""
    first, last = window
    return f"{first.year}年{first.month}月{first.day}日至{last.day}日"


def suspect_lines(s: SuspectSummary, scope: str, *, township: bool = False) -> list[str]:
    """The sentences on suspect vehicles from checkpoint passes (no plate in any of them)."""
    from geo.briefsuspects import THROUGH_KINDS, month_window

    if s.window is None:
        return ["本月无卡口过车数据,未开展过车筛查。"]
    if s.checkpoints == 0:
        return [f"{scope}辖区内无卡口,本月未开展过车筛查。"]
    where = f"{scope}辖区内{s.checkpoints}个卡口" if township else f"{scope}{s.checkpoints}个卡口"
    lead = f"根据{where}{_days(s.window)}的过车数据筛查,"
    if not s.listed:
        return [lead + "本月未发现疑似非法营运车辆。"]
    g = s.grades
    first = (
        f"{lead}本月列出疑似非法营运车辆{s.listed}辆,其中{t('screen_grade_high', 'zh')}"
        f"{g.get('high', 0)}辆、{t('screen_grade_medium', 'zh')}{g.get('medium', 0)}辆、"
        f"{t('screen_grade_low', 'zh')}{g.get('low', 0)}辆;"
    )
    if s.new is None:
        first += "上月无卡口过车数据,不作新增比较。"
    else:
        first += f"较上月新增{s.new}辆(上月筛查未列出)。"
        prev = s.previous_window
        if prev is not None and prev != month_window(f"{prev[0]:%Y-%m}"):
            first += f"上月过车数据仅有{_days(prev)},新增数可能偏多。"
    lines = [first]
    names = [str(n) for n in s.places["cp_name"].head(3) if str(n)]
    if names:
        through = "、".join(label("cat_", k, "zh") for k in THROUGH_KINDS)
        lines.append(
            f"除{through}等过境卡口外,疑似车辆过车最多的是{'、'.join(names)}等处(见下表);"
            "车辆名单见系统“车辆筛查”页面。"
        )
    return lines


# ---------------------------------------------------------------- DOCX and PDF

#: the briefing's sections in order: key and title (numbered by :func:`sections`)
SECTION_TITLES: Final = (
    ("situation", "总体情况"),
    ("hotspots", "热点分布与趋势"),
    ("risk", "重点区域风险等级"),
    ("suspects", "疑似非法营运车辆筛查情况"),
    ("plan", "下月工作建议"),
)
#: sections printed only when the briefing has text for them (the others always are)
OPTIONAL_SECTIONS: Final = frozenset({"suspects"})
_NUMERALS: Final = "一二三四五六七八九十"


def sections(text: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """The sections a briefing prints, each with its numbered heading (``一、总体情况``).

    An optional section without text (no pass folder: no screening section) is left out
    and the sections after it take its number.
    """
    keys = [k for k, _ in SECTION_TITLES if k not in OPTIONAL_SECTIONS or text.get(k)]
    titles = dict(SECTION_TITLES)
    return [(k, f"{_NUMERALS[i]}、{titles[k]}") for i, k in enumerate(keys)]


# ---------------------------------------------------------------- rendering (other modules)


def render_map(ds: Dataset, b: Briefing, **kwargs: Any) -> bytes:
    """The briefing's map: see :func:`geo.briefmap.render_map` (kept here for callers)."""
    from geo.briefmap import render_map as draw

    return draw(ds, b, **kwargs)


def to_docx(b: Briefing, **kwargs: Any) -> bytes:
    """The A4 公文 Word document: see :func:`geo.briefdoc.to_docx` (kept here for callers)."""
    from geo.briefdoc import to_docx as write

    return write(b, **kwargs)


def to_pdf(docx: bytes, **kwargs: Any) -> bytes:
    """The PDF of a DOCX: see :func:`geo.briefdoc.to_pdf` (kept here for callers)."""
    from geo.briefdoc import to_pdf as convert

    return convert(docx, **kwargs)
