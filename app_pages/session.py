"""Login, logout and session expiry; the store every page shares."""

from __future__ import annotations

import mimetypes
import os
import time

import streamlit as st

from geo.auth import (
    DEMO_PASSWORD,
    AuthError,
    User,
    authenticate,
    ensure_demo_users,
    get_user,
    n_users,
)
from geo.config import Settings, is_demo, load_settings
from geo.dataset import settings_townships
from geo.i18n import t
from geo.store import Store, open_store


@st.cache_resource
def settings() -> Settings:
    """The deployment settings (immutable, read once per process)."""
    return load_settings(os.environ.get("HEXPATROL_CONFIG"))


@st.cache_resource
def store() -> Store:
    """The deployment's store (opened and migrated once per process)."""
    s = settings()
    opened = open_store(configured=s.database_url, data_dir=s.data_dir)
    if is_demo(s):  # the documented demo accounts, only ever on the synthetic demo
        towns = settings_townships(s)
        ensure_demo_users(opened, dict(zip(towns["code"], towns["name"], strict=True)))
    return opened


def lang() -> str:
    """The UI language chosen in the sidebar (``zh`` unless switched)."""
    return str(st.session_state.get("lang", "zh"))


def _clear_session() -> None:
    """Forget everything of this browser session but the language (plans, previews …)."""
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]


def current_user() -> User | None:
    """The logged-in user of this browser session, or ``None`` (also once it expired).

    The user is read again from the store on every run, so removing a user or changing
    their role or township takes effect at their next click.
    """
    user = st.session_state.get("user")
    if not isinstance(user, User):
        return None
    idle = time.monotonic() - float(st.session_state.get("last_seen", 0.0))
    now = get_user(store(), user.username)
    if idle > settings().session_minutes * 60 or now != user:
        reason = "expired" if idle > settings().session_minutes * 60 else "account changed"
        store().log(user.username, "logout", scope=user.scope.label(), detail=reason)
        _clear_session()
        st.session_state["expired"] = reason == "expired"
        return None
    st.session_state["last_seen"] = time.monotonic()
    return user


def logout() -> None:
    """End this session (the button's callback)."""
    user = st.session_state.get("user")
    if isinstance(user, User):
        store().log(user.username, "logout", scope=user.scope.label())
    _clear_session()


def login_page() -> None:
    """The only page a visitor without a session sees."""
    L = lang()
    st.title(t("app_title", L))
    if st.session_state.pop("expired", False):
        st.info(t("login_expired", L, minutes=settings().session_minutes))
    if n_users(store()) == 0:
        st.error(t("login_no_users", L))
        return
    with st.form("login"):
        name = st.text_input(t("login_user", L))
        password = st.text_input(t("login_password", L), type="password")
        submitted = st.form_submit_button(t("login_submit", L), type="primary")
    if submitted:
        try:
            user = authenticate(store(), name, password)
        except AuthError as exc:
            st.error(t("login_failed", L, msg=exc))
        else:
            _clear_session()  # nothing of an earlier user of this tab carries over
            st.session_state["user"] = user
            st.session_state["last_seen"] = time.monotonic()
            st.rerun()
    if is_demo(settings()):
        st.caption(t("login_demo", L, password=DEMO_PASSWORD))


def audit(action: str, detail: str = "") -> None:
    """Record what the current user did (exports, plans, briefings) in the audit log."""
    user = st.session_state.get("user")
    if isinstance(user, User):
        store().log(user.username, action, scope=user.scope.label(), detail=detail)


_MIME = {  # not every system's mime.types knows the Office formats
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
    "csv": "text/csv",
    "html": "text/html",
}


def download(label: str, data: bytes | str, file_name: str, *, key: str | None = None) -> None:
    """A download button whose click is written to the audit log as an export."""
    suffix = file_name.rsplit(".", 1)[-1]
    mime = _MIME.get(suffix) or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    st.download_button(
        label,
        data,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click=audit,
        args=("export", file_name),
    )
