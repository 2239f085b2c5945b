"""What a call attempt leaves on its contacts and in the CRM outbox, and how a call the
phone network never carried takes it back.

The attempt is written before the dial and stamps *Last Called At* at once; its CRM rows
wait in the outbox until the call is known to have gone out (it ended, not in network
trouble, or was answered: :func:`went_out`). A call the network never carried
(:func:`never_carried`, in the transaction that gives the attempt back) restores each
contact's previous *Last Called At* (the latest other attempt's time, or none) and deletes
the attempt's unsent outbox rows: nothing reports a call that did not happen.
"""

from __future__ import annotations

import sqlite3

from controller.model.fields import LAST_CALLED_AT
from controller.model.outcomes import NETWORK_TROUBLE
from controller.store import outbox_enqueue
from controller.store.queue import members_of


def went_out(conn: sqlite3.Connection, attempt_id: int) -> None:
    """The call reached the network: the attempt's held CRM rows are due now."""
    outbox_enqueue.release_for_attempt(conn, attempt_id)


def never_carried(conn: sqlite3.Connection, attempt: sqlite3.Row) -> None:
    """Undo the attempt's *Last Called At* stamps and its unsent CRM rows."""
    outbox_enqueue.withdraw_for_attempt(conn, int(attempt["id"]))
    field = conn.execute(
        "SELECT id FROM custom_fields WHERE name = ? COLLATE NOCASE", (LAST_CALLED_AT,)
    ).fetchone()
    if field is None:
        return
    members = members_of(conn, attempt["entry_id"]) or [attempt["contact_id"]]
    for contact_id in (c for c in members if c is not None):
        _restore(conn, attempt, int(contact_id), int(field["id"]))


def _restore(conn: sqlite3.Connection, attempt: sqlite3.Row, contact_id: int, field: int) -> None:
    """Put back the contact's previous stamp, unless a later attempt stamped it since."""
    current = conn.execute(
        "SELECT value, bank_id FROM contact_field_values WHERE contact_id = ? AND field_id = ?",
        (contact_id, field),
    ).fetchone()
    if current is None or tuple(current) != (attempt["started_at"], attempt["bank_id"]):
        return
    previous = conn.execute(
        "SELECT started_at, bank_id FROM call_attempts WHERE id != ?"
        " AND (result IS NULL OR result != ?) AND (contact_id = ? OR entry_id IN"
        " (SELECT entry_id FROM queue_members WHERE contact_id = ?))"
        " ORDER BY started_at DESC, id DESC LIMIT 1",
        (attempt["id"], NETWORK_TROUBLE, contact_id, contact_id),
    ).fetchone()
    if previous is None:
        conn.execute(
            "DELETE FROM contact_field_values WHERE contact_id = ? AND field_id = ?",
            (contact_id, field),
        )
        return
    conn.execute(
        "UPDATE contact_field_values SET value = ?, bank_id = ?, updated_at = ?"
        " WHERE contact_id = ? AND field_id = ?",
        (previous["started_at"], previous["bank_id"], previous["started_at"], contact_id, field),
    )
