"""审计日志 — logins, imports, exports, plans and briefings (commander only)."""

import streamlit as st

from app_pages.common import lang, store, user
from geo.i18n import t

L = lang()
if not user().can("audit"):  # app.py hides the page; this guards a direct call as well
    st.error(t("not_allowed", L))
    st.stop()
st.title(t("page_audit", L))
log = store().audit_log(limit=5000)
actions = sorted(log["action"].unique())
chosen = st.multiselect(t("audit_actions", L), actions)
if chosen:
    log = log[log["action"].isin(chosen)]
st.dataframe(
    log.drop(columns=["id"]).rename(columns={c: t(f"audit_{c}", L) for c in log.columns[1:]}),
    hide_index=True,
    width="stretch",
)
