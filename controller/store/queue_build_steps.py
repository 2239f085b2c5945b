"""Starting a bank on a big list without holding the writer: the queue is built in steps.

:func:`start_in_steps` checks that the bank may start (a refused start writes nothing), then,
on a connection of its own, copies the list's eligible numbers to a temporary table (a read:
the writer goes on), adds their entries in transactions of a few thousand numbers each, in
number order, while the bank is still published (only running banks are claimed from), and
last, in one short transaction, adds the rest and starts the bank. Other writes go in
between the steps.

Restart-safe: each step is one transaction and the next one carries on after the highest
number already stored, so a start interrupted by a restart resumes when started again; the
queue is marked built only in the final transaction. If the list gained numbers or the bank's
list or household rule changed meanwhile, the final transaction rebuilds the queue in one go
(:func:`controller.store.queue_build.build`), so a started bank's queue is always complete.

While it runs the start holds the bank's start lock and records how many numbers the queue
will hold, so pages and commands can tell a start in progress from an interrupted one and
say how far it has got (:mod:`controller.store.start_progress`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from controller.model import banks as model
from controller.model.banks import Bank, BankError, Household
from controller.store import banks as bank_store
from controller.store import queue_build, start_progress
from controller.store.db import Database, connect, transaction

STEP = 20_000  # numbers per transaction: well under a second each on a 1M-contact list
TABLE = "queue_steps"


@dataclass(frozen=True)
class Snapshot:
    """What the steps were built from."""

    list_id: int
    each: bool
    last_phone: int


def start_in_steps(
    db: Database,
    bank_id: int,
    now: datetime,
    actor: str = "",
    step: int = STEP,
    wait: bool = True,
    on_steps: Callable[[int], None] | None = None,
) -> Bank:
    """Start the bank as :func:`controller.store.banks.start` does, building its queue first
    in short transactions (nothing is built if the start is refused).

    Holds the bank's start lock (:mod:`controller.store.start_progress`) meanwhile: another
    start of the bank waits for it (``wait``) or is refused with ``already_starting``.
    ``on_steps(total)`` is called, from this thread, when the queue of ``total`` numbers
    takes more than one step to build (so a caller may answer before it is done)."""
    with start_progress.building(db.path, bank_id, wait):
        return _start(db, bank_id, now, actor, step, on_steps)


def _start(
    db: Database,
    bank_id: int,
    now: datetime,
    actor: str,
    step: int,
    on_steps: Callable[[int], None] | None,
) -> Bank:
    conn = connect(db.path)
    try:
        with transaction(conn):
            bank = bank_store.get(conn, bank_id)
            model.start(bank, now)  # a refused start raises here, before anything is written
            built = queue_build.is_built(conn, bank_id)
        snap = None if built else _snapshot(conn, bank)
        if snap is not None:
            total = _record_total(conn, bank_id, snap)
            if on_steps is not None and total > step:
                on_steps(total)
        while snap is not None and build_step(conn, bank_id, snap, step):
            pass
        with transaction(conn):
            if snap is not None:
                _complete(conn, bank_id, snap)
            return bank_store.start(conn, bank_id, now, actor)
    finally:
        conn.close()


def start_due(db: Database, now: datetime) -> list[int]:
    """Start, each in steps, every published bank whose scheduled start has come; returns the
    ids started (a bank another start got to first, is starting, or is now refused, is left
    as it is)."""
    with db.read() as conn:
        due = [b.id for b in bank_store.list_all(conn, "published") if model.due_to_start(b, now)]
    started = []
    for bank_id in due:
        assert bank_id is not None
        try:
            start_in_steps(db, bank_id, now, actor="schedule", wait=False)
        except BankError:
            continue
        started.append(bank_id)
    return started


def _snapshot(conn: sqlite3.Connection, bank: Bank) -> Snapshot:
    """The list's eligible numbers in a temporary table, from one read of the database."""
    list_id = int(bank.settings.list_id or 0)
    with transaction(conn, "BEGIN"):
        last = int(conn.execute("SELECT coalesce(max(id), 0) FROM phones").fetchone()[0])
        queue_build.fill(conn, TABLE, list_id)
    _drop_other_steps(conn, bank.id or 0)
    return Snapshot(list_id, bank.settings.household is Household.EACH_CONTACT, last)


def _record_total(conn: sqlite3.Connection, bank_id: int, snap: Snapshot) -> int:
    """The number of entries the snapshot gives, stored for the progress shown meanwhile."""
    counted = "count(*)" if snap.each else "count(DISTINCT e164)"
    total = int(conn.execute(f"SELECT {counted} FROM temp.{TABLE}").fetchone()[0])
    with transaction(conn):
        conn.execute("UPDATE banks SET queue_steps_total = ? WHERE id = ?", (total, bank_id))
    return total


def build_step(conn: sqlite3.Connection, bank_id: int, snap: Snapshot, step: int) -> bool:
    """Add the next ``step`` numbers' entries in one transaction; False when at most
    ``step`` numbers are left (the final transaction adds them) or when the list gained
    numbers since the snapshot (so a second start running beside this one, from a later
    snapshot, never finds entries that miss them)."""
    with transaction(conn):
        after = _last_stored(conn, bank_id)
        row = conn.execute(
            f"SELECT e164 FROM temp.{TABLE} WHERE e164 > ? ORDER BY e164 LIMIT 1 OFFSET ?",
            (after, step),
        ).fetchone()
        if row is None or queue_build.is_built(conn, bank_id) or _numbers_added(conn, snap):
            return False  # done, or the list changed: the final transaction rebuilds
        queue_build.insert_range(conn, bank_id, snap.each, TABLE, after, str(row[0]))
        return True


def _last_stored(conn: sqlite3.Connection, bank_id: int) -> str:
    row = conn.execute("SELECT max(e164) FROM queue_entries WHERE bank_id = ?", (bank_id,))
    return str(row.fetchone()[0] or "")


def _complete(conn: sqlite3.Connection, bank_id: int, snap: Snapshot) -> None:
    """In the starting transaction: the last numbers, or a rebuild in one go if the list or
    the bank changed since the snapshot (then :func:`queue_build.build` replaces the steps)."""
    if queue_build.is_built(conn, bank_id):
        return
    bank = bank_store.get(conn, bank_id)
    same = (
        int(bank.settings.list_id or 0) == snap.list_id
        and (bank.settings.household is Household.EACH_CONTACT) == snap.each
        and not _numbers_added(conn, snap)
    )
    if same:
        after = _last_stored(conn, bank_id)
        queue_build.insert_range(conn, bank_id, snap.each, TABLE, after, queue_build.LAST_NUMBER)
        queue_build.finish(conn, bank_id)


def _numbers_added(conn: sqlite3.Connection, snap: Snapshot) -> bool:
    """Whether the list has numbers newer than the snapshot (a seek on the phone ids)."""
    return (
        conn.execute(
            "SELECT 1 FROM phones AS p WHERE p.id > ? AND EXISTS (SELECT 1 FROM contacts AS c"
            " WHERE c.id = p.contact_id AND c.list_id = ?) LIMIT 1",
            (snap.last_phone, snap.list_id),
        ).fetchone()
        is not None
    )


def _drop_other_steps(conn: sqlite3.Connection, bank_id: int) -> None:
    """Entries stored by an interrupted earlier start stay only if they are exactly this
    snapshot's up to the last stored number (the list or the bank may have changed since)."""
    after = _last_stored(conn, bank_id)
    if not after:
        return
    with transaction(conn, "BEGIN"):
        stored = conn.execute(
            "SELECT count(*) FROM queue_members AS m JOIN queue_entries AS q"
            " ON q.id = m.entry_id WHERE q.bank_id = ?",
            (bank_id,),
        ).fetchone()[0]
        same = (
            stored
            == conn.execute(
                f"SELECT count(*) FROM temp.{TABLE} WHERE e164 <= ?", (after,)
            ).fetchone()[0]
            and not conn.execute(
                f"SELECT e164, contact_id, phone_id FROM temp.{TABLE} WHERE e164 <= ? EXCEPT"
                " SELECT q.e164, m.contact_id, m.phone_id FROM queue_members AS m"
                " JOIN queue_entries AS q ON q.id = m.entry_id WHERE q.bank_id = ? LIMIT 1",
                (after, bank_id),
            ).fetchone()
        )
    if not same:
        with transaction(conn):
            if not queue_build.is_built(conn, bank_id):
                conn.execute("DELETE FROM queue_entries WHERE bank_id = ?", (bank_id,))
