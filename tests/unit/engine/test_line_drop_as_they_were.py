"""A call-screen volunteer waiting for a voter whose browser line drops and comes back a
moment later is waiting again (as the volunteer guide promises), not left in the waiting
room to press Ready once more; one who had paused stays paused. Engine and runner on a real
SQLite file, fed typed PBX events; no PBX (nothing is dialed)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from test_report_due import event, new_bank
from test_runner_pacing import NOW

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model.volunteers import VState
from controller.store.db import Database


def joins(eng: Engine, vid: int, leg: str) -> None:
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference=f"volunteer-{vid}", Uniqueid=leg,
              Channel=f"PJSIP/webrtc-{vid}-{leg}")
    )  # fmt: skip


@pytest.mark.parametrize(("ready", "back"), [(True, VState.WAITING), (False, VState.IDLE)])
async def test_given_a_screen_volunteer_when_their_line_drops_and_returns_then_as_they_were(
    db: Database, settings: Settings, ready: bool, back: VState
) -> None:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    bank_id = new_bank(db, "first")
    eng.reconcile()
    try:
        eng.enroll(bank_id, 7, auto_ready=False)  # the call screen: Ready is pressed by hand
        joins(eng, 7, "leg-1")
        if ready:
            eng.pool.ready(7)
        eng._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
        assert eng.pool.sessions[7].state is VState.DISCONNECTED
        left_at = eng.pool.sessions[7].since
        eng.clock = lambda: left_at + 5

        joins(eng, 7, "leg-2")  # the browser phone reconnects on its own, 5 s later

        assert eng.pool.sessions[7].state is back and eng.pool.sessions[7].bank_id == bank_id
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
