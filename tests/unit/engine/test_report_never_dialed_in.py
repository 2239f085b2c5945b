"""A report due from a volunteer who lost their line and joined again but never dialed in
(their browser phone never connected) does not stay due for ever: after the grace it is
*Not Recorded*, so the number moves on. Engine and runner on a real SQLite file, fed typed
PBX events; no PBX (nothing is dialed)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from test_report_due import event, line_joins, new_bank, stored, talked_and_hung_up
from test_runner_pacing import NOW

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import REPORT_GRACE, Engine
from controller.model.volunteers import VState
from controller.store.db import Database


async def test_given_a_report_due_when_the_volunteer_rejoins_but_never_dials_in_then_not_recorded_after_the_grace(  # noqa: E501
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
        eng.enroll(bank_id, 7)  # Join pressed again; the line never comes
        session = eng.pool.sessions[7]
        assert session.state is VState.NOT_DIALED_IN and session.left_at is None

        eng.clock = lambda: session.since + REPORT_GRACE - 1
        eng.expire_reports()
        assert runner.wrapups == {7: call}  # they may still dial in and file it
        eng.clock = lambda: session.since + REPORT_GRACE + 1
        eng.expire_reports()
        assert runner.wrapups == {}
        outcomes, state, _ = stored(db, call)
        assert outcomes == ["not_recorded"] and state == "ready"
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_given_a_report_due_when_the_volunteer_joins_another_bank_while_the_store_fails_then_they_join_and_it_is_closed_later(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    first, second = new_bank(db, "first"), new_bank(db, "second")
    eng.reconcile()
    runner = eng.runners[first]
    try:
        line_joins(eng, first, 7, "leg-1")
        call = await talked_and_hung_up(eng, runner, 7)
        eng._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
        with db.write() as conn:
            conn.execute(
                "CREATE TRIGGER refuse_outcome BEFORE INSERT ON dispositions"
                " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
            )
        line_joins(eng, second, 7, "leg-2")  # the join itself is not refused
        assert eng.pool.sessions[7].bank_id == second and runner.wrapups == {7: call}

        with db.write() as conn:
            conn.execute("DROP TRIGGER refuse_outcome")
        eng.expire_reports()  # in another bank now: closed without waiting for the grace
        assert runner.wrapups == {}
        assert stored(db, call)[0] == ["not_recorded"]
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
