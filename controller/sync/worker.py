"""The outbox worker: claims one due row at a time, sends it, records the result at once.

One worker per target (VAN, webhook). Several workers (or processes) may run side by side:
a row is claimed under a lease by exactly one of them. The result is committed in its own
short transaction right after the target answers, so the window in which a row accepted by
the target is not yet marked sent is one local SQLite commit long.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from controller.aio import wait_set
from controller.store import outbox
from controller.store.db import Database
from controller.store.outbox import OutboxRow
from controller.sync.backoff import Backoff
from controller.sync.errors import SyncError
from controller.sync.van import VanClient

log = logging.getLogger(__name__)

STORE_RETRY = 1.0  # seconds before trying again after a store error, doubling each time
STORE_RETRY_MAX = 30.0  # the worker's longest nap


class Sender(Protocol):
    target: str
    timeout: float

    async def send(self, row: OutboxRow) -> None: ...

    async def close(self) -> None: ...


class VanSender:
    """Sends ``van`` rows as canvass responses."""

    target = "van"

    def __init__(self, client: VanClient) -> None:
        self.client = client
        self.timeout = client.timeout

    async def send(self, row: OutboxRow) -> None:
        body = await self.client.body_for(row.payload)
        await self.client.post_canvass_response(int(row.payload["vanId"]), body)

    async def close(self) -> None:
        await self.client.close()


@dataclass
class WorkerStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    last_error: str | None = None
    last: dict[str, Any] = field(default_factory=dict)


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        *,
        backoff: Backoff | None = None,
        lease_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
        max_sleep: float = 30.0,
    ) -> None:
        self.db = db
        self.sender = sender
        self.target = sender.target
        self.backoff = backoff or Backoff()
        # A lease outlives the longest send (three id look-ups and the post, each bounded by
        # the timeout), so a live worker never loses its row to another one.
        default_lease = 4 * sender.timeout + 10
        self.lease_seconds = lease_seconds if lease_seconds is not None else default_lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.max_sleep = max_sleep
        self.stats = WorkerStats()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()  # set by run_forever's caller: naps end at once

    def notify(self) -> None:
        """Wake the worker now (call after committing new rows)."""
        self._wake.set()

    async def run_once(self) -> bool:
        """Send one due row; False when none is due."""
        with self.db.write() as conn:
            rows = outbox.claim_due(
                conn, self.target, self.owner, self.clock(), self.lease_seconds, limit=1
            )
        if not rows:
            return False
        await self._send(rows[0])
        return True

    async def _send(self, row: OutboxRow) -> None:
        try:
            await self.sender.send(row)
        except SyncError as exc:
            self._record_error(row, exc)
            return
        except Exception as exc:  # a bug must not stop the queue: retry, keep the text
            log.exception("sync %s row %s: unexpected error", self.target, row.id)
            self._record_error(row, SyncError("internal", repr(exc), retryable=True))
            return
        kept = await self._mark_sent(row)
        self.stats.sent += 1
        if not kept:
            log.warning("sync %s row %s: lease lost before marking sent", self.target, row.id)

    async def _mark_sent(self, row: OutboxRow) -> bool:
        """Note the row sent, waiting out a store error (the CRM has it: left in the outbox,
        it would be sent again once its lease ends) until the lease is nearly over or the
        service stops; then it is left to the lease (flagged in doubt when claimed again)."""
        pause, give_up = STORE_RETRY, self.clock() + 0.8 * self.lease_seconds
        while True:
            try:
                with self.db.write() as conn:
                    return outbox.mark_sent(conn, row.id, self.owner)
            except sqlite3.Error as exc:
                log.warning("sync %s row %s: sent, not yet noted (%s)", self.target, row.id, exc)
                if self._stop.is_set() or self.clock() + pause > give_up:
                    return False
                await wait_set(self._stop, pause)
                pause = min(STORE_RETRY_MAX, pause * 2)

    def _record_error(self, row: OutboxRow, exc: SyncError) -> None:
        self.stats.last_error = f"{exc.code}: {exc.text}"
        with self.db.write() as conn:
            if exc.retryable and not self.backoff.exhausted(row.attempts):
                delay = self.backoff.delay(row.attempts, exc.retry_after)
                outbox.schedule_retry(
                    conn, row.id, self.owner, self.clock() + delay, exc.code, exc.text, exc.reached
                )
                self.stats.retried += 1
                return
            text = exc.text
            if exc.retryable:
                text = f"gave up after {row.attempts} attempts; last error: {exc.code}: {text}"
            outbox.mark_failed(conn, row.id, self.owner, exc.code, text, exc.reached)
            self.stats.failed += 1

    def _seconds_to_next(self) -> float | None:
        with self.db.read() as conn:
            due = outbox.next_wakeup(conn, self.target)
        return None if due is None else max(0.0, due - self.clock())

    async def _nap(self, seconds: float) -> None:
        """Sleep until ``seconds`` pass or :meth:`notify` is called (since the last check)."""
        await wait_set(self._wake, min(seconds, self.max_sleep))

    async def run_until_idle(self) -> WorkerStats:
        """Send until nothing is pending or in flight (waiting out backoffs and leases)."""
        while True:
            self._wake.clear()
            if await self.run_once():
                continue
            wait = self._seconds_to_next()
            if wait is None:
                return self.stats
            await self._nap(wait + 0.01)

    async def run_forever(self, stop: asyncio.Event, idle_poll: float = 5.0) -> None:
        """The service loop; returns once ``stop`` is set. A store error (the database
        locked or full for a while) is logged and waited out, longer each time it comes
        back: the rows stay in the outbox, and the loop goes on."""
        self._stop = stop
        trouble = 0
        while not stop.is_set():
            self._wake.clear()
            try:
                if await self.run_once():
                    trouble = 0
                    continue
                wait = self._seconds_to_next()
                trouble = 0
            except sqlite3.Error as exc:
                trouble += 1
                self.stats.last_error = f"store: {exc}"
                log.warning("sync %s: store error (%s); trying again", self.target, exc)
                await self._nap(min(STORE_RETRY_MAX, STORE_RETRY * 2 ** (trouble - 1)))
                continue
            if not stop.is_set():
                await self._nap(idle_poll if wait is None else min(wait + 0.01, idle_poll))

    async def close(self) -> None:
        await self.sender.close()
