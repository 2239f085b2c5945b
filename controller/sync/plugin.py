"""The CRM sync workers as a plug-in of the appliance process (``phonebank run``).

``sync_plugin(appliance)`` starts a :class:`SyncService` on the appliance's settings and
database once the web app is up, adds a ``sync`` entry (outbox counts) to the ``/health``
checks, makes the service reachable from request handlers through :func:`sync_of`
(``sync_of(request.app)``), and stops it on the way down.

The engine commits outbox rows in the same transaction as each attempt and outcome; the
plug-in nudges the workers every ``nudge_seconds`` (a cheap indexed query when there is
nothing to send) so new rows go out within about a second without the engine knowing
about sync.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiohttp import web

from controller.config import Settings
from controller.store.db import Database
from controller.sync.service import SyncService, sync_health
from web.app import HEALTH_CHECKS

if TYPE_CHECKING:
    from controller.commands.run import Appliance

NUDGE_SECONDS = 1.0
_RUNNING: dict[int, SyncService] = {}


def sync_of(app: web.Application) -> SyncService | None:
    """The sync service running beside this web app (None when there is none)."""
    return _RUNNING.get(id(app))


def sync_plugin(appliance: Appliance) -> AbstractAsyncContextManager[SyncService]:
    return sync_plugin_every(NUDGE_SECONDS)(appliance)


def sync_plugin_every(nudge_seconds: float) -> Callable[[Appliance], Any]:
    """The sync plug-in waking its workers every ``nudge_seconds``."""
    return lambda a: running_sync(a.app, a.settings, a.db, nudge_seconds)


@asynccontextmanager
async def running_sync(
    app: web.Application, settings: Settings, db: Database, nudge_seconds: float = NUDGE_SECONDS
) -> AsyncIterator[SyncService]:
    """Run the sync service for ``app`` (its handlers reach it with :func:`sync_of`)."""
    service = SyncService(settings, db)
    await service.start()
    _RUNNING[id(app)] = service
    app[HEALTH_CHECKS]["sync"] = lambda: sync_health(db)
    nudger = asyncio.create_task(_nudge(service, nudge_seconds))
    try:
        yield service
    finally:
        nudger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await nudger
        app[HEALTH_CHECKS].pop("sync", None)
        _RUNNING.pop(id(app), None)
        await service.stop()


async def _nudge(service: SyncService, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        service.notify()
