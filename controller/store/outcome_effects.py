"""What a call's outcome does to the queue, in the transaction that files it.

- :func:`apply_policy` carries out an outcome's policy: retry scheduling, the final contact
  or number, do-not-call, completion in every bank, and the re-call hold across banks.
- :func:`network_retry` puts back a number the phone network could not carry.
- :func:`hold_for_suppression` holds a number just called in the banks that suppress it.

Each takes the writer connection (inside ``db.write()``); the callers are in
:mod:`controller.store.attempts`.
"""

from __future__ import annotations

import sqlite3

from controller.model.compliance import RECALL_BLOCK
from controller.model.outcomes import (
    NETWORK_TROUBLE,
    STOP_CANCELLED,
    Outcome,
    Policy,
    decide_network_retry,
    decide_retry,
    outcome,
)
from controller.model.queue import LANE_WAITING
from controller.store import banks as bank_store
from controller.store.queue import members_of


def apply_policy(
    conn: sqlite3.Connection, attempt: sqlite3.Row, item: Outcome, contact: int | None, now: float
) -> None:
    """Retry scheduling, final contact/number, DNC and completion across banks."""
    bank_id, e164, entry_id = int(attempt["bank_id"]), str(attempt["e164"]), attempt["entry_id"]
    settings = bank_store.get(conn, bank_id).settings
    if item.policy is Policy.DNC:
        add_dnc(conn, e164, f"outcome in bank {bank_id}")
    elif item.policy is Policy.FINAL_NUMBER:
        close_number(conn, bank_id, e164, item.code)
        if item.marks_wrong_number:
            mark_wrong_number(conn, e164, entry_id, attempt["contact_id"])
    elif contact is not None and item.policy is not Policy.RETRY:
        scope = None if item.policy is Policy.COMPLETE else bank_id
        finish_contact(conn, contact, scope, item.code)
    block = RECALL_BLOCK.total_seconds() if settings.prevent_frequent else 0.0
    if item.picked_up:  # held in the banks that apply the protection, whoever reached them
        hold_after_pickup(conn, e164, bank_id, now + RECALL_BLOCK.total_seconds())
    if entry_id is None or entry_state(conn, entry_id) == "done":
        return
    if not open_entry(conn, entry_id):
        reschedule(conn, entry_id, None, item.code)
        return
    made = attempts_made(conn, entry_id)
    retry_item = item if item.policy is Policy.RETRY else outcome("not_home")
    decision = decide_retry(
        retry_item, made, settings.max_attempts, settings.retry_delay_min * 60.0, now, block
    )
    reschedule(conn, entry_id, decision.retry_at, decision.reason)


def network_retry(conn: sqlite3.Connection, attempt: sqlite3.Row, now: float) -> None:
    """The phone network could not carry the call (congestion, trunk down, never placed):
    no outcome is filed (:func:`controller.store.attempts.record_end` has taken back its
    *Last Called At* and unsent CRM rows); the number goes back to the queue after the retry
    delay and, the first few times, the attempt is given back (:func:`decide_network_retry`)."""
    entry_id = attempt["entry_id"]
    if entry_id is None or entry_state(conn, entry_id) != "dialing":
        return  # closed meanwhile (do-not-call, the household finished): nothing to give back
    if not open_entry(conn, entry_id):
        reschedule(conn, entry_id, None, NETWORK_TROUBLE)
        return
    settings = bank_store.get(conn, int(attempt["bank_id"])).settings
    failures = conn.execute(
        "SELECT count(*) FROM call_attempts WHERE entry_id = ? AND result = ?",
        (entry_id, NETWORK_TROUBLE),
    ).fetchone()[0]
    decision = decide_network_retry(
        int(failures), attempts_made(conn, entry_id), settings.max_attempts,
        settings.retry_delay_min * 60.0, now,
    )  # fmt: skip
    if decision.gives_back:
        _uncount_attempt(conn, entry_id)
    reschedule(conn, entry_id, decision.retry_at, decision.reason)


def give_back(conn: sqlite3.Connection, attempt: sqlite3.Row, now: float) -> None:
    """A ringing call the appliance itself hung up (the bank stopped) files no outcome: the
    attempt is given back and the number is ready again, as if it had not been dialed."""
    entry_id = attempt["entry_id"]
    if entry_id is None or entry_state(conn, entry_id) != "dialing":
        return
    _uncount_attempt(conn, entry_id)
    reschedule(conn, entry_id, now, STOP_CANCELLED)


def _uncount_attempt(conn: sqlite3.Connection, entry_id: int) -> None:
    """The entry's last attempt does not count against the contact's attempts."""
    conn.execute(
        "UPDATE queue_entries SET attempts = max(attempts - 1, 0) WHERE id = ?", (entry_id,)
    )


# --- What outcomes do to the queue ------------------------------------------------------


def open_entry(conn: sqlite3.Connection, entry_id: int) -> bool:
    """True while the entry is not done and still reaches an unfinished contact."""
    row = conn.execute(
        "SELECT state != 'done' AND EXISTS (SELECT 1 FROM queue_members WHERE entry_id = ?"
        " AND finished = 0) FROM queue_entries WHERE id = ?",
        (entry_id, entry_id),
    ).fetchone()
    return bool(row and row[0])


def entry_state(conn: sqlite3.Connection, entry_id: int) -> str | None:
    row = conn.execute("SELECT state FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
    return str(row[0]) if row else None


def attempts_made(conn: sqlite3.Connection, entry_id: int) -> int:
    row = conn.execute("SELECT attempts FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
    return int(row[0]) if row else 0


def reschedule(conn: sqlite3.Connection, entry_id: int, at: float | None, reason: str) -> None:
    """Back into the waiting lane until ``at``, or done when ``at`` is None."""
    if at is None:
        conn.execute(
            "UPDATE queue_entries SET state = 'done', done_reason = ? WHERE id = ?",
            (reason, entry_id),
        )
        return
    conn.execute(
        "UPDATE queue_entries SET state = 'ready', lane = ?, sort_key = ?, claimed_at = NULL"
        " WHERE id = ?",
        (LANE_WAITING, at, entry_id),
    )


def close_number(conn: sqlite3.Connection, bank_id: int, e164: str, reason: str) -> None:
    conn.execute(
        "UPDATE queue_entries SET state = 'done', done_reason = ? WHERE bank_id = ? AND e164 = ?",
        (reason, bank_id, e164),
    )


def add_dnc(conn: sqlite3.Connection, e164: str, reason: str) -> None:
    """Put the number on the do-not-call list and close it in every bank."""
    conn.execute(
        "INSERT OR IGNORE INTO dnc (e164, reason, source) VALUES (?, ?, 'outcome')", (e164, reason)
    )
    conn.execute(
        "UPDATE queue_entries SET state = 'done', done_reason = 'dnc' WHERE e164 = ?", (e164,)
    )


def mark_wrong_number(
    conn: sqlite3.Connection, e164: str, entry_id: int | None, contact_id: int | None
) -> None:
    contacts = members_of(conn, entry_id) or ([contact_id] if contact_id else [])
    conn.executemany(
        "UPDATE phones SET wrong_number = 1 WHERE e164 = ? AND contact_id = ?",
        [(e164, c) for c in contacts],
    )


def finish_contact(
    conn: sqlite3.Connection, contact_id: int, bank_id: int | None, reason: str
) -> None:
    """The contact is done in ``bank_id`` (every bank when None); emptied entries close."""
    scope = "" if bank_id is None else " AND q.bank_id = ?"
    args: tuple[int, ...] = (contact_id,) if bank_id is None else (contact_id, bank_id)
    entries = [
        int(r[0])
        for r in conn.execute(
            "SELECT m.entry_id FROM queue_members AS m JOIN queue_entries AS q"
            f" ON q.id = m.entry_id WHERE m.contact_id = ?{scope}",
            args,
        )
    ]
    for entry_id in entries:
        conn.execute(
            "UPDATE queue_members SET finished = 1 WHERE entry_id = ? AND contact_id = ?",
            (entry_id, contact_id),
        )
        conn.execute(
            "UPDATE queue_entries SET state = 'done', done_reason = ? WHERE id = ?"
            " AND state IN ('ready', 'claimed') AND NOT EXISTS (SELECT 1 FROM queue_members"
            " WHERE entry_id = ? AND finished = 0)",
            (reason, entry_id, entry_id),
        )


_HOLD = (
    "UPDATE queue_entries SET lane = 0, sort_key = CASE WHEN lane = 0"
    " THEN max(sort_key, {until}) ELSE {until} END"
    " WHERE e164 = ? AND state = 'ready' AND bank_id != ? AND bank_id IN"
    " (SELECT id FROM banks WHERE {cond})"
)


def hold_after_pickup(conn: sqlite3.Connection, e164: str, bank_id: int, until: float) -> None:
    """Re-call protection across banks: hold the number in every bank that applies it."""
    sql = _HOLD.format(until="?", cond="prevent_frequent = 1")
    conn.execute(sql, (until, until, e164, bank_id))


def hold_for_suppression(conn: sqlite3.Connection, e164: str, bank_id: int, now: float) -> None:
    """Hold the number in banks that skip numbers another bank called in their last N h."""
    until = (
        f"({float(now)} + 3600 * (SELECT suppress_hours FROM banks AS b"
        " WHERE b.id = queue_entries.bank_id))"
    )
    sql = _HOLD.format(until=until, cond="suppress_hours IS NOT NULL")
    conn.execute(sql, (e164, bank_id))
