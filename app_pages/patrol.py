"""巡逻建议 — patrol posts and a rotation for a period, with coverage figures and exports."""

import streamlit as st

from app_pages import foliummap
from app_pages.common import (
    current_dataset,
    data_key,
    demo_banner,
    lang,
    plan_documents_later,
    settings,
    shared_plan,
    tile_options,
)
from app_pages.mapview import plan_payload
from app_pages.plan_form import plan_form
from app_pages.session import audit, download
from app_pages.suspects import pass_folder, plan_activity
from geo.export import PlanPackage, plan_table
from geo.i18n import t
from geo.planning import suspect_note, track_record_text
from geo.planprint import busy_days_note, roster_of

language = lang()
conf = settings()
ds = current_dataset()
st.title(t("page_patrol", language))
demo_banner()
st.caption(t("plan_intro_forecast", language))
if ds.events.empty:  # e.g. a township with no records yet, or every batch undone
    st.info(t("no_events", language))
    st.stop()
request = plan_form(ds, conf, language, suspects=pass_folder() is not None)
if request is not None:
    activity = plan_activity(request)  # None unless the suspect weight is above 0
    bar = st.progress(0.0, text=t("plan_running", language))
    made = shared_plan(
        request,
        progress=lambda share, step: bar.progress(share, text=t(f"plan_step_{step}", language)),
        activity=activity,
    )
    bar.empty()
    st.session_state["patrol_plan"] = made  # the shared plan itself, not a copy
    st.session_state["plan_gen"] = st.session_state.get("plan_gen", 0) + 1
    result = made.result
    posts = len(result.plan.posts)
    audit("plan", {"period": request.period, "window": result.time_window, "posts": posts})
made = st.session_state.get("patrol_plan")
if not isinstance(made, PlanPackage):
    st.info(t("plan_none", language))
    st.stop()
request, result, printed = made.request, made.result, made.printed
figures = result.figures
cols = st.columns(5)
cols[0].metric(t("plan_coverage", language), f"{figures['coverage_share']:.1%}")
cols[1].metric(
    t("plan_hot", language),
    f"{int(figures['hot_cells_covered'])}/{int(figures['hot_cells'])}",
    help=t(
        "plan_hot_help",
        language,
        period=t(f"period_{request.period}", language),
        days=request.lookback_days,
    ),
)
cols[2].metric(t("plan_posts", language), int(figures["posts"]))
cols[3].metric(t("plan_person_shifts", language), f"{int(figures['person_shifts']):,}")
if result.schedule is not None:
    cols[4].metric(t("plan_expected", language), f"{result.schedule.expected_coverage:.1%}")
if result.outlook is not None:  # the risk is a forecast: say which, and how good it was
    st.info(
        track_record_text(figures, language)
        or t("plan_forecast_note", language, month=result.outlook.month)
    )
    st.caption(t("plan_forecast_note", language, month=result.outlook.month))
if suspect_note(figures):  # the weight of suspect activity, when one was asked for
    st.info(suspect_note(figures, language))
for warning in result.warnings:
    st.warning(warning)


# rendered once per plan and language for everyone; a new key per generated plan: the map
# opens fitted to that plan's posts, never a stale view
gen = st.session_state.get("plan_gen", 0)
foliummap.show(
    plan_payload(data_key(), made, ds, language, tile_options(conf)),
    key=f"plan_map_{gen}",
    height=560,
)
documents = plan_documents_later(made)  # drawn and written only when downloaded
d1, d2 = st.columns(2)
with d1:
    download(t("plan_download_xlsx", language), lambda: documents().xlsx, "patrol_plan.xlsx")
with d2:
    download(t("plan_download_html", language), lambda: documents().html, "patrol_plan.html")
st.subheader(t("plan_teams_table", language))
st.dataframe(plan_table(printed.teams, language), hide_index=True, width="stretch")
if not printed.roster.empty:
    st.subheader(t("plan_schedule", language))
    st.caption(t("plan_roster_note", language))
    busy = busy_days_note(printed, request.teams, request.holiday_factor, language)
    if busy:  # holidays put out more teams than the table above lists
        st.info(busy)
    roster = printed.roster if language == "zh" else roster_of(printed.duty, language)
    st.dataframe(roster.rename(columns={"team": t("plan_team_no", language)}), hide_index=True)
st.subheader(t("plan_post_table", language))
st.dataframe(plan_table(printed.posts, language), hide_index=True, width="stretch")
