"""Web tests of the call screen's JSON routes with the engine running: the real app over
aiohttp's test server, the engine on the real PBX pair (a personal-phone bank: the engine
hands out contacts and no PBX call is placed), the suite's real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from asterisk.conftest import PbxPairInfo
from web_test_helpers import csrf_token, login

from controller.engine import plugin
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model import banks as bank_model
from controller.model.fields import FieldSpec
from controller.store import banks
from controller.store import fields as field_store
from controller.store.db import Database
from web.app import init_app

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # every seeded US zone but Honolulu is open
FAST = EngineConfig(tick=0.3, reconcile_every=0.3)
SCRIPT = '{"name": "%s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'
FIELDS = (
    FieldSpec("Supporter", "choice", ("Strong yes", "Lean no")),
    FieldSpec("Visits", "number"),
)


@dataclass
class CallScreen:
    """A signed-in volunteer's client with the engine beside the app."""

    client: TestClient[Any, Any]
    engine: Engine
    headers: dict[str, str]

    async def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(path, json=body or {}, headers=self.headers)
        data: dict[str, Any] = await response.json()
        data["status"] = response.status
        return data

    async def state(self) -> dict[str, Any]:
        response = await self.client.get("/api/call/state", headers=self.headers)
        data: dict[str, Any] = await response.json()
        return data


@contextlib.asynccontextmanager
async def engine_app(pbx_pair: PbxPairInfo, db: Database) -> AsyncIterator[TestClient[Any, Any]]:
    """The app with the engine running beside it on the fixed afternoon clock."""
    app = init_app(pbx_pair.settings, db)
    offset = AT.timestamp() - datetime.now(UTC).timestamp()
    engine = Engine(pbx_pair.settings, db, FAST, clock_offset=offset)
    await engine.start()
    plugin._RUNNING[id(app)] = engine
    try:
        async with TestClient(TestServer(app)) as client:
            yield client
    finally:
        plugin._RUNNING.pop(id(app), None)
        for bank_id in list(engine.runners):
            engine.stop_bank(bank_id, hard=True)
        for bank_id in list(engine.runners):
            with contextlib.suppress(TimeoutError):
                await engine.wait_stopped(bank_id, 30)
        await engine.close()


def personal_bank(db: Database, contacts: int, household_every: int = 0) -> int:
    """A public personal-phone bank asking Supporter and Visits and offering the tag
    'volunteer', over a synthetic list; started."""
    for spec in FIELDS:
        if field_store.get_field(db, spec.name) is None:
            field_store.add_field(db, spec)
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"cs{n}", contacts, household_every, n + 3)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (f"s{n}", SCRIPT % n))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {
            "title": "Spring Drive", "description": "D", "list_id": list_id,
            "script_id": script_id, "dialing_mode": "personal",
            "report_tags": ["volunteer"], "report_fields": ["Supporter", "Visits"],
        }  # fmt: skip
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, AT)
    return bank_id


async def join_bank(client: TestClient[Any, Any], bank_id: int, username: str) -> CallScreen:
    """Sign ``username`` in and join the bank once the engine runs it."""
    engine = plugin._RUNNING[id(client.app)]
    engine.poke()
    for _ in range(100):
        runner = engine.runners.get(bank_id)
        if runner is not None and runner.mode == "running":
            break
        await asyncio.sleep(0.1)
    await login(client, username)
    token = await csrf_token(client, "/banks")
    screen = CallScreen(client, engine, {"X-CSRF-Token": token, "Accept": "application/json"})
    joined = await screen.post(f"/api/banks/{bank_id}/join", {"via": "browser"})
    assert joined["status"] == 200, joined
    return screen
