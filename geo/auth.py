"""Users, roles and scopes: who may see which part of the data, enforced where data is read.

Three roles:

* ``commander`` — the whole region, full plates, the audit log, key areas, undo;
* ``analyst`` — the whole region, masked plates, briefings and imports;
* ``township`` — bound to one township code: only events, cells, plans, exports and
  briefings inside that township (属地管理), masked plates, imports of its own rows.

Passwords are hashed with Argon2id (argon2-cffi); users live in the store's ``users``
table. A :class:`Scope` is what every data-loading function takes (see
:func:`geo.dataset.load_dataset`); the user interface only decides which widgets to show.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Final

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from geo import sessions
from geo.errors import HexpatrolError
from geo.schema import utc_now
from geo.store import Store, login_attempts, users

ROLES: Final = ("commander", "analyst", "township")
#: the scope of an account that cannot see anything (a township code no township has)
NO_TOWNSHIP: Final = "-"
#: failed logins of one user name within LOCK_MINUTES that lock it for LOCK_MINUTES
MAX_FAILURES: Final = 5
LOCK_MINUTES: Final = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")
_HASHER = PasswordHasher()


class AuthError(HexpatrolError):
    """A user cannot be added, changed or logged in (message says why)."""


@dataclass(frozen=True)
class Scope:
    """What a user may see: a township (or the whole region) and whether plates are masked.

    Attributes
    ----------
    township_code : str or None
        ``None`` for the whole region; a code limits every event, cell, plan, export and
        briefing to that township's polygon.
    mask_plates : bool
        Replace plates by their masked form (渝F·3****) wherever data is read.
    """

    township_code: str | None = None
    mask_plates: bool = True

    @property
    def township_codes(self) -> tuple[str, ...] | None:
        """The township codes in scope (``None`` = all)."""
        return None if self.township_code is None else (self.township_code,)

    def label(self) -> str:
        """Short text for the audit log: ``county`` or the township code."""
        return self.township_code or "county"


@dataclass(frozen=True)
class User:
    """A logged-in user."""

    username: str
    role: str
    township_code: str | None = None
    display_name: str = ""

    @property
    def scope(self) -> Scope:
        """The data this user may see; fails closed.

        Only the exact roles ``commander`` and ``analyst`` see the whole region; any other
        role (``township``, or a misspelt one) sees its own township, and a user without a
        township code sees none (:data:`NO_TOWNSHIP`).
        """
        if self.role == "commander":
            return Scope(None, mask_plates=False)
        if self.role == "analyst":
            return Scope(None, mask_plates=True)
        return Scope(self.township_code or NO_TOWNSHIP, mask_plates=True)

    def problem(self) -> str | None:
        """Why this account cannot be used, or ``None``.

        A role that does not exist, or a township user without a township.
        """
        if self.role not in ROLES:
            return f"the account's role {self.role!r} is not one of {', '.join(ROLES)}"
        if self.role == "township" and not self.township_code:
            return "the township account has no township code"
        return None

    def can(self, action: str) -> bool:
        """Whether the role allows ``action``.

        Actions: import, undo, review, audit, key_areas, blacklist_rules, blacklist_add
        (a vehicle from the screening), import_passes (checkpoint passes and the checkpoint
        list: region-wide data, so not a township account).
        """
        allowed = {
            "commander": {
                "import",
                "undo",
                "review",
                "audit",
                "key_areas",
                "blacklist_rules",
                "blacklist_add",
                "import_passes",
            },
            "analyst": {"import", "review", "import_passes"},
            "township": {"import"},
        }
        return action in allowed.get(self.role, set())


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise AuthError("the password must have at least 8 characters")


def add_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str,
    township_code: str | None = None,
    display_name: str = "",
    by: str = "system",
    known_townships: set[str] | None = None,
) -> None:
    """Create a user; ``township`` users need the code of their township."""
    if not _USERNAME.match(username):
        raise AuthError(
            f"user name {username!r}: use 2-64 letters, digits, Chinese characters, '_', '.', '-'"
        )
    if role not in ROLES:
        raise AuthError(f"role was {role!r} but must be one of {', '.join(ROLES)}")
    if role == "township":
        if not township_code:
            raise AuthError("a township user needs --township CODE (its 9-digit code)")
        if known_townships is not None and township_code not in known_townships:
            raise AuthError(f"township {township_code!r} is not in the configured townships")
    elif township_code:
        raise AuthError(f"only township users are bound to a township, not {role}s")
    _check_password(password)
    _insert_user(store, username, _HASHER.hash(password), role, township_code, display_name, by)


def _insert_user(
    store: Store,
    username: str,
    password_hash: str,
    role: str,
    township_code: str | None,
    display_name: str,
    by: str,
) -> None:
    """Write a checked user (:func:`add_user`) with the Argon2 hash of their password."""
    with store.write() as conn:
        exists = conn.execute(sa.select(users.c.username).where(users.c.username == username))
        if exists.first() is not None:
            raise AuthError(f"user {username!r} already exists (hexpatrol users passwd changes it)")
        conn.execute(
            users.insert().values(
                username=username,
                password_hash=password_hash,
                role=role,
                township_code=township_code,
                display_name=display_name,
                created_at=utc_now(),
                active=True,
            )
        )
        detail = {"user": username, "role": role}
        store.log(by, "user_add", scope=township_code or "", detail=detail, conn=conn)


def remove_user(store: Store, username: str, *, by: str = "system") -> None:
    """Delete a user and end their sessions (the audit log keeps its history)."""
    with store.write() as conn:
        if conn.execute(users.delete().where(users.c.username == username)).rowcount == 0:
            raise AuthError(f"no user {username!r}")
        store.log(by, "user_remove", detail={"user": username}, conn=conn)
    sessions.end_all(store, username, "removed")


def set_password(store: Store, username: str, password: str, *, by: str = "system") -> None:
    """Replace a user's password."""
    _check_password(password)
    with store.write() as conn:
        done = conn.execute(
            users.update()
            .where(users.c.username == username)
            .values(password_hash=_HASHER.hash(password))
        )
        if done.rowcount == 0:
            raise AuthError(f"no user {username!r}")
        store.log(by, "user_passwd", detail={"user": username}, conn=conn)
    sessions.end_all(store, username, "password")


def get_user(store: Store, username: str) -> User | None:
    """The user as stored now (``None`` once removed or deactivated)."""
    with store.read() as conn:
        row = conn.execute(
            sa.select(users).where(users.c.username == username, users.c.active.is_(True))
        ).one_or_none()
    return (
        None if row is None else User(row.username, row.role, row.township_code, row.display_name)
    )


def list_users(store: Store) -> pd.DataFrame:
    """User name, role, township and creation time (never the hashes)."""
    cols = [users.c.username, users.c.role, users.c.township_code, users.c.display_name]
    with store.read() as conn:
        return pd.read_sql(sa.select(*cols, users.c.created_at).order_by(users.c.username), conn)


def account_scopes(store: Store) -> list[Scope]:
    """The distinct scopes of the store's usable accounts: the county's first, then townships.

    Parameters
    ----------
    store : Store
        The deployment's store.

    Returns
    -------
    list of Scope
        One per distinct (township, masking) of the accounts whose role and township are
        valid (:meth:`User.problem`).
    """
    found = list_users(store)
    accounts = [
        User(r.username, r.role, r.township_code if isinstance(r.township_code, str) else None)
        for r in found.itertuples()
    ]
    unique = {u.scope for u in accounts if u.problem() is None}
    return sorted(unique, key=lambda sc: (sc.township_code is not None, str(sc)))


def n_users(store: Store) -> int:
    """How many users exist (0 means nobody can log in yet)."""
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def _reserve_attempt(store: Store, username: str) -> None:
    """Count one login attempt before its password is checked, or refuse it (locked).

    Counting first, in one transaction per user name, means parallel attempts cannot run
    more than :data:`MAX_FAILURES` password checks: the next one finds the count full and
    locks the name for :data:`LOCK_MINUTES` from then. A success resets the count.
    """
    with store.exclusive(f"login:{username}") as conn:
        left = _count_attempt(store, conn, username, utc_now())
    if left is not None:  # raised after the commit, so the lock and its log line stay
        raise _locked(left)


def _count_attempt(
    store: Store, conn: Connection, username: str, now: dt.datetime
) -> dt.timedelta | None:
    """Count the attempt in ``conn``; the time the name stays locked, or ``None``."""
    window = dt.timedelta(minutes=LOCK_MINUTES)
    row = conn.execute(
        sa.select(login_attempts).where(login_attempts.c.username == username)
    ).one_or_none()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        store.log(username, "login_locked", conn=conn)  # refused: the lock stays as it is
        return row.locked_until - now
    fresh = row is None or row.window_start < now - window or row.locked_until is not None
    failures = 0 if fresh or row is None else int(row.failures)
    where = login_attempts.c.username == username
    if failures >= MAX_FAILURES:
        conn.execute(login_attempts.update().where(where).values(locked_until=now + window))
        store.log(username, "login_locked", conn=conn)
        return window
    values: dict[str, object] = {"failures": failures + 1, "locked_until": None}
    if fresh:
        values["window_start"] = now
    if row is None:
        conn.execute(login_attempts.insert().values(username=username, **values))
    else:
        conn.execute(login_attempts.update().where(where).values(**values))
    return None


def _locked(left: dt.timedelta) -> AuthError:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return AuthError(
        f"too many failed logins; try again in {minutes} minutes",
        zh=f"登录失败次数过多,账号已暂时锁定;请 {minutes} 分钟后再试",
    )


def _forget_attempts(store: Store, username: str) -> None:
    with store.exclusive(f"login:{username}") as conn:
        conn.execute(login_attempts.delete().where(login_attempts.c.username == username))


def authenticate(store: Store, username: str, password: str) -> User:
    """Check a password; returns the user or raises :class:`AuthError` (logged either way).

    At most :data:`MAX_FAILURES` failed tries of one user name within :data:`LOCK_MINUTES`
    minutes, even in parallel; the next locks the name for :data:`LOCK_MINUTES` minutes.
    An account whose role or township is wrong in the store is refused (fail closed).
    """
    username = username.strip()[:64]
    _reserve_attempt(store, username)
    with store.read() as conn:
        row = conn.execute(
            sa.select(users).where(users.c.username == username, users.c.active.is_(True))
        ).one_or_none()
    try:
        if row is None:
            _HASHER.hash(password)  # same work as a real check: no timing hint
            raise VerifyMismatchError
        _HASHER.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        store.log(username or "?", "login_failed")
        raise AuthError("wrong user name or password", zh="用户名或密码错误") from None
    user = User(row.username, row.role, row.township_code, row.display_name)
    problem = user.problem()
    if problem:
        store.log(user.username, "login_refused", detail=problem)
        raise AuthError(
            f"this account cannot log in: {problem}; ask the administrator to fix it",
            zh="该账号配置有误(角色或所属乡镇),无法登录;请联系管理员",
        )
    _forget_attempts(store, user.username)
    store.log(user.username, "login", scope=user.scope.label())
    return user


#: Documented demo accounts (synthetic demo only): user name -> (password, role).
DEMO_PASSWORD: Final = "hexpatrol-demo"


def demo_accounts(township_codes: list[str]) -> list[tuple[str, str, str | None]]:
    """(user name, role, township) of the demo: ``commander``, ``analyst``, ``t<code>``."""
    accounts: list[tuple[str, str, str | None]] = [
        ("commander", "commander", None),
        ("analyst", "analyst", None),
    ]
    accounts += [(f"t{code}", "township", code) for code in township_codes]
    return accounts


def ensure_demo_users(store: Store, townships: dict[str, str]) -> int:
    """Create the demo accounts (``townships``: code -> name) in a store without users.

    Returns how many were created (0 when the store already had users).
    """
    if n_users(store):
        return 0
    # one hash for all: their password is public anyway, and hashing 44 times took 13 s
    hashed = _HASHER.hash(DEMO_PASSWORD)
    for name, role, code in demo_accounts(list(townships)):
        label = townships[code] if code else name
        _insert_user(store, name, hashed, role, code, label, "system")
    return len(townships) + 2
