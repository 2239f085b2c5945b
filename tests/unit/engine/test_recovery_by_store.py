"""After a restart, what the previous engine left open is closed by what the store knows: a
machine is *Answering Machine*, a conversation (the callee reached a volunteer's room) is
*Not Recorded* and never a drop, a person nobody took is *Dropped*; an ended conversation
whose report never came is *Not Recorded*; every bank with something open is recovered at
the engine's start, paused and stopped ones included. Real SQLite file, no PBX."""

from __future__ import annotations

from test_recovery import AT
from test_runner_pacing import running_bank

from controller.engine.recovery import recover, recover_all
from controller.model import banks as bank_model
from controller.store import attempts, banks, engine_log, queue
from controller.store.db import Database
from controller.store.queue import Claim

NOW = AT.timestamp()


def started_bank(db: Database, name: str) -> int:
    return running_bank(db, contacts=8, seed=len(name), name=name)


def dialed(db: Database, claim: Claim, call_id: str, verdict: str | None = None) -> int:
    with db.write() as conn:
        attempt_id = attempts.record_attempt(conn, claim, call_id, NOW)
        if verdict is not None:
            attempts.mark_answered(conn, attempt_id, NOW + 5, verdict)
    return attempt_id


def connected(db: Database, attempt_id: int, bank_id: int) -> None:
    with db.write() as conn:
        engine_log.record_hangtime(conn, attempt_id, bank_id, None, 0.4, 0.2, NOW + 6)


def ends(db: Database) -> dict[int, tuple[str, list[str]]]:
    """Each attempt's result and outcomes."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT a.id, a.result, group_concat(d.outcome) AS outcomes FROM call_attempts AS a"
            " LEFT JOIN dispositions AS d ON d.attempt_id = a.id GROUP BY a.id"
        ).fetchall()
    return {int(r["id"]): (str(r["result"]), str(r["outcomes"] or "").split(",")) for r in rows}


def entry_states(db: Database) -> set[str]:
    with db.read() as conn:
        return {str(r[0]) for r in conn.execute("SELECT DISTINCT state FROM queue_entries")}


def test_given_calls_open_at_a_restart_when_recovered_then_machine_conversation_and_drop_told_apart(
    db: Database,
) -> None:
    bank_id = started_bank(db, "one")
    machine, talking, nobody, ringing = queue.claim_next(db, bank_id, NOW, 4)
    a_machine = dialed(db, machine, "c1", "MACHINE")
    a_talking = dialed(db, talking, "c2", "HUMAN")
    connected(db, a_talking, bank_id)
    a_nobody = dialed(db, nobody, "c3", "HUMAN")
    a_ringing = dialed(db, ringing, "c4")

    assert recover(db, bank_id, NOW + 30) == 4
    assert ends(db) == {
        a_machine: ("machine", ["answering_machine"]),
        a_talking: ("bridged", ["not_recorded"]),
        a_nobody: ("dropped", ["dropped"]),
        a_ringing: ("no_answer", ["no_answer"]),
    }
    with db.read() as conn:
        live, dropped = engine_log.abandon_counts(conn, bank_id, NOW + 30)
    assert (live, dropped) == (2, 1)  # the conversation is not a drop
    assert "dialing" not in entry_states(db)


def test_given_a_conversation_ended_without_its_report_when_recovered_then_not_recorded_and_rescheduled(  # noqa: E501
    db: Database,
) -> None:
    bank_id = started_bank(db, "one")
    (claim,) = queue.claim_next(db, bank_id, NOW, 1)
    attempt_id = dialed(db, claim, "c1", "HUMAN")
    connected(db, attempt_id, bank_id)
    with db.write() as conn:  # the volunteer was filing the report when the appliance stopped
        attempts.record_end(conn, attempt_id, NOW + 60, "bridged", "16")

    assert recover(db, bank_id, NOW + 90) == 1
    assert ends(db)[attempt_id] == ("bridged", ["not_recorded"])
    with db.read() as conn:
        entry = conn.execute(
            "SELECT state, lane, sort_key FROM queue_entries WHERE id = ?", (claim.entry_id,)
        ).fetchone()
    assert (entry["state"], entry["lane"]) == ("ready", 0)  # tried again later by the rule
    assert entry["sort_key"] > NOW + 90
    assert recover(db, bank_id, NOW + 120) == 0  # once


def test_given_paused_and_stopped_banks_with_open_calls_when_the_engine_starts_then_each_is_recovered(  # noqa: E501
    db: Database,
) -> None:
    paused, stopped, clean = started_bank(db, "p"), started_bank(db, "s"), started_bank(db, "c")
    opened = {}
    for bank_id in (paused, stopped):
        ringing, claimed = queue.claim_next(db, bank_id, NOW, 2)
        opened[bank_id] = (dialed(db, ringing, f"c{bank_id}"), claimed.entry_id)
    with db.write() as conn:
        banks.update(conn, paused, bank_model.pause)
        banks.update(conn, stopped, bank_model.stop)

    assert recover_all(db, NOW + 30) == 2
    with db.read() as conn:
        assert engine_log.banks_to_recover(conn) == []
        open_left = conn.execute("SELECT count(*) FROM call_attempts WHERE ended_at IS NULL")
        assert open_left.fetchone()[0] == 0
        claimed_left = conn.execute("SELECT count(*) FROM queue_entries WHERE state = 'claimed'")
        assert claimed_left.fetchone()[0] == 0
    assert clean not in opened
