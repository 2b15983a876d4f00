"""巡逻建议 — patrol posts and a rotation for a period, with coverage figures and exports."""

import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import (
    current_dataset,
    demo_banner,
    is_demo,
    lang,
    plan_printout,
    settings,
    tile_options,
)
from app_pages.plan_form import plan_form
from app_pages.session import audit, download
from geo.export import plan_table, plan_to_html, plan_to_xlsx
from geo.i18n import t
from geo.planning import make_plan, track_record_text
from geo.planprint import plan_extent
from layers.situation import situation_map

L = lang()
s = settings()
ds = current_dataset()
st.title(t("page_patrol", L))
demo_banner()
st.caption(t("plan_intro_forecast", L))
if ds.events.empty:  # e.g. a township with no records yet, or every batch undone
    st.info(t("no_events", L))
    st.stop()
request = plan_form(ds, s, L)
if request is not None:
    bar = st.progress(0.0, text=t("plan_running", L))
    result = make_plan(
        ds,
        request,
        periods=s.periods,
        progress=lambda share, step: bar.progress(share, text=t(f"plan_step_{step}", L)),
    )
    bar.empty()
    st.session_state["plan_result"] = (request, result)
    st.session_state["plan_print"] = plan_printout(ds, request, result, s)
    st.session_state["plan_gen"] = st.session_state.get("plan_gen", 0) + 1
    audit("plan", f"{request.period} {result.time_window}: {len(result.plan.posts)} posts")
if "plan_result" not in st.session_state:
    st.info(t("plan_none", L))
    st.stop()
request, result = st.session_state["plan_result"]
f = result.figures
cols = st.columns(5)
cols[0].metric(t("plan_coverage", L), f"{f['coverage_share']:.1%}")
cols[1].metric(t("plan_hot", L), f"{int(f['hot_cells_covered'])}/{int(f['hot_cells'])}")
cols[2].metric(t("plan_posts", L), int(f["posts"]))
cols[3].metric(t("plan_person_shifts", L), f"{int(f['person_shifts']):,}")
if result.schedule is not None:
    cols[4].metric(t("plan_expected", L), f"{result.schedule.expected_coverage:.1%}")
if result.outlook is not None:  # the risk is a forecast: say which, and how good it was
    st.info(track_record_text(f, L) or t("plan_forecast_note", L, month=result.outlook.month))
    st.caption(t("plan_forecast_note", L, month=result.outlook.month))
for warning in result.warnings:
    st.warning(warning)

if "plan_print" not in st.session_state:
    st.session_state["plan_print"] = plan_printout(ds, request, result, s)
printed, picture = st.session_state["plan_print"]
posts = result.plan.posts
m = situation_map(
    townships=ds.townships,
    cells=result.cells,
    key_areas=ds.key_areas,
    routes=ds.routes,
    lang=L,
    mode="gi",
    posts=printed.posts.rename(columns={"post_no": "post"}),
    post_radius_m=request.radius_m,
    focus=plan_extent(printed.posts, request.radius_m) if len(printed.posts) else None,
    **tile_options(s),
)
# a new key per generated plan: the map opens fitted to that plan's posts, never a stale view
gen = st.session_state.get("plan_gen", 0)
st_folium(m, key=f"plan_map_{gen}", returned_objects=[], height=560, use_container_width=True)

notes = [t("synthetic_banner", "zh")] if is_demo(s) else []
if result.outlook is not None:
    notes += [t("plan_forecast_note", "zh", month=result.outlook.month), track_record_text(f)]
d1, d2 = st.columns(2)
with d1:
    download(
        t("plan_download_xlsx", L),
        plan_to_xlsx(printed, map_png=picture, notes=notes),
        "patrol_plan.xlsx",
    )
with d2:
    download(
        t("plan_download_html", L),
        plan_to_html(printed, map_png=picture, notes=notes),
        "patrol_plan.html",
    )
st.subheader(t("plan_teams_table", L))
st.dataframe(plan_table(printed.teams, L), hide_index=True, width="stretch")
if not printed.roster.empty:
    st.subheader(t("plan_schedule", L))
    st.dataframe(printed.roster.rename(columns={"team": t("plan_team_no", L)}), hide_index=True)
st.subheader(t("plan_post_table", L))
st.dataframe(plan_table(printed.posts, L), hide_index=True, width="stretch")
