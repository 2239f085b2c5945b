"""A (soft) stop lets the conversations on the line finish, then gives their volunteers
``disconnect_grace`` to file the last report, counted from the end of the last call (not
from the stop: after a ten-minute conversation the volunteer still gets their seconds).
A runner on a real SQLite file; the AMI session is a stand-in that records the playback."""

from __future__ import annotations

from controller.config import Settings
from controller.engine.dialing import new_call_id
from controller.engine.volunteers import Leg
from controller.store import queue
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.engine_stand_ins import Clock, StandInAmi, runner_on, volunteers_waiting
from tests.unit.engine.test_runner_pacing import NOW


async def test_given_a_long_conversation_after_a_stop_when_it_ends_then_the_report_grace_starts(
    db: Database, settings: Settings
) -> None:
    clock, ami = Clock(NOW), StandInAmi()
    runner = runner_on(db, settings, ami, clock, mode="preview", contacts=5)
    volunteers_waiting(runner, 1)
    claim = queue.claim_next(db, runner.bank_id, NOW, 1)[0]
    call = runner._record(claim, NOW, None, "", new_call_id(runner.bank_id))
    runner.calls[call.call_id] = call
    call.state, call.answered_at, call.connected_at = CallState.HUMAN, NOW, NOW + 1
    runner.pool.assign(1, call.call_id)
    call.volunteer_id = 1
    runner.pool.legs[1] = Leg("1.1", "PJSIP/vol-1")
    runner.stop(False)
    await runner.tick()

    clock.now = NOW + 600  # the conversation goes on for ten minutes
    runner.on_transition(Transition(call.call_id, CallState.BRIDGED, CallState.ENDED, clock.now))
    clock.now += 0.5
    await runner.tick()
    assert runner.stop_phase[0] == "reports" and ami.actions("Redirect") == []

    clock.now += runner.config.disconnect_grace
    await runner.tick()
    assert runner.stop_phase[0] == "volunteers"
    assert [a["Channel"] for a in ami.actions("Redirect")] == ["PJSIP/vol-1"]
