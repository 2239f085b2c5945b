"""A runner starting over a bank a crashed engine left mid-call closes what was open."""

from __future__ import annotations

from datetime import UTC, datetime

from controller.engine.recovery import recover
from controller.model import banks as bank_model
from controller.store import attempts, banks, queue
from controller.store.db import Database

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'


def running_bank(db: Database) -> int:
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "l", 6)
        conn.execute("INSERT INTO scripts (name, body) VALUES ('s', ?)", (SCRIPT,))
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": 1}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, AT)
    return bank_id


def test_given_open_claims_and_attempts_when_recovering_then_each_gets_its_end(
    db: Database,
) -> None:
    bank_id = running_bank(db)
    now = AT.timestamp()
    ringing, answered, claimed = queue.claim_next(db, bank_id, now, 3)
    with db.write() as conn:
        a1 = attempts.record_attempt(conn, ringing, "c1", now)
        a2 = attempts.record_attempt(conn, answered, "c2", now)
        attempts.mark_answered(conn, a2, now + 5, "HUMAN")
    assert recover(db, bank_id, now + 10) == 2
    with db.read() as conn:
        ends = {
            r["id"]: (r["result"], r["cause"])
            for r in conn.execute("SELECT id, result, cause FROM call_attempts")
        }
        rows = conn.execute("SELECT attempt_id, outcome FROM dispositions")
        outcomes = {r[0]: r[1] for r in rows}
        states = {
            r["id"]: (r["state"], r["lane"]) for r in conn.execute("SELECT * FROM queue_entries")
        }
    assert ends == {a1: ("no_answer", "engine_restart"), a2: ("dropped", "engine_restart")}
    assert outcomes == {a1: "no_answer", a2: "dropped"}
    assert states[claimed.entry_id] == ("ready", 1)  # never dialed: back in its old place
    assert states[ringing.entry_id] == ("ready", 0)  # retried later by the outcome's rule
    assert recover(db, bank_id, now + 20) == 0
