"""A number is never dialed twice at the same time (docs/engine.md): the claim skips a number
with an entry claimed or being dialed in this bank or another, and a batch holds one entry
per number (real SQLite file, synthetic lists)."""

from __future__ import annotations

from controller.model import banks as bank_model
from controller.store import attempts, banks, queue
from controller.store.db import Database
from tests.store.test_queue_store import NOW, NOW_DT, claim_all, make_bank


def bank_on_list_of(db: Database, other_bank: int) -> int:
    """A second started bank over the same list as ``other_bank`` (no suppression)."""
    with db.write() as conn:
        list_id = banks.get(conn, other_bank).settings.list_id
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        base = {"title": "T2", "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, NOW_DT)
        return bank_id


def dial(db: Database, claims: list[queue.Claim], prefix: str) -> list[int]:
    with db.write() as conn:
        return [attempts.record_attempt(conn, c, f"{prefix}{i}", NOW) for i, c in enumerate(claims)]


def test_given_a_household_called_per_contact_when_a_batch_is_claimed_then_one_entry_per_number(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=9, household_every=3, household="each_contact")

    batch = queue.claim_next(db, bank_id, NOW, 4)
    dial(db, batch, "a")
    rest = claim_all(db, bank_id)

    numbers = [c.e164 for c in batch]
    assert len(batch) == 4 and len(set(numbers)) == 4
    assert not {c.e164 for c in rest} & set(numbers)  # still ringing: not claimed again
    assert len({c.e164 for c in rest}) == len(rest)


def test_given_a_number_ringing_in_one_bank_when_another_bank_claims_then_it_waits_for_the_end(
    db: Database,
) -> None:
    first = make_bank(db, contacts=6)
    second = bank_on_list_of(db, first)
    ringing = queue.claim_next(db, first, NOW, 2)
    attempt_ids = dial(db, ringing, "a")

    others = claim_all(db, second)

    assert len(others) == 4
    assert not {c.e164 for c in others} & {c.e164 for c in ringing}
    with db.write() as conn:
        attempts.record_end(conn, attempt_ids[0], NOW + 30, "busy", "17")
    freed = claim_all(db, second)
    assert [c.e164 for c in freed] == [ringing[0].e164]


def test_given_the_best_numbers_all_taken_when_one_is_claimed_then_the_next_free_one_comes(
    db: Database,
) -> None:
    first = make_bank(db, contacts=40)
    second = bank_on_list_of(db, first)
    taken = queue.claim_next(db, first, NOW, 30)  # claimed (shown in preview, say)

    claims = queue.claim_next(db, second, NOW, 1)

    assert len(claims) == 1 and claims[0].e164 not in {c.e164 for c in taken}
