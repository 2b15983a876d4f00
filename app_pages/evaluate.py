"""效果评估 — rolling monthly backtest of the forecasts on the loaded data."""

import streamlit as st

from app_pages.common import (
    backtest_summary,
    current_dataset,
    data_key,
    demo_banner,
    lang,
    settings,
)
from geo.i18n import t

L = lang()
s = settings()
ds = current_dataset()
st.title(t("page_eval", L))
demo_banner()
st.caption(t("eval_intro", L))
res = st.select_slider(t("eval_res", L), options=[7, 8, 9, 10], value=min(s.h3_resolution + 1, 10))
with st.spinner(t("backtesting", L)):
    metrics, summary = backtest_summary(data_key(), res)
if summary.empty:
    st.info(t("eval_none", L))
    st.stop()
at5 = summary[summary["area_share"] == 0.05].set_index("method")
cols = st.columns(4)
cols[0].metric(t("eval_pai5_default", L), f"{at5.loc['default', 'pai']:.2f}")
cols[1].metric(t("eval_pai5_last", L), f"{at5.loc['last', 'pai']:.2f}")
cols[2].metric(t("eval_hit5_default", L), f"{at5.loc['default', 'hit_rate']:.1%}")
cols[3].metric(t("eval_months", L), int(at5.loc["default", "months"]))
chosen = metrics[metrics["method"] == "default"].groupby("month")["chosen"].first()
st.info(t("eval_uses", L, chosen=", ".join(f"{m} ×{n}" for m, n in chosen.value_counts().items())))
st.subheader(t("eval_chart", L))
st.line_chart(summary.pivot(index="area_share", columns="method", values="pai"), height=260)
st.subheader(t("eval_table", L))
table = summary.pivot(index="method", columns="area_share", values=["hit_rate", "pai", "pei"])
table.columns = [f"{m} @{a:.0%}" for m, a in table.columns]
st.dataframe(table.round(3), width="stretch")
