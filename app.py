"""hexpatrol — Streamlit entry point: page set-up, language switch, navigation."""

import streamlit as st

from app_pages.common import lang, settings
from geo.i18n import t

st.set_page_config(page_title="hexpatrol", page_icon="⬢", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = settings().language
with st.sidebar:
    st.radio(
        "语言 / Language",
        options=["zh", "en"],
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        horizontal=True,
    )

pages = [
    st.Page(
        "app_pages/map.py",
        title=t("page_map", lang()),
        icon=":material/map:",
        url_path="map",
        default=True,
    ),
    st.Page(
        "app_pages/patrol.py",
        title=t("page_patrol", lang()),
        icon=":material/local_police:",
        url_path="patrol",
    ),
    st.Page(
        "app_pages/brief.py",
        title=t("page_brief", lang()),
        icon=":material/description:",
        url_path="briefing",
    ),
    st.Page(
        "app_pages/evaluate.py",
        title=t("page_eval", lang()),
        icon=":material/query_stats:",
        url_path="evaluate",
    ),
    st.Page(
        "app_pages/check.py",
        title=t("page_check", lang()),
        icon=":material/fact_check:",
        url_path="check",
    ),
]
st.navigation(pages).run()
