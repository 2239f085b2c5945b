"""`phonebank backup FILE`: a consistent copy of the database while the appliance runs
(writes go on), readable by its owner only, checked before it is reported done; an
existing file is kept unless --force; a folder that cannot be written is a clear error."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from test_bank_cli import ok_json, run, seed

from controller.store.db import open_database


def test_given_a_database_with_contacts_when_backed_up_then_the_copy_holds_them_and_is_owner_only(
    home: Path, tmp_path: Path
) -> None:
    seed(home, contacts=7)
    target = tmp_path / "saved" / "phonebank-backup.db"
    target.parent.mkdir()
    live = open_database(home / "phonebank.db")
    with live.write() as conn:  # a write still open in the WAL is part of the copy
        conn.execute("INSERT INTO dnc (e164, source) VALUES ('+16175550199', 'test')")

    data = ok_json(home, "backup", str(target))

    assert data["path"] == str(target) and data["integrity"] == "ok" and data["bytes"] > 0
    assert target.stat().st_mode & 0o777 == 0o600
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM contacts").fetchone()[0] == 7
    assert copy.execute("SELECT count(*) FROM dnc").fetchone()[0] == 1
    copy.close()
    live.close()


def test_given_the_file_exists_when_backing_up_then_refused_unless_forced(
    home: Path, tmp_path: Path
) -> None:
    seed(home)
    target = tmp_path / "backup.db"
    target.write_text("keep me")
    refused = run(home, "backup", str(target), "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["error"] == "file_exists"
    assert target.read_text() == "keep me"
    ok_json(home, "backup", str(target), "--force")
    assert sqlite3.connect(target).execute("SELECT count(*) FROM contacts").fetchone()[0] == 5


def test_given_a_missing_folder_when_backing_up_then_a_clear_error_and_no_file(
    home: Path, tmp_path: Path
) -> None:
    seed(home)
    target = tmp_path / "nowhere" / "backup.db"
    refused = run(home, "backup", str(target), "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["error"] == "cannot_write"
    assert not target.exists() and not target.parent.exists()
