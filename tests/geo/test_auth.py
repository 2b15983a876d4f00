"""Users, passwords, roles and scopes."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from geo.auth import (
    MAX_FAILURES,
    AuthError,
    Scope,
    User,
    add_user,
    authenticate,
    ensure_demo_users,
    list_users,
    remove_user,
    set_password,
)
from geo.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(f"sqlite:///{tmp_path}/auth.sqlite") as s:
        yield s


def test_add_and_authenticate(store: Store) -> None:
    add_user(store, "zhang", "correct horse", role="analyst")
    user = authenticate(store, "zhang", "correct horse")
    assert user == User("zhang", "analyst", None, "")
    assert user.scope == Scope(None, mask_plates=True)
    with pytest.raises(AuthError, match="wrong user name or password"):
        authenticate(store, "zhang", "wrong horse")
    with pytest.raises(AuthError, match="wrong user name or password"):
        authenticate(store, "nobody", "correct horse")
    stored = store.table("users")
    assert "correct horse" not in stored.to_string()
    assert stored["password_hash"].str.startswith("$argon2id$").all()
    actions = store.audit_log()["action"].tolist()
    assert actions.count("login") == 1 and actions.count("login_failed") == 2


def test_roles_and_scopes(store: Store) -> None:
    add_user(store, "boss", "password1", role="commander")
    add_user(store, "town", "password1", role="township", township_code="500235105")
    boss = authenticate(store, "boss", "password1")
    town = authenticate(store, "town", "password1")
    assert boss.scope == Scope(None, mask_plates=False)
    assert town.scope == Scope("500235105", mask_plates=True)
    assert town.scope.township_codes == ("500235105",)
    assert boss.can("audit") and boss.can("undo") and boss.can("key_areas")
    assert not town.can("audit") and not town.can("undo") and town.can("import")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "chief"}, "role"),
        ({"role": "township"}, "needs --township"),
        ({"role": "analyst", "township_code": "500235105"}, "only township users"),
        ({"role": "township", "township_code": "1", "known_townships": {"2"}}, "not in the"),
    ],
)
def test_bad_users_are_refused(store: Store, kwargs, message) -> None:
    with pytest.raises(AuthError, match=message):
        add_user(store, "x1", "password1", **kwargs)
    assert list_users(store).empty


def test_short_password_and_duplicate_name(store: Store) -> None:
    with pytest.raises(AuthError, match="8 characters"):
        add_user(store, "li", "short", role="analyst")
    add_user(store, "li", "long enough", role="analyst")
    with pytest.raises(AuthError, match="already exists"):
        add_user(store, "li", "long enough", role="analyst")


def test_password_change_and_removal(store: Store) -> None:
    add_user(store, "wang", "first pass", role="analyst")
    set_password(store, "wang", "second pass")
    with pytest.raises(AuthError):
        authenticate(store, "wang", "first pass")
    assert authenticate(store, "wang", "second pass").username == "wang"
    remove_user(store, "wang")
    with pytest.raises(AuthError):
        authenticate(store, "wang", "second pass")
    with pytest.raises(AuthError, match="no user"):
        remove_user(store, "wang")


def test_lockout_after_repeated_failures(store: Store) -> None:
    add_user(store, "zhao", "right pass", role="analyst")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError, match="wrong"):
            authenticate(store, "zhao", "bad pass")
    with pytest.raises(AuthError, match="too many"):
        authenticate(store, "zhao", "right pass")  # even the right password, for a while


def test_demo_accounts_once(store: Store) -> None:
    towns = {"500235001": "甲镇", "500235002": "乙乡"}
    assert ensure_demo_users(store, towns) == 4
    assert ensure_demo_users(store, towns) == 0
    users = list_users(store).set_index("username")
    assert users.loc["t500235002", "role"] == "township"
    assert users.loc["t500235002", "display_name"] == "乙乡"
    assert users.loc["commander", "role"] == "commander"


def test_refused_tries_do_not_extend_the_lock(store: Store, monkeypatch) -> None:
    import geo.auth

    clock = [dt.datetime(2025, 10, 1, 8, 0)]
    monkeypatch.setattr(geo.auth, "utc_now", lambda: clock[0])
    add_user(store, "qian", "right pass", role="analyst")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            authenticate(store, "qian", "bad pass")
    clock[0] += dt.timedelta(minutes=9)  # the sixth try, 9 minutes after the first, locks
    with pytest.raises(AuthError, match="too many"):
        authenticate(store, "qian", "right pass")
    for minutes in (1, 5, 9):  # someone keeps trying during the lock
        clock[0] += dt.timedelta(minutes=minutes) if minutes == 1 else dt.timedelta(minutes=4)
        with pytest.raises(AuthError, match="too many"):
            authenticate(store, "qian", "bad pass")
    locked = store.table("login_attempts").set_index("username").loc["qian", "locked_until"]
    assert pd.Timestamp(locked) == pd.Timestamp("2025-10-01 08:19")  # 10 min after the lock
    clock[0] = dt.datetime(2025, 10, 1, 8, 19, 1)  # the lock ends 10 minutes after it began
    assert authenticate(store, "qian", "right pass").username == "qian"
    assert store.audit_log()["action"].tolist().count("login_locked") == 4


def test_parallel_logins_run_at_most_the_allowed_checks(db_url: str) -> None:
    """40 tries at once: at most MAX_FAILURES password checks, then the name is locked."""
    store = Store(db_url)
    add_user(store, "zhou", "right pass", role="analyst")
    guesses = ["bad pass"] * 39 + ["right pass"]

    def attempt(password: str) -> str:
        try:
            authenticate(store, "zhou", password)
        except AuthError as exc:
            return "locked" if "too many" in str(exc) else "wrong"
        return "in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, guesses))
    actions = store.audit_log()["action"].tolist()
    store.close()
    checks = actions.count("login_failed") + actions.count("login")
    assert checks <= MAX_FAILURES
    assert outcomes.count("wrong") + outcomes.count("in") == checks
    assert outcomes.count("locked") == len(guesses) - checks


@pytest.mark.parametrize(
    ("role", "code"), [("Township", "500235105"), ("township", None), ("chief", None)]
)
def test_accounts_with_a_bad_role_or_township_fail_closed(store: Store, role, code) -> None:
    import sqlalchemy as sa

    from geo.auth import NO_TOWNSHIP
    from geo.store import users

    add_user(store, "odd", "password1", role="analyst")
    with store.write() as conn:  # edited by hand in the database
        conn.execute(
            users.update().where(users.c.username == "odd").values(role=role, township_code=code)
        )
    with pytest.raises(AuthError, match="cannot log in") as err:
        authenticate(store, "odd", "password1")
    assert "联系管理员" in err.value.text("zh")
    scope = User("odd", role, code).scope
    assert scope.township_code == (code or NO_TOWNSHIP) and scope.mask_plates


def test_get_user_sees_changes(store: Store) -> None:
    from geo.auth import get_user

    add_user(store, "sun", "right pass", role="analyst")
    assert get_user(store, "sun") == User("sun", "analyst", None, "")
    remove_user(store, "sun")
    assert get_user(store, "sun") is None
