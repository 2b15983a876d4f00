"""Login, logout and session expiry; the store every page shares."""

from __future__ import annotations

import json
import mimetypes
import os
from collections.abc import Callable, Mapping
from typing import Any, Final

import streamlit as st

from geo import sessions
from geo.auth import (
    DEMO_PASSWORD,
    AuthError,
    User,
    authenticate,
    get_user,
    n_users,
)
from geo.config import Settings, is_demo, load_settings
from geo.dataset import prepare_store
from geo.i18n import t
from geo.store import Store


@st.cache_resource
def settings() -> Settings:
    """The deployment settings (immutable, read once per process)."""
    return load_settings(os.environ.get("HEXPATROL_CONFIG"))


@st.cache_resource
def store() -> Store:
    """The deployment's store (opened and migrated once per process; demo accounts on the demo)."""
    return prepare_store(settings(), seed_events=False)  # the first data load seeds


def lang() -> str:
    """The UI language chosen in the sidebar (``zh`` unless switched)."""
    return str(st.session_state.get("lang", "zh"))


#: the browser cookie holding the chosen language (no secret: it only says zh or en)
LANG_COOKIE: Final = "hexpatrol_lang"


def saved_language(default: str) -> str:
    """The language this browser chose last (its cookie), else ``default``."""
    found = st.context.cookies.get(LANG_COOKIE)
    return found if found in ("zh", "en") else default


def keep_language() -> None:
    """Write the language cookie when the choice differs from what the browser holds."""
    current = lang()
    if st.session_state.get("_lang_cookie", st.context.cookies.get(LANG_COOKIE)) == current:
        return
    st.session_state["_lang_cookie"] = current
    value = json.dumps(f"{LANG_COOKIE}={current}; path=/; max-age=31536000; SameSite=Strict")
    st.html(f"<script>document.cookie = {value};</script>", unsafe_allow_javascript=True, width=1)


#: the browser cookie holding the session token (the store keeps only its hash)
COOKIE: Final = "hexpatrol_session"


def _clear_session() -> None:
    """Forget everything of this browser session but the language (plans, previews …)."""
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]


def _ended(token: str, reason: str | None) -> None:
    """Drop this tab's login, say why on the login form, and have the cookie removed."""
    if "user" in st.session_state:  # a login form being filled in is left alone
        _clear_session()
    if reason:
        st.session_state["ended"] = reason
    st.session_state["cookie_op"] = ""
    # this connection keeps sending the old cookie until the page reloads: ignore it
    st.session_state["dead_token"] = token


def _stamp(user: User) -> list[str | None]:
    return [user.role, user.township_code]


def _resumed(token: str) -> User | None:
    """The user of a session token while the session, the account and its role hold."""
    found = sessions.resume(store(), token, idle_minutes=settings().session_minutes)
    if found.username is None:
        _ended(token, found.reason)
        return None
    user = get_user(store(), found.username)
    state = found.state or {}
    if user is None or user.problem() or state.get("_user") != _stamp(user):
        reason = "removed" if user is None else "changed"
        sessions.end(store(), token, reason)
        store().log(found.username, "logout", detail=reason)
        _ended(token, reason)
        return None
    if "user" not in st.session_state:  # a reload or a new tab: the login comes back
        st.session_state.update(user=user, token=token, ui=state)
    return user


def current_user() -> User | None:
    """The logged-in user of this browser, or ``None`` (also once the session ended).

    The session comes from this tab's state or, after a reload or in a new tab, from the
    cookie; it is checked against the store on every run, so a logout elsewhere, an idle
    expiry, or removing a user or changing their role takes effect at their next click.
    """
    token = st.session_state.get("token") or st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token or token == st.session_state.get("dead_token"):
        return None
    return _resumed(token)


def logout() -> None:
    """End this session everywhere (the button's callback)."""
    user, token = st.session_state.get("user"), st.session_state.get("token")
    if isinstance(user, User) and token:
        sessions.end(store(), str(token), "logout")
        store().log(user.username, "logout", scope=user.scope.label())
    _ended(str(token or ""), None)


def apply_cookie() -> None:
    """Set or remove the session cookie in the browser when a login or logout asked for it."""
    op = st.session_state.pop("cookie_op", None)
    if op is None:
        return
    value = f"{op}; path=/; SameSite=Strict" if op else "; path=/; max-age=0; SameSite=Strict"
    st.html(
        "<script>document.cookie = "
        + json.dumps(f"{COOKIE}={value}")
        + " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def remember_all(values: dict[str, object]) -> None:
    """Keep page choices with the session (a reload or another page finds them again).

    One write to the store, and only when a choice changed.
    """
    ui = st.session_state.setdefault("ui", {})
    changed = {k: v for k, v in values.items() if ui.get(k) != v}
    if not changed:
        return
    ui.update(changed)
    token = st.session_state.get("token")
    if token:
        sessions.save_state(store(), str(token), dict(ui))


def recall(name: str, default: object = None) -> object:
    """A page choice kept by :func:`remember_all`, or ``default``."""
    return st.session_state.get("ui", {}).get(name, default)


def login_page() -> None:
    """The only page a visitor without a session sees."""
    lang_ = lang()
    st.title(t("app_title", lang_))
    ended = st.session_state.pop("ended", None)
    if ended:
        st.info(t(f"session_{ended}", lang_, minutes=settings().session_minutes))
    if n_users(store()) == 0:
        st.error(t("login_no_users", lang_))
        return
    with st.form("login"):
        name = st.text_input(t("login_user", lang_), key="login_user")
        password = st.text_input(t("login_password", lang_), type="password", key="login_password")
        submitted = st.form_submit_button(
            t("login_submit", lang_), type="primary", key="login_submit"
        )
    if submitted:
        try:
            user = authenticate(store(), name, password)
        except AuthError as exc:
            st.error(t("login_failed", lang_, msg=exc.text(lang_)))
        else:
            _clear_session()  # nothing of an earlier user of this tab carries over
            token = sessions.start(store(), user.username)
            sessions.save_state(store(), token, {"_user": _stamp(user)})
            st.session_state.update(user=user, token=token, ui={"_user": _stamp(user)})
            st.session_state["cookie_op"] = token
            st.rerun()
    if is_demo(settings()):
        st.caption(t("login_demo", lang_, password=DEMO_PASSWORD))


def audit(action: str, detail: str | Mapping[str, Any] = "") -> None:
    """Record what the current user did (exports, plans, briefings) in the audit log.

    A mapping is kept as JSON, so the audit page words it in the reader's language
    (:func:`geo.i18n.audit_text`); text is shown as it is.
    """
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


def download(
    label: str,
    data: bytes | str | Callable[[], bytes | str],
    file_name: str,
    *,
    key: str | None = None,
) -> None:
    """A download button whose click is written to the audit log as an export.

    ``data`` may be a callable: the file is then made when the button is pressed (Streamlit's
    deferred data), not on every rerun, and not sent to the browser before it is asked for.
    """
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
