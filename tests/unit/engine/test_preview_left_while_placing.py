"""A preview call whose volunteer left while its Originate was still on its way is hung up
once its line appears (it never rings on into the safe-harbor message); a preview call that
fails to be placed for any reason gives its contact back to the queue instead of leaving the
number claimed (which would block it in every bank). A runner on a real SQLite file; the
AMI session is a stand-in that records what is sent (no PBX)."""

from __future__ import annotations

import asyncio
import sqlite3
from types import SimpleNamespace
from typing import Any

import pytest

from controller.config import Settings
from controller.engine import handoff, modes
from controller.engine.calls import CallKind
from controller.engine.runner import BankRunner
from controller.model.volunteers import VolunteerError
from controller.store import queue
from controller.store.db import Database
from tests.unit.engine.engine_stand_ins import Clock, StandInAmi, runner_on, settle
from tests.unit.engine.test_preview_release import dialed_in, entry_state
from tests.unit.engine.test_runner_pacing import NOW


async def hangups_within(ami: StandInAmi, seconds: float) -> list[str]:
    """The channels hung up, once there is one (or after ``seconds``)."""
    for _ in range(int(seconds / 0.05)):
        if ami.actions("Hangup"):
            break
        await asyncio.sleep(0.05)
    return [a["Channel"] for a in ami.actions("Hangup")]


def cancel_tasks(runner: BankRunner) -> None:
    for task in runner._tasks:
        task.cancel()


async def test_given_a_preview_call_on_its_way_when_its_volunteer_leaves_then_hung_up_once_its_line_appears(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    lines: dict[str, list[str]] = {}
    ami = StandInAmi()
    runner = runner_on(
        db, settings, ami, Clock(NOW), mode="preview", channels=lambda c: lines.get(c, [])
    )
    dialed_in(runner, 7)
    claim = queue.claim_next(db, runner.bank_id, NOW, 1)[0]
    runner.dial_claims([claim], NOW, reserved_for=7)
    (call,) = runner.calls.values()
    call.kind = CallKind.PREVIEW
    try:
        runner.pool.leave(7)
        handoff.volunteer_left(runner, 7)  # the Originate has no line yet
        await settle()
        assert ami.actions("Hangup") == []

        lines[call.call_id] = [f"Local/{claim.e164}@phonebank-outbound-{call.call_id};1"]
        assert await hangups_within(ami, 3.0) == lines[call.call_id]
    finally:
        cancel_tasks(runner)


@pytest.mark.parametrize("failure", ["attempt_refused", "store_error"])
async def test_given_a_previewed_contact_when_placing_its_call_fails_then_the_contact_goes_back_to_the_queue(  # noqa: E501
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    ami = StandInAmi()
    runner = runner_on(db, settings, ami, Clock(NOW), mode="preview")
    engine: Any = SimpleNamespace(pool=runner.pool, runners={runner.bank_id: runner}, ami=ami)
    dialed_in(runner, 7)
    shown = modes.preview_next(engine, 7)
    assert shown is not None
    if failure == "attempt_refused":  # the store refuses the attempt's row
        with db.write() as conn:
            conn.execute(
                "CREATE TRIGGER refuse_attempt BEFORE INSERT ON call_attempts"
                " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
            )
    else:  # anything unexpected while the call is being placed

        def broken(*_: object, **__: object) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(runner, "_record", broken)

    with pytest.raises((VolunteerError, sqlite3.Error)):
        modes.preview_call(engine, 7)

    assert runner.calls == {}
    assert entry_state(db, shown["entry_id"]) == ("ready", None)  # not left claimed
    cancel_tasks(runner)
