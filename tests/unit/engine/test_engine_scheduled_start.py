"""The engine starts a bank whose scheduled start has come (``bank start --at``), building
its queue off the event loop, and then runs it. No PBX: nothing is dialed."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from test_runner_pacing import SCRIPT

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model import banks as bank_model
from controller.model.banks import State
from controller.store import banks, queue
from controller.store.db import Database


def scheduled_bank(db: Database, at: datetime) -> int:
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "l", 30, household_every=3)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", ("s", SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.update(conn, bank_id, lambda b: bank_model.schedule(b, at))
        return bank_id


async def test_given_a_scheduled_bank_when_the_engine_looks_then_it_starts_only_once_due(
    db: Database, settings: Settings
) -> None:
    bank_id = scheduled_bank(db, datetime.now(UTC) + timedelta(hours=1))
    early = Engine(settings, db, EngineConfig())
    await early._start_due()
    early.reconcile()
    with db.read() as conn:
        assert banks.get(conn, bank_id).state is State.PUBLISHED and early.runners == {}
    engine = Engine(settings, db, EngineConfig(), clock_offset=3601)  # an hour later
    looking = asyncio.get_running_loop().create_task(engine._loop())
    try:
        engine.poke()
        for _ in range(400):  # the engine's loop: scheduled starts, then the runners
            if bank_id in engine.runners:
                break
            await asyncio.sleep(0.025)
        with db.read() as conn:
            assert banks.get(conn, bank_id).state is State.RUNNING
            assert banks.history(conn, bank_id)[-1]["actor"] == "schedule"
            assert queue.counts(conn, bank_id)["ready"] == 20
        assert bank_id in engine.runners
    finally:
        for task in [looking, *engine._tasks.values()]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
