"""The sync service as the appliance runs it: workers per configured target."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from conftest import add_contact, queue_outcome
from van_server import VanServer

from controller.config import Settings
from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import VanSettings
from controller.sync import worker as worker_module
from controller.sync.service import SyncService, build_workers, sync_health
from controller.sync.worker import OutboxWorker


async def send_one(service: SyncService, db: Database, van: VanServer) -> int:
    """Queue one outcome, wake the service and wait until VAN has it; its outbox row id."""
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Not Home", source_id=1)
    service.notify()
    await asyncio.wait_for(van.wait_accepted(1), 30)
    return int(row_id)


def test_given_nothing_configured_when_building_then_no_workers(
    settings: Settings, db: Database
) -> None:
    assert build_workers(settings, db) == []


async def test_given_service_running_when_rows_committed_and_notified_then_sent_and_stopped(
    settings: Settings, db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    service = SyncService(settings, db)
    await service.start()
    assert [w.target for w in service.workers] == ["van"]
    row_id = await send_one(service, db, van)
    while True:
        with db.read() as conn:
            row = outbox.get_row(conn, row_id)
        if row is not None and row.status == "sent":
            break
        await asyncio.sleep(0.02)
    await service.stop()
    health = await sync_health(db)
    assert health["ok"] is True
    assert health["van"] == {
        "pending": 0, "sending": 0, "sent": 1, "failed": 0, "skipped": 0, "in_doubt": 0,
    }  # fmt: skip
    assert [a.body["resultCodeId"] for a in van.accepted] == [1]


async def test_given_the_database_fails_once_when_the_service_runs_then_it_goes_on_sending(
    settings: Settings,
    db: Database,
    van: VanServer,
    van_settings: VanSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One store error (the database locked for a moment) is logged and waited out: the
    workers keep going, and stopping the service does not raise it again."""
    real = OutboxWorker.run_once
    failures: list[int] = []

    async def flaky(self: OutboxWorker) -> bool:
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("database is locked")
        return await real(self)

    monkeypatch.setattr(OutboxWorker, "run_once", flaky)
    service = SyncService(settings, db)
    await service.start()
    await asyncio.sleep(0.1)
    assert failures == [1]
    await send_one(service, db, van)
    await service.stop()


async def test_given_the_database_fails_as_a_sent_row_is_noted_when_it_comes_back_then_the_row_is_sent_once(  # noqa: E501
    settings: Settings,
    db: Database,
    van: VanServer,
    van_settings: VanSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """VAN has the row: a store error while noting it sent is waited out, so the row is
    marked sent, not left to be posted again once its lease ends."""
    real = outbox.mark_sent
    failures: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> bool:
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", flaky)
    monkeypatch.setattr(worker_module, "STORE_RETRY", 0.05)
    service = SyncService(settings, db)
    await service.start()
    row_id = await send_one(service, db, van)
    for _ in range(200):
        with db.read() as conn:
            row = outbox.get_row(conn, row_id)
        if row is not None and row.status == "sent":
            break
        await asyncio.sleep(0.02)
    await service.stop()
    assert failures == [1] and row is not None and row.status == "sent"
    assert len(van.accepted) == 1


async def test_given_the_database_failing_for_good_as_a_sent_row_is_noted_when_the_service_stops_then_it_stops_at_once(  # noqa: E501
    settings: Settings,
    db: Database,
    van: VanServer,
    van_settings: VanSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Waiting out a store that will not come back never holds the service's stop (the
    appliance shutting down, or saving the sync settings)."""

    def broken(*_args: Any, **_kwargs: Any) -> bool:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(outbox, "mark_sent", broken)
    service = SyncService(settings, db)
    await service.start()
    await send_one(service, db, van)
    await asyncio.sleep(0.2)  # noting it sent has failed at least once: the worker waits
    await asyncio.wait_for(asyncio.shield(service.stop()), 5)  # not cut short by the timeout
