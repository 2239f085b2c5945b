"""A shared number (one call for the household): once a member is finished (Completed,
Refused, Wrong Number...), a later call to the others leaves them alone. An automatic
outcome (Answering Machine, No Answer...) goes to the members still to be called only, and
so do Last Called At and what is queued for NGP VAN. Real SQLite file."""

from __future__ import annotations

from test_attempts_store import field
from test_queue_store import NOW, claim_all, make_bank

from controller.store import queue
from controller.store.attempts import record_attempt, record_disposition, record_end
from controller.store.db import Database
from controller.store.outbox_enqueue import enqueue_for_attempt

DAY = 24 * 3600.0


def test_given_one_member_completed_when_the_next_call_reaches_a_machine_then_only_the_other_gets_its_outcome(  # noqa: E501
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=3, household_every=3)
    shared = next(c for c in claim_all(db, bank_id) if len(c.members) == 2)
    done, other = (m.contact_id for m in shared.members)
    with db.write() as conn:
        first = record_attempt(conn, shared, "h1", NOW)
        record_disposition(conn, first, "completed", done, 7, "", NOW + 60)
        record_end(conn, first, NOW + 90, "bridged")
    stamped = field(db, done, "Last Called At")
    (again,) = [
        c for c in queue.claim_next(db, bank_id, NOW + DAY, 10) if c.entry_id == shared.entry_id
    ]
    assert [m.contact_id for m in again.members] == [other]

    with db.write() as conn:
        second = record_attempt(conn, again, "h2", NOW + DAY)
        enqueue_for_attempt(conn, second)
        record_end(conn, second, NOW + DAY + 30, "machine")
        filed = conn.execute(
            "SELECT contact_id FROM dispositions WHERE attempt_id = ?", (second,)
        ).fetchall()
        queued_for_done = conn.execute(
            "SELECT count(*) FROM sync_outbox WHERE contact_id = ? AND source_id = ?"
            " AND source_kind = 'attempt'",
            (done, second),
        ).fetchone()[0]

    assert [r[0] for r in filed] == [other]
    assert field(db, done, "Call Outcome") == "Completed"
    assert field(db, other, "Call Outcome") == "Answering Machine"
    assert field(db, done, "Last Called At") == stamped  # not called this time
    assert queued_for_done == 0
