from __future__ import annotations

import json
import os
import pwd
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli import main
from controller.store import banks
from controller.store.db import open_database

SCRIPT = """
name: Hello
blocks:
  - id: hi
    title: Greeting
    text: "Hi {{ contact.first_name }}, this is {{ volunteer.first_name }}."
    responses:
      - {label: Talk, next: bye}
      - {label: Hang up, next: null}
  - id: bye
    title: Thanks
    text: Thanks!
"""


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def ok_json(home: Path, *args: str) -> Any:
    result = run(home, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def seed(home: Path, contacts: int = 5) -> None:
    db = open_database(home / "phonebank.db")
    with db.write() as conn:
        banks.seed_synthetic_list(conn, "Voters", contacts)
    db.close()
    (home / "s.yaml").write_text(SCRIPT)
    assert run(home, "script", "import", str(home / "s.yaml")).exit_code == 0


def create(home: Path, *extra: str) -> int:
    data = ok_json(home, "bank", "create", "--title", "GOTV", "--description", "Call voters",
                   "--list", "Voters", "--script", "Hello", *extra)  # fmt: skip
    return int(data["id"])


def test_given_list_and_script_when_bank_created_then_draft_with_defaults(home: Path) -> None:
    seed(home)
    bank_id = create(home, "--hours", "10:00-19:00", "--set", "disclaimer=Paid for by us")
    data = ok_json(home, "bank", "show", str(bank_id))
    assert data["state"] == "draft"
    s = data["settings"]
    assert (s["calling_hours"], s["disclaimer"], s["amd"]) == (
        "10:00-19:00",
        "Paid for by us",
        True,
    )
    assert [b["id"] for b in ok_json(home, "bank", "list")] == [bank_id]


def test_given_missing_list_when_created_then_exit_1_with_message_and_nothing_saved(
    home: Path,
) -> None:
    seed(home)
    result = run(home, "bank", "create", "--title", "T", "--description", "D", "--list", "Nope")
    assert result.exit_code == 1 and "no contact list" in result.stderr
    result = run(home, "bank", "create", "--title", "T", "--description", "D", "--list",
                 "Voters", "--hours", "06:00-20:00", "--json")  # fmt: skip
    assert result.exit_code == 1
    assert json.loads(result.stderr)["error"] == "hours_outside_limits"
    assert ok_json(home, "bank", "list") == []


def test_given_amd_at_creation_when_set_then_refused_but_editable_after_save(home: Path) -> None:
    seed(home)
    result = run(home, "bank", "create", "--title", "T", "--description", "D", "--list",
                 "Voters", "--set", "amd=false", "--json")  # fmt: skip
    assert json.loads(result.stderr)["error"] == "amd_after_save"
    bank_id = create(home)
    assert ok_json(home, "bank", "edit", str(bank_id), "--no-amd")["settings"]["amd"] is False


def test_given_bank_when_walked_through_lifecycle_then_states_and_errors(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    result = run(home, "bank", "start", bank_id, "--json")
    assert json.loads(result.stderr)["error"] == "not_published"
    assert ok_json(home, "bank", "publish", bank_id)["visibility"] == "public"
    started = ok_json(home, "bank", "start", bank_id)
    assert started["state"] == "running" and started["queue"]["ready"] == 5
    assert ok_json(home, "bank", "pause", bank_id)["state"] == "paused"
    assert ok_json(home, "bank", "resume", bank_id)["state"] == "running"
    result = run(home, "bank", "edit", bank_id, "--list", "Voters2", "--json")
    assert result.exit_code == 1
    assert run(home, "bank", "stop", bank_id).exit_code == 1  # needs --yes
    assert ok_json(home, "bank", "stop", bank_id, "--yes")["state"] == "stopped"
    result = run(home, "bank", "resume", bank_id)
    assert result.exit_code == 1 and "resumed" in result.stderr
    status = ok_json(home, "bank", "status", bank_id)
    assert [h["to_state"] for h in status["history"]][-1] == "stopped"
    assert status["queue"]["ready"] == 5
    who = f"{pwd.getpwuid(os.geteuid()).pw_name} on the command line"
    assert {h["actor"] for h in status["history"]} == {who}  # the creation too


def test_given_window_in_future_when_started_then_refused_and_schedule_works(home: Path) -> None:
    seed(home)
    bank_id = str(create(home, "--window-start", "2999-01-01T00:00:00+00:00"))
    ok_json(home, "bank", "publish", bank_id)
    result = run(home, "bank", "start", bank_id, "--json")
    assert json.loads(result.stderr)["error"] == "outside_window"
    data = ok_json(home, "bank", "start", bank_id, "--at", "2999-01-02T00:00:00+00:00")
    assert data["scheduled_start"].startswith("2999-01-02")
    assert run(home, "bank", "start", bank_id, "--at", "tomorrow").exit_code == 1


def test_given_unknown_bank_when_shown_then_clear_error(home: Path) -> None:
    result = run(home, "bank", "show", "42")
    assert result.exit_code == 1 and "no bank 42" in result.stderr


def test_given_status_text_when_printed_then_readable_summary(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    result = run(home, "bank", "status", bank_id)
    assert result.exit_code == 0 and "queue: 0 ready" in result.stdout
    assert "Usage" in run(home, "bank", "--help").output
