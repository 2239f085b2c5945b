"""Taking back a Wrong Number mark: the flag goes, queues built from then on include the
number for that person again, and what is not restored is named (banks whose queue was
built without them, banks where a Wrong Number outcome closed the number)."""

from __future__ import annotations

from typing import Any

import pytest
from test_queue_store import NOW, NOW_DT, SCRIPT

from controller.model import banks as bank_model
from controller.store import banks, contacts, queue
from controller.store.attempts import record_attempt, record_disposition
from controller.store.contacts import WrongNumberError
from controller.store.db import Database


def household_list(db: Database) -> tuple[int, str, list[int]]:
    """A list of two households of two; returns its id, the first household's number and
    the ids of the two people sharing it."""
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "homes", 4, household_every=2, seed=5)
        rows = conn.execute(
            "SELECT c.id, p.e164 FROM contacts c JOIN phones p ON p.contact_id = c.id"
            " WHERE c.list_id = ? ORDER BY c.id LIMIT 2",
            (list_id,),
        ).fetchall()
    assert rows[0]["e164"] == rows[1]["e164"]
    return list_id, str(rows[0]["e164"]), [int(r["id"]) for r in rows]


def bank_over(db: Database, list_id: int, title: str, start: bool = True) -> int:
    with db.write() as conn:
        name = f"script {title}"
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (name, SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {"title": title, "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        if start:
            banks.start(conn, bank_id, NOW_DT)
    return bank_id


def queued(db: Database, bank_id: int, e164: str) -> list[int]:
    """The people the bank's queue reaches at ``e164``."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT m.contact_id FROM queue_members m JOIN queue_entries q ON q.id = m.entry_id"
            " WHERE q.bank_id = ? AND q.e164 = ? ORDER BY 1",
            (bank_id, e164),
        )
        return [int(r[0]) for r in rows]


def flags(db: Database, e164: str) -> dict[int, int]:
    with db.read() as conn:
        rows = conn.execute("SELECT contact_id, wrong_number FROM phones WHERE e164 = ?", (e164,))
        return {int(r[0]): int(r[1]) for r in rows}


def test_given_a_person_marked_wrong_when_the_mark_is_taken_back_then_later_queues_reach_them_and_a_queue_built_meanwhile_is_named(  # noqa: E501
    db: Database,
) -> None:
    list_id, e164, (ana, ben) = household_list(db)
    before = bank_over(db, list_id, "Before")
    assert contacts.mark_wrong_number(db, ana, e164)
    assert queued(db, before, e164) == [ana, ben]  # the mark alone takes nobody out of a queue
    meanwhile = bank_over(db, list_id, "Meanwhile")
    assert queued(db, meanwhile, e164) == [ben]
    later = bank_over(db, list_id, "Later", start=False)

    result = contacts.unmark_wrong_number(db, ana, e164)
    left_out = [{"id": meanwhile, "title": "Meanwhile"}]
    assert result == {"contact_id": ana, "e164": e164, "wrong_number": False, "closed": [],
                      "left_out": left_out, "dnc": False}  # fmt: skip
    assert contacts.unmark_note(result) == (
        f"The person is not put back in the queue of bank {meanwhile} (Meanwhile), built while"
        " the number was left out for them."
    )
    assert flags(db, e164) == {ana: 0, ben: 0}
    with db.write() as conn:
        banks.start(conn, later, NOW_DT)
    assert queued(db, later, e164) == [ana, ben]
    assert queued(db, meanwhile, e164) == [ben] and queued(db, before, e164) == [ana, ben]


def test_given_a_number_not_marked_or_not_theirs_when_taken_back_then_refused_and_nothing_changes(
    db: Database,
) -> None:
    list_id, e164, (ana, ben) = household_list(db)
    assert contacts.mark_wrong_number(db, ben, e164)
    refusals: list[tuple[int, str, str]] = [
        (ana, e164, "not_marked"), (ben, "+19995550000", "no_such_phone"),
    ]  # fmt: skip
    for contact_id, number, code in refusals:
        with pytest.raises(WrongNumberError) as err:
            contacts.unmark_wrong_number(db, contact_id, number)
        assert err.value.code == code
    assert str(err.value) == f"contact {ben} has no number +19995550000"
    assert flags(db, e164) == {ana: 0, ben: 1}
    assert list_id > 0


def test_given_a_wrong_number_outcome_filed_when_one_person_is_taken_back_then_the_number_stays_closed_there_and_the_housemate_stays_marked(  # noqa: E501
    db: Database,
) -> None:
    list_id, e164, (ana, ben) = household_list(db)
    bank_id = bank_over(db, list_id, "Spring")
    claims = [c for c in queue.claim_next(db, bank_id, NOW, 10) if c.e164 == e164]
    with db.write() as conn:
        attempt_id = record_attempt(conn, claims[0], "w1", NOW)
        record_disposition(conn, attempt_id, "wrong_number", ana, 7, "", NOW + 30)
    assert flags(db, e164) == {ana: 1, ben: 1}  # the outcome marks the whole household

    result: dict[str, Any] = contacts.unmark_wrong_number(db, ana, e164)
    assert result["closed"] == [{"id": bank_id, "title": "Spring"}] and result["left_out"] == []
    assert "stays closed in bank" in contacts.unmark_note(result)
    assert flags(db, e164) == {ana: 0, ben: 1}
    with db.read() as conn:
        state = conn.execute(
            "SELECT state, done_reason FROM queue_entries WHERE id = ?", (claims[0].entry_id,)
        ).fetchone()
    assert tuple(state) == ("done", "wrong_number")
