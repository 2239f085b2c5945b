"""Turning call facts into outbox rows, inside the transaction that records the fact.

Call these with the writer connection, in the same ``db.write()`` block that inserts the
attempt or disposition: the sync rows then commit (or roll back) together with it.

- :func:`enqueue_for_attempt` -- every attempt stamps *Last Called At*; its rows wait until
  the call is known to have gone out (:func:`release_for_attempt`), and a call the phone
  network never carried takes them back unsent (:func:`withdraw_for_attempt`);
- :func:`enqueue_for_disposition` -- every outcome sets *Call Outcome* (and feeds the webhook);
- :func:`enqueue_for_answer` -- a script answer of a field-linked block (survey question or
  activist code in VAN);
- :func:`enqueue_field_value` -- any other field value.

VAN treats responses as implying the result "Canvassed": when a call already queued script
responses for a contact, its Completed outcome is not posted again as a result code (the
row is kept as ``skipped`` with code ``canvassed_implied``).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from controller.ids import parse_id
from controller.model.fields import CALL_OUTCOME, LAST_CALLED_AT
from controller.model.outcomes import OutcomeError, outcome
from controller.store import queue
from controller.store.outbox import enqueue
from controller.store.sync_settings import Instruction, find_instruction, get_webhook_settings

# An attempt's rows wait for the call's end (or its answer) at most this long: a call the
# network could not carry gives them back unsent; one still on after this is sent anyway.
ATTEMPT_SYNC_HOLD = 3600.0


def _van_id(raw: Any) -> int | None:
    van_id = parse_id(str(raw or ""))
    return van_id if van_id else None


def _contact(conn: sqlite3.Connection, contact_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT id, van_id FROM contacts WHERE id = ?", (contact_id,)).fetchone()


def _phone_id(conn: sqlite3.Connection, phone_id: int | None, attempt_id: int | None) -> int | None:
    """The VAN phone id of the dialed phone (given, or the attempt's)."""
    if phone_id is None and attempt_id is not None:
        row = conn.execute(
            "SELECT phone_id FROM call_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        phone_id = row["phone_id"] if row else None
    if phone_id is None:
        return None
    row = conn.execute("SELECT van_phone_id FROM phones WHERE id = ?", (phone_id,)).fetchone()
    return _van_id(row["van_phone_id"]) if row else None


def enqueue_field_value(
    conn: sqlite3.Connection,
    *,
    contact_id: int,
    field_name: str,
    value: str,
    source_kind: str,
    source_id: int,
    at: str,
    phone_id: int | None = None,
    bank_id: int | None = None,
    attempt_id: int | None = None,
    not_before: float = 0.0,
) -> list[int]:
    """Queue the VAN canvass response the field's sync instruction asks for, if any.

    A contact without a usable VanID gets a ``skipped`` row with the reason. Returns the
    new row ids (empty when no instruction applies or the fact was already queued).
    """
    instruction = find_instruction(conn, field_name, value)
    if instruction is None:
        return []
    contact = _contact(conn, contact_id)
    van_id = _van_id(contact["van_id"]) if contact else None
    payload = {
        "vanId": van_id,
        "dateCanvassed": at,
        "contactType": instruction.contact_type,
        "inputType": instruction.input_type,
        "phoneId": _phone_id(conn, phone_id, attempt_id),
        "resultCode": instruction.result_code,
        "responses": instruction.responses(),
        "field": instruction.field_name,
        "value": value,
        "attemptId": attempt_id,
    }
    skip = _skip_reason(conn, contact, contact_id, van_id, instruction, attempt_id)
    row_id = enqueue(
        conn,
        target="van",
        dedupe_key=f"{source_kind}:{source_id}:{instruction.id}:{contact_id}",
        source_kind=source_kind,
        source_id=source_id,
        contact_id=contact_id,
        bank_id=bank_id,
        instruction_id=instruction.id,
        payload=payload,
        skip=skip,
        not_before=not_before,
    )
    return [row_id] if row_id else []


def _skip_reason(
    conn: sqlite3.Connection,
    contact: sqlite3.Row | None,
    contact_id: int,
    van_id: int | None,
    instruction: Instruction,
    attempt_id: int | None,
) -> tuple[str, str] | None:
    if contact is None:
        return ("unknown_contact", f"contact {contact_id} does not exist")
    if van_id is None:
        raw = contact["van_id"]
        reason = "contact has no VanID" if not raw else f"VanID {raw!r} is not a number"
        return ("no_van_id", reason)
    canvassed = (instruction.result_code or "").lower() == "canvassed"
    if canvassed and _has_responses(conn, contact_id, attempt_id):
        return ("canvassed_implied", "script responses of this call already imply Canvassed")
    return None


def _has_responses(conn: sqlite3.Connection, contact_id: int, attempt_id: int | None) -> bool:
    if attempt_id is None:
        return False
    row = conn.execute(
        "SELECT 1 FROM sync_outbox WHERE target = 'van' AND status != 'skipped'"
        " AND contact_id = ? AND json_extract(payload, '$.attemptId') = ?"
        " AND json_extract(payload, '$.responses') IS NOT NULL LIMIT 1",
        (contact_id, attempt_id),
    ).fetchone()
    return row is not None


def enqueue_for_attempt(conn: sqlite3.Connection, attempt_id: int) -> list[int]:
    """Queue the sync of *Last Called At* for one dial attempt (each household member),
    held back until the call ends or is answered (:data:`ATTEMPT_SYNC_HOLD` at most)."""
    row = conn.execute(
        "SELECT id, bank_id, entry_id, contact_id, phone_id, started_at FROM call_attempts"
        " WHERE id = ?",
        (attempt_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"no call attempt {attempt_id}")
    members = queue.members_to_call(conn, row["entry_id"]) or [row["contact_id"]]
    started = datetime.fromisoformat(str(row["started_at"])).timestamp()
    ids: list[int] = []
    for contact_id in (c for c in members if c is not None):
        ids += enqueue_field_value(
            conn,
            contact_id=contact_id,
            field_name=LAST_CALLED_AT,
            value=str(row["started_at"]),
            source_kind="attempt",
            source_id=row["id"],
            at=str(row["started_at"]),
            phone_id=row["phone_id"],
            bank_id=row["bank_id"],
            attempt_id=row["id"],
            not_before=started + ATTEMPT_SYNC_HOLD,
        )
    return ids


def release_for_attempt(conn: sqlite3.Connection, attempt_id: int) -> None:
    """The attempt's call went out (it ended, not in network trouble, or was answered):
    its held rows are due now."""
    conn.execute(
        "UPDATE sync_outbox SET next_attempt_at = 0 WHERE source_kind = 'attempt'"
        " AND source_id = ? AND status = 'pending' AND attempts = 0",
        (attempt_id,),
    )


def withdraw_for_attempt(conn: sqlite3.Connection, attempt_id: int) -> int:
    """The phone network never carried the attempt's call: its rows not sent yet (pending
    or skipped) are deleted, so nothing reports a call that did not happen. Returns how many."""
    cur = conn.execute(
        "DELETE FROM sync_outbox WHERE source_kind = 'attempt' AND source_id = ?"
        " AND status IN ('pending', 'skipped')",
        (attempt_id,),
    )
    return cur.rowcount


def enqueue_for_answer(conn: sqlite3.Connection, answer_id: int) -> list[int]:
    """Queue the sync of one script answer whose block is linked to a custom field."""
    row = conn.execute(
        "SELECT s.id, s.attempt_id, s.bank_id, s.contact_id, s.answer, s.created_at,"
        " f.name AS field_name, a.phone_id FROM script_answers AS s"
        " JOIN custom_fields AS f ON f.id = s.field_id"
        " LEFT JOIN call_attempts AS a ON a.id = s.attempt_id WHERE s.id = ?",
        (answer_id,),
    ).fetchone()
    if row is None:
        return []
    return enqueue_field_value(
        conn,
        contact_id=row["contact_id"],
        field_name=row["field_name"],
        value=str(row["answer"]),
        source_kind="script_answer",
        source_id=row["id"],
        at=str(row["created_at"]),
        phone_id=row["phone_id"],
        bank_id=row["bank_id"],
        attempt_id=row["attempt_id"],
    )


def outcome_label(stored: str) -> str:
    """The Call Outcome value for a stored outcome (its code like ``no_answer`` or label)."""
    try:
        return outcome(stored).label
    except OutcomeError:
        return stored


def enqueue_for_disposition(conn: sqlite3.Connection, disposition_id: int) -> list[int]:
    """Queue the sync of *Call Outcome* for one disposition, and its webhook event."""
    row = conn.execute(
        "SELECT d.id, d.attempt_id, d.bank_id, d.contact_id, d.outcome, d.volunteer_id,"
        " d.created_at, a.phone_id, a.e164 FROM dispositions AS d"
        " LEFT JOIN call_attempts AS a ON a.id = d.attempt_id WHERE d.id = ?",
        (disposition_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"no disposition {disposition_id}")
    label = outcome_label(str(row["outcome"]))
    ids = enqueue_field_value(
        conn,
        contact_id=row["contact_id"],
        field_name=CALL_OUTCOME,
        value=label,
        source_kind="disposition",
        source_id=row["id"],
        at=str(row["created_at"]),
        phone_id=row["phone_id"],
        bank_id=row["bank_id"],
        attempt_id=row["attempt_id"],
    )
    if get_webhook_settings(conn).configured:
        webhook_id = _enqueue_webhook(conn, row, label)
        ids.extend([webhook_id] if webhook_id else [])
    return ids


def _enqueue_webhook(conn: sqlite3.Connection, row: sqlite3.Row, label: str) -> int | None:
    contact = _contact(conn, row["contact_id"])
    payload = {
        "event": "call.outcome",
        "disposition_id": row["id"],
        "attempt_id": row["attempt_id"],
        "bank_id": row["bank_id"],
        "contact_id": row["contact_id"],
        "van_id": contact["van_id"] if contact else None,
        "phone": row["e164"],
        "outcome": label,
        "outcome_code": str(row["outcome"]),
        "volunteer_id": row["volunteer_id"],
        "created_at": str(row["created_at"]),
    }
    return enqueue(
        conn,
        target="webhook",
        dedupe_key=f"disposition:{row['id']}",
        source_kind="disposition",
        source_id=row["id"],
        contact_id=row["contact_id"],
        bank_id=row["bank_id"],
        payload=payload,
    )
