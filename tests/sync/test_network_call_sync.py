"""A call the phone network never carried reports nothing to the CRM: the attempt's
*Last Called At* rows wait in the outbox until the call went out, and a call that ends in
network trouble (or was never placed) deletes them unsent and puts the contact's previous
*Last Called At* back. Real SQLite, a real worker posting to a local VAN stand-in."""

from __future__ import annotations

from conftest import van_worker
from test_call_integration import NOW, dial, make_bank, rows
from van_server import VanServer

from controller.store import queue
from controller.store.attempts import mark_answered, record_attempt, record_end
from controller.store.db import Database
from controller.store.results import iso
from controller.store.sync_settings import VanSettings, set_instruction


def map_last_called_at(db: Database) -> None:
    """The docs' own example: every attempt sends Not Home."""
    with db.write() as conn:
        set_instruction(conn, "Last Called At", "*", "result_code", result_code="Not Home")


def last_called_at(db: Database, contact_id: int) -> str | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT v.value FROM contact_field_values AS v JOIN custom_fields AS f"
            " ON f.id = v.field_id WHERE v.contact_id = ? AND f.name = 'Last Called At'",
            (contact_id,),
        ).fetchone()
    return row[0] if row else None


async def test_given_last_called_at_mapped_when_the_call_ends_in_network_trouble_then_van_gets_nothing(  # noqa: E501
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    map_last_called_at(db)
    bank_id = make_bank(db)
    claim, attempt_id = dial(db, bank_id)
    worker = van_worker(db, van_settings, clock=lambda: NOW + 5)
    assert not await worker.run_once()  # the call is on its way: its row waits

    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 5, "network_trouble", "34")
    await worker.run_until_idle()

    assert van.accepted == []
    assert rows(db) == []
    assert last_called_at(db, claim.contact_id) is None


async def test_given_a_call_that_went_out_when_it_is_answered_then_its_last_called_at_is_sent(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    map_last_called_at(db)
    bank_id = make_bank(db)
    claim, attempt_id = dial(db, bank_id)
    worker = van_worker(db, van_settings, clock=lambda: NOW + 5)
    with db.write() as conn:
        mark_answered(conn, attempt_id, NOW + 5)
    await worker.run_until_idle()

    assert [(a.van_id, a.body["resultCodeId"]) for a in van.accepted] == [
        (5000 + claim.contact_id, 1)
    ]


async def test_given_an_earlier_call_when_the_next_ends_in_network_trouble_then_its_stamp_is_back(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    map_last_called_at(db)
    bank_id = make_bank(db)
    claim, first = dial(db, bank_id)
    with db.write() as conn:
        record_end(conn, first, NOW + 30, "no_answer")
    later = NOW + 3600  # after the retry delay, still inside calling hours
    [again] = queue.claim_next(db, bank_id, later, 1)
    assert again.entry_id == claim.entry_id
    with db.write() as conn:
        second = record_attempt(conn, again, "c2", later)
    assert last_called_at(db, claim.contact_id) == iso(later)

    with db.write() as conn:
        record_end(conn, second, later + 3, "network_trouble", "not_placed")
    await van_worker(db, van_settings, clock=lambda: later + 5).run_until_idle()

    assert last_called_at(db, claim.contact_id) == iso(NOW)
    assert {(r.source_kind, r.source_id) for r in rows(db) if r.source_kind == "attempt"} == {
        ("attempt", first)
    }
    assert all(a.body["resultCodeId"] == 1 for a in van.accepted)  # the first call's only
    assert len(van.accepted) == 2  # its Last Called At and its No Answer
