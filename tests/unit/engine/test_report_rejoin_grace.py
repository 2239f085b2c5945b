"""A volunteer who leaves a bank owing a report and joins it again (Join pressed, a PIN
dial-in, "Call me") still owes it and can file it: joining again does not make their line
look gone since the epoch. The grace counts from when their line left. Engine and runner on
a real SQLite file, fed typed PBX events; no PBX (nothing is dialed)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from test_report_due import event, line_joins, new_bank, stored, talked_and_hung_up
from test_runner_pacing import NOW

from controller.config import Settings
from controller.engine import volunteer_ops
from controller.engine.dialing import EngineConfig
from controller.engine.engine import REPORT_GRACE, Engine
from controller.model.volunteers import VState
from controller.store.db import Database


async def test_given_a_report_due_when_the_volunteer_joins_the_same_bank_again_then_it_stays_due_and_they_file_it(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    bank_id = new_bank(db, "first")
    eng.reconcile()
    runner = eng.runners[bank_id]
    try:
        line_joins(eng, bank_id, 7, "leg-1")
        call = await talked_and_hung_up(eng, runner, 7)
        eng._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
        left_at = eng.pool.sessions[7].since
        eng.clock = lambda: left_at + 30  # half a minute later they join again
        eng.enroll(bank_id, 7)
        assert eng.pool.sessions[7].state is VState.NOT_DIALED_IN
        eng.expire_reports()  # before their line is back
        assert runner.wrapups == {7: call}

        eng._on_event(
            event(Event="ConfbridgeJoin", Conference="volunteer-7", Uniqueid="leg-2",
                  Channel="PJSIP/webrtc-7-leg-2")
        )  # fmt: skip
        eng.expire_reports()
        assert volunteer_ops.current_call(eng, 7) is call
        volunteer_ops.file(eng, 7, "completed", "note before leaving")
        assert stored(db, call)[0] == ["completed"]
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_given_a_report_due_when_the_volunteer_joins_again_but_never_dials_in_then_the_grace_counts_from_leaving(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    bank_id = new_bank(db, "first")
    eng.reconcile()
    runner = eng.runners[bank_id]
    try:
        line_joins(eng, bank_id, 7, "leg-1")
        call = await talked_and_hung_up(eng, runner, 7)
        eng._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
        left_at = eng.pool.sessions[7].since
        eng.clock = lambda: left_at + REPORT_GRACE - 60
        eng.enroll(bank_id, 7)
        eng.expire_reports()
        assert runner.wrapups == {7: call}
        eng.clock = lambda: left_at + REPORT_GRACE + 1  # 15 minutes gone, line never back
        eng.expire_reports()
        assert runner.wrapups == {}
        assert stored(db, call)[0] == ["not_recorded"]
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
