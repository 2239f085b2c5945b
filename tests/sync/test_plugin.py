"""The sync workers inside the appliance process: outcomes go to VAN with no CLI command."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from test_call_integration import NOW, dial, make_bank
from van_server import VanServer

from controller.config import Settings
from controller.store import outbox, users
from controller.store.attempts import record_disposition
from controller.store.db import Database
from controller.store.sync_settings import VanSettings
from controller.sync.plugin import sync_of, sync_plugin_every
from web.app import init_app


async def _sent(db: Database, row_id: int) -> outbox.OutboxRow:
    while True:
        with db.read() as conn:
            row = outbox.get_row(conn, row_id)
        if row is not None and row.status == "sent":
            return row
        await asyncio.sleep(0.02)


async def test_given_appliance_sync_plugin_when_engine_records_disposition_then_van_gets_it(
    settings: Settings, db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    app = init_app(settings, db)
    appliance: Any = SimpleNamespace(app=app, settings=settings, db=db)
    async with sync_plugin_every(0.05)(appliance) as service:
        assert sync_of(app) is service
        assert [w.target for w in service.workers] == ["van"]
        bank_id = make_bank(db)
        claim, attempt_id = dial(db, bank_id)
        with db.write() as conn:  # what the engine does; nobody calls notify()
            record_disposition(conn, attempt_id, "refused", None, 7, "", NOW)
            (row,) = outbox.list_rows(conn, target="van")
        await asyncio.wait_for(van.wait_accepted(1), 30)
        sent = await asyncio.wait_for(_sent(db, row.id), 30)
    assert sent.error_code is None
    assert van.accepted[0].body["canvassContext"]["phoneId"] == 700 + claim.phone_id
    assert sync_of(app) is None


async def test_given_sync_plugin_running_when_health_page_read_then_outbox_counts_shown(
    settings: Settings, db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    app = init_app(settings, db)
    appliance: Any = SimpleNamespace(app=app, settings=settings, db=db)
    users.create_user(db, "boss", role="admin")
    users.set_password(db, "boss", "correct horse battery staple")
    async with TestClient(TestServer(app)) as client, sync_plugin_every(0.05)(appliance):
        anonymous = await (await client.get("/health")).json()
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert token is not None
        form = {"username": "boss", "password": "correct horse battery staple"}
        await client.post("/login", data={**form, "_csrf": token.group(1)})
        health = await (await client.get("/health")).json()
    assert anonymous["components"]["sync"] == {"ok": True}  # the counts: organizers only
    assert health["components"]["sync"]["ok"] is True
    assert health["components"]["sync"]["van"]["pending"] == 0


async def test_given_no_van_settings_when_plugin_runs_then_no_workers_and_clean_stop(
    settings: Settings, db: Database
) -> None:
    app = init_app(settings, db)
    appliance: Any = SimpleNamespace(app=app, settings=settings, db=db)
    async with sync_plugin_every(0.05)(appliance) as service:
        assert service.workers == []
        assert sync_of(app) is service
    assert sync_of(app) is None
