"""Server-side sessions: a token resumes its login until logout, expiry or an account change."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import sessions
from geo.auth import add_user, remove_user, set_password
from geo.store import Store


@pytest.fixture
def store(db_url: str):
    with Store(db_url) as s:
        add_user(s, "lin", "password1", role="analyst")
        yield s


def test_a_token_resumes_until_logout(store: Store) -> None:
    token = sessions.start(store, "lin")
    sessions.save_state(store, token, {"month": "2025-10"})
    found = sessions.resume(store, token, idle_minutes=240)
    assert (found.username, found.reason, found.state) == ("lin", None, {"month": "2025-10"})
    assert token not in store.table("sessions").to_string()  # only its hash is stored
    sessions.end(store, token, "logout")
    assert sessions.resume(store, token, idle_minutes=240) == sessions.Resumed(None, "logout")
    assert sessions.resume(store, "not a token", idle_minutes=240).username is None


def test_an_idle_session_expires(store: Store, monkeypatch) -> None:
    clock = [dt.datetime(2025, 10, 1, 8, 0)]
    monkeypatch.setattr(sessions, "utc_now", lambda: clock[0])
    token = sessions.start(store, "lin")
    clock[0] += dt.timedelta(minutes=239)
    assert sessions.resume(store, token, idle_minutes=240).username == "lin"  # and touched
    clock[0] += dt.timedelta(minutes=239)
    assert sessions.resume(store, token, idle_minutes=240).username == "lin"
    clock[0] += dt.timedelta(minutes=241)
    assert sessions.resume(store, token, idle_minutes=240).reason == "expired"


@pytest.mark.parametrize("change", ["remove", "password"])
def test_account_changes_end_every_session(store: Store, change: str) -> None:
    tokens = [sessions.start(store, "lin") for _ in range(2)]
    if change == "remove":
        remove_user(store, "lin")
    else:
        set_password(store, "lin", "password2")
    reason = "removed" if change == "remove" else "password"
    assert {sessions.resume(store, t, idle_minutes=240).reason for t in tokens} == {reason}
