"""The Do Not Call list: numbers no bank ever dials (number level, across all banks)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controller.model.csv_records import find_unclosed_quote
from controller.model.phones import PhoneError, PhoneParser
from controller.store.contacts import utc_now
from controller.store.db import Database

_PARSER = PhoneParser()
MAX_REASON = 500  # characters of a number's reason


def check_reason(reason: str) -> str:
    """``reason`` stripped; ``PhoneError`` (reason_too_long) over MAX_REASON characters."""
    clean = reason.strip()
    if len(clean) > MAX_REASON:
        raise PhoneError(
            "reason_too_long", f"a reason is at most {MAX_REASON} characters (got {len(clean)})"
        )
    return clean


@dataclass
class DncImportReport:
    added: int = 0
    already: int = 0
    repeated: int = 0  # lines whose number came earlier in the same file
    errors: list[dict[str, Any]] = field(default_factory=list)


def add(db: Database, number: str, reason: str = "", source: str = "manual") -> tuple[str, bool]:
    """Put a number on the list; return (E.164, whether it was new). ``PhoneError`` if bad."""
    e164, clean = _PARSER.parse(number).e164, check_reason(reason)
    with db.write() as conn:
        cur = conn.execute(
            "INSERT OR IGNORE INTO dnc (e164, reason, source, created_at) VALUES (?, ?, ?, ?)",
            (e164, clean, source, utc_now()),
        )
        return e164, cur.rowcount > 0


BATCH = 20_000  # numbers a transaction: well under a tenth of a second each


def add_many(
    db: Database,
    numbers: list[str],
    reason: str = "",
    source: str = "import",
    reasons: dict[str, str] | None = None,
    batch: int | None = None,
) -> int:
    """Add already-E.164 numbers (each with its own entry of ``reasons`` when it has one,
    else ``reason``); return how many were new.

    They are written ``batch`` (default ``BATCH``) numbers a transaction, so a list of a
    million numbers never holds the database for seconds: the dialer's writes (a call's
    record before it is dialed, a person handed to a volunteer) go in between. Were the
    import cut short, the batches written stay listed; importing the file again adds the rest.
    """
    now, own, added, size = utc_now(), reasons or {}, 0, batch or BATCH
    for start in range(0, len(numbers), size):
        with db.write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO dnc (e164, reason, source, created_at) VALUES (?, ?, ?, ?)",
                [(n, own.get(n) or reason, source, now) for n in numbers[start : start + size]],
            )
            added += conn.total_changes - before
    return added


def remove(db: Database, number: str) -> tuple[str, bool]:
    """Take a number off the list; return (E.164, whether it was there)."""
    e164 = _PARSER.parse(number).e164
    with db.write() as conn:
        cur = conn.execute("DELETE FROM dnc WHERE e164 = ?", (e164,))
        return e164, cur.rowcount > 0


def contains(db: Database, e164: str) -> bool:
    with db.read() as conn:
        return conn.execute("SELECT 1 FROM dnc WHERE e164 = ?", (e164,)).fetchone() is not None


def lookup(db: Database, number: str) -> tuple[str, bool]:
    """(E.164, whether it is on the list) for a number as written."""
    e164 = _PARSER.parse(number).e164
    return e164, contains(db, e164)


def entries(db: Database, limit: int = 1000, offset: int = 0) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT e164, reason, source, created_at FROM dnc ORDER BY created_at DESC, e164"
            " LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [dict(r) for r in rows]


def count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute("SELECT count(*) FROM dnc").fetchone()[0])


NOT_UTF8 = "the file is not UTF-8 text: save it as CSV UTF-8"


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each row of the file with its line number (strict UTF-8, a BOM allowed); a quote
    left open or a line the csv module cannot read refuses the whole file."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        error = find_unclosed_quote(handle)
    if error is not None:
        raise PhoneError(error.code, f"{error}; nothing was added (close or remove that quote)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            where = f"line {reader.line_num}: not readable as CSV ({exc})"
            raise PhoneError("bad_csv", f"{where}; nothing was added") from None


def _read(path: Path, report: DncImportReport, numbers: list[str], reasons: dict[str, str]) -> None:
    """Collect the file's numbers (and reasons); bad lines go to ``report.errors``."""
    for line, row in _rows(path):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        try:
            if not row[0].strip():
                raise PhoneError("empty_number", "no phone number in the first column")
            e164 = _PARSER.parse(row[0]).e164
            reason = check_reason(row[1]) if len(row) > 1 else ""
        except PhoneError as exc:
            if line == 1 and not any(ch.isdigit() for ch in row[0]):
                continue  # a header
            report.errors.append({"line": line, "code": exc.code, "reason": exc.message})
            continue
        numbers.append(e164)
        if reason:
            reasons.setdefault(e164, reason)


def import_file(
    db: Database, path: Path, reason: str = "", source: str = "import"
) -> DncImportReport:
    """Numbers from a file: one per line, or a CSV whose first column holds them and whose
    second column, when filled, is that number's reason (else ``reason``).

    A header line and bad numbers are reported by line and skipped; the rest are added. A
    number repeated in the file is added once and counted as ``repeated``. A file that is
    not UTF-8 text, or has no number at all, is refused (``PhoneError``) and adds nothing.
    """
    with path.open("rb") as raw:
        if b"\x00" in raw.read(4096):
            raise PhoneError("not_utf8", NOT_UTF8)
    reason = check_reason(reason)
    report = DncImportReport()
    numbers: list[str] = []
    reasons: dict[str, str] = {}
    try:
        _read(path, report, numbers, reasons)
    except UnicodeDecodeError:
        raise PhoneError("not_utf8", NOT_UTF8) from None  # nothing is added before the end
    if not numbers and not report.errors:
        raise PhoneError("empty_file", "the file has no numbers")
    unique = list(dict.fromkeys(numbers))
    report.added = add_many(db, unique, reason, source, reasons)
    report.already = len(unique) - report.added
    report.repeated = len(numbers) - len(unique)
    return report
