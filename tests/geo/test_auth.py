"""Users, passwords, roles and scopes."""

from __future__ import annotations

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


def test_refused_tries_do_not_extend_the_lock(store: Store) -> None:
    from geo.auth import _recent_failures

    add_user(store, "qian", "right pass", role="analyst")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            authenticate(store, "qian", "bad pass")
    for _ in range(3):  # someone keeps trying during the lock
        with pytest.raises(AuthError, match="too many"):
            authenticate(store, "qian", "bad pass")
    assert _recent_failures(store, "qian") == MAX_FAILURES
    assert store.audit_log()["action"].tolist().count("login_locked") == 3


def test_get_user_sees_changes(store: Store) -> None:
    from geo.auth import get_user

    add_user(store, "sun", "right pass", role="analyst")
    assert get_user(store, "sun") == User("sun", "analyst", None, "")
    remove_user(store, "sun")
    assert get_user(store, "sun") is None
