"""Starting a bank on a big list from the admin page: the appliance goes on meanwhile."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list

from controller.store import banks as bank_store
from controller.store import queue
from controller.store import queue_build_steps as steps
from controller.store.db import Database

Client = TestClient[Any, Any]


async def test_given_a_big_start_in_progress_when_using_the_appliance_then_pages_and_writes_go_on(
    client: Client, make_user: Callable[..., int], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 3000))
    headers = {"X-CSRF-Token": token}
    await client.post(f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers=headers)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    midway, go_on = threading.Event(), threading.Event()
    real_step = steps.build_step

    def held_step(conn: Any, bank: int, snap: steps.Snapshot, _: int) -> bool:
        if real_step(conn, bank, snap, 500) and not midway.is_set():
            midway.set()  # some steps are stored, the bank is not running yet
            go_on.wait(30)
        return real_step(conn, bank, snap, 500)

    monkeypatch.setattr(steps, "build_step", held_step)
    start = asyncio.create_task(client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token}))
    assert await asyncio.to_thread(midway.wait, 30)
    page = await client.get(f"/admin/banks/{bank_id}")
    assert page.status == 200 and not start.done()
    with db.write() as conn:  # a volunteer's outcome or a claim would write now
        conn.execute("INSERT INTO dnc (e164, source) VALUES ('+12125550000', 'test')")
        assert bank_store.get(conn, bank_id).state.value == "published"
    assert queue.claim_next(db, bank_id, 0, 1) == []
    go_on.set()
    started = await start
    assert started.status == 200 and "Started: dialing begins" in await started.text()
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).state.value == "running"
        assert queue.counts(conn, bank_id)["ready"] == 3000
