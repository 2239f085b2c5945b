"""Call attempts and dispositions: durable before they are acknowledged.

- :func:`record_attempt` is written *before* the dial (the number must be claimed); it
  stamps *Last Called At* on the contacts and holds the number in banks that suppress
  numbers another bank just called.
- :func:`mark_answered` / :func:`record_end` follow the call; an unbridged end (busy, no
  answer, machine, failed, dropped) records its automatic disposition.
- :func:`record_disposition` stores an outcome and applies its policy (retry, final for the
  contact or the number, do-not-call, complete in every bank) in the same transaction.

Each takes the writer connection (inside ``db.write()``), so the CRM outbox rows queued
here commit or roll back with the fact itself.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from controller.model.compliance import RECALL_BLOCK
from controller.model.outcomes import (
    Outcome,
    OutcomeError,
    Policy,
    decide_retry,
    outcome,
    outcome_for_result,
)
from controller.store import banks as bank_store
from controller.store import outbox_enqueue, queue
from controller.store.queue import Claim


class AttemptError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


LAST_CALLED_AT = "Last Called At"
CALL_OUTCOME = "Call Outcome"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    queue.hold_for_suppression(conn, claim.e164, claim.bank_id, now)
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


def record_bridge(conn: sqlite3.Connection, attempt_id: int, volunteer_id: int) -> None:
    """The answered callee was handed to ``volunteer_id``."""
    _attempt(conn, attempt_id)
    conn.execute(
        "UPDATE call_attempts SET volunteer_id = ? WHERE id = ?", (volunteer_id, attempt_id)
    )


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
    if result in ("human", "bridged", "completed"):
        return []
    try:
        item = outcome_for_result(result)
    except OutcomeError as exc:
        raise AttemptError(exc.code, str(exc)) from exc
    members = queue.members_of(conn, row["entry_id"]) or [row["contact_id"]]
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
    contact_id = _resolve_contact(contact_id, queue.members_of(conn, attempt["entry_id"]))
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
        queue.add_dnc(conn, e164, f"outcome in bank {bank_id}")
    elif item.policy is Policy.FINAL_NUMBER:
        queue.close_number(conn, bank_id, e164, item.code)
        if item.marks_wrong_number:
            queue.mark_wrong_number(conn, e164, entry_id, attempt["contact_id"])
    elif contact is not None and item.policy is not Policy.RETRY:
        scope = None if item.policy is Policy.COMPLETE else bank_id
        queue.finish_contact(conn, contact, scope, item.code)
    block = RECALL_BLOCK.total_seconds() if settings.prevent_frequent else 0.0
    if item.picked_up and settings.prevent_frequent:
        queue.hold_after_pickup(conn, e164, bank_id, now + block)
    if entry_id is None or queue.entry_state(conn, entry_id) == "done":
        return
    if not queue.open_entry(conn, entry_id):
        queue.reschedule(conn, entry_id, None, item.code)
        return
    made = queue.attempts_made(conn, entry_id)
    retry_item = item if item.policy is Policy.RETRY else outcome("not_home")
    decision = decide_retry(
        retry_item, made, settings.max_attempts, settings.retry_delay_min * 60.0, now, block
    )
    queue.reschedule(conn, entry_id, decision.retry_at, decision.reason)
