"""Call attempts and dispositions: durable before they are acknowledged.

- :func:`record_attempt` is written *before* the dial (the number must be claimed); it
  stamps *Last Called At* on the contacts and queues its CRM rows, held until the call went
  out (:mod:`controller.store.call_marks`).
- :func:`mark_answered` / :func:`record_end` follow the call; a call that went out releases
  those rows and holds the number in banks that suppress numbers another bank just called;
  an unbridged end (busy, no answer, machine, failed, dropped) records its automatic
  disposition; a call the phone network could not carry records none, takes back its
  stamps and unsent rows, and goes back to the queue
  (:func:`controller.store.outcome_effects.network_retry`).
- :func:`record_disposition` stores an outcome and applies its policy (retry, final for the
  contact or the number, do-not-call, complete in every bank) in the same transaction
  (:mod:`controller.store.outcome_effects`).

Each takes the writer connection (inside ``db.write()``), so the CRM outbox rows queued
here commit or roll back with the fact itself.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from controller.errors import PhonebankError
from controller.model.fields import CALL_OUTCOME, LAST_CALLED_AT
from controller.model.outcomes import (
    NETWORK_TROUBLE,
    STOP_CANCELLED,
    OutcomeError,
    outcome,
    outcome_for_result,
)
from controller.store import call_marks, outbox_enqueue
from controller.store.outcome_effects import (
    apply_policy,
    give_back,
    hold_for_suppression,
    network_retry,
)
from controller.store.queue import Claim, members_of, members_to_call
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
    if result == STOP_CANCELLED:
        give_back(conn, row, now)
        return []
    if result in ("human", "bridged", "completed"):
        return []
    try:
        item = outcome_for_result(result)
    except OutcomeError as exc:
        raise AttemptError(exc.code, str(exc)) from exc
    members = members_to_call(conn, row["entry_id"]) or [row["contact_id"]]
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
    apply_policy(conn, attempt, item, contact_id, now)
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
