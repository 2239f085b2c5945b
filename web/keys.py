"""Typed keys for objects hung off the app, and the request keys the middleware sets."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import jinja2
from aiohttp import web

from controller.config import Settings
from controller.store.db import Database
from web.phones import BrowserPhones
from web.ratelimit import LoginLimiter
from web.sessions import Session, SessionManager

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
HEALTH_CHECKS = web.AppKey("health_checks", dict[str, Callable[[], Awaitable[dict[str, Any]]]])
JINJA = web.AppKey("jinja", jinja2.Environment)
SESSIONS = web.AppKey("sessions", SessionManager)
LOGIN_LIMITER = web.AppKey("login_limiter", LoginLimiter)
PHONES = web.AppKey("phones", BrowserPhones)
# the open live pages' sockets (call screens, dashboards), closed when the app shuts down
LIVE_SOCKETS = web.AppKey("live_sockets", weakref.WeakSet[web.WebSocketResponse])
SESSION_KEY = web.RequestKey("phonebank_session", Session)
