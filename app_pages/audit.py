"""审计日志 — logins, imports, exports, plans and briefings (commander only)."""

import streamlit as st

from app_pages.common import all_townships, lang, settings, store, user
from geo.i18n import audit_text, label, present, t

language = lang()
if not user().can("audit"):  # app.py hides the page; this guards a direct call as well
    st.error(t("not_allowed", language))
    st.stop()
towns = all_townships(settings(), repr(settings()))
names = {"": "", "county": t("scope_county", language)}
names |= dict(zip(towns["code"], towns["name"], strict=True))
st.title(t("page_audit", language))
log = store().audit_log(limit=5000)
actions = sorted(log["action"].unique())
chosen = st.multiselect(
    t("audit_actions", language),
    actions,
    format_func=lambda a: label("action_", a, language),
    placeholder=t("choose", language),
)
if chosen:
    log = log[log["action"].isin(chosen)]
log = log.assign(
    detail=[
        audit_text(a, d, language, names) for a, d in zip(log["action"], log["detail"], strict=True)
    ]
)
columns = {c: f"audit_{c}" for c in ("at", "username", "action", "scope", "detail")}
st.dataframe(
    present(
        log,
        language,
        columns,
        codes={"action": "action_", "username": "account_"},
        names={"scope": names},
        times=["at"],
    ),
    hide_index=True,
    width="stretch",
)
