"""Signed-in web sessions: one row per sign-in, so a sign-in can be taken back.

The browser's cookie carries a random session id; only its SHA-256 is stored. A row is
written when someone signs in (never for anonymous visits), its ``last_seen`` is pushed
when the cookie is refreshed (at most once a minute) and while a live page (call screen,
live dashboard) keeps its socket open, and it is revoked by signing out,
a password change, "sign out everywhere" or locking the account. Times are Unix seconds;
callers pass ``now`` so the web layer's clock decides. Rows expired or revoked more than
``KEEP_SECONDS`` ago are pruned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from controller.store.db import Database

KEEP_SECONDS = 30 * 86400
SIGNED_OUT = "signed_out"
SIGNED_IN_AGAIN = "signed_in_again"
PASSWORD_CHANGED = "password_changed"
SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
LOCKED = "account_locked"
_COLUMNS = "id, user_id, created, last_seen, revoked_at, revoked_reason, user_agent"
_ALIVE = "revoked_at IS NULL AND last_seen >= ? AND created >= ?"  # neither revoked nor expired


@dataclass(frozen=True)
class Lifetime:
    """How long a session lives: since it was last seen, and since it was created."""

    idle_seconds: float
    absolute_seconds: float


DEFAULT_LIFETIME = Lifetime(idle_seconds=2 * 3600, absolute_seconds=12 * 3600)


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _alive_args(now: float, lifetime: Lifetime) -> tuple[float, float]:
    """The two parameters of ``_ALIVE``: oldest last-seen and oldest creation still alive."""
    return now - lifetime.idle_seconds, now - lifetime.absolute_seconds


def open_session(
    db: Database, session_id: str, user_id: int, now: float, user_agent: str = ""
) -> None:
    """Record a sign-in (``user_agent`` is a short browser label, kept to 80 characters)."""
    with db.write() as conn:
        conn.execute(
            "INSERT INTO web_sessions (id_hash, user_id, created, last_seen, user_agent)"
            " VALUES (?, ?, ?, ?, ?)",
            (hash_id(session_id), user_id, now, now, user_agent[:80]),
        )


def active_user(
    db: Database, session_id: str, now: float, lifetime: Lifetime
) -> dict[str, Any] | None:
    """The user of a live session (id, username, display name, role, can make calls,
    disabled), read with the session in one query; None when the session is not live."""
    if not session_id:
        return None
    with db.read() as conn:
        row = conn.execute(
            "SELECT u.id, u.username, u.display_name, u.role, u.can_make_calls, u.disabled"
            f" FROM web_sessions JOIN users u ON u.id = web_sessions.user_id"
            f" WHERE id_hash = ? AND {_ALIVE}",
            (hash_id(session_id), *_alive_args(now, lifetime)),
        ).fetchone()
    return dict(row) if row is not None else None


def touch(db: Database, session_id: str, now: float, lifetime: Lifetime = DEFAULT_LIFETIME) -> bool:
    """Push a live session's last-seen time (the cookie refresh calls this once a minute, an
    open live page's socket every few minutes); False when it was revoked or had already
    expired, which a late push never revives."""
    with db.write() as conn:
        cur = conn.execute(
            f"UPDATE web_sessions SET last_seen = ? WHERE id_hash = ? AND {_ALIVE}",
            (now, hash_id(session_id), *_alive_args(now, lifetime)),
        )
    return cur.rowcount > 0


def revoke(db: Database, session_id: str, now: float, reason: str = SIGNED_OUT) -> bool:
    """End one session; False when it was unknown or already ended."""
    with db.write() as conn:
        cur = conn.execute(
            "UPDATE web_sessions SET revoked_at = ?, revoked_reason = ?"
            " WHERE id_hash = ? AND revoked_at IS NULL",
            (now, reason, hash_id(session_id)),
        )
    return cur.rowcount > 0


def revoke_user(
    db: Database,
    user_id: int,
    now: float,
    reason: str,
    keep: str | None = None,
    lifetime: Lifetime = DEFAULT_LIFETIME,
) -> int:
    """End every open session of the user except ``keep`` (a session id); how many live
    ones ended. Sessions that merely expired are marked too, but not counted."""
    keep_hash = hash_id(keep) if keep else ""
    mine = "user_id = ? AND id_hash != ?"
    with db.write() as conn:
        live = conn.execute(
            f"SELECT count(*) FROM web_sessions WHERE {mine} AND {_ALIVE}",
            (user_id, keep_hash, *_alive_args(now, lifetime)),
        ).fetchone()[0]
        conn.execute(
            "UPDATE web_sessions SET revoked_at = ?, revoked_reason = ?"
            f" WHERE {mine} AND revoked_at IS NULL",
            (now, reason, user_id, keep_hash),
        )
    return int(live)


def for_user(db: Database, user_id: int, now: float, lifetime: Lifetime) -> list[dict[str, Any]]:
    """The user's live sessions, most recently seen first, each with its ``id_hash``."""
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS}, id_hash FROM web_sessions WHERE user_id = ? AND {_ALIVE}"
            " ORDER BY last_seen DESC, id DESC",
            (user_id, *_alive_args(now, lifetime)),
        ).fetchall()
    return [dict(r) for r in rows]


def signed_in_callers(
    db: Database, user_ids: list[int], now: float, lifetime: Lifetime
) -> set[int]:
    """Those of ``user_ids`` who may make calls now: enabled, allowed to make calls, and
    signed in (a live session)."""
    if not user_ids:
        return set()
    marks = ", ".join("?" * len(user_ids))
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT u.id FROM users u WHERE u.id IN ({marks}) AND u.disabled = 0"
            " AND u.can_make_calls = 1 AND EXISTS (SELECT 1 FROM web_sessions"
            f" WHERE user_id = u.id AND {_ALIVE})",
            (*user_ids, *_alive_args(now, lifetime)),
        )
        return {int(r[0]) for r in rows}


def prune(db: Database, now: float, lifetime: Lifetime, keep_seconds: float = KEEP_SECONDS) -> int:
    """Delete rows revoked, or expired, more than ``keep_seconds`` ago; how many went."""
    cutoff = now - keep_seconds
    with db.write() as conn:
        cur = conn.execute(
            "DELETE FROM web_sessions WHERE revoked_at < ? OR last_seen < ? OR created < ?",
            (cutoff, cutoff - lifetime.idle_seconds, cutoff - lifetime.absolute_seconds),
        )
    return cur.rowcount
