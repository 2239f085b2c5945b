"""Contact import batches: parsed rows packed as small SQLite databases, written in bulk.

A parse worker turns one chunk of CSV records into an in-memory SQLite database (tables
``c``: contacts, ``p``: their phones, keyed by the row's ordinal in the chunk) and hands it
over serialized: one byte string, not a million Python objects to pickle and unpickle. The
writer, on a connection of its own, attaches that database and copies it into ``contacts``
and ``phones`` with two ``INSERT ... SELECT`` statements, one transaction per batch. People
already in the list (same de-duplication key, the list's unique index) are skipped by the
insert itself, so re-importing a file adds nothing.
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quote
from pathlib import Path
from typing import Any

from controller.model.contacts import ContactRecord
from controller.model.csv_import import CsvError, ImportPlan, RowError
from controller.model.csv_records import read_rows
from controller.store.db import connect, transaction

IMPORT_CACHE_KIB = 262_144  # 256 MiB of SQLite page cache for the import connection
_CONTACT_COLUMNS = (
    "van_id, first_name, last_name, address, city, state, zip5, time_zone, extra, dedupe_key"
)
_PHONE_COLUMNS = "e164, type, van_phone_id, accuracy, position"
_BATCH_SCHEMA = (
    f"CREATE TABLE c (o INTEGER PRIMARY KEY, {_CONTACT_COLUMNS});"
    f"CREATE TABLE p (o INTEGER NOT NULL, {_PHONE_COLUMNS});"
)
# {base}, {list_id}, {now}: literals the writer formats itself (two integers, a timestamp);
# a contact's id is base + its ordinal in the batch (gaps where a duplicate was skipped).
_COPY_CONTACTS = (
    f"INSERT OR IGNORE INTO main.contacts (id, list_id, {_CONTACT_COLUMNS}, created_at)"
    f" SELECT o + {{base}}, {{list_id}}, {_CONTACT_COLUMNS}, '{{now}}' FROM batch.c ORDER BY o"
)
_COPY_PHONES = (
    f"INSERT INTO main.phones (contact_id, {_PHONE_COLUMNS})"
    f" SELECT o + {{base}}, {_PHONE_COLUMNS} FROM batch.p"
)
# Only the phones of contacts this batch added (the others were duplicates, left out).
_COPY_PHONES_OF_ADDED = (
    _COPY_PHONES + " WHERE o + {base} IN (SELECT id FROM main.contacts WHERE id > {base})"
)


@dataclass(slots=True)
class Batch:
    """One chunk's parsed rows (a serialized SQLite database), its row errors, its size."""

    data: bytes
    rows: int
    errors: list[RowError]
    chars: int
    bad_zips: dict[str, int] = field(default_factory=dict)  # ZIP as written -> rows


def _json_object(values: dict[str, str]) -> str:
    """``json.dumps(values, ensure_ascii=False)`` for a flat dict of strings, made faster."""
    if not values:
        return "{}"
    return "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in values.items()) + "}"


def _contact(r: ContactRecord, ordinal: int) -> tuple[Any, ...]:
    return (ordinal, r.van_id, r.first_name, r.last_name, r.address, r.city, r.state,
            r.zip5, r.time_zone, _json_object(r.extra), r.dedupe_key)  # fmt: skip


def parse_chunk(plan: ImportPlan, first_line: int, text: str) -> Batch:
    """The batch of one chunk of whole records starting at file line ``first_line``."""
    contacts: list[tuple[Any, ...]] = []
    phones: list[tuple[Any, ...]] = []
    errors: list[RowError] = []
    bad_zips: dict[str, int] = {}
    for line, fields in read_rows(io.StringIO(text, newline=""), first_line, errors.append):
        try:
            record = plan.parse(fields, line)
        except RowError as exc:
            errors.append(exc)
            continue
        if record.bad_zip:
            bad_zips[record.bad_zip] = bad_zips.get(record.bad_zip, 0) + 1
        ordinal = len(contacts) + 1
        contacts.append(_contact(record, ordinal))
        phones += [(ordinal, p.e164, p.type, p.van_phone_id, p.accuracy, pos)
                   for pos, p in enumerate(record.phones)]  # fmt: skip
    return Batch(_pack(contacts, phones), len(contacts), errors, len(text), bad_zips)


def _pack(contacts: list[tuple[Any, ...]], phones: list[tuple[Any, ...]]) -> bytes:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(_BATCH_SCHEMA)
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO c VALUES (?,?,?,?,?,?,?,?,?,?,?)", contacts)
        conn.executemany("INSERT INTO p VALUES (?,?,?,?,?,?)", phones)
        conn.execute("COMMIT")
        return conn.serialize()
    finally:
        conn.close()


_WORKER_PLAN: list[ImportPlan] = []


def init_worker(header: list[str], mapping: dict[str, str]) -> None:
    _WORKER_PLAN[:] = [ImportPlan.from_header(header, mapping)]


def work(chunk: tuple[int, str]) -> Batch:
    return parse_chunk(_WORKER_PLAN[0], chunk[0], chunk[1])


class BatchWriter:
    """Adds batches to one list on a connection of its own, one durable transaction each.

    Every commit is synced to disk (``synchronous = FULL``): an import that stops half way
    keeps each batch it reported, and importing the same file again adds only the rest.
    """

    def __init__(self, path: Path, list_id: int) -> None:
        self.list_id = int(list_id)
        self.conn = connect(path)
        for pragma in ("synchronous = FULL", f"cache_size = {-IMPORT_CACHE_KIB}",
                       "temp_store = MEMORY"):  # fmt: skip
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("ATTACH ':memory:' AS batch")

    def write(self, batch: Batch, now: str) -> tuple[int, int]:
        """Insert what is new; return (contacts added, phones added)."""
        if not batch.rows:
            return 0, 0
        conn = self.conn
        conn.deserialize(batch.data, name="batch")
        with transaction(conn):
            self._check_list(conn)
            base = int(conn.execute("SELECT coalesce(max(id), 0) FROM main.contacts").fetchone()[0])
            literals = {"base": base, "list_id": self.list_id, "now": now}
            added = conn.execute(_COPY_CONTACTS.format(**literals)).rowcount
            copy = _COPY_PHONES if added == batch.rows else _COPY_PHONES_OF_ADDED
            phones = conn.execute(copy.format(**literals)).rowcount if added else 0
        return added, phones

    def _check_list(self, conn: sqlite3.Connection) -> None:
        if conn.execute("SELECT 1 FROM main.live_lists WHERE id = ?", (self.list_id,)).fetchone():
            return
        raise CsvError("list_deleted", "the list was deleted during the import; import it again")

    def close(self) -> None:
        self.conn.close()
