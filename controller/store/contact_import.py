"""Contact CSV import: parse in worker processes, write in large batched transactions.

The file is cut into chunks of whole CSV records (never inside a quoted field); worker
processes turn each chunk into ready-to-insert rows while this process writes the previous
chunk, one transaction per chunk, with prepared ``executemany`` statements. Contacts already
in the list (same de-duplication key) are skipped, so re-importing a file adds nothing.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring as _quote
from pathlib import Path
from typing import Any

from controller.model.contacts import ContactRecord
from controller.model.csv_import import CsvError, ImportPlan, RowError, read_rows
from controller.store.db import Database

CHUNK_LINES = 10_000
PARALLEL_MIN_BYTES = 4_000_000
HEADER_MAX_LINES = 20
IMPORT_CACHE_KIB = 262_144  # 256 MiB of SQLite page cache during an import
# {base}, {list_id}, {now}: literals the writer formats itself (two integers, a timestamp);
# each row's id is base + its 1-based ordinal in the batch, so no per-row tuple is rebuilt.
_INSERT_CONTACT = (
    "INSERT INTO contacts (id, list_id, van_id, first_name, last_name, address, city, state,"
    " zip5, time_zone, extra, dedupe_key, created_at)"
    " VALUES (? + {base},{list_id},?,?,?,?,?,?,?,?,?,?,'{now}')"
)
_INSERT_PHONE = (
    "INSERT INTO phones (contact_id, e164, type, van_phone_id, accuracy, position)"
    " VALUES (? + {base},?,?,?,?,?)"
)
# (dedupe key, (ordinal, contact columns van_id..extra, dedupe key),
#  [(ordinal, e164, type, van_phone_id, accuracy, position)])
Row = tuple[str, tuple[Any, ...], list[tuple[Any, ...]]]
Parsed = tuple[list[Row], list[RowError], int]


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


def _json_object(values: dict[str, str]) -> str:
    """``json.dumps(values, ensure_ascii=False)`` for a flat dict of strings, made faster."""
    if not values:
        return "{}"
    return "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in values.items()) + "}"


def _as_row(r: ContactRecord, ordinal: int) -> Row:
    key = r.dedupe_key
    contact = (ordinal, r.van_id, r.first_name, r.last_name, r.address, r.city, r.state,
               r.zip5, r.time_zone, _json_object(r.extra), key)  # fmt: skip
    phones = [(ordinal, p.e164, p.type, p.van_phone_id, p.accuracy, pos)
              for pos, p in enumerate(r.phones)]  # fmt: skip
    return key, contact, phones


def parse_chunk(plan: ImportPlan, first_line: int, text: str) -> Parsed:
    """Rows and row errors of one chunk of whole records starting at file line ``first_line``."""
    rows: list[Row] = []
    errors: list[RowError] = []
    for line, fields in read_rows(io.StringIO(text, newline=""), first_line, errors.append):
        try:
            rows.append(_as_row(plan.parse(fields, line), len(rows) + 1))
        except RowError as exc:
            errors.append(exc)
    return rows, errors, len(text)


_WORKER_PLAN: list[ImportPlan] = []


def _init_worker(header: list[str], mapping: dict[str, str]) -> None:
    _WORKER_PLAN[:] = [ImportPlan.from_header(header, mapping)]


def _work(chunk: tuple[int, str]) -> Parsed:
    return parse_chunk(_WORKER_PLAN[0], chunk[0], chunk[1])


class ContactWriter:
    """Adds parsed rows to one list, one transaction per batch; skips people already there."""

    def __init__(self, db: Database, list_id: int) -> None:
        self.db = db
        self.list_id = list_id
        with db.read() as conn:
            query = "SELECT dedupe_key FROM contacts WHERE list_id = ?"
            self.known = {r[0] for r in conn.execute(query, (list_id,))}

    def write(self, rows: list[Row]) -> tuple[int, int, int]:
        """Insert what is new; return (contacts added, duplicates skipped, phones added)."""
        fresh: list[Row] = []
        for row in rows:
            if row[0] not in self.known:
                self.known.add(row[0])
                fresh.append(row)
        contacts, phones = _renumbered(fresh) if len(fresh) < len(rows) else _flat(fresh)
        with self.db.write() as conn:
            base = int(conn.execute("SELECT coalesce(max(id), 0) FROM contacts").fetchone()[0])
            literals = {"base": base, "list_id": int(self.list_id), "now": utc_now()}
            conn.executemany(_INSERT_CONTACT.format(**literals), contacts)
            conn.executemany(_INSERT_PHONE.format(**literals), phones)
        return len(fresh), len(rows) - len(fresh), len(phones)


def _flat(rows: list[Row]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return [r[1] for r in rows], [p for r in rows for p in r[2]]


def _renumbered(rows: list[Row]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Ordinals 1..n again after duplicates were left out of a batch."""
    contacts = [(i, *r[1][1:]) for i, r in enumerate(rows, start=1)]
    phones = [(i, *p[1:]) for i, r in enumerate(rows, start=1) for p in r[2]]
    return contacts, phones


def _chunks(lines: Iterable[str], first_line: int, size: int) -> Iterator[tuple[int, str]]:
    """Whole CSV records, ``size`` lines or so at a time (cut only outside quotes)."""
    buffer: list[str] = []
    quotes = 0
    start = first_line
    for line in lines:
        buffer.append(line)
        quotes += line.count('"')
        if len(buffer) >= size and quotes % 2 == 0:
            yield start, "".join(buffer)
            start += len(buffer)
            buffer, quotes = [], 0
    if buffer:
        yield start, "".join(buffer)


def _read_header(handle: io.TextIOBase) -> tuple[list[str], int, int]:
    """The header fields, the lines and characters it used (blank lines before it skipped)."""
    text = ""
    for used, line in enumerate(handle, start=1):
        text += line
        if used > HEADER_MAX_LINES:
            raise CsvError("bad_csv", "the header never ends (a quote left open?)")
        try:
            rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(r)]
        except csv.Error as exc:
            raise CsvError("bad_csv", f"the header is not valid CSV: {exc}") from None
        if rows and text.count('"') % 2 == 0:
            header = [h.strip() for h in rows[0]]
            try:
                "".join(header).encode("utf-8")
            except UnicodeEncodeError:
                raise CsvError("bad_encoding", "the header is not UTF-8 text") from None
            return header, used, len(text)
    raise CsvError("empty_file", "the file is empty")


def import_csv(
    db: Database,
    path: Path,
    list_name: str,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = CHUNK_LINES,
    workers: int | None = None,
) -> ImportReport:
    """Import a contacts CSV into ``list_name``; bad rows are reported and skipped.

    Raises ``CsvError`` (and changes nothing) when the file as a whole is unusable.
    ``workers``: parsing processes (default: one per CPU for files over 4 MB, else none).
    """
    mapping = mapping or {}
    try:
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        size = path.stat().st_size
    except OSError as exc:
        raise CsvError("unreadable_file", f"cannot read {path}: {exc.strerror}") from None
    with handle:
        header, used, chars = _read_header(handle)
        plan = ImportPlan.from_header(header, mapping)
        report = ImportReport(ensure_list(db, list_name), list_name.strip())
        if progress is not None:
            progress(chars)
        if workers is None:
            workers = (os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 0
        chunks = _chunks(handle, used + 1, batch_size)
        _run(db, plan, chunks, report, progress, workers, (header, mapping))
    return report


def _run(
    db: Database,
    plan: ImportPlan,
    chunks: Iterator[tuple[int, str]],
    report: ImportReport,
    progress: Callable[[int], None] | None,
    workers: int,
    init: tuple[list[str], dict[str, str]],
) -> None:
    writer = ContactWriter(db, report.list_id)
    with _big_cache(db):
        _feed(writer, plan, chunks, report, progress, workers, init)


@contextmanager
def _big_cache(db: Database) -> Iterator[None]:
    """A larger page cache while importing: index inserts stay in memory on big lists."""
    with db.write() as conn:
        before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
        conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with db.write() as conn:
            conn.execute(f"PRAGMA cache_size = {before}")


def _feed(
    writer: ContactWriter,
    plan: ImportPlan,
    chunks: Iterator[tuple[int, str]],
    report: ImportReport,
    progress: Callable[[int], None] | None,
    workers: int,
    init: tuple[list[str], dict[str, str]],
) -> None:
    if workers <= 0:
        for first_line, text in chunks:
            _store(writer, parse_chunk(plan, first_line, text), report, progress)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=init) as pool:
        for parsed in pool.imap(_work, chunks):
            _store(writer, parsed, report, progress)


def _store(
    writer: ContactWriter,
    parsed: Parsed,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    rows, errors, chars = parsed
    added, dupes, phones = writer.write(rows)
    report.rows += len(rows) + len(errors)
    report.imported += added
    report.duplicates += dupes
    report.phones += phones
    report.errors.extend(errors)
    if progress is not None:
        progress(chars)
