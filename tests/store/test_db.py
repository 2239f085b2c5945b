from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from controller.store.db import Database, open_database, split_sql


def test_given_fresh_file_when_opened_then_all_migrations_applied_and_version_set(
    tmp_path: Path,
) -> None:
    db = open_database(tmp_path / "a.db")
    names = [r[0] for r in db._writer.execute("SELECT name FROM schema_migrations")]
    assert "0001_meta" in names
    assert db.schema_version == len(names)
    assert db.migrate() == []  # idempotent
    mode = db._writer.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_given_error_inside_write_when_block_raises_then_nothing_is_kept(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
        raise RuntimeError("boom")
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 0


def test_given_reader_connection_when_writing_then_refused(db: Database) -> None:
    with db.read() as conn, pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")


def test_given_trigger_with_inner_semicolons_when_split_then_kept_whole() -> None:
    text = (
        "-- comment\nCREATE TABLE t (a);\n"
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
    )
    parts = split_sql(text)
    assert len(parts) == 2
    assert parts[1].endswith("END;")


def test_given_dangling_statement_when_split_then_error() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        split_sql("CREATE TABLE t (a)")


def test_given_a_new_database_when_written_then_it_and_its_wal_files_are_owner_only(
    tmp_path: Path,
) -> None:
    db = open_database(tmp_path / "new.db")
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
    files = [tmp_path / n for n in ("new.db", "new.db-wal", "new.db-shm")]
    assert {f.name: oct(f.stat().st_mode & 0o777) for f in files} == {
        f.name: "0o600" for f in files
    }


def test_given_a_world_readable_database_when_opened_then_it_is_made_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    open_database(path)._writer.close()
    for name in ("old.db", "old.db-wal", "old.db-shm"):
        if (tmp_path / name).exists():
            (tmp_path / name).chmod(0o644)
    db = open_database(path)
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0
    files = [f for f in (path, tmp_path / "old.db-wal", tmp_path / "old.db-shm") if f.exists()]
    assert path in files and {oct(f.stat().st_mode & 0o777) for f in files} == {"0o600"}


def test_given_the_writer_when_a_transaction_commits_then_it_is_synced_to_disk_first(
    db: Database,
) -> None:
    """An attempt or a report acknowledged must survive a power cut, not only a crash of the
    process: the writer's commits wait for the disk (synchronous FULL, in WAL mode)."""
    with db.write() as conn:
        (level,) = conn.execute("PRAGMA synchronous").fetchone()
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    assert (level, mode) == (2, "wal")  # 2 = FULL
