"""With the simulated carrier off (a real trunk), the engine never dials a bank of made-up
contacts (the demo's), whoever set it running: it pauses it instead. A bank of imported
contacts runs as usual. No PBX: nothing is dialed."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest
from test_runner_pacing import running_bank

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model import banks as bank_model
from controller.model.banks import State
from controller.store import banks
from controller.store.db import Database


def imported(db: Database, bank_id: int) -> None:
    """Give the bank's contacts the keys an import gives (they are no longer made up)."""
    with db.write() as conn:
        list_id = banks.get(conn, bank_id).settings.list_id
        conn.execute("UPDATE contacts SET dedupe_key = 'np:' || id WHERE list_id = ?", (list_id,))


@pytest.mark.parametrize("elsewhere", [False, True], ids=["carrier_off", "trunk_elsewhere"])
async def test_given_the_carrier_off_when_a_made_up_bank_is_resumed_then_the_engine_pauses_it_and_never_runs_it(  # noqa: E501
    db: Database, settings: Settings, elsewhere: bool
) -> None:
    real_trunk = (
        replace(settings, trunk=replace(settings.trunk, host="sip.provider.example"))
        if elsewhere  # the simulated carrier still on beside it
        else replace(settings, carrier=replace(settings.carrier, enabled=False))
    )
    engine = Engine(real_trunk, db, EngineConfig())
    made_up = running_bank(db, name="demo")
    real = running_bank(db, name="voters")
    imported(db, real)
    try:
        engine.reconcile()
        with db.read() as conn:
            assert banks.get(conn, made_up).state is State.PAUSED
            assert banks.history(conn, made_up)[-1]["actor"] == "demo"
            assert banks.get(conn, real).state is State.RUNNING
        assert made_up not in engine.runners and real in engine.runners
        with db.write() as conn:  # an organizer's Resume, or `demo setup` from a shell
            banks.update(conn, made_up, bank_model.resume, "ana on the web")
        engine.reconcile()
        with db.read() as conn:
            assert banks.get(conn, made_up).state is State.PAUSED
        assert made_up not in engine.runners
    finally:
        for task in engine._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
