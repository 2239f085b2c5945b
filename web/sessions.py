"""Signed session cookies with idle and absolute expiry.

The cookie holds a small JSON payload (user id, CSRF token, issue and last-seen times)
signed with HMAC-SHA256 under a key derived from ``secrets.toml``'s ``session_key``. It is
HttpOnly, SameSite=Lax, and Secure when the request came over TLS. Nothing secret lives in
the payload: the CSRF token is also rendered into every page the session sees.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

COOKIE_NAME = "phonebank_session"
IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600
REFRESH_SECONDS = 60


@dataclass(frozen=True)
class Session:
    csrf: str
    issued: float
    seen: float
    user_id: int | None = None
    username: str = ""

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
        return Session(csrf=token, issued=now, seen=now, user_id=user_id, username=username)

    def encode(self, session: Session) -> str:
        payload = {
            "u": session.user_id,
            "n": session.username,
            "c": session.csrf,
            "i": session.issued,
            "s": session.seen,
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def decode(self, value: str | None) -> Session | None:
        """The session in ``value``, or None when missing, forged or expired."""
        if not value or value.count(".") != 1:
            return None
        body, signature = value.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data: dict[str, Any] = json.loads(_unb64(body))
            session = Session(
                csrf=str(data["c"]),
                issued=float(data["i"]),
                seen=float(data["s"]),
                user_id=None if data["u"] is None else int(data["u"]),
                username=str(data.get("n", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None
        now = self.clock()
        if now - session.seen > self.idle_seconds or now - session.issued > self.absolute_seconds:
            return None
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
