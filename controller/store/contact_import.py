"""Contact CSV import: parse in worker processes, write in large batched transactions.

The file is cut into chunks of whole CSV records (never inside a quoted field); worker
processes turn each chunk into a ready-to-copy batch (see ``contact_import_batch``) while
this process writes the previous one, one transaction per chunk. Contacts already in the
list (same de-duplication key) are skipped, so re-importing a file adds nothing.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from controller.model.csv_import import CsvError, ImportPlan, RowError
from controller.model.csv_records import find_unclosed_quote
from controller.store import lists
from controller.store.contact_import_batch import (
    Batch,
    BatchWriter,
    init_worker,
    parse_chunk,
    work,
)
from controller.store.db import Database
from controller.store.import_notes import state_notes, zip_note

CHUNK_LINES = 25_000  # rows per parse task and per write transaction
PARALLEL_MIN_BYTES = 8_000_000  # below, a worker's start-up (cold caches) costs more than it saves
HEADER_MAX_LINES = 20
BLOCK_BYTES = 1 << 20


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
    started_banks: list[int] = field(default_factory=list)  # running/paused on this list
    list_dropped: bool = False  # a list created by this import and left empty is not kept
    notes: list[str] = field(default_factory=list)  # e.g. a second cell column kept as extra
    bad_zip_rows: int = 0  # rows whose ZIP is no ZIP (left out)
    bad_zips: list[str] = field(default_factory=list)  # the first 6 of them, as written

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = [{"line": e.line, "code": e.code, "reason": e.reason} for e in self.errors]
        return data


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


def _read_header(handle: IO[str]) -> tuple[list[str], int, int]:
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


def read_header(path: Path) -> list[str]:
    """The header of the CSV file at ``path`` (``CsvError`` if there is none)."""
    with _open(path) as handle:
        return _read_header(handle)[0]


def check_quotes(path: Path) -> None:
    """Refuse (``CsvError`` ``unclosed_quote``) a file whose last quote never closes.

    The csv module would read everything after such a quote as one field: the rest of
    the file is unreadable, so nothing is imported. Quotes are counted first (fast); only
    an odd count, a quote left open or a stray ``"`` inside a field, is read record by record.
    """
    quotes = 0
    with _open(path, binary=True) as raw:
        while block := raw.read(BLOCK_BYTES):
            quotes += block.count(b'"')
    if quotes % 2 == 0:
        return
    with _open(path) as handle:
        error = find_unclosed_quote(handle)
    if error is not None:
        raise CsvError(error.code, f"{error}; nothing was imported (close or remove that quote)")


def _open(path: Path, binary: bool = False) -> IO[Any]:
    try:
        if binary:
            return path.open("rb")
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise CsvError("unreadable_file", f"cannot read {path}: {exc.strerror}") from None


def import_csv(
    db: Database,
    path: Path,
    list_ref: str,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = CHUNK_LINES,
    workers: int | None = None,
) -> ImportReport:
    """Import a contacts CSV into the list ``list_ref`` means (its id or its name; a new
    name creates it, see ``lists``); bad rows are reported and skipped.

    Raises ``CsvError`` (and changes nothing) when the file as a whole is unusable: no
    header, no phone column, a quote that never closes (see ``check_quotes``) ...
    ``workers``: parsing processes (default: one per CPU for files over 8 MB, else none).
    Rows are written on a connection of the import's own, so do not call this inside
    ``db.write()`` (the import would wait for that transaction to end).
    """
    mapping = mapping or {}
    handle = _open(path)
    with handle:
        header, used, chars = _read_header(handle)
        plan = ImportPlan.from_header(header, mapping)
        check_quotes(path)
        size = path.stat().st_size
        list_id, name, created = lists.ensure_created(db, list_ref)
        report = ImportReport(list_id, name, notes=plan.notes)
        if progress is not None:
            progress(chars)
        if workers is None:
            workers = (os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 0
        chunks = _chunks(handle, used + 1, batch_size)
        try:
            _run(db, plan, chunks, report, progress, workers, (header, mapping))
        finally:
            if created and report.imported == 0:  # every row refused: no empty list is left
                report.list_dropped = lists.drop_if_empty(db, list_id)
    report.started_banks = started_banks(db, report.list_id)
    if report.imported:
        report.notes += state_notes(db, report.list_id)
    report.notes += zip_note(report.bad_zip_rows, report.bad_zips)
    return report


def started_banks(db: Database, list_id: int) -> list[int]:
    """The running or paused banks on a list: they froze it when they started, so contacts
    imported since are not in their queues."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT id FROM banks WHERE list_id = ? AND state IN ('running', 'paused') ORDER BY id",
            (list_id,),
        )
        return [int(r[0]) for r in rows]


def _run(
    db: Database,
    plan: ImportPlan,
    chunks: Iterator[tuple[int, str]],
    report: ImportReport,
    progress: Callable[[int], None] | None,
    workers: int,
    init: tuple[list[str], dict[str, str]],
) -> None:
    writer = BatchWriter(db.path, report.list_id)
    try:
        _feed(writer, plan, chunks, report, progress, workers, init)
    finally:
        writer.close()


def _feed(
    writer: BatchWriter,
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
    slots = threading.Semaphore(2 * workers + 1)  # chunks read ahead: memory stays bounded
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=init_worker, initargs=init) as pool:
        try:
            for batch in pool.imap(work, _paced(chunks, slots)):
                _store(writer, batch, report, progress)
                slots.release()
        finally:
            slots.release(1_000_000)  # let the pool's feeder thread finish before the pool stops


def _paced(
    chunks: Iterator[tuple[int, str]], slots: threading.Semaphore
) -> Iterator[tuple[int, str]]:
    """``chunks``, each only once a slot is free (the writer frees one per batch written)."""
    for chunk in chunks:
        slots.acquire()
        yield chunk


def _store(
    writer: BatchWriter,
    batch: Batch,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    added, phones = writer.write(batch, utc_now())
    report.rows += batch.rows + len(batch.errors)
    report.imported += added
    report.duplicates += batch.rows - added
    report.phones += phones
    report.errors.extend(batch.errors)
    report.bad_zip_rows += sum(batch.bad_zips.values())
    fresh = [z for z in batch.bad_zips if z not in report.bad_zips]
    report.bad_zips += fresh[: max(0, 6 - len(report.bad_zips))]  # 5 shown, "..." for more
    if progress is not None:
        progress(batch.chars)


def started_note(bank_ids: list[int]) -> str:
    """What an organizer is told after importing into a list a started bank uses ("" when
    none does): that bank does not call the new contacts."""
    if not bank_ids:
        return ""
    names = ", ".join(str(b) for b in bank_ids)
    one = len(bank_ids) == 1
    return (
        f"Bank{'' if one else 's'} {names} {'is' if one else 'are'} already calling this list:"
        f" {'it' if one else 'they'} froze it at the start and will not call the new contacts"
        " (a new bank on this list will)."
    )
