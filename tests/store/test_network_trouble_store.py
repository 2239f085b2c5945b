"""A call the phone network never carried called nobody: it does not hold the number in a
bank that skips numbers other banks called, and the check before a preview dial does not
count it as another bank's call. Real SQLite."""

from __future__ import annotations

from test_attempts_store import HOUR, dial
from test_queue_store import NOW, claim_all, make_bank

from controller.store.attempts import record_end
from controller.store.db import Database
from controller.store.dial_check import check_before_dial


def two_banks(db: Database) -> tuple[int, int]:
    """Bank A, and bank B over the same list skipping numbers another bank called (2 h)."""
    bank_a = make_bank(db, contacts=1)
    with db.read() as conn:
        list_id = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_a,)).fetchone()[0]
    bank_b = make_bank(db, contacts=1, list_id=list_id, suppress_other_bank_hours=2)
    return bank_a, bank_b


def test_given_a_suppressing_bank_when_another_banks_call_ends_in_network_trouble_then_not_held(
    db: Database,
) -> None:
    bank_a, bank_b = two_banks(db)
    _, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 3, "network_trouble", "34")

    assert len(claim_all(db, bank_b, NOW + 60)) == 1


def test_given_another_banks_call_never_carried_when_a_preview_is_checked_then_it_may_be_dialed(
    db: Database,
) -> None:
    bank_a, bank_b = two_banks(db)
    _, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 3, "network_trouble", "not_placed")
        conn.execute(  # even where a hold was already in place, the check itself is right
            "UPDATE queue_entries SET lane = 1, sort_key = 0 WHERE bank_id = ?", (bank_b,)
        )
    [claim] = claim_all(db, bank_b, NOW + 60)

    with db.write() as conn:
        assert check_before_dial(conn, claim, NOW + 60) == []


def test_given_another_banks_call_that_rang_when_a_preview_is_checked_then_it_waits(
    db: Database,
) -> None:
    bank_a, bank_b = two_banks(db)
    _, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 30, "no_answer")
        conn.execute("UPDATE queue_entries SET lane = 1, sort_key = 0 WHERE bank_id = ?", (bank_b,))
    [claim] = claim_all(db, bank_b, NOW + 60)

    with db.write() as conn:
        assert check_before_dial(conn, claim, NOW + 60) == ["called_by_other_bank"]
        due = conn.execute("SELECT sort_key FROM queue_entries WHERE id = ?", (claim.entry_id,))
        assert due.fetchone()[0] == NOW + 2 * HOUR
