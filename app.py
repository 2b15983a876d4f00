"""hexpatrol — Streamlit entry point: language, login, navigation by role."""

import streamlit as st

from app_pages.look import streamlit_words
from app_pages.session import (
    apply_cookie,
    current_user,
    keep_language,
    lang,
    login_page,
    logout,
    saved_language,
    settings,
)
from geo.i18n import t

st.set_page_config(page_title="hexpatrol", page_icon="⬢", layout="wide")

if "lang" not in st.session_state:  # a new tab or a reload: the language chosen last time
    st.session_state["lang"] = saved_language(settings().language)
with st.sidebar:
    st.radio(  # the options name themselves; the label stays the same in both languages
        "语言 / Language",
        options=["zh", "en"],
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        horizontal=True,
        label_visibility="collapsed",
    )

# (file, title key, icon, url path, who may open it)
PAGES = [
    ("app_pages/map.py", "page_map", "map", "map", None),
    ("app_pages/patrol.py", "page_patrol", "local_police", "patrol", None),
    ("app_pages/brief.py", "page_brief", "description", "briefing", None),
    ("app_pages/blacklist.py", "page_blacklist", "person_search", "blacklist", None),
    ("app_pages/vehicles.py", "page_vehicles", "directions_car", "vehicles", None),
    ("app_pages/evaluate.py", "page_eval", "query_stats", "evaluate", None),
    ("app_pages/imports.py", "page_import", "upload_file", "import", "import"),
    ("app_pages/batches.py", "page_batches", "history", "batches", "import"),
    ("app_pages/key_areas.py", "page_key_areas", "edit_location", "key-areas", "key_areas"),
    ("app_pages/audit.py", "page_audit", "policy", "audit", "audit"),
]

streamlit_words(lang())  # Streamlit's own English texts, in the user's language
user = current_user()
apply_cookie()  # a login or logout of the last run sets or removes the session cookie
keep_language()  # remembered in a cookie of its own, for the next reload or tab
if user is None:  # without a session every address shows the login form: no page, no data
    logins = [
        st.Page(login_page, title=t("login_title", lang()), url_path=url, default=i == 0)
        for i, (_, _, _, url, _) in enumerate(PAGES)
    ]
    st.navigation(logins, position="hidden").run()  # after login, the asked-for page opens
    st.stop()

with st.sidebar:
    role = t(f"role_{user.role}", lang())
    st.caption(t("signed_in_as", lang(), name=user.display_name or user.username, role=role))
    st.button(t("logout", lang()), on_click=logout, icon=":material/logout:", key="logout")

pages = [
    st.Page(path, title=t(title, lang()), icon=f":material/{icon}:", url_path=url, default=i == 0)
    for i, (path, title, icon, url, need) in enumerate(PAGES)
    if need is None or user.can(need)
]
st.navigation(pages).run()
