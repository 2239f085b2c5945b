"""A volunteer on the call screen takes the next call only when they press Ready (auto-ready
off): once their report is filed the pacer stops counting them as about to be free (it would
dial for someone who may read the script for minutes), and a call whose callee left before
reaching their room puts them back to waiting at once (there was no call to report on).
A runner on a real SQLite file; the AMI session is a stand-in."""

from __future__ import annotations

from controller.config import Settings
from controller.engine.runner import BankRunner
from controller.model.volunteers import VState
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.engine_stand_ins import Clock, StandInAmi, runner_on, settle
from tests.unit.engine.test_runner_pacing import NOW


def counted(runner: BankRunner, bank_id: int) -> list[str]:
    return [v.id for v in runner.pool.pacing_views(bank_id)]


def test_given_a_screen_volunteer_when_their_report_is_filed_then_not_counted_until_ready(
    db: Database, settings: Settings
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    pool, owed = runner.pool, {7}
    pool.report_due = lambda vid: vid in owed
    pool.enroll(runner.bank_id, 7, auto_ready=False)
    pool.join_without_leg(7)
    pool.ready(7)
    pool.assign(7, "c-1")
    pool.end_call(7)
    assert counted(runner, runner.bank_id) == ["7"]  # filing: free in about a wrap-up

    owed.clear()  # the report is filed; they read on before pressing Ready
    assert pool.sessions[7].state is VState.WRAP_UP and counted(runner, runner.bank_id) == []
    pool.ready(7)
    assert counted(runner, runner.bank_id) == ["7"]


async def test_given_a_screen_volunteer_when_the_callee_leaves_before_the_room_then_waiting_again(
    db: Database, settings: Settings
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    runner.pool.enroll(runner.bank_id, 7, auto_ready=False)
    runner.pool.join_without_leg(7)
    runner.pool.ready(7)
    await runner.tick()
    await settle()
    [call_id] = list(runner.calls)
    call = runner.calls[call_id]
    runner.on_transition(Transition(call_id, CallState.QUEUED, CallState.HUMAN, NOW + 9))
    runner.pool.assign(7, call_id)
    call.volunteer_id = 7  # handed over; the callee hangs up before joining the room

    runner.on_transition(Transition(call_id, CallState.HUMAN, CallState.ENDED, NOW + 10))

    assert runner.pool.sessions[7].state is VState.WAITING
    assert 7 not in runner.wrapups
