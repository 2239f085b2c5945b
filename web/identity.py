"""The signed-in user as the web layer sees it: read with its sign-in record, in one query per
request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controller.store import users as user_store
from controller.store import web_sessions
from controller.store.db import Database
from web.sessions import Session, SessionManager


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    can_make_calls: bool

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "manager")

    @property
    def label(self) -> str:
        return self.display_name or self.username


def _from_record(record: dict[str, Any] | None) -> CurrentUser | None:
    if record is None or bool(record.get("disabled")):
        return None
    return CurrentUser(
        id=int(record["id"]),
        username=str(record["username"]),
        display_name=str(record.get("display_name") or ""),
        role=str(record["role"]),
        can_make_calls=bool(record["can_make_calls"]),
    )


def signed_in_user(db: Database, manager: SessionManager, session: Session) -> CurrentUser | None:
    """The user of a signed-in session while its record is live (not signed out, revoked or
    expired) and the account is enabled; None otherwise (and for anonymous sessions)."""
    if session.user_id is None:
        return None
    record = web_sessions.active_user(db, session.sid, manager.clock(), manager.lifetime)
    user = _from_record(record)
    if user is None or user.id != session.user_id or user.username != session.username:
        return None
    return user


def check_password(db: Database, username: str, password: str) -> CurrentUser | None:
    """The enabled user whose password matches, or None."""
    return _from_record(user_store.authenticate(db, username, password))
