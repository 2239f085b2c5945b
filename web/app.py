"""Application factory: ``init_app(settings)`` builds the aiohttp app.

Shared objects hang off the app under typed keys (``web.keys``); background work is started
and stopped through ``cleanup_ctx``. Routes come from the modules of ``web/views/``: each
may define ``setup(app)``, and every handler declares who may reach it (``web.access``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import pkgutil
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from controller.config import Settings
from controller.store import list_delete
from controller.store.db import Database, open_database
from controller.telephony.webrtc_users import WebrtcAccounts
from web import phone_watch
from web import views as view_modules
from web.access import Access, access, current_user
from web.keys import (
    DB,
    HEALTH_CHECKS,
    JINJA,
    LIVE_SOCKETS,
    LOGIN_LIMITER,
    PHONES,
    SESSIONS,
    SETTINGS,
)
from web.middleware import MAX_UPLOAD_BYTES, security_headers, session_middleware
from web.phones import BrowserPhones, close_all
from web.ratelimit import LoginLimiter
from web.render import STATIC_DIR, STATIC_ROUTE, make_environment
from web.sessions import SessionManager

__all__ = ["DB", "HEALTH_CHECKS", "PHONES", "SETTINGS", "init_app"]


@access(Access.PUBLIC)
async def health(request: web.Request) -> web.Response:
    """Liveness and whether each registered component is well; its details (banks, modes,
    outbox counts, error texts) only for a signed-in organizer."""
    db = request.app[DB]
    components: dict[str, Any] = {"database": {"ok": True, "schema_version": db.schema_version}}
    for name, check in request.app[HEALTH_CHECKS].items():
        try:
            components[name] = await check()
        except Exception as exc:  # a failing check is reported, never raised
            components[name] = {"ok": False, "error": str(exc)}
    ok = all(c.get("ok", False) for c in components.values())
    user = current_user(request)
    if user is None or not user.is_staff:
        components = {name: {"ok": bool(c.get("ok", False))} for name, c in components.items()}
    return web.json_response({"ok": ok, "components": components}, status=200 if ok else 503)


def _database_ctx(settings: Settings, db: Database | None) -> Callable[..., AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        own = db is None
        app[DB] = db or open_database(settings.db_path)
        yield
        if own:
            app[DB].close()

    return ctx


async def _finish_list_deletes(app: web.Application) -> AsyncIterator[None]:
    """Finish, in the background, the list deletes an earlier run was stopped in."""
    stop = threading.Event()
    task = asyncio.ensure_future(
        asyncio.to_thread(list_delete.finish_interrupted, app[DB], None, stop)
    )
    yield
    stop.set()  # the batch under way ends, the rest waits for the next start
    with contextlib.suppress(Exception):
        await task


async def _close_phone_sockets(app: web.Application) -> None:
    """On shutdown, close relayed browser-phone sockets and the live pages' sockets (the
    browsers reconnect on restart): an open page must not hold the shutdown up."""
    live: weakref.WeakSet[web.WebSocketResponse] = app[LIVE_SOCKETS]
    await asyncio.gather(app[PHONES].drop_all(), close_all(live, b"server stopping"))


def _add_views(app: web.Application) -> None:
    package = view_modules
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(app)


def init_app(settings: Settings, db: Database | None = None) -> web.Application:
    app = web.Application(middlewares=[session_middleware], client_max_size=MAX_UPLOAD_BYTES)
    app[SETTINGS] = settings
    app[HEALTH_CHECKS] = {}
    app[SESSIONS] = SessionManager(settings.secrets()["session_key"])
    app[LOGIN_LIMITER] = LoginLimiter()
    app[JINJA] = make_environment(app)
    app[LIVE_SOCKETS] = weakref.WeakSet()
    app[PHONES] = BrowserPhones(
        WebrtcAccounts(settings.runtime_dir / "webrtc"),
        f"ws://127.0.0.1:{settings.pbx.http_port}/ws",
    )
    app.cleanup_ctx.append(_database_ctx(settings, db))
    app.cleanup_ctx.append(phone_watch.watch_ctx)
    app.cleanup_ctx.append(_finish_list_deletes)
    app.on_response_prepare.append(security_headers)
    app.on_shutdown.append(_close_phone_sockets)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC_DIR, name=STATIC_ROUTE, append_version=True)
    _add_views(app)
    return app
