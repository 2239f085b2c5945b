"""Signed session cookies with idle and absolute expiry.

The cookie holds a small JSON payload (user id, CSRF token, issue and last-seen times, and
for a signed-in user a random session id) signed with HMAC-SHA256 under a key derived from
``secrets.toml``'s ``session_key``. It is HttpOnly, SameSite=Lax, and Secure when the
request came over TLS. A signed-in cookie is only half of a sign-in: the session id must
also name a live row of ``web_sessions`` (``controller/store/web_sessions.py``), which is
what signing out, a password change or "sign out everywhere" revoke. That row also keeps a
sign-in's idle clock (the cookie's is checked for anonymous sessions only), so a call screen
left open, whose socket pushes the row, stays signed in until the absolute limit. Anonymous
sessions live in the cookie alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

from controller.store.web_sessions import DEFAULT_LIFETIME, Lifetime

SIGNED_OUT_CLOSE = 4401  # WebSocket close code: the sign-in it was opened with has ended

COOKIE_NAME = "phonebank_session"
IDLE_SECONDS = int(DEFAULT_LIFETIME.idle_seconds)
ABSOLUTE_SECONDS = int(DEFAULT_LIFETIME.absolute_seconds)
REFRESH_SECONDS = 60
KEEPALIVE_SECONDS = 300.0


@dataclass(frozen=True)
class Session:
    csrf: str
    issued: float
    seen: float
    user_id: int | None = None
    username: str = ""
    sid: str = ""  # the random session id of a sign-in (its hash is the record's key)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionManager:
    """Encodes, verifies and expires sessions. ``clock`` is replaceable for tests."""

    def __init__(
        self,
        secret: str,
        idle_seconds: int = IDLE_SECONDS,
        absolute_seconds: int = ABSOLUTE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = hashlib.sha256(b"phonebank-session:" + secret.encode()).digest()
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.clock = clock

    def new(self, user_id: int | None = None, username: str = "") -> Session:
        now = self.clock()
        token = secrets.token_urlsafe(24)
        sid = secrets.token_urlsafe(32) if user_id is not None else ""
        return Session(token, now, now, user_id=user_id, username=username, sid=sid)

    @property
    def lifetime(self) -> Lifetime:
        return Lifetime(self.idle_seconds, self.absolute_seconds)

    @property
    def keepalive_seconds(self) -> float:
        """How often an open live page's socket pushes its sign-in's record: well inside the
        idle time, at most every 5 minutes."""
        return min(KEEPALIVE_SECONDS, self.idle_seconds / 4)

    def encode(self, session: Session) -> str:
        payload = {
            "u": session.user_id,
            "n": session.username,
            "c": session.csrf,
            "i": session.issued,
            "s": session.seen,
            "k": session.sid,
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def decode(self, value: str | None) -> Session | None:
        """The session in ``value``, or None when missing, forged or expired."""
        if not value or value.count(".") != 1:
            return None
        body, signature = value.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(body).encode()):
            return None
        try:
            data: dict[str, Any] = json.loads(_unb64(body))
            session = Session(
                csrf=str(data["c"]),
                issued=float(data["i"]),
                seen=float(data["s"]),
                user_id=None if data["u"] is None else int(data["u"]),
                username=str(data.get("n", "")),
                sid=str(data.get("k") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None
        now = self.clock()
        if now - session.issued > self.absolute_seconds:
            return None
        if session.user_id is None and now - session.seen > self.idle_seconds:
            return None  # a sign-in's idle clock is its record's (an open live page pushes it)
        return session

    def touch(self, session: Session) -> Session:
        return replace(session, seen=self.clock())

    def needs_refresh(self, session: Session) -> bool:
        return self.clock() - session.seen >= REFRESH_SECONDS

    def set_cookie(self, response: web.StreamResponse, session: Session, secure: bool) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self.encode(session),
            httponly=True,
            samesite="Lax",
            secure=secure,
            path="/",
            max_age=self.absolute_seconds,
        )

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str) -> str:
    """A short label for a User-Agent header, e.g. "Firefox on Linux" (at most 80 chars)."""
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    if not browser and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    fallback = re.sub(r"[^\x20-\x7e]", "", user_agent).split(" ")[0]
    return (browser or system or fallback or "unknown browser")[:80]
