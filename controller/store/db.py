"""SQLite access: one writer, readers beside it, WAL, numbered migrations.

Migrations are ``controller/store/migrations/NNNN_name.sql`` files applied in name order;
each runs once, in its own transaction, and is recorded in ``schema_migrations``.
``PRAGMA user_version`` holds the number applied (the schema version).

Number ranges keep the rooms apart: 0001-0099 campaign core, 0100-0199 telephony and
engine, 0200-0299 CRM sync, 0300-0399 web.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection to the database file with the project's settings (foreign keys on,
    30 s busy timeout, autocommit: transactions are explicit, rows as ``sqlite3.Row``)."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def owner_only(path: Path) -> None:
    """Make the database file (created empty when missing) and its WAL and shared-memory
    files readable and writable by their owner only: it holds dial-in PINs, password hashes
    and contacts' personal data. SQLite gives the WAL files it creates the database's mode."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


class Database:
    """The application's database file.

    ``write()`` yields the single writer connection inside ``BEGIN IMMEDIATE``; the
    transaction commits when the block ends and rolls back on error. ``read()`` yields a
    connection for queries only (a fresh one per thread, sharing the WAL).

    One exception: a bulk contact import writes its batches on a connection of its own
    (``controller/store/contact_import_batch.py``), each batch in its own ``BEGIN IMMEDIATE``
    transaction of a fraction of a second, so the application's writes go in between.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        owner_only(self.path)
        self._writer = connect(self.path)
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._writer.execute("PRAGMA synchronous = FULL")  # a commit is on disk when acknowledged
        self._lock = threading.RLock()
        self._local = threading.local()
        self._depth = 0

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._writer.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._writer
            except BaseException:
                self._depth -= 1
                if outer:
                    self._writer.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._writer.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
        yield conn

    @contextmanager
    def stream(self) -> Iterator[sqlite3.Connection]:
        """A query-only connection of its own, closed at the end: for a long read that waits
        in between (a download streamed to a slow browser). Its open statement would pin the
        thread's shared :meth:`read` connection to an old snapshot, hiding every new commit
        from the other reads on that thread while it lasts."""
        conn = connect(self.path)
        conn.execute("PRAGMA query_only = ON")
        try:
            yield conn
        finally:
            conn.close()

    def backup(self, target: Path) -> str:
        """Copy the database as it is now into ``target`` (a new file, owner-only) while
        writes go on (SQLite's online backup: the copy is one consistent moment, what the
        WAL holds included); returns the copy's ``PRAGMA quick_check``."""
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        source, copy = connect(self.path), sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            return str(copy.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            copy.close()
            source.close()

    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils view over the writer connection (use inside ``write()``)."""
        return sqlite_utils.Database(self._writer)

    @property
    def schema_version(self) -> int:
        return int(self._writer.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[str]:
        """Apply pending migrations; return the names applied."""
        with self.write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        applied: list[str] = []
        for path in sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            if path.stem in done:
                continue
            self._apply(path)
            applied.append(path.stem)
        return applied

    def _apply(self, path: Path) -> None:
        statements = split_sql(path.read_text())
        with self.write() as conn:
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (path.stem, datetime.now(UTC).isoformat()),
            )
            count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {int(count)}")

    def close(self) -> None:
        self._writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
    """One transaction on a connection of its own (not :meth:`Database.write`'s writer, e.g.
    the bulk import's or a bank start's): committed at the end, rolled back on any error."""
    conn.execute(begin)
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def split_sql(text: str) -> list[str]:
    """Split a script into complete statements (triggers with inner ``;`` stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in text.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement: {buffer.strip()[:60]}")
    return statements


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at ``path``."""
    db = Database(path)
    db.migrate()
    return db
