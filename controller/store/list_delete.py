"""Deleting a contact list with its contacts, a batch at a time.

A list of a million contacts took half a minute to delete in one transaction, and the whole
appliance waited for the database meanwhile: a running bank could neither record a call
before dialing it nor hand a person to a volunteer. So a delete goes in three steps:

1. one transaction checks the list (it exists, no bank uses it), marks it as being deleted
   and gives its name back (the row is renamed): from then on the list is gone for every
   other purpose (lists, imports, banks, contact search);
2. its contacts are deleted ``BATCH`` at a time (their numbers, values and tags go with
   them), each batch its own short transaction, so other writes go in between;
3. the list row goes.

A delete cut short (the appliance stopped) leaves a hidden list with some contacts; the
appliance's next start finishes it in the background, and so does the next list delete
(:func:`finish_interrupted`).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from controller.store.db import Database
from controller.store.lists import ListError, ListRef

BATCH = 2_000  # contacts a transaction: about a tenth of a second each (with their numbers)
_HIDDEN_NAME = "\x00deleting list {id}"  # a name no list can be given (control character)


def delete_list(db: Database, ref: ListRef, batch: int | None = None) -> int:
    """Delete a contact list with its contacts (their numbers, values and tags go too).

    ``ref`` is the list a reference was resolved to (:func:`lists.resolve`): the list with
    its id goes, even if renamed since. Refused (``ListError``, nothing changed) when there
    is no such list, or while any bank uses it, even a stopped one (its results name those
    contacts). Returns how many contacts were deleted.
    """
    finish_interrupted(db, batch)
    removed = _mark(db, ref)
    _delete_marked(db, ref.id, batch or BATCH)
    return removed


def finish_interrupted(
    db: Database, batch: int | None = None, stop: threading.Event | None = None
) -> list[int]:
    """Finish the deletes that were cut short (until ``stop`` is set: then the rest waits
    for the next time); the ids of the lists deleted."""
    with db.read() as conn:
        ids = [int(r[0]) for r in conn.execute(
            "SELECT id FROM lists WHERE deleting_since IS NOT NULL ORDER BY id"
        )]  # fmt: skip
    done = []
    for list_id in ids:
        if _delete_marked(db, list_id, batch or BATCH, stop):
            done.append(list_id)
    return done


def _mark(db: Database, ref: ListRef) -> int:
    with db.write() as conn:
        row = conn.execute("SELECT 1 FROM live_lists WHERE id = ?", (ref.id,)).fetchone()
        if row is None:
            raise ListError("no_such_list", f"there is no contact list {ref.name!r}")
        rows = conn.execute("SELECT id FROM banks WHERE list_id = ? ORDER BY id", (ref.id,))
        banks = [str(r[0]) for r in rows]
        if banks:
            raise ListError(
                "list_in_use",
                f"list {ref.name!r} is used by bank {', '.join(banks)};"
                " a list a bank uses cannot be deleted",
            )
        count = conn.execute("SELECT count(*) FROM contacts WHERE list_id = ?", (ref.id,))
        conn.execute(
            "UPDATE lists SET deleting_since = ?, name = ? WHERE id = ?",
            (datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             _HIDDEN_NAME.format(id=ref.id), ref.id),
        )  # fmt: skip
        return int(count.fetchone()[0])


def _delete_marked(
    db: Database, list_id: int, batch: int, stop: threading.Event | None = None
) -> bool:
    """Delete the marked list's contacts a batch at a time, then the list; False if
    ``stop`` came first."""
    while stop is None or not stop.is_set():
        with db.write() as conn:
            gone = conn.execute(
                "DELETE FROM contacts WHERE id IN"
                " (SELECT id FROM contacts WHERE list_id = ? LIMIT ?)",
                (list_id, batch),
            ).rowcount
            if gone < batch:  # the last batch: the list goes with it
                conn.execute(
                    "DELETE FROM lists WHERE id = ? AND deleting_since IS NOT NULL", (list_id,)
                )
                return True
    return False
