"""效果评估 — rolling monthly backtest of the forecasts and of the patrol plans."""

import pandas as pd
import streamlit as st

from app_pages.common import (
    backtest_summary,
    current_dataset,
    data_key,
    demo_banner,
    lang,
    patrol_backtest_table,
    settings,
)
from geo.evaluate import WEIGHT_COLUMNS
from geo.i18n import t
from geo.planning import PLAN_PERIODS
from layers.tables import method_table, patrol_month_table

language = lang()
conf = settings()
ds = current_dataset()
st.title(t("page_eval", language))
demo_banner()
st.caption(t("eval_intro", language))
res = st.select_slider(
    t("eval_res", language), options=[7, 8, 9, 10], value=min(conf.h3_resolution + 1, 10)
)
with st.spinner(t("backtesting", language)):
    metrics, summary = backtest_summary(data_key(), res)
if summary.empty:
    st.info(t("eval_none", language))
    st.stop()
at5 = summary[summary["area_share"] == 0.05].set_index("method")
best = at5.drop("default")["pai"].idxmax()
cols = st.columns(4)
cols[0].metric(t("eval_pai5_blend", language), f"{at5.loc['default', 'pai']:.2f}")
cols[1].metric(
    t("eval_pai5_best", language), f"{at5.loc[best, 'pai']:.2f}", help=t(f"method_{best}", language)
)
cols[2].metric(t("eval_hit5_blend", language), f"{at5.loc['default', 'hit_rate']:.1%}")
cols[3].metric(t("eval_months", language), int(at5.loc["default", "months"]))
latest = metrics[metrics["method"] == "default"].iloc[-1]
weights = ", ".join(f"{t(f'method_{c[2:]}', language)} {latest[c]:.1%}" for c in WEIGHT_COLUMNS)
st.info(t("eval_blend", language, weights=weights))
table = method_table(summary, language)
st.subheader(t("eval_chart", language))
pai = table[[c for c in table.columns if c.startswith("PAI")]].T  # x: area share in percent
pai.index = pd.Index([int(c.split("@")[1][:-1]) for c in pai.index], name="%")
st.line_chart(pai, height=260, x_label=f"{t('eval_area_share', language)} (%)")
st.subheader(t("eval_table", language))
st.dataframe(table, width="stretch")

st.subheader(t("eval_patrol", language))
st.caption(t("eval_patrol_intro", language))
with st.form("patrol_backtest"):
    c1, c2, c3 = st.columns(3)
    period = c1.selectbox(
        t("plan_period", language),
        [p for p in PLAN_PERIODS if p != "custom"],
        format_func=lambda p: t(f"period_{p}", language),
    )
    teams = c2.number_input(t("plan_teams", language), 1, 60, 6)
    radius = c3.slider(t("plan_radius", language), 200, 3000, 1000, 100)
    if st.form_submit_button(t("eval_patrol_go", language), type="primary"):
        st.session_state["patrol_backtest_choice"] = (res, period, int(teams), float(radius))
if "patrol_backtest_choice" in st.session_state:
    with st.spinner(t("eval_patrol_running", language)):
        result = patrol_backtest_table(data_key(), *st.session_state["patrol_backtest_choice"])
    if result.empty:
        st.info(t("eval_patrol_none", language))
        st.stop()
    mean = result.groupby("plan")[["hit_rate", "area_share"]].mean()
    cols = st.columns(3)
    cols[0].metric(t("eval_patrol_default", language), f"{mean.loc['default', 'hit_rate']:.1%}")
    cols[1].metric(t("eval_patrol_last", language), f"{mean.loc['last', 'hit_rate']:.1%}")
    cols[2].metric(t("eval_patrol_area", language), f"{mean.loc['default', 'area_share']:.2%}")
    st.dataframe(patrol_month_table(result, language), width="stretch")
