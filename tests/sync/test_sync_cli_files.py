"""`phonebank sync export` and `sync test` / `sync run` on the edges: the bulk file leaves
out the rows VAN must not get, a file that cannot be written is one clear line, and a zero
timeout or a lease shorter than it (a row being sent taken over and posted twice) is refused."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import add_contact, queue_outcome
from test_sync_cli import as_json, run

from controller.store import outbox
from controller.store.db import Database


def skipped_canvassed(db: Database, contact_id: int) -> None:
    """A Canvassed row the survey answer of the same call already implies (kept, skipped)."""
    payload = {"vanId": 1002, "resultCode": "Canvassed", "dateCanvassed": "2026-11-03T17:06:00Z"}
    with db.write() as conn:
        outbox.enqueue(
            conn, target="van", dedupe_key="implied-1", source_kind="outcome", payload=payload,
            source_id=9, contact_id=contact_id,
            skip=("canvassed_implied", "the survey response already records the canvass"),
        )  # fmt: skip


def test_given_a_skipped_row_when_bulk_exported_then_left_out_unless_asked_for(
    home: Path, db: Database, tmp_path: Path
) -> None:
    reached, _ = add_contact(db, "1001")
    queue_outcome(db, reached, "Refused", source_id=1)
    skipped_canvassed(db, add_contact(db, "1002")[0])
    target = tmp_path / "bulk.csv"

    assert as_json(run(home, "export", str(target), "--json"))["rows"] == 1
    with target.open(newline="") as fh:
        assert [r["VANID"] for r in csv.DictReader(fh)] == ["1001"]
    asked = as_json(run(home, "export", str(target), "--status", "skipped", "--json"))
    assert asked["rows"] == 1


def test_given_a_missing_folder_when_exporting_then_one_line_and_no_file(
    home: Path, db: Database, tmp_path: Path
) -> None:
    queue_outcome(db, add_contact(db, "1001")[0], "Refused", source_id=1)
    target = tmp_path / "no-such-folder" / "bulk.csv"

    result = run(home, "export", str(target))

    assert result.exit_code == 1 and "cannot write" in result.output
    assert "Traceback" not in result.output and not target.parent.exists()


def test_given_a_zero_timeout_or_a_lease_shorter_than_it_then_refused_before_anything_runs(
    home: Path, db: Database
) -> None:
    for args in (["test", "--timeout", "0"], ["run", "--timeout", "-1"],
                 ["run", "--lease-seconds", "0"]):  # fmt: skip
        refused = run(home, *args)
        assert refused.exit_code == 2 and "not in the range" in refused.output, args
    short = run(home, "run", "--timeout", "30", "--lease-seconds", "5", "--json")
    assert short.exit_code == 1 and "bad_lease" in short.output
