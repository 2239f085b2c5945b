from __future__ import annotations

import pytest
from test_queue_store import NOW, claim_all, make_bank

from controller.store import queue
from controller.store.attempts import (
    AttemptError,
    mark_answered,
    record_attempt,
    record_disposition,
    record_end,
)
from controller.store.db import Database

HOUR = 3600.0


def dial(
    db: Database, bank_id: int, now: float = NOW, call_id: str = "c1"
) -> tuple[queue.Claim, int]:
    [claim] = queue.claim_next(db, bank_id, now, 1)
    with db.write() as conn:
        return claim, record_attempt(conn, claim, call_id, now, caller_id="+15550100100")


def field(db: Database, contact_id: int, name: str) -> str | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT v.value FROM contact_field_values AS v JOIN custom_fields AS f"
            " ON f.id = v.field_id WHERE v.contact_id = ? AND f.name = ?",
            (contact_id, name),
        ).fetchone()
    return row[0] if row else None


def entry(db: Database, entry_id: int) -> dict:
    with db.read() as conn:
        return dict(
            conn.execute("SELECT * FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
        )


def test_given_claim_when_attempt_recorded_then_durable_and_last_called_at_stamped(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=1)
    claim, attempt_id = dial(db, bank_id)
    with db.read() as conn:
        row = conn.execute("SELECT * FROM call_attempts WHERE id = ?", (attempt_id,)).fetchone()
    assert (row["call_id"], row["e164"], row["contact_id"]) == ("c1", claim.e164, claim.contact_id)
    assert row["started_at"] == "2026-05-01T22:00:00Z"
    assert field(db, claim.contact_id, "Last Called At") == "2026-05-01T22:00:00Z"
    assert entry(db, claim.entry_id)["state"] == "dialing"


def test_given_unclaimed_or_duplicate_call_id_when_recorded_then_refused_and_nothing_kept(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=2)
    claim, _ = dial(db, bank_id)
    with pytest.raises(AttemptError) as err, db.write() as conn:
        record_attempt(conn, claim, "c2", NOW)
    assert err.value.code == "not_claimed"
    [other] = queue.claim_next(db, bank_id, NOW, 1)
    with pytest.raises(AttemptError) as err, db.write() as conn:
        record_attempt(conn, other, "c1", NOW)
    assert err.value.code == "duplicate_call_id"
    assert entry(db, other.entry_id)["state"] == "claimed"


def test_given_busy_when_call_ends_then_retry_after_30_min_at_back_of_retry_line(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=2)
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        [disp] = record_end(conn, attempt_id, NOW + 20, "busy")
    e = entry(db, claim.entry_id)
    assert (e["state"], e["lane"], e["sort_key"]) == ("ready", 0, NOW + 20 + 1800)
    assert field(db, claim.contact_id, "Call Outcome") == "Busy"
    assert [c.e164 for c in claim_all(db, bank_id, NOW + 60)] != [claim.e164]
    again = queue.claim_next(db, bank_id, NOW + 20 + 1800, 1)
    assert again[0].entry_id == claim.entry_id  # due retries go first
    assert disp > 0


def test_given_no_answer_three_times_when_max_attempts_reached_then_done(db: Database) -> None:
    bank_id = make_bank(db, contacts=1)
    now = NOW
    for i in range(3):
        claim, attempt_id = dial(db, bank_id, now, f"c{i}")
        with db.write() as conn:
            record_end(conn, attempt_id, now + 30, "no_answer")
        now += 1800 + 60
    e = entry(db, claim.entry_id)
    assert (e["state"], e["done_reason"], e["attempts"]) == ("done", "max_attempts", 3)


def test_given_not_home_when_dispositioned_then_six_hour_recall_protection(db: Database) -> None:
    bank_id = make_bank(db, contacts=1)
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        mark_answered(conn, attempt_id, NOW + 5, "HUMAN")
        record_end(conn, attempt_id, NOW + 60, "bridged")
        record_disposition(conn, attempt_id, "Not Home", None, 7, "call back", NOW + 90)
    assert entry(db, claim.entry_id)["sort_key"] == NOW + 90 + 6 * HOUR


def test_given_completed_when_dispositioned_then_contact_done_in_every_bank(db: Database) -> None:
    bank_a = make_bank(db, contacts=1)
    with db.read() as conn:
        list_id = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_a,)).fetchone()[0]
    bank_b = make_bank(db, contacts=1, list_id=list_id)
    claim, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_disposition(conn, attempt_id, "completed", claim.contact_id, 7, "", NOW + 60)
    assert entry(db, claim.entry_id)["state"] == "done"
    assert claim_all(db, bank_b, NOW + 7 * HOUR) == []


def test_given_do_not_call_when_dispositioned_then_number_on_dnc_for_all_banks(
    db: Database,
) -> None:
    bank_a = make_bank(db, contacts=1)
    with db.read() as conn:
        list_id = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_a,)).fetchone()[0]
    bank_b = make_bank(db, contacts=1, list_id=list_id)
    claim, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_disposition(conn, attempt_id, "do_not_call", None, 7, "", NOW + 60)
    with db.read() as conn:
        assert conn.execute("SELECT 1 FROM dnc WHERE e164 = ?", (claim.e164,)).fetchone()
    assert claim_all(db, bank_b, NOW + 7 * HOUR) == []


def test_given_wrong_number_when_dispositioned_then_phone_marked_and_number_closed(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=1)
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        record_disposition(conn, attempt_id, "wrong_number", None, 7, "", NOW + 60)
        wrong = conn.execute("SELECT wrong_number FROM phones WHERE id = ?", (claim.phone_id,))
        assert wrong.fetchone()[0] == 1
    assert entry(db, claim.entry_id)["done_reason"] == "wrong_number"


def test_given_household_when_one_member_refuses_then_other_member_called_later(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=3, household_every=3)
    claims = claim_all(db, bank_id)
    shared = next(c for c in claims if len(c.members) == 2)
    with db.write() as conn:
        attempt_id = record_attempt(conn, shared, "h1", NOW)
        with pytest.raises(AttemptError) as err:
            record_disposition(conn, attempt_id, "refused", None, 7, "", NOW + 60)
        assert err.value.code == "contact_required"
        record_disposition(conn, attempt_id, "refused", shared.members[0].contact_id, 7, "", NOW)
    e = entry(db, shared.entry_id)
    assert (e["state"], e["sort_key"]) == ("ready", NOW + 6 * HOUR)
    [again] = queue.claim_next(db, bank_id, NOW + 24 * HOUR, 1)  # same wall time next day
    assert [m.contact_id for m in again.members] == [shared.members[1].contact_id]


def test_given_pickup_in_one_bank_when_other_bank_claims_then_held_six_hours(
    db: Database,
) -> None:
    bank_a = make_bank(db, contacts=1)
    with db.read() as conn:
        list_id = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_a,)).fetchone()[0]
    bank_b = make_bank(db, contacts=1, list_id=list_id)
    _, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_disposition(conn, attempt_id, "not_home", None, 7, "", NOW + 60)
    with db.read() as conn:
        held = conn.execute("SELECT lane, sort_key FROM queue_entries WHERE bank_id = ?", (bank_b,))
        assert tuple(held.fetchone()) == (0, NOW + 60 + 6 * HOUR)
    assert claim_all(db, bank_b, NOW + 60) == []
    assert len(claim_all(db, bank_b, NOW + 24 * HOUR)) == 1


def test_given_suppression_bank_when_other_bank_dials_then_number_held_n_hours(
    db: Database,
) -> None:
    bank_a = make_bank(db, contacts=1)
    with db.read() as conn:
        list_id = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_a,)).fetchone()[0]
    bank_b = make_bank(db, contacts=1, list_id=list_id, suppress_other_bank_hours=2)
    _, attempt_id = dial(db, bank_a)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 30, "no_answer")
    with db.read() as conn:
        held = conn.execute("SELECT lane, sort_key FROM queue_entries WHERE bank_id = ?", (bank_b,))
        assert tuple(held.fetchone()) == (0, NOW + 2 * HOUR)
    assert claim_all(db, bank_b, NOW + 60) == []
    assert len(claim_all(db, bank_b, NOW + 24 * HOUR)) == 1


def test_given_machine_when_ended_then_no_recall_block_only_retry_delay(db: Database) -> None:
    bank_id = make_bank(db, contacts=1)
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 30, "machine")
    assert entry(db, claim.entry_id)["sort_key"] == NOW + 30 + 1800


def test_given_bad_outcome_or_repeat_when_dispositioned_then_refused_and_nothing_changed(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=1)
    claim, attempt_id = dial(db, bank_id)
    with pytest.raises(AttemptError) as err, db.write() as conn:
        record_disposition(conn, attempt_id, "maybe", None, 7, "", NOW)
    assert err.value.code == "unknown_outcome"
    with db.write() as conn:
        record_disposition(conn, attempt_id, "refused", None, 7, "", NOW)
    with pytest.raises(AttemptError) as err, db.write() as conn:
        record_disposition(conn, attempt_id, "completed", None, 7, "", NOW)
    assert err.value.code == "already_dispositioned"
    assert field(db, claim.contact_id, "Call Outcome") == "Refused"
    with pytest.raises(AttemptError) as err, db.write() as conn:
        record_end(conn, 999, NOW, "busy")
    assert err.value.code == "unknown_attempt"
