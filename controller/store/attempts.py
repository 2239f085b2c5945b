"""Call attempts and dispositions: durable before they are acknowledged.

- :func:`record_attempt` is written *before* the dial (the number must be claimed); it
  stamps *Last Called At* on the contacts and queues its CRM rows, held until the call went
  out (:mod:`controller.store.call_marks`).
- :func:`mark_answered` / :func:`record_end` follow the call; a call that went out releases
  those rows and holds the number in banks that suppress numbers another bank just called;
  an unbridged end (busy, no answer, machine, failed, dropped) records its automatic
  disposition; a call the phone network could not carry records none, takes back its
  stamps and unsent rows, and goes back to the queue (:func:`network_retry`).
- :func:`record_disposition` stores an outcome and applies its policy (retry, final for the
  contact or the number, do-not-call, complete in every bank) in the same transaction.

Each takes the writer connection (inside ``db.write()``), so the CRM outbox rows queued
here commit or roll back with the fact itself.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from controller.errors import PhonebankError
from controller.model.compliance import RECALL_BLOCK
from controller.model.fields import CALL_OUTCOME, LAST_CALLED_AT
from controller.model.outcomes import (
    NETWORK_TROUBLE,
    Outcome,
    OutcomeError,
    Policy,
    decide_network_retry,
    decide_retry,
    outcome,
    outcome_for_result,
)
from controller.model.queue import LANE_WAITING
from controller.store import banks as bank_store
from controller.store import call_marks, outbox_enqueue
from controller.store.queue import Claim, members_of
from controller.store.results import iso, record_event


class AttemptError(PhonebankError):
    """A call attempt or disposition that cannot be recorded."""


def set_field_value(
    conn: sqlite3.Connection, contact_id: int, field: str | int, value: str, bank_id: int, at: str
) -> None:
    """Set one custom field of a contact (by field id or name)."""
    if isinstance(field, str):
        row = conn.execute(
            "SELECT id FROM custom_fields WHERE name = ? COLLATE NOCASE", (field,)
        ).fetchone()
        if row is None:
            raise AttemptError("unknown_field", f"there is no custom field {field!r}")
        field = int(row["id"])
    conn.execute(
        "INSERT INTO contact_field_values (contact_id, field_id, value, bank_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (contact_id, field_id) DO UPDATE SET"
        " value = excluded.value, bank_id = excluded.bank_id, updated_at = excluded.updated_at",
        (contact_id, field, value, bank_id, at),
    )


def record_attempt(
    conn: sqlite3.Connection,
    claim: Claim,
    call_id: str,
    now: float,
    caller_id: str | None = None,
    volunteer_id: int | None = None,
) -> int:
    """Write the attempt for a claimed number; call this before dialing it."""
    row = conn.execute("SELECT state FROM queue_entries WHERE id = ?", (claim.entry_id,)).fetchone()
    if row is None or row["state"] != "claimed":
        raise AttemptError("not_claimed", f"entry {claim.entry_id} is not claimed for dialing")
    try:
        cur = conn.execute(
            "INSERT INTO call_attempts (bank_id, entry_id, contact_id, phone_id, e164, call_id,"
            " caller_id, volunteer_id, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (claim.bank_id, claim.entry_id, claim.contact_id, claim.phone_id, claim.e164,
             call_id, caller_id, volunteer_id, iso(now)),
        )  # fmt: skip
    except sqlite3.IntegrityError as exc:
        raise AttemptError("duplicate_call_id", f"call id {call_id!r} already recorded") from exc
    attempt_id = int(cur.lastrowid or 0)
    conn.execute(
        "UPDATE queue_entries SET state = 'dialing', attempts = attempts + 1 WHERE id = ?",
        (claim.entry_id,),
    )
    for member in claim.members:
        set_field_value(conn, member.contact_id, LAST_CALLED_AT, iso(now), claim.bank_id, iso(now))
    outbox_enqueue.enqueue_for_attempt(conn, attempt_id)
    return attempt_id


def _attempt(conn: sqlite3.Connection, attempt_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM call_attempts WHERE id = ?", (attempt_id,)).fetchone()
    if row is None:
        raise AttemptError("unknown_attempt", f"there is no call attempt {attempt_id}")
    return row


def mark_answered(
    conn: sqlite3.Connection, attempt_id: int, now: float, amd_status: str | None = None
) -> None:
    _attempt(conn, attempt_id)
    conn.execute(
        "UPDATE call_attempts SET answered_at = coalesce(answered_at, ?), amd_status = ?"
        " WHERE id = ?",
        (iso(now), amd_status, attempt_id),
    )
    call_marks.went_out(conn, attempt_id)


def record_bridge(
    conn: sqlite3.Connection, attempt_id: int, volunteer_id: int, now: float | None = None
) -> None:
    """The answered callee was handed to ``volunteer_id`` (counts as a call performed)."""
    row = _attempt(conn, attempt_id)
    conn.execute(
        "UPDATE call_attempts SET volunteer_id = ? WHERE id = ?", (volunteer_id, attempt_id)
    )
    when = now if now is not None else datetime.now(UTC).timestamp()
    record_event(conn, int(row["bank_id"]), "performed", volunteer_id, when)


def record_end(
    conn: sqlite3.Connection, attempt_id: int, now: float, result: str, cause: str | None = None
) -> list[int]:
    """Close the call; unbridged results get their automatic disposition (ids returned)."""
    row = _attempt(conn, attempt_id)
    if row["ended_at"] is not None:
        raise AttemptError("already_ended", f"call attempt {attempt_id} has already ended")
    conn.execute(
        "UPDATE call_attempts SET ended_at = ?, result = ?, cause = ? WHERE id = ?",
        (iso(now), result, cause, attempt_id),
    )
    if result == NETWORK_TROUBLE:
        call_marks.never_carried(conn, row)
        network_retry(conn, row, now)
        return []
    call_marks.went_out(conn, attempt_id)
    started = datetime.fromisoformat(str(row["started_at"])).timestamp()
    hold_for_suppression(conn, str(row["e164"]), int(row["bank_id"]), started)
    if result in ("human", "bridged", "completed"):
        return []
    try:
        item = outcome_for_result(result)
    except OutcomeError as exc:
        raise AttemptError(exc.code, str(exc)) from exc
    members = members_of(conn, row["entry_id"]) or [row["contact_id"]]
    return [record_disposition(conn, attempt_id, item.code, c, None, "", now) for c in members]


def record_disposition(
    conn: sqlite3.Connection,
    attempt_id: int,
    outcome_code: str,
    contact_id: int | None,
    volunteer_id: int | None,
    notes: str,
    now: float,
) -> int:
    """Store one outcome for one contact of a call and apply its policy."""
    attempt = _attempt(conn, attempt_id)
    try:
        item = outcome(outcome_code)
    except OutcomeError as exc:
        raise AttemptError(exc.code, str(exc)) from exc
    contact_id = _resolve_contact(contact_id, members_of(conn, attempt["entry_id"]))
    try:
        cur = conn.execute(
            "INSERT INTO dispositions (attempt_id, bank_id, contact_id, outcome, volunteer_id,"
            " notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (attempt_id, attempt["bank_id"], contact_id, item.code, volunteer_id, notes, iso(now)),
        )
    except sqlite3.IntegrityError as exc:
        raise AttemptError("already_dispositioned", "this call already has that outcome") from exc
    if contact_id is not None:
        set_field_value(conn, contact_id, CALL_OUTCOME, item.label, attempt["bank_id"], iso(now))
    _apply_policy(conn, attempt, item, contact_id, now)
    disposition_id = int(cur.lastrowid or 0)
    if contact_id is not None:
        outbox_enqueue.enqueue_for_disposition(conn, disposition_id)
    if volunteer_id is not None:
        record_event(conn, int(attempt["bank_id"]), "reported", volunteer_id, now)
        conn.execute(  # the reporting volunteer handled the call, if nobody was recorded
            "UPDATE call_attempts SET volunteer_id = ? WHERE id = ? AND volunteer_id IS NULL",
            (volunteer_id, attempt_id),
        )
    return disposition_id


def _resolve_contact(contact_id: int | None, members: list[int]) -> int | None:
    if contact_id is None:
        if len(members) > 1:
            raise AttemptError("contact_required", "say which household member this is for")
        return members[0] if members else None
    if members and contact_id not in members:
        raise AttemptError("not_in_call", f"contact {contact_id} was not reached by this call")
    return contact_id


def _apply_policy(
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
    if item.picked_up and settings.prevent_frequent:
        hold_after_pickup(conn, e164, bank_id, now + block)
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
    no outcome is filed (:func:`record_end` has taken back its *Last Called At* and unsent
    CRM rows); the number goes back to the queue after the retry delay and, the first few
    times, the attempt is given back (:func:`decide_network_retry`)."""
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
        conn.execute(
            "UPDATE queue_entries SET attempts = max(attempts - 1, 0) WHERE id = ?", (entry_id,)
        )
    reschedule(conn, entry_id, decision.retry_at, decision.reason)


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
