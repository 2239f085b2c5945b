"""A number the appliance may not dial (outside the trunk's allowed pattern) is refused before
any attempt is written: its entry closes as not allowed, the rest of the batch is dialed, and
a preview volunteer is told why. A runner on a real SQLite file; the AMI session is a stand-in
that records what is sent."""

from __future__ import annotations

import pytest

from controller.config import Settings
from controller.engine.runner import BankRunner
from controller.model.volunteers import VolunteerError
from controller.store import queue
from controller.store.db import Database
from controller.store.queue import Claim
from tests.unit.engine.engine_stand_ins import (
    Clock,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_runner_pacing import NOW

ABROAD = "+442079460958"  # imported fine; the default pattern is North American


def next_is_abroad(runner: BankRunner) -> int:
    """The first number in line is a London one (as a list import can bring); its entry id."""
    with runner.db.write() as conn:
        entry_id = conn.execute(
            "SELECT id FROM queue_entries WHERE bank_id = ? ORDER BY lane, sort_key, id LIMIT 1",
            (runner.bank_id,),
        ).fetchone()[0]
        conn.execute("UPDATE queue_entries SET e164 = ? WHERE id = ?", (ABROAD, entry_id))
    return int(entry_id)


def stored(db: Database) -> tuple[dict[str, int], list[str], str]:
    with db.read() as conn:
        counts = queue.counts(conn, 1)
        dialed = [r[0] for r in conn.execute("SELECT e164 FROM call_attempts ORDER BY id")]
        reason = conn.execute(
            "SELECT done_reason FROM queue_entries WHERE e164 = ?", (ABROAD,)
        ).fetchone()[0]
    return counts, dialed, reason


async def test_given_a_number_outside_the_pattern_in_a_batch_when_paced_then_the_rest_is_dialed(
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner = runner_on(db, settings, ami, Clock(NOW), contacts=6)
    next_is_abroad(runner)
    volunteers_waiting(runner, 3)

    await runner.tick()
    await settle()

    counts, dialed, reason = stored(db)
    assert ABROAD not in dialed and len(dialed) == 2 == len(runner.calls)
    assert (counts["claimed"], counts["dialing"], counts["done"]) == (0, 2, 1)
    assert reason == "not_allowed"
    assert len(ami.actions("Originate")) == 2
    await runner.tick()  # the next tick is not spoiled either
    assert len(runner.calls) == 3


async def test_given_a_preview_of_a_number_outside_the_pattern_when_called_then_the_volunteer_is_told(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    ami = StandInAmi()
    runner = runner_on(db, settings, ami, Clock(NOW), mode="preview", contacts=6)
    entry_id = next_is_abroad(runner)
    held: Claim = queue.claim_next(db, runner.bank_id, NOW, 1)[0]
    assert held.entry_id == entry_id

    with pytest.raises(VolunteerError) as refused:
        runner.dial_claims([held], NOW, reserved_for=7)

    assert refused.value.code == "number_not_allowed"
    assert "ask for the next contact" in str(refused.value)
    counts, dialed, reason = stored(db)
    assert (dialed, counts["done"], reason) == ([], 1, "not_allowed")
    assert runner.calls == {} and ami.sent == []
