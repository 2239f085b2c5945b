"""Running the sync workers: one per configured target, built from the stored settings.

The web/engine side owns the process; it creates a :class:`SyncService`, ``await start()``
at startup, calls :meth:`SyncService.notify` after committing rows, and ``await stop()``.
"""

from __future__ import annotations

import asyncio
import contextlib

from controller.config import Settings
from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import get_van_settings, get_webhook_settings
from controller.sync.backoff import Backoff
from controller.sync.van import VanClient
from controller.sync.webhook import WebhookSender
from controller.sync.worker import OutboxWorker, VanSender


def build_workers(
    settings: Settings,
    db: Database,
    *,
    timeout: float = 30.0,
    lease_seconds: float | None = None,
    backoff: Backoff | None = None,
) -> list[OutboxWorker]:
    """Workers for the targets that are configured (VAN credentials set, webhook URL set)."""
    with db.read() as conn:
        van = get_van_settings(conn)
        hook = get_webhook_settings(conn)
    workers: list[OutboxWorker] = []
    if van.configured:
        sender = VanSender(VanClient(van, timeout=timeout))
        workers.append(OutboxWorker(db, sender, lease_seconds=lease_seconds, backoff=backoff))
    if hook.configured:
        webhook = WebhookSender(hook.url, settings.secrets()["webhook"], timeout=timeout)
        workers.append(OutboxWorker(db, webhook, lease_seconds=lease_seconds, backoff=backoff))
    return workers


async def run_workers(workers: list[OutboxWorker], stop: asyncio.Event) -> None:
    """Run every worker until ``stop`` is set, then close their connections."""
    waker = asyncio.create_task(_wake_on(stop, workers))
    try:
        await asyncio.gather(*(w.run_forever(stop) for w in workers))
    finally:
        waker.cancel()
        for worker in workers:
            await worker.close()


async def _wake_on(stop: asyncio.Event, workers: list[OutboxWorker]) -> None:
    await stop.wait()
    for worker in workers:
        worker.notify()


class SyncService:
    """The sync workers as one background service."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.workers: list[OutboxWorker] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.workers = build_workers(self.settings, self.db)
        self._stop.clear()
        self._task = asyncio.create_task(run_workers(self.workers, self._stop))

    async def reload(self) -> None:
        """Pick up changed VAN or webhook settings (finishes the rows in hand first)."""
        await self.stop()
        await self.start()

    def notify(self) -> None:
        for worker in self.workers:
            worker.notify()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def sync_health(db: Database) -> dict[str, object]:
    """Outbox figures for the health page; sync backlogs never make the appliance unhealthy."""
    with db.read() as conn:
        counts = outbox.status_counts(conn)
    return {"ok": True, **counts}
