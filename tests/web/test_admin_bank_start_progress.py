"""A bank that is starting says so on the admin pages, with how far its queue has got; an
interrupted start says how to resume; a second Start meanwhile is refused and writes nothing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import login

from controller.store import banks as bank_store
from controller.store import queue
from controller.store import queue_build_steps as steps
from controller.store.db import Database
from web.views import admin_banks
from web.views.callscreen_data import STARTING

Client = TestClient[Any, Any]


async def published_bank(client: Client, token: str, db: Database, contacts: int) -> int:
    bank_id = await create_bank(client, token, seed_list(db, contacts))
    headers = {"X-CSRF-Token": token}
    await client.post(f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers=headers)
    await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    return bank_id


def stored(db: Database, bank_id: int) -> tuple[str, int, Any]:
    with db.read() as conn:
        row = conn.execute(
            "SELECT state, queue_steps_total FROM banks WHERE id = ?", (bank_id,)
        ).fetchone()
        entries = conn.execute(
            "SELECT count(*) FROM queue_entries WHERE bank_id = ?", (bank_id,)
        ).fetchone()[0]
    return str(row[0]), int(entries), row[1]


async def until_running(db: Database, bank_id: int) -> None:
    for _ in range(300):
        if stored(db, bank_id)[0] == "running" and not admin_banks._BUILDS:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the bank did not start")


async def test_given_a_big_start_held_halfway_when_pages_are_read_and_start_pressed_again_then_progress_a_refusal_and_starting_for_volunteers(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db, 3000)
    midway, go_on = threading.Event(), threading.Event()
    real_step = steps.build_step
    done: list[bool] = []

    def held_step(*args: Any) -> bool:
        done.append(real_step(*args))
        if len(done) == 2:
            midway.set()  # two steps of 501 numbers stored, the bank is still published
            go_on.wait(30)
        return done[-1]

    monkeypatch.setattr(steps, "build_step", held_step)
    monkeypatch.setattr(steps, "STEP", 500)
    try:
        pressed = await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
        assert pressed.status == 200 and "Starting: the dialing queue is being built" in (
            await pressed.text()
        )
        assert await asyncio.to_thread(midway.wait, 30)
        page = await (await client.get(f"/admin/banks/{bank_id}")).text()
        assert 'data-start-state="starting">Starting: queue 1,002 of 3,000 numbers<' in page
        assert 'data-testid="start"' not in page  # the status replaces the Start button
        listed = await (await client.get("/admin/banks")).text()
        assert "Starting: queue 1,002 of 3,000 numbers" in listed
        live = await (await client.get(f"/api/admin/banks/{bank_id}/live")).json()
        assert live["start"] == {"state": "starting", "queued": 1002, "total": 3000,
                                 "unit": "numbers",
                                 "message": "Starting: queue 1,002 of 3,000 numbers"}  # fmt: skip
        before = stored(db, bank_id)
        again = await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
        assert again.status == 400
        assert "This bank is already starting" in await again.text()
        assert stored(db, bank_id) == before == ("published", 1002, 3000)
        make_user("vol")
        await login(client, "vol")
        feed = await (await client.get("/banks")).text()
        assert f'data-bank-id="{bank_id}"' in feed and STARTING in feed
        await login(client, "boss")
    finally:
        go_on.set()
    await until_running(db, bank_id)
    page = await (await client.get(f"/admin/banks/{bank_id}")).text()
    assert "start-progress" not in page and 'data-testid="pause"' in page
    with db.read() as conn:
        assert queue.counts(conn, bank_id)["ready"] == 3000
        history = bank_store.history(conn, bank_id)
    assert history[-1]["to_state"] == "running"
    assert history[-1]["actor"] == "boss on the web"


async def test_given_a_start_interrupted_halfway_when_the_pages_are_read_then_they_say_press_start_to_resume(  # noqa: E501
    client: Client,
    make_user: Callable[..., int],
    db: Database,
    crash_start_after: Callable[[int], Callable[[], None]],
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db, 3000)
    heal = crash_start_after(2)
    with pytest.raises(RuntimeError):
        await asyncio.to_thread(steps.start_in_steps, db, bank_id, datetime.now(UTC), "t", 500)
    message = "Start interrupted at 1,002 of 3,000 numbers: press Start to resume"
    page = await (await client.get(f"/admin/banks/{bank_id}")).text()
    assert f'data-start-state="interrupted">{message}<' in page
    assert 'data-testid="start"' in page
    assert message in await (await client.get("/admin/banks")).text()
    heal()
    resumed = await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
    assert resumed.status == 200 and "Started: dialing begins" in await resumed.text()
    assert stored(db, bank_id)[:2] == ("running", 3000)
