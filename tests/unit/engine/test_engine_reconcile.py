"""The engine follows the store: a bank edited while it runs (or paused, edited and resumed
between two looks at the store) is dialed with its new settings by the same runner. No PBX:
the AMI session is never connected, so nothing is dialed."""

from __future__ import annotations

import asyncio
import contextlib

from test_runner_pacing import running_bank

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model import banks as bank_model
from controller.model.banks import DialingMode
from controller.store import banks
from controller.store.db import Database


async def test_given_a_running_bank_when_paused_edited_and_resumed_at_once_then_its_runner_dials_the_new_mode(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    engine = Engine(settings, db, EngineConfig())
    bank_id = running_bank(db)
    engine.reconcile()
    runner = engine.runners[bank_id]
    assert runner.bank.dialing_mode is DialingMode.PREDICTIVE
    with db.write() as conn:  # the organizer's pause, edit and resume, before the next look
        banks.update(conn, bank_id, bank_model.pause)
        edit = {"dialing_mode": "preview", "voicemail_message": "Sorry we missed you."}
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, edit))
        banks.update(conn, bank_id, bank_model.resume)
    try:
        engine.reconcile()
        assert engine.runners[bank_id] is runner and runner.mode == "running"
        assert runner.bank.dialing_mode is DialingMode.PREVIEW
        assert runner.bank.voicemail_message == "Sorry we missed you."
    finally:
        for task in engine._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
