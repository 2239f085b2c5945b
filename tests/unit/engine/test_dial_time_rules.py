"""Re-call protection and other-bank suppression hold at the moment of dialing, in every mode:
the claim query knows the holds placed on the queue when a call ended, but not a pickup in a
bank whose queue was built since, a household member of the same bank called once per
person, or a person reached by a bank that does not apply the protection. A runner on a real
SQLite file; the AMI session is a stand-in."""

from __future__ import annotations

from controller.config import Settings
from controller.engine.bus import EventBus
from controller.engine.dialing import EngineConfig
from controller.engine.runner import BankRunner
from controller.engine.volunteers import VolunteerPool
from controller.model.compliance import RECALL_BLOCK
from controller.store import banks, dial_check, queue
from controller.store.attempts import (
    mark_answered,
    record_attempt,
    record_disposition,
    record_end,
)
from controller.store.db import Database
from tests.store.test_queue_store import NOW, NOW_DT, make_bank
from tests.unit.engine.engine_stand_ins import Clock, StandInAmi, settle, volunteers_waiting

SIX_HOURS = RECALL_BLOCK.total_seconds()


def reach(db: Database, bank_id: int, at: float, outcome: str = "not_home") -> str:
    """A volunteer of ``bank_id`` talks to the person of its next number; returns it."""
    [claim] = queue.claim_next(db, bank_id, at, 1)
    with db.write() as conn:
        attempt = record_attempt(conn, claim, f"pb{bank_id}c-{claim.entry_id}", at)
        mark_answered(conn, attempt, at + 5, "HUMAN")
        record_end(conn, attempt, at + 60, "bridged")
        record_disposition(conn, attempt, outcome, None, 7, "", at + 70)
    return claim.e164


def list_of(db: Database, bank_id: int) -> int:
    with db.read() as conn:
        return int(banks.get(conn, bank_id).settings.list_id or 0)


def runner_for(db: Database, settings: Settings, bank_id: int, clock: Clock) -> BankRunner:
    pool = VolunteerPool(db, clock)
    return BankRunner(
        bank_id, db, StandInAmi(), pool, EventBus(), settings, EngineConfig(),
        lambda _: [], clock,
    )  # fmt: skip


def dialed(runner: BankRunner) -> list[str]:
    return sorted(call.claim.e164 for call in runner.calls.values())


def entry(db: Database, bank_id: int, e164: str) -> tuple[str, int, float]:
    with db.read() as conn:
        row = conn.execute(
            "SELECT state, lane, sort_key FROM queue_entries WHERE bank_id = ? AND e164 = ?",
            (bank_id, e164),
        ).fetchone()
    return str(row[0]), int(row[1]), float(row[2])


async def test_given_a_pickup_before_a_bank_was_built_when_it_dials_then_that_number_waits(
    db: Database, settings: Settings
) -> None:
    first = make_bank(db, contacts=3, dialing_mode="power")
    later = make_bank(db, contacts=3, start=False, list_id=list_of(db, first))
    person = reach(db, first, NOW)
    with db.write() as conn:
        banks.start(conn, later, NOW_DT)  # its queue is built after the pickup
    clock = Clock(NOW + 120)
    runner = runner_for(db, settings, later, clock)
    volunteers_waiting(runner, 3)

    await runner.tick()
    await settle()

    assert person not in dialed(runner) and len(dialed(runner)) == 2
    state, lane, due = entry(db, later, person)
    assert (state, lane) == ("ready", 0) and due >= NOW + 70 + SIX_HOURS - 1


async def test_given_one_call_per_person_when_one_of_a_household_is_reached_then_the_other_waits(
    db: Database, settings: Settings
) -> None:
    bank = make_bank(
        db, contacts=2, household_every=2, household="each_contact", dialing_mode="power"
    )
    person = reach(db, bank, NOW)
    runner = runner_for(db, settings, bank, Clock(NOW + 100))
    volunteers_waiting(runner, 1)

    await runner.tick()
    await settle()

    assert dialed(runner) == []
    with db.read() as conn:
        states = [
            tuple(r)
            for r in conn.execute(
                "SELECT state, lane FROM queue_entries WHERE bank_id = ? AND e164 = ?",
                (bank, person),
            )
        ]
    assert sorted(states) == [("ready", 0), ("ready", 0)]


def test_given_a_bank_without_protection_reaching_a_person_then_protected_banks_hold_the_number(
    db: Database,
) -> None:
    open_bank = make_bank(db, contacts=2, prevent_frequent=False)
    careful = make_bank(db, contacts=2, list_id=list_of(db, open_bank))
    person = reach(db, open_bank, NOW)

    later = queue.claim_next(db, careful, NOW + 60, 5)

    assert person not in [c.e164 for c in later] and len(later) == 1
    assert entry(db, careful, person)[1:] == (0, NOW + 70 + SIX_HOURS)


def test_given_a_held_number_when_a_volunteer_asks_for_the_next_then_the_next_callable_is_given(
    db: Database,
) -> None:
    first = make_bank(db, contacts=2)
    personal = make_bank(
        db, contacts=2, start=False, list_id=list_of(db, first), dialing_mode="personal"
    )
    person = reach(db, first, NOW)
    with db.write() as conn:
        banks.start(conn, personal, NOW_DT)

    given = dial_check.next_callable(db, personal, NOW + 60)
    after = dial_check.next_callable(db, personal, NOW + 61)

    assert given is not None and given.e164 != person
    assert after is None  # the held one is not due yet
    assert entry(db, personal, person)[:2] == ("ready", 0)
