"""Server-side login sessions: a reload or a new tab keeps the login, the store decides.

A login gets a random token; the browser keeps it in a cookie, the store keeps only its
SHA-256 hash with the user name, the last activity and, once ended, why. Every page run
resumes the session from the token (:func:`resume`): it ends after ``idle_minutes`` without
activity, on logout, when the account is removed or deactivated, when its role or township
changes, or when its password changes. Because the sessions live in the store, every app
process behind a proxy honours the same logins.

The pages' small choices (filters, the briefing's month …) are kept with the session
(:func:`save_state`), so a reload finds them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from geo.schema import utc_now
from geo.store import Store, sessions

#: how often a session's last activity is written (not on every click)
TOUCH_SECONDS: Final = 60
END_REASONS: Final = ("logout", "expired", "removed", "changed", "password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(store: Store, username: str) -> str:
    """A new session for ``username``; returns its token (for the browser's cookie only)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with store.exclusive(f"session:{username}") as conn:
        conn.execute(
            sessions.insert().values(
                token_hash=_digest(token), username=username, created_at=now, last_seen=now
            )
        )
    return token


@dataclass(frozen=True)
class Resumed:
    """What :func:`resume` found.

    Attributes
    ----------
    username : str or None
        The session's user while it is valid, else ``None``.
    reason : str or None
        Why it is no longer valid (one of :data:`END_REASONS`), or ``None`` (valid, or the
        token is unknown).
    state : dict
        The pages' choices saved with the session.
    """

    username: str | None
    reason: str | None = None
    state: dict[str, Any] | None = None


def resume(store: Store, token: str, *, idle_minutes: float) -> Resumed:
    """The session of ``token``, ended here when it has been idle too long.

    The caller still checks that the user exists and is unchanged (and ends the session
    with :func:`end` if not).
    """
    now = utc_now()
    digest = _digest(token)
    with store.read() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.token_hash == digest)).first()
    if row is None:
        return Resumed(None)
    if row.ended_at is not None:
        return Resumed(None, row.end_reason)
    if row.last_seen < now - dt.timedelta(minutes=idle_minutes):
        end(store, token, "expired")
        return Resumed(None, "expired")
    if (now - row.last_seen).total_seconds() > TOUCH_SECONDS:
        with store.exclusive(f"session:{row.username}") as conn:
            conn.execute(
                sessions.update().where(sessions.c.token_hash == digest).values(last_seen=now)
            )
    return Resumed(row.username, None, dict(row.ui_state or {}))


def end(store: Store, token: str, reason: str) -> None:
    """End one session (logout, expiry, an account change seen at its next click)."""
    if reason not in END_REASONS:
        raise ValueError(f"reason was {reason!r} but must be one of {END_REASONS}")
    with store.exclusive("session:end") as conn:
        conn.execute(
            sessions.update()
            .where(sessions.c.token_hash == _digest(token), sessions.c.ended_at.is_(None))
            .values(ended_at=utc_now(), end_reason=reason)
        )


def end_all(store: Store, username: str, reason: str) -> int:
    """End every open session of a user (removal, password change); returns how many."""
    with store.exclusive(f"session:{username}") as conn:
        done = conn.execute(
            sessions.update()
            .where(sessions.c.username == username, sessions.c.ended_at.is_(None))
            .values(ended_at=utc_now(), end_reason=reason)
        )
    return int(done.rowcount or 0)


def save_state(store: Store, token: str, state: dict[str, Any]) -> None:
    """Keep the pages' choices with the session (JSON: strings, numbers, lists)."""
    with store.exclusive("session:state") as conn:
        conn.execute(
            sessions.update().where(sessions.c.token_hash == _digest(token)).values(ui_state=state)
        )
