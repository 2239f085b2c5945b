"""How far a bank's start has got while its queue is built in steps, and whether it is still
building or was interrupted.

A start building its queue (:func:`controller.store.queue_build_steps.start_in_steps`) holds
an exclusive lock on ``<database>.starting/<bank id>.lock`` beside the database file for as
long as it runs, whichever process runs it (the admin page, ``phonebank bank start``, the
engine's scheduled starts). The operating system drops the lock when that process ends, so:

- lock held: the bank is *starting*; a second start is refused (``already_starting``);
- no lock, but queue entries stored and the queue not marked built: the start was
  *interrupted* (the appliance stopped meanwhile); starting again resumes it.

The figures: entries stored so far (``queue_entries``) of the total the start recorded in
``banks.queue_steps_total`` once it had read the list. An entry is a number when a shared
number is dialed once per household (``one_call``), and a call to one contact at one number
when every contact gets their own call (``each_contact``): :func:`queue_unit` names it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.appliance_lock import is_locked
from controller.model.banks import Bank, BankError, Household, State

LOCK_WAIT = 0.25  # s a refused second start waits first (a page reading the lock holds it µs)
ALREADY_STARTING = (
    "this bank is already starting (its dialing queue is being built);"
    " it runs by itself once the queue is ready"
)


def queue_unit(household: Household) -> str:
    """What a bank's queue entries are: "numbers" (a number shared by a household is one
    entry) or "calls" (one entry per contact and number)."""
    return "calls" if household is Household.EACH_CONTACT else "numbers"


@dataclass(frozen=True)
class StartProgress:
    """A start in progress (``building``) or interrupted: ``queued`` of ``total`` queue
    entries, which are ``unit`` (see :func:`queue_unit`)."""

    bank_id: int
    queued: int
    total: int | None  # None until the start has read the list
    building: bool
    unit: str = "numbers"

    @property
    def message(self) -> str:
        of = f" of {max(self.total, self.queued):,}" if self.total is not None else ""
        if self.building:
            if not self.queued and self.total is None:
                return "Starting: reading the list's numbers"
            return f"Starting: queue {self.queued:,}{of} {self.unit}"
        return f"Start interrupted at {self.queued:,}{of} {self.unit}: press Start to resume"

    def to_dict(self) -> dict[str, Any]:
        state = "starting" if self.building else "interrupted"
        return {"state": state, "queued": self.queued, "total": self.total,
                "unit": self.unit, "message": self.message}  # fmt: skip


def lock_path(db_path: Path, bank_id: int) -> Path:
    return db_path.parent / f"{db_path.name}.starting" / f"{bank_id}.lock"


@contextmanager
def building(db_path: Path, bank_id: int, wait: bool = True) -> Iterator[None]:
    """Hold the bank's start lock: wait for another start to finish (``wait``), or refuse
    with ``already_starting``."""
    path = lock_path(db_path, bank_id)
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _lock(fd, wait):
            raise BankError("already_starting", ALREADY_STARTING)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, wait: bool) -> bool:
    if wait:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


def is_building(db_path: Path, bank_id: int) -> bool:
    """Whether a start of the bank holds its lock now, in this process or another."""
    return is_locked(lock_path(db_path, bank_id))


def read(conn: sqlite3.Connection, db_path: Path, bank: Bank) -> StartProgress | None:
    """The start of a published bank in progress or interrupted; None when there is none."""
    if bank.state is not State.PUBLISHED or bank.id is None:
        return None
    row = conn.execute(
        "SELECT queue_built_at, queue_steps_total FROM banks WHERE id = ?", (bank.id,)
    ).fetchone()
    if row is None or row[0]:
        return None
    now_building = is_building(db_path, bank.id)
    if not now_building and _queue_built(conn, bank.id):
        return None  # the build finished between the first read and the lock probe
    counted = conn.execute("SELECT count(*) FROM queue_entries WHERE bank_id = ?", (bank.id,))
    queued = int(counted.fetchone()[0])
    if not now_building and not queued:
        return None
    total = None if row[1] is None else int(row[1])
    unit = queue_unit(bank.settings.household)
    return StartProgress(bank.id, queued, total, now_building, unit)


def _queue_built(conn: sqlite3.Connection, bank_id: int) -> bool:
    row = conn.execute("SELECT queue_built_at FROM banks WHERE id = ?", (bank_id,)).fetchone()
    return row is None or bool(row[0])


def read_all(
    conn: sqlite3.Connection, db_path: Path, banks: list[Bank]
) -> dict[int, StartProgress]:
    """The starts in progress or interrupted among ``banks``, by bank id."""
    found = ((b.id, read(conn, db_path, b)) for b in banks)
    return {bank_id: p for bank_id, p in found if bank_id is not None and p is not None}
