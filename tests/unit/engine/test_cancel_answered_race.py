"""A ringing call the engine gives up (a soft stop, the pacer's drain) may be answered
before the hang-up task runs: that person is not hung up on (they go to the hand-off and
count as any answered person); a hard stop still hangs up everything. A runner on a real
SQLite file; the AMI session is a stand-in that records the Hangup actions."""

from __future__ import annotations

from controller.config import Settings
from controller.engine.runner import BankRunner
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.engine_stand_ins import (
    Clock,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_runner_pacing import NOW


async def ringing_runner(
    db: Database, settings: Settings, ami: StandInAmi
) -> tuple[BankRunner, str]:
    runner = runner_on(db, settings, ami, Clock(NOW), channels=lambda cid: [f"Local/{cid}@out"])
    volunteers_waiting(runner, 1)
    await runner.tick()
    [call_id] = list(runner.calls)
    runner.on_transition(Transition(call_id, CallState.QUEUED, CallState.RINGING, NOW + 1))
    return runner, call_id


async def test_given_a_soft_stop_when_the_callee_answers_before_the_hang_up_runs_then_kept(
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner, call_id = await ringing_runner(db, settings, ami)

    runner.stop(False)
    runner.on_transition(Transition(call_id, CallState.RINGING, CallState.ANSWERED, NOW + 2))
    await settle()

    assert ami.actions("Hangup") == []


async def test_given_a_soft_stop_when_the_call_still_rings_then_it_is_hung_up(
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner, call_id = await ringing_runner(db, settings, ami)

    runner.stop(False)
    await settle()

    assert [a["Channel"] for a in ami.actions("Hangup")] == [f"Local/{call_id}@out"]


async def test_given_a_hard_stop_when_the_callee_has_answered_then_hung_up_all_the_same(
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner, call_id = await ringing_runner(db, settings, ami)
    runner.on_transition(Transition(call_id, CallState.RINGING, CallState.ANSWERED, NOW + 2))

    runner.stop(True)
    await settle()

    assert [a["Channel"] for a in ami.actions("Hangup")] == [f"Local/{call_id}@out"]


async def test_given_a_soft_stop_when_a_ringing_call_is_hung_up_then_no_outcome_and_not_counted(
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner, call_id = await ringing_runner(db, settings, ami)
    entry_id = runner.calls[call_id].claim.entry_id

    runner.stop(False)
    await settle()
    runner.on_transition(Transition(call_id, CallState.RINGING, CallState.NO_ANSWER, NOW + 3))

    with db.read() as conn:
        result = conn.execute(
            "SELECT result, cause, (SELECT count(*) FROM dispositions d WHERE d.attempt_id = a.id)"
            " FROM call_attempts AS a WHERE call_id = ?",
            (call_id,),
        ).fetchone()
        entry = conn.execute(
            "SELECT state, attempts FROM queue_entries WHERE id = ?", (entry_id,)
        ).fetchone()
    assert tuple(result) == ("cancelled", "bank_stopped", 0)  # no No Answer for the CRM
    assert tuple(entry) == ("ready", 0)  # the attempt given back
