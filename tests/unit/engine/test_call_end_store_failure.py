"""A call ends while the store fails (locked, full) in the middle of noting it: its volunteer
is still freed (never left "in a call" with no call, no Ready button, counted busy by the
pacer). A runner on a real SQLite file; the AMI session is a stand-in."""

from __future__ import annotations

import sqlite3

import pytest

from controller.config import Settings
from controller.engine import unreached
from controller.model.volunteers import VState
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


async def test_given_the_store_failing_when_a_call_ends_then_its_volunteer_is_freed(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    volunteers_waiting(runner, 1)
    await runner.tick()
    await settle()
    [call_id] = list(runner.calls)
    runner.pool.assign(1, call_id)
    runner.calls[call_id].volunteer_id = 1

    def locked(*_: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(unreached, "call_ended", locked)
    with pytest.raises(sqlite3.OperationalError):
        runner.on_transition(Transition(call_id, CallState.RINGING, CallState.NO_ANSWER, NOW + 20))

    assert runner.pool.sessions[1].state is not VState.BUSY
    assert call_id not in runner.calls
