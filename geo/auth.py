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
import re
from dataclasses import dataclass
from typing import Final

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import HexpatrolError
from geo.store import Store, _now, audit, users

ROLES: Final = ("commander", "analyst", "township")
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
        """The data this user may see."""
        if self.role == "township":
            return Scope(self.township_code, mask_plates=True)
        return Scope(None, mask_plates=self.role != "commander")

    def can(self, action: str) -> bool:
        """Whether the role allows ``action``: import, undo, review, audit, key_areas."""
        allowed = {
            "commander": {"import", "undo", "review", "audit", "key_areas", "blacklist_rules"},
            "analyst": {"import", "review"},
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
    with store.write() as conn:
        exists = conn.execute(sa.select(users.c.username).where(users.c.username == username))
        if exists.first() is not None:
            raise AuthError(f"user {username!r} already exists (hexpatrol users passwd changes it)")
        conn.execute(
            users.insert().values(
                username=username,
                password_hash=_HASHER.hash(password),
                role=role,
                township_code=township_code,
                display_name=display_name,
                created_at=_now(),
                active=True,
            )
        )
        store.log(
            by, "user_add", scope=township_code or "", detail=f"{username} ({role})", conn=conn
        )


def remove_user(store: Store, username: str, *, by: str = "system") -> None:
    """Delete a user (the audit log keeps its history)."""
    with store.write() as conn:
        if conn.execute(users.delete().where(users.c.username == username)).rowcount == 0:
            raise AuthError(f"no user {username!r}")
        store.log(by, "user_remove", detail=username, conn=conn)


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
        store.log(by, "user_passwd", detail=username, conn=conn)


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


def n_users(store: Store) -> int:
    """How many users exist (0 means nobody can log in yet)."""
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def _recent_failures(store: Store, username: str) -> int:
    since = _now() - dt.timedelta(minutes=LOCK_MINUTES)
    query = (
        sa.select(audit.c.action)
        .where(audit.c.username == username, audit.c.at >= since)
        .where(audit.c.action.in_(["login", "login_failed"]))
        .order_by(audit.c.id.desc())
    )
    with store.read() as conn:
        actions = list(conn.execute(query).scalars())
    count = 0
    for action in actions:  # failures since the last success
        if action == "login":
            break
        count += 1
    return count


def authenticate(store: Store, username: str, password: str) -> User:
    """Check a password; returns the user or raises :class:`AuthError` (logged either way).

    After :data:`MAX_FAILURES` failures in :data:`LOCK_MINUTES` minutes the name is locked
    for that long, whatever the password.
    """
    username = username.strip()
    if _recent_failures(store, username) >= MAX_FAILURES:
        # logged apart from failures: refused tries must not keep the lock going for ever
        store.log(username, "login_locked")
        raise AuthError(f"too many failed logins; try again in {LOCK_MINUTES} minutes")
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
        raise AuthError("wrong user name or password") from None
    user = User(row.username, row.role, row.township_code, row.display_name)
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
    for name, role, code in demo_accounts(list(townships)):
        label = townships[code] if code else name
        add_user(store, name, DEMO_PASSWORD, role=role, township_code=code, display_name=label)
    return len(townships) + 2
