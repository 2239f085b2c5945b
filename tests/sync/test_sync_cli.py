"""`phonebank sync ...` commands: settings (key never printed), test, map, retry, export."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from conftest import add_contact, queue_outcome
from van_server import API_KEY, APP_NAME, VanServer

from controller.commands.common import AppContext
from controller.commands.sync import sync
from controller.store import outbox
from controller.store.db import Database


def run(home: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(sync, list(args), input=stdin, obj=AppContext(home=home))


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_given_key_on_stdin_when_configured_then_stored_and_never_printed(
    home: Path, db: Database
) -> None:
    out = run(home, "configure", "--app-name", "acme", "--api-key-stdin", "--mode", "0",
              "--json", stdin="s3cr3t-key\n")  # fmt: skip
    assert as_json(out)["van"] == {
        "application_name": "acme",
        "api_key": "set",
        "mode": 0,
        "mode_name": "VoterFile",
        "base_url": "https://api.securevan.com/v4",
    }
    for command in (["status"], ["status", "--json"], ["configure", "--json"]):
        assert "s3cr3t" not in run(home, *command).output


def test_given_bad_settings_when_configured_then_clear_error_and_nothing_changed(
    home: Path, db: Database
) -> None:
    bad = run(home, "configure", "--base-url", "ftp://x", "--app-name", "acme", "--json")
    assert bad.exit_code == 1
    assert "bad_url" in bad.output
    assert as_json(run(home, "status", "--json"))["van"]["application_name"] == ""
    assert run(home, "configure", "--mode", "3").exit_code == 2


async def test_given_van_server_when_sync_test_then_ok_and_wrong_key_fails(
    home: Path, db: Database, van: VanServer
) -> None:
    run(home, "configure", "--app-name", APP_NAME, "--api-key-stdin", "--base-url", van.url,
        stdin=API_KEY + "\n")  # fmt: skip
    # the click command runs its own event loop: call it from a worker thread
    good = await asyncio.to_thread(run, home, "test", "--json")
    assert as_json(good)["echo"] == "phonebank"
    run(home, "configure", "--api-key-stdin", stdin="wrong\n")
    bad = await asyncio.to_thread(run, home, "test", "--json")
    assert bad.exit_code == 1
    assert json.loads(bad.output)["error"] == "UNAUTHORIZED"


def test_given_map_commands_when_run_then_instruction_set_listed_and_removed(
    home: Path, db: Database
) -> None:
    made = run(home, "map", "Call Outcome", "do not call", "--result-code", "Refused",
               "--contact-type", "Auto Dial", "--json")  # fmt: skip
    assert as_json(made)["value"] == "Do Not Call"
    listed = as_json(run(home, "instructions", "--json"))
    assert {(i["value"], i["result_code"]) for i in listed} >= {
        ("Do Not Call", "Refused"),
        ("Busy", "Not Home"),
        ("Completed", "Canvassed"),
    }
    both = run(home, "map", "Call Outcome", "Busy", "--result-code", "X", "--activist-code", "4")
    assert both.exit_code == 1
    assert "exactly one" in both.output
    assert run(home, "map", "Nope", "x", "--result-code", "X").exit_code == 1
    assert run(home, "unmap", "Call Outcome", "Do Not Call").exit_code == 0
    assert run(home, "unmap", "Call Outcome", "Do Not Call").exit_code == 1


def test_given_failed_rows_when_retry_then_pending_again(home: Path, db: Database) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Busy", source_id=1)
    with db.write() as conn:
        (claimed,) = outbox.claim_due(conn, "van", "t", 1e12, 60)
        assert claimed.id == row_id
        outbox.mark_failed(conn, row_id, "t", "INVALID_PARAMETER", "bad")
    listed = run(home, "list", "--status", "failed")
    assert f"#{row_id} van failed" in listed.output
    assert "[INVALID_PARAMETER] bad" in listed.output
    for limit in ("0", "-1", "99999999999999999999"):  # a usage error, not "No rows." or a trace
        refused = run(home, "list", "--limit", limit)
        assert refused.exit_code == 2 and "--limit" in refused.output, limit
    assert as_json(run(home, "retry", "--json")) == {"requeued": 1}
    assert as_json(run(home, "status", "--json"))["outbox"]["van"]["pending"] == 1


def test_given_queued_results_when_exported_then_csv_for_van_bulk_upload(
    home: Path, db: Database, tmp_path: Path
) -> None:
    with_van, phone_id = add_contact(db, "1001", van_phone_id="77")
    without_van, _ = add_contact(db, None)
    queue_outcome(db, with_van, "Wrong Number", source_id=1, phone_id=phone_id)
    queue_outcome(db, without_van, "Busy", source_id=2)
    target = tmp_path / "results.csv"
    assert as_json(run(home, "export", str(target), "--json"))["rows"] == 1
    with target.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows == [
        {
            "VANID": "1001",
            "DateCanvassed": "2026-11-03T17:05:00Z",
            "ContactType": "Phone",
            "InputType": "API",
            "ResultCode": "Wrong Number",
            "SurveyQuestionID": "",
            "SurveyResponseID": "",
            "ActivistCodeID": "",
            "ActivistCodeAction": "",
            "PhoneID": "77",
            "PhonebankRowID": "1",
        }
    ]
    assert as_json(run(home, "export", str(target), "--status", "sent", "--json"))["rows"] == 0
