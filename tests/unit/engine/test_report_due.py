"""A volunteer's report due on a conversation is not lost: leaving and rejoining the same bank
keeps it due (no call comes before it is filed), and going on to another bank files *Not
Recorded* for it, whose rule reschedules the number. Runners on a real SQLite file, their
engine fed typed PBX events; no PBX (nothing is dialed)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from test_runner_pacing import NOW, dial, running_bank

from controller.config import Settings
from controller.engine import volunteer_ops
from controller.engine.calls import EngineCall
from controller.engine.dialing import EngineConfig
from controller.engine.engine import REPORT_GRACE, Engine
from controller.engine.runner import BankRunner
from controller.model.volunteers import VolunteerError, VState
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.tracker import CallState, Transition


def new_bank(db: Database, name: str) -> int:
    return running_bank(db, contacts=10, seed=len(name), name=name)


def event(**headers: str) -> ev.AmiEvent:
    return ev.parse_event({"Timestamp": str(NOW + 1), **headers})


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[Engine]:
    eng = Engine(settings, db, EngineConfig(tick=3600))
    yield eng
    for task in eng._tasks.values():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def line_joins(eng: Engine, bank_id: int, vid: int, uniqueid: str) -> None:
    eng.enroll(bank_id, vid)
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference=f"volunteer-{vid}", Uniqueid=uniqueid,
              Channel=f"PJSIP/webrtc-{vid}-{uniqueid}")
    )  # fmt: skip


async def talked_and_hung_up(eng: Engine, runner: BankRunner, vid: int) -> EngineCall:
    """A person is handed to the volunteer, talks in their room and hangs up: report due."""
    call = dial(runner, CallState.HUMAN, answered_at=NOW, verdict_at=NOW)
    assert await runner.handoff(call.call_id) == f"volunteer-{vid}"
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference=f"volunteer-{vid}", Uniqueid=call.call_id,
              Channel="Local/+1555@phonebank-outbound-0001;1")
    )  # fmt: skip
    runner.on_transition(Transition(call.call_id, CallState.BRIDGED, CallState.ENDED, NOW + 60))
    assert runner.wrapups[vid] is call
    return call


def stored(db: Database, call: EngineCall) -> tuple[list[str], str, int]:
    """The call's outcomes, its number's queue state and lane."""
    with db.read() as conn:
        outcomes = [
            str(r[0])
            for r in conn.execute(
                "SELECT outcome FROM dispositions WHERE attempt_id = ?", (call.attempt_id,)
            )
        ]
        entry = conn.execute(
            "SELECT state, lane FROM queue_entries WHERE id = ?", (call.claim.entry_id,)
        ).fetchone()
    return outcomes, str(entry["state"]), int(entry["lane"])


async def test_given_a_report_due_when_the_volunteer_leaves_and_rejoins_the_bank_then_no_call_before_it_is_filed(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    bank_id = new_bank(db, "first")
    engine.reconcile()
    runner = engine.runners[bank_id]
    line_joins(engine, bank_id, 7, "leg-1")
    call = await talked_and_hung_up(engine, runner, 7)
    engine._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
    assert engine.pool.sessions[7].state is VState.DISCONNECTED

    line_joins(engine, bank_id, 7, "leg-2")  # back in the same bank
    assert engine.pool.sessions[7].state is VState.IDLE  # not waiting: nothing is dialed
    assert volunteer_ops.current_call(engine, 7) is call
    with pytest.raises(VolunteerError) as refused:
        volunteer_ops.ready(engine, 7)
    assert refused.value.code == "outcome_required"

    volunteer_ops.file(engine, 7, "completed")
    assert engine.pool.sessions[7].state is VState.WAITING  # ready again once filed
    assert stored(db, call)[0] == ["completed"]


async def test_given_a_report_due_when_the_volunteer_joins_another_bank_then_not_recorded_and_rescheduled(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    first, second = new_bank(db, "first"), new_bank(db, "second")
    engine.reconcile()
    runner = engine.runners[first]
    line_joins(engine, first, 7, "leg-1")
    call = await talked_and_hung_up(engine, runner, 7)
    engine._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))

    line_joins(engine, second, 7, "leg-2")
    assert runner.wrapups == {}
    outcomes, state, lane = stored(db, call)
    assert outcomes == ["not_recorded"] and (state, lane) == ("ready", 0)  # a retry, later
    assert engine.pool.sessions[7].state is VState.WAITING  # nothing due in the new bank
    with pytest.raises(VolunteerError) as refused:
        volunteer_ops.file(engine, 7, "completed")
    assert refused.value.code == "nothing_to_report"


async def test_given_a_report_due_when_another_conversation_ends_for_them_then_the_first_is_not_lost(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    bank_id = new_bank(db, "first")
    engine.reconcile()
    runner = engine.runners[bank_id]
    line_joins(engine, bank_id, 7, "leg-1")
    first = await talked_and_hung_up(engine, runner, 7)
    engine.pool.ready(7)  # however they got ready again (no screen lets them)
    second = await talked_and_hung_up(engine, runner, 7)

    assert runner.wrapups == {7: second}
    assert stored(db, first)[0] == ["not_recorded"]


async def test_given_a_volunteer_who_left_owing_a_report_when_they_do_not_come_back_then_not_recorded_after_the_grace(  # noqa: E501
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
        eng.expire_reports()
        assert runner.wrapups == {7: call}  # they may still come back to it
        eng.clock = lambda: NOW + 1 + REPORT_GRACE + 1
        eng.expire_reports()
        assert runner.wrapups == {}
        outcomes, state, _ = stored(db, call)
        assert outcomes == ["not_recorded"] and state == "ready"
    finally:
        for task in eng._tasks.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
