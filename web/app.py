"""Application factory: ``init_app(settings)`` builds the aiohttp app.

Shared objects hang off the app under typed keys; background work is started and stopped
through ``cleanup_ctx``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from controller.config import Settings
from controller.store.db import Database, open_database

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
HEALTH_CHECKS = web.AppKey("health_checks", dict[str, Callable[[], Awaitable[dict[str, Any]]]])


async def health(request: web.Request) -> web.Response:
    """Liveness and a summary of each registered component's state."""
    db = request.app[DB]
    components: dict[str, Any] = {"database": {"ok": True, "schema_version": db.schema_version}}
    for name, check in request.app[HEALTH_CHECKS].items():
        try:
            components[name] = await check()
        except Exception as exc:  # a failing check is reported, never raised
            components[name] = {"ok": False, "error": str(exc)}
    ok = all(c.get("ok", False) for c in components.values())
    return web.json_response({"ok": ok, "components": components}, status=200 if ok else 503)


def _database_ctx(settings: Settings, db: Database | None) -> Callable[..., AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        own = db is None
        app[DB] = db or open_database(settings.db_path)
        yield
        if own:
            app[DB].close()

    return ctx


def init_app(settings: Settings, db: Database | None = None) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[HEALTH_CHECKS] = {}
    app.cleanup_ctx.append(_database_ctx(settings, db))
    app.router.add_get("/health", health)
    return app
