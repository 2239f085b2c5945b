"""Contact lists by id or by name: the one rule every command and page follows.

A reference made only of the digits 0-9 that is an existing list's id is that list; any
other reference is a list's name (not case sensitive, spaces around it ignored). A new
list cannot be named with digits only, so a name never reads as an id; a list given such a
name before stays reachable by its id (and by that name while no list has it as its id).
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from controller.errors import PhonebankError
from controller.model.banks import BankError
from controller.model.csv_import import CsvError
from controller.store.db import Database

ID_MAX_DIGITS = 18  # a longer number cannot be a list id (SQLite integers have 64 bits)
MADE_UP_KEY = "syn:"  # the dedupe key of every made-up contact (the demo's, the benchmarks')
MADE_UP = (
    "this bank's contacts are made up (demo numbers): it dials only on the simulated phone"
    " network, which is not in use (the carrier is off or the trunk points elsewhere), so a"
    " real trunk would call them"
)


class ListError(PhonebankError):
    """A contact list that cannot be found or deleted: unknown, or used by a bank."""


class ListRef(NamedTuple):
    """A contact list a reference was resolved to: its id (what the store acts on) and its
    name when resolved (for messages)."""

    id: int
    name: str


def _id_of(text: str) -> int | None:
    """The list id ``text`` would be (ASCII digits only), else None."""
    if text.isascii() and text.isdigit() and len(text) <= ID_MAX_DIGITS:
        return int(text)
    return None


def find(conn: sqlite3.Connection, ref: str | int) -> ListRef | None:
    """The list ``ref`` means, or None: an id first, else a name."""
    text = str(ref).strip()
    list_id = _id_of(text)
    row = None
    if list_id is not None:
        row = conn.execute("SELECT id, name FROM live_lists WHERE id = ?", (list_id,)).fetchone()
    if row is None:
        row = conn.execute("SELECT id, name FROM live_lists WHERE name = ?", (text,)).fetchone()
    return ListRef(int(row[0]), str(row[1])) if row is not None else None


def resolve(conn: sqlite3.Connection, ref: str | int) -> ListRef:
    """The list ``ref`` means; ``ListError`` ``no_such_list`` if none."""
    found = find(conn, ref)
    if found is None:
        raise ListError("no_such_list", f"there is no contact list {str(ref).strip()!r}")
    return found


def new_name(name: str) -> str:
    """``name`` cleaned for a new list; ``CsvError`` when it is empty or only digits."""
    name = name.strip()
    if not name:
        raise CsvError("bad_list_name", "the list needs a name")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise CsvError("bad_list_name", "a list name cannot hold control characters (tabs, ...)")
    if name.isdigit():  # in any script: int() reads "٣" as 3
        why = (
            f"reads as a list id (and there is no list {name})"
            if name.isascii()
            else ("could be taken for a list id")
        )
        raise CsvError(
            "list_name_digits",
            f"a new list cannot be called {name!r}: a name of digits only {why}; add a word,"
            f" e.g. 'Ward {name}'",
        )
    return name


def check_target(db: Database, ref: str) -> None:
    """Refuse (``CsvError``) an import target that is neither a list nor a valid new name."""
    with db.read() as conn:
        if find(conn, ref) is not None:
            return
    new_name(ref)


def ensure_created(db: Database, ref: str) -> tuple[int, str, bool]:
    """The list ``ref`` means, as (id, name, whether it was created just now), created
    (``ref`` being its name) if none."""
    with db.write() as conn:
        found = find(conn, ref)
        if found is not None:
            return (*found, False)
        name = new_name(ref)
        cur = conn.execute("INSERT INTO lists (name) VALUES (?)", (name,))
        return int(cur.lastrowid or 0), name, True


def drop_if_empty(db: Database, list_id: int) -> bool:
    """Delete the list if it holds no contact and no bank uses it; whether it was."""
    with db.write() as conn:
        cur = conn.execute(
            "DELETE FROM lists WHERE id = :id AND NOT EXISTS (SELECT 1 FROM contacts"
            " WHERE list_id = :id) AND NOT EXISTS (SELECT 1 FROM banks WHERE list_id = :id)",
            {"id": list_id},
        )
        return cur.rowcount > 0


def made_up(conn: sqlite3.Connection, list_id: int) -> bool:
    """Whether the list holds made-up contacts (``seed_synthetic_list``: all or none are)."""
    row = conn.execute(
        "SELECT dedupe_key FROM contacts WHERE list_id = ? LIMIT 1", (list_id,)
    ).fetchone()
    return row is not None and str(row[0]).startswith(MADE_UP_KEY)


def check_dialable(conn: sqlite3.Connection, bank_id: int, simulated: bool) -> None:
    """Refuse (``BankError`` ``made_up_numbers``) to start or resume a bank of made-up
    contacts off the simulated network (``simulated`` False): its numbers would go out on a
    real trunk."""
    if simulated:
        return
    row = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_id,)).fetchone()
    if row is not None and row[0] is not None and made_up(conn, int(row[0])):
        raise BankError("made_up_numbers", MADE_UP)
