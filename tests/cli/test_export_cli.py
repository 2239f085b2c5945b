from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from test_bank_cli import create, ok_json, run, seed

from controller.commands import export as export_cmd
from controller.store import queue
from controller.store.attempts import record_attempt, record_disposition, record_end
from controller.store.db import open_database


def dial_one(home: Path, bank_id: int) -> None:
    db = open_database(home / "phonebank.db")
    now = 1777672800.0  # 2026-05-01 22:00 UTC: 12:00-18:00 in every zone of the list
    [claim] = queue.claim_next(db, bank_id, now, 1)
    with db.write() as conn:
        attempt = record_attempt(conn, claim, "cli-1", now)
        record_end(conn, attempt, now + 30, "no_answer")
    db.close()


def started_bank(home: Path) -> int:
    seed(home, contacts=3)
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    ok_json(home, "bank", "start", str(bank_id))
    dial_one(home, bank_id)
    return bank_id


def test_given_dialed_bank_when_attempts_exported_then_csv_rows(home: Path) -> None:
    bank_id = started_bank(home)
    result = run(home, "export", "attempts", str(bank_id))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1 and rows[0]["call_id"] == "cli-1"
    assert rows[0]["outcomes"] == "no_answer"


def test_given_bank_when_contacts_exported_to_file_then_complete_file(home: Path) -> None:
    bank_id = started_bank(home)
    out = home / "contacts.csv"
    result = run(home, "bank", "export", str(bank_id), "--kind", "contacts", "-o", str(out))
    assert result.exit_code == 0 and "Wrote 3 rows of contacts to" in result.stderr
    rows = list(csv.DictReader(out.open()))
    assert sorted(r["attempts"] for r in rows) == ["0", "0", "1"]
    assert [r["last_outcome"] for r in rows if r["attempts"] == "1"] == ["no_answer"]
    assert not (home / "contacts.csv.part").exists()


def test_given_json_flag_when_exported_then_one_object_per_line(home: Path) -> None:
    bank_id = started_bank(home)
    result = run(home, "export", "volunteers", str(bank_id), "--json")
    assert result.exit_code == 0 and result.stdout == ""
    lines = run(home, "export", "contacts", str(bank_id), "--json").stdout.splitlines()
    assert len(lines) == 3 and "contact_id" in json.loads(lines[0])


def test_given_unknown_bank_when_exported_then_exit_1_and_no_file(home: Path) -> None:
    out = home / "x.csv"
    result = run(home, "export", "attempts", "99", "-o", str(out))
    assert result.exit_code == 1 and "no bank 99" in result.stderr
    assert not out.exists()
    assert run(home, "export", "nonsense", "1").exit_code == 2


def test_given_formula_like_text_when_csv_written_then_neutralised_but_numbers_kept() -> None:
    from controller.commands.export import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell("+15550100100") == "+15550100100"
    assert safe_cell("-12.5") == "-12.5"
    assert safe_cell(7) == 7 and safe_cell("Ann") == "Ann"


def test_given_a_missing_folder_when_exporting_to_it_then_a_clear_error_and_no_file(
    home: Path,
) -> None:
    bank_id = started_bank(home)
    out = home / "no-such-folder" / "contacts.csv"
    result = run(home, "export", "contacts", str(bank_id), "-o", str(out), "--json")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["error"] == "cannot_write" and "No such file or directory" in error["message"]
    assert not out.parent.exists()


def test_given_a_write_failing_midway_when_exporting_to_a_file_then_no_part_file_stays(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank_id = started_bank(home)
    out = home / "contacts.csv"

    def full_disk(rows: Any, fh: Any, as_json: bool) -> int:
        fh.write("contact_id\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_cmd, "_write", full_disk)
    result = run(home, "export", "contacts", str(bank_id), "-o", str(out), "--json")
    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "cannot_write"
    assert "No space left on device" in json.loads(result.stderr)["message"]
    assert not out.exists() and not (home / "contacts.csv.part").exists()


def test_given_a_report_with_notes_when_attempts_exported_then_the_notes_are_in_the_row(
    home: Path,
) -> None:
    """What a volunteer typed in the report's notes reaches the organizer (it was stored and
    shown nowhere); a household call's notes once, not once per person."""
    seed(home, contacts=3)
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    ok_json(home, "bank", "start", str(bank_id))
    db = open_database(home / "phonebank.db")
    now = 1777672800.0
    [claim] = queue.claim_next(db, bank_id, now, 1)
    with db.write() as conn:
        attempt = record_attempt(conn, claim, "cli-2", now)
        record_disposition(conn, attempt, "completed", claim.contact_id, 7,
                           "Wants a lawn sign, 12 Elm", now + 60)  # fmt: skip
        record_end(conn, attempt, now + 90, "bridged")
    db.close()

    result = run(home, "export", "attempts", str(bank_id))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["outcomes"] == "completed"
    assert rows[0]["notes"] == "Wants a lawn sign, 12 Elm"
