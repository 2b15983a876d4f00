"""A patrol plan as people hand it out: numbered posts, numbered teams, the rotation, a map.

:func:`printed_plan` turns a :class:`geo.planning.PlanResult` into the tables of a printed
plan: **posts** (each numbered, fixed posts first, with its place name and coordinates to 5
decimals), **teams** (team 1, 2, … with its post or patrol area, hours and people) and — for a
rotation — **duty** (one row per day and team) and a **roster** (teams × days, the cell
naming the post). :func:`plan_map_png` draws the posts by number over the period's hot spots
and the base map, so the printed page shows where each team stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coords import utm_crs
from geo.dataset import Dataset
from geo.i18n import t
from geo.planning import PlanRequest, PlanResult
from geo.staticmap import (
    GI_COLORS,
    POST_COLORS,
    MapLabel,
    cjk_figure,
    draw_base,
    north_arrow,
    place_labels,
    png,
    scale_bar,
)

KIND_ZH: Final = {"fixed": "固定岗", "mobile": "机动巡逻"}
DECIMALS: Final = 5  # coordinates: 1e-5° ≈ 1 m


@dataclass
class PrintedPlan:
    """The tables of a printed plan (column names are codes; exports put words on them)."""

    title: str
    period: str
    hours: str
    radius_m: float
    team_size: int
    posts: pd.DataFrame  # post_no, kind, name, lat, lon, risk_covered, hot_cells_covered
    teams: pd.DataFrame  # team, kind, post_no, duty, hours, people
    duty: pd.DataFrame = field(default_factory=pd.DataFrame)  # day, team, post_no, name, …
    roster: pd.DataFrame = field(default_factory=pd.DataFrame)  # team × day -> post label
    figures: dict[str, float] = field(default_factory=dict)


def _posts(result: PlanResult) -> pd.DataFrame:
    """Every post the plan or its rotation uses, numbered: fixed first, then by risk."""
    plan = result.plan.posts
    frames = [plan[["h3_cell", "kind", "name", "lat", "lon", "risk_covered", "hot_cells_covered"]]]
    if result.schedule is not None and len(result.schedule.days):
        extra = result.schedule.days.drop_duplicates("h3_cell")
        extra = extra[~extra["h3_cell"].isin(plan["h3_cell"])]
        frames.append(extra[["h3_cell", "kind", "name", "lat", "lon", "risk_covered"]])
    posts = pd.concat(frames, ignore_index=True)
    posts["hot_cells_covered"] = posts["hot_cells_covered"].fillna(0).astype(int)
    posts["_fixed"] = posts["kind"] != "fixed"
    posts = posts.sort_values(["_fixed"], kind="stable").drop(columns="_fixed")
    posts.insert(0, "post_no", np.arange(1, len(posts) + 1))
    posts["lat"] = posts["lat"].astype(float).round(DECIMALS)
    posts["lon"] = posts["lon"].astype(float).round(DECIMALS)
    posts["risk_covered"] = posts["risk_covered"].astype(float).round(1)
    return posts.reset_index(drop=True)


def duty_text(kind: str, name: str, radius_m: float, lang: str = "zh") -> str:
    """A team's duty in words: its fixed post, or the place its patrol circles."""
    key = "plan_duty_fixed" if kind == "fixed" else "plan_duty_mobile"
    return t(key, lang, name=name, radius=int(round(radius_m)))


def roster_of(duty: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Team × day → the team's post that day (or 休整, a day off), from the duty rows."""
    label = duty["post_no"].map(lambda n: t("plan_roster_post", lang, n=int(n)))
    roster = duty.assign(label=label).pivot(index="team", columns="day", values="label")
    roster = roster.fillna(t("plan_roster_rest", lang))
    roster.columns = [d.strftime("%m-%d") if isinstance(d, dt.date) else str(d) for d in roster]
    return roster.reset_index()


def busy_days_note(printed: PrintedPlan, teams: int, factor: float, lang: str = "zh") -> str:
    """The days the rotation puts out more mobile teams than the team table lists.

    Holidays and 春运 get ``factor`` × ``teams`` mobile teams; the note says which days, and
    that the extra teams need more officers. "" when no day has more.
    """
    if printed.duty.empty:
        return ""
    mobile = printed.duty[printed.duty["kind"] == "mobile"].groupby("day").size()
    busy = mobile[mobile > teams]
    if busy.empty:
        return ""
    sep = "、" if lang == "zh" else ", "
    days = sep.join(d.strftime("%m-%d") if isinstance(d, dt.date) else str(d) for d in busy.index)
    return t(
        "plan_busy_days",
        lang,
        factor=f"{factor:g}",
        days=days,
        teams=int(busy.max()),
        normal=teams,
        first=len(printed.teams) + 1,
    )


def _rotation(
    result: PlanResult, posts: pd.DataFrame, hours: str, radius_m: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(duty, roster): fixed teams keep their posts; mobile teams take the day's posts."""
    if result.schedule is None or result.schedule.days.empty:
        return pd.DataFrame(), pd.DataFrame()
    number = dict(zip(posts["h3_cell"], posts["post_no"], strict=True))
    fixed = posts.loc[posts["kind"] == "fixed", "post_no"].tolist()
    rows = []
    for day, group in result.schedule.days.groupby("day", sort=True):
        mobile = sorted(number[c] for c in group.loc[group["kind"] == "mobile", "h3_cell"])
        for team, post_no in enumerate([*fixed, *mobile], start=1):
            post = posts.loc[posts["post_no"] == post_no].iloc[0]
            rows.append(
                {
                    "day": day,
                    "team": team,
                    "kind": post["kind"],
                    "post_no": int(post_no),
                    "duty": duty_text(post["kind"], post["name"], radius_m),
                    "duty_en": duty_text(post["kind"], post["name"], radius_m, "en"),
                    "hours": hours,
                    "lat": post["lat"],
                    "lon": post["lon"],
                }
            )
    duty = pd.DataFrame(rows)
    return duty, roster_of(duty)


def printed_plan(
    result: PlanResult, request: PlanRequest, *, title: str, period_label: str
) -> PrintedPlan:
    """The plan's posts, teams and (for several days) duty list and roster.

    Parameters
    ----------
    result, request : PlanResult, PlanRequest
        From :func:`geo.planning.make_plan`.
    title : str
        The page title, e.g. "云阳县巡逻建议(夜间 20:00-06:00)".
    period_label : str
        The period in words (e.g. "夜间").

    Returns
    -------
    PrintedPlan
        Numbers stay numbers (post and team numbers, coordinates rounded to 5 decimals,
        people); every post has a place name, never a hexagon id.
    """
    posts = _posts(result)
    plan_posts = posts[posts["h3_cell"].isin(result.plan.posts["h3_cell"])]
    teams = pd.DataFrame(
        {
            "team": np.arange(1, len(plan_posts) + 1),
            "kind": plan_posts["kind"].to_numpy(),
            "post_no": plan_posts["post_no"].astype(int).to_numpy(),
            "duty": [
                duty_text(k, n, request.radius_m)
                for k, n in zip(plan_posts["kind"], plan_posts["name"], strict=True)
            ],
            "duty_en": [  # for the page in English (documents are in Chinese)
                duty_text(k, n, request.radius_m, "en")
                for k, n in zip(plan_posts["kind"], plan_posts["name"], strict=True)
            ],
            "hours": result.time_window,
            "people": request.team_size,
        }
    )
    duty, roster = _rotation(result, posts, result.time_window, request.radius_m)
    return PrintedPlan(
        title=title,
        period=period_label,
        hours=result.time_window,
        radius_m=request.radius_m,
        team_size=request.team_size,
        posts=posts.drop(columns="h3_cell"),
        teams=teams,
        duty=duty,
        roster=roster,
        figures=dict(result.figures),
    )


def plan_extent(posts: pd.DataFrame, radius_m: float) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) in degrees that holds every post and its reach circle."""
    pad_lat = radius_m / 111_000 * 1.3
    lat0 = float(posts["lat"].mean()) if len(posts) else 30.0
    pad_lon = pad_lat / max(np.cos(np.radians(lat0)), 0.2)
    return (
        float(posts["lon"].min() - pad_lon),
        float(posts["lat"].min() - pad_lat),
        float(posts["lon"].max() + pad_lon),
        float(posts["lat"].max() + pad_lat),
    )


def plan_map_png(
    ds: Dataset,
    plan: PrintedPlan,
    cells: gpd.GeoDataFrame | None,
    *,
    size_mm: tuple[float, float] = (180.0, 120.0),
    dpi: int = 200,
    font_file: str | None = None,
) -> bytes:
    """PNG of the posts by number (fixed dark blue, mobile orange) with their reach circles."""
    posts = plan.posts
    pts = gpd.GeoDataFrame(posts, geometry=gpd.points_from_xy(posts["lon"], posts["lat"]), crs=4326)
    crs = utm_crs(pts) if len(pts) else utm_crs(ds.townships)
    with cjk_figure(font_file) as plt:
        fig = plt.figure(figsize=(size_mm[0] / 25.4, size_mm[1] / 25.4))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        draw_base(ax, ds.townships, ds.base_layers, crs, villages=True)
        if cells is not None and len(cells):
            hot = cells[cells["gi_class"].astype(str).str.startswith("hot")].to_crs(crs)
            hot.plot(ax=ax, color=[GI_COLORS[c] for c in hot["gi_class"]], alpha=0.55, zorder=3)
        _draw_posts(ax, pts.to_crs(crs), plan.radius_m)
        _frame(ax, pts.to_crs(crs), plan.radius_m, size_mm)
        keys = ds.key_areas.to_crs(crs)
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        inside = keys.cx[x0:x1, y0:y1]
        place_labels(
            ax,
            [
                MapLabel(p.x, p.y, str(n), 1, 7, "#08306b")
                for p, n in zip(inside.geometry, inside["name"], strict=True)
            ],
        )
        scale_bar(ax, (x0, y0, x1, y1))
        north_arrow(ax)
        return png(fig, dpi=dpi)


def _draw_posts(ax: Any, pts: gpd.GeoDataFrame, radius_m: float) -> None:
    from matplotlib.patches import Circle

    for row in pts.itertuples():
        color = POST_COLORS.get(str(row.kind), "#444444")
        ax.add_patch(
            Circle(
                (row.geometry.x, row.geometry.y),
                radius_m,
                fill=False,
                edgecolor=color,
                linewidth=0.8,
                linestyle="--",
                zorder=4,
            )
        )
        ax.annotate(
            str(int(row.post_no)),
            (row.geometry.x, row.geometry.y),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color="white",
            zorder=8,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": color, "edgecolor": "white"},
        )


def _frame(ax: Any, pts: gpd.GeoDataFrame, radius_m: float, size_mm: tuple[float, float]) -> None:
    """Fit the posts and their circles, with the figure's aspect ratio."""
    if pts.empty:
        ax.set_axis_off()
        return
    minx, miny, maxx, maxy = pts.total_bounds
    pad = radius_m * 1.4
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    aspect = size_mm[0] / size_mm[1]
    w, h = maxx - minx, maxy - miny
    if w / h < aspect:
        extra = (h * aspect - w) / 2
        minx, maxx = minx - extra, maxx + extra
    else:
        extra = (w / aspect - h) / 2
        miny, maxy = miny - extra, maxy + extra
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
