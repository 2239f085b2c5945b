"""Contact lists, contacts and phones: CSV import in large batches, listing and lookup."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from controller.model.contacts import ContactRecord
from controller.model.csv_import import CsvError, ImportPlan, RowError, read_rows
from controller.store.db import Database

BATCH = 20_000
_INSERT_CONTACT = (
    "INSERT INTO contacts (id, list_id, van_id, first_name, last_name, address, city, state,"
    " zip5, time_zone, extra, dedupe_key, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_PHONE = (
    "INSERT INTO phones (contact_id, e164, type, van_phone_id, accuracy, position)"
    " VALUES (?,?,?,?,?,?)"
)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ImportReport:
    list_id: int
    list_name: str
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    phones: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = [{"line": e.line, "code": e.code, "reason": e.reason} for e in self.errors]
        return data


def ensure_list(db: Database, name: str) -> int:
    """The id of the list called ``name``, creating it if needed."""
    name = name.strip()
    if not name:
        raise CsvError("bad_list_name", "the list needs a name")
    with db.write() as conn:
        row = conn.execute("SELECT id FROM lists WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row[0])
        cur = conn.execute("INSERT INTO lists (name, created_at) VALUES (?, ?)", (name, utc_now()))
        return int(cur.lastrowid or 0)


def get_list(db: Database, name: str) -> dict[str, Any] | None:
    with db.read() as conn:
        row = conn.execute(
            "SELECT l.id, l.name, l.created_at, (SELECT count(*) FROM contacts c"
            " WHERE c.list_id = l.id) AS contacts FROM lists l WHERE l.name = ?",
            (name,),
        ).fetchone()
    return dict(row) if row else None


def all_lists(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT l.id, l.name, l.created_at, count(c.id) AS contacts,"
            " (SELECT count(*) FROM phones p JOIN contacts c2 ON c2.id = p.contact_id"
            "  WHERE c2.list_id = l.id) AS phones"
            " FROM lists l LEFT JOIN contacts c ON c.list_id = l.id GROUP BY l.id ORDER BY l.name"
        ).fetchall()
    return [dict(r) for r in rows]


class ContactWriter:
    """Adds parsed contacts to one list, one transaction per batch; skips known people."""

    def __init__(self, db: Database, list_id: int) -> None:
        self.db = db
        self.list_id = list_id
        with db.read() as conn:
            self.known = {
                r[0]
                for r in conn.execute(
                    "SELECT dedupe_key FROM contacts WHERE list_id = ?", (list_id,)
                )
            }

    def write(self, records: list[ContactRecord]) -> tuple[int, int, int]:
        """Insert what is new; return (contacts added, duplicates skipped, phones added)."""
        fresh: list[tuple[str, ContactRecord]] = []
        for record in records:
            key = record.dedupe_key
            if key not in self.known:
                self.known.add(key)
                fresh.append((key, record))
        phones = 0
        with self.db.write() as conn:
            next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0])
            contact_rows, phone_rows = self._rows(fresh, next_id + 1)
            conn.executemany(_INSERT_CONTACT, contact_rows)
            conn.executemany(_INSERT_PHONE, phone_rows)
            phones = len(phone_rows)
        return len(fresh), len(records) - len(fresh), phones

    def _rows(
        self, fresh: list[tuple[str, ContactRecord]], first_id: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        now = utc_now()
        contacts: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        for offset, (key, r) in enumerate(fresh):
            cid = first_id + offset
            extra = json.dumps(r.extra, ensure_ascii=False) if r.extra else "{}"
            contacts.append(
                (
                    cid,
                    self.list_id,
                    r.van_id,
                    r.first_name,
                    r.last_name,
                    r.address,
                    r.city,
                    r.state,
                    r.zip5,
                    r.time_zone,
                    extra,
                    key,
                    now,
                )
            )
            for pos, p in enumerate(r.phones):
                phones.append((cid, p.e164, p.type, p.van_phone_id, p.accuracy, pos))
        return contacts, phones


class _Counter:
    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.chars = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.chars += len(line)
            yield line


def import_csv(
    db: Database,
    path: Path,
    list_name: str,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Import a contacts CSV into ``list_name``; bad rows are reported and skipped.

    Raises ``CsvError`` (and changes nothing) when the file as a whole is unusable.
    """
    try:
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise CsvError("unreadable_file", f"cannot read {path}: {exc.strerror}") from None
    with handle:
        counter = _Counter(iter(handle))
        rows = read_rows(counter)
        plan = _plan(rows, mapping)
        report = ImportReport(ensure_list(db, list_name), list_name.strip())
        writer = ContactWriter(db, report.list_id)
        reported = 0
        while batch := list(islice(rows, batch_size)):
            _import_batch(plan, writer, batch, report)
            if progress is not None:
                progress(counter.chars - reported)
                reported = counter.chars
    return report


def _plan(rows: Iterator[tuple[int, list[str]]], mapping: dict[str, str] | None) -> ImportPlan:
    try:
        _, header = next(rows)
    except StopIteration:
        raise CsvError("empty_file", "the file is empty") from None
    except csv.Error as exc:
        raise CsvError("bad_csv", f"the header is not valid CSV: {exc}") from None
    try:
        "".join(header).encode("utf-8")
    except UnicodeEncodeError:
        raise CsvError("bad_encoding", "the header is not UTF-8 text") from None
    return ImportPlan.from_header([h.strip() for h in header], mapping)


def _import_batch(
    plan: ImportPlan,
    writer: ContactWriter,
    batch: list[tuple[int, list[str]]],
    report: ImportReport,
) -> None:
    records: list[ContactRecord] = []
    for line, row in batch:
        try:
            records.append(plan.parse(row, line))
        except RowError as exc:
            report.errors.append(exc)
    added, dupes, phones = writer.write(records)
    report.rows += len(batch)
    report.imported += added
    report.duplicates += dupes
    report.phones += phones


def contact_rows(
    db: Database, list_name: str | None = None, search: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Contacts (with their first number), optionally of one list or matching a name/number."""
    where, args = ["1=1"], []  # type: list[str], list[Any]
    if list_name is not None:
        where.append("l.name = ?")
        args.append(list_name)
    if search:
        where.append(
            "(c.first_name || ' ' || c.last_name LIKE ? OR c.van_id = ? OR EXISTS"
            " (SELECT 1 FROM phones s WHERE s.contact_id = c.id AND s.e164 LIKE ?))"
        )
        args += [f"%{search}%", search, f"%{search}%"]
    sql = (
        "SELECT c.id, l.name AS list, c.van_id, c.first_name, c.last_name, c.city, c.state,"
        " c.time_zone, (SELECT p.e164 FROM phones p WHERE p.contact_id = c.id"
        " ORDER BY p.position LIMIT 1) AS phone FROM contacts c JOIN lists l ON l.id = c.list_id"
        f" WHERE {' AND '.join(where)} ORDER BY c.id LIMIT ? OFFSET ?"
    )
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sql, [*args, limit, offset])]


def contact_detail(db: Database, contact_id: int) -> dict[str, Any] | None:
    """One contact with numbers, household, custom values and tags (what a caller sees)."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT c.*, l.name AS list FROM contacts c JOIN lists l ON l.id = c.list_id"
            " WHERE c.id = ?",
            (contact_id,),
        ).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["extra"] = json.loads(data["extra"] or "{}")
        data.pop("dedupe_key", None)
        data["phones"] = _phones(conn, contact_id)
        data["household"] = _household(conn, data["list_id"], contact_id)
        data["fields"] = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT f.name, v.value FROM contact_field_values v JOIN custom_fields f"
                " ON f.id = v.field_id WHERE v.contact_id = ? ORDER BY f.name",
                (contact_id,),
            )
        }
        data["tags"] = [
            r[0]
            for r in conn.execute(
                "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                " WHERE ct.contact_id = ? ORDER BY t.name",
                (contact_id,),
            )
        ]
    return data


def _phones(conn: sqlite3.Connection, contact_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, e164, type, van_phone_id, accuracy, position, wrong_number FROM phones"
        " WHERE contact_id = ? ORDER BY position",
        (contact_id,),
    )
    return [dict(r) for r in rows]


def _household(conn: sqlite3.Connection, list_id: int, contact_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT DISTINCT c.id, c.first_name, c.last_name, p.e164 FROM phones mine"
        " JOIN phones p ON p.e164 = mine.e164 AND p.contact_id != mine.contact_id"
        " JOIN contacts c ON c.id = p.contact_id AND c.list_id = ?"
        " WHERE mine.contact_id = ? ORDER BY c.id",
        (list_id, contact_id),
    )
    return [dict(r) for r in rows]


def household(db: Database, list_id: int, e164: str) -> list[dict[str, Any]]:
    """Everyone in a list reached at ``e164`` (one dial, all shown on the call)."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT c.id, c.first_name, c.last_name, p.id AS phone_id, p.wrong_number"
            " FROM phones p JOIN contacts c ON c.id = p.contact_id"
            " WHERE p.e164 = ? AND c.list_id = ? ORDER BY c.id",
            (e164, list_id),
        )
        return [dict(r) for r in rows]


def mark_wrong_number(db: Database, contact_id: int, e164: str) -> bool:
    """Wrong Number for one person (their housemates keep the number); False if unknown."""
    with db.write() as conn:
        cur = conn.execute(
            "UPDATE phones SET wrong_number = 1 WHERE contact_id = ? AND e164 = ?",
            (contact_id, e164),
        )
        return cur.rowcount > 0
