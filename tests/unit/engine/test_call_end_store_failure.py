"""A call ends while the store fails (locked, full) in the middle of noting it: its volunteer
is still freed (never left "in a call" with no call, no Ready button, counted busy by the
pacer). A runner on a real SQLite file; the AMI session is a stand-in."""

from __future__ import annotations

import sqlite3

import pytest

from controller.config import Settings
from controller.engine import unreached
from controller.model.volunteers import VState
from controller.store import attempts
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


async def test_given_the_store_failing_when_a_call_ends_then_its_end_is_stored_at_a_later_tick(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call's end that could not be stored is tried again at each tick until it is: its
    number was left "dialing" (taken in every bank) until the next restart."""
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    volunteers_waiting(runner, 1)
    await runner.tick()
    await settle()
    [call_id] = list(runner.calls)
    attempt_id = runner.calls[call_id].attempt_id
    real_end = attempts.record_end
    failing = [True]

    def record_end(*args: object, **kwargs: object) -> list[int]:
        if failing[0]:
            raise sqlite3.OperationalError("database is locked")
        return real_end(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(attempts, "record_end", record_end)
    runner.on_transition(Transition(call_id, CallState.RINGING, CallState.NO_ANSWER, NOW + 20))
    assert _entry_state(db, attempt_id) == "dialing"
    await runner.tick()  # still failing: kept for the next tick
    failing[0] = False
    await runner.tick()

    assert _entry_state(db, attempt_id) != "dialing"
    with db.read() as conn:
        row = conn.execute(
            "SELECT result, ended_at FROM call_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
    assert row["result"] == "no_answer" and row["ended_at"] is not None
    assert not runner.unstored_ends


def _entry_state(db: Database, attempt_id: int) -> str:
    with db.read() as conn:
        return str(
            conn.execute(
                "SELECT q.state FROM queue_entries q JOIN call_attempts a ON a.entry_id = q.id"
                " WHERE a.id = ?",
                (attempt_id,),
            ).fetchone()[0]
        )


async def test_given_an_unstored_end_stored_meanwhile_by_another_path_when_retried_then_it_is_done(
    db: Database, settings: Settings
) -> None:
    """A call end waiting for another try that got stored meanwhile (a report closed as Not
    Recorded ends its call) is done, not retried at every tick for ever, and does not hold
    back the ends behind it."""
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    volunteers_waiting(runner, 2)
    await runner.tick()
    await settle()
    first, second = (runner.calls[c].attempt_id for c in list(runner.calls)[:2])
    with db.write() as conn:
        attempts.record_end(conn, first, NOW + 5, "bridged", "16")
    runner.unstored_ends = [(first, NOW + 5, "bridged", "16"), (second, NOW + 9, "no_answer", "")]

    await runner.tick()

    assert runner.unstored_ends == []
    with db.read() as conn:
        row = conn.execute("SELECT result FROM call_attempts WHERE id = ?", (second,)).fetchone()
    assert row["result"] == "no_answer"
