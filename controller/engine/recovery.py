"""What a previous engine process left open when it stopped mid-call, and conversations
whose report never came.

At start the engine closes, for every bank (running, paused or stopped), what is still open
in the store (:func:`recover_all`); a runner does the same for its bank when it starts.
What the store knows decides each call's end: a call never answered is *No Answer*, one the
machine detection called a machine *Answering Machine*, one whose callee reached a
volunteer's room a conversation (*Not Recorded*: the report never came), and one answered
by a person nobody took *Dropped*. A conversation that ended but whose report was never
filed is *Not Recorded* too. Each outcome's rule then reschedules or finishes the number:
nothing is left dialing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from controller.store import attempts, engine_log, queue
from controller.store.db import Database

NOT_RECORDED = "not_recorded"  # the automatic outcome of a conversation never reported
CAUSE = "engine_restart"


def recover(db: Database, bank_id: int, now: float) -> int:
    """Close what a previous engine process left open for this bank (it stopped mid-call):
    claims never dialed go back to the queue; attempts never ended get an end by what the
    store knows of them; ended conversations with no outcome get *Not Recorded*. Returns
    the attempts closed (ended or given their outcome)."""
    with db.write() as conn:
        queue.release_stale(conn, bank_id, now)
        open_ = engine_log.open_attempts(conn, bank_id)
        for row in open_:
            result = _result_of(row)
            attempts.record_end(conn, int(row["id"]), now, result, CAUSE)
            if result == "bridged":
                file_not_recorded(conn, int(row["id"]), (), now)
        unreported = engine_log.unreported_conversations(conn, bank_id)
        for attempt_id in unreported:
            file_not_recorded(conn, attempt_id, (), now)
    return len(open_) + len(unreported)


def recover_all(db: Database, now: float) -> int:
    """:func:`recover` every bank that has something open (the engine's start)."""
    with db.read() as conn:
        banks = engine_log.banks_to_recover(conn)
    return sum(recover(db, bank_id, now) for bank_id in banks)


def _result_of(row: dict[str, object]) -> str:
    """The end of an attempt left open: unanswered, a machine, a conversation (the callee
    reached a volunteer's room) or a person nobody took (dropped)."""
    if not row["answered_at"]:
        return "no_answer"
    if str(row["amd_status"] or "").upper() == "MACHINE":
        return "machine"
    if row["connected"]:
        return "bridged"
    return "dropped"


def file_not_recorded(
    conn: sqlite3.Connection, attempt_id: int, contacts: Iterable[int], now: float
) -> list[int]:
    """File *Not Recorded* for a conversation whose report will not come (for
    ``contacts``, else everyone the call reached); its rule reschedules the number."""
    ids = list(contacts) or engine_log.attempt_contacts(conn, attempt_id)
    return [
        attempts.record_disposition(conn, attempt_id, NOT_RECORDED, c, None, "", now) for c in ids
    ]
