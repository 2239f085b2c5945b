"""`phonebank script delete NAME --yes`: a script no bank uses can be deleted; one any bank
uses (even a draft) is refused naming the banks, and the fields it linked are freed."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import create, ok_json, run, seed
from test_script_sharing_cli import SURVEY


def test_given_a_script_no_bank_uses_when_deleted_with_yes_then_gone(home: Path) -> None:
    seed(home)  # saves the script "Hello"
    listed = ok_json(home, "script", "list")
    assert [(s["name"], s["banks"]) for s in listed] == [("Hello", [])]
    assert "used by no bank" in run(home, "script", "list").stdout
    unconfirmed = run(home, "script", "delete", "Hello", "--json")
    assert unconfirmed.exit_code == 1
    assert json.loads(unconfirmed.stderr)["error"] == "confirm_required"
    assert len(ok_json(home, "script", "list")) == 1
    gone = run(home, "script", "delete", "hello", "--yes")
    assert (
        gone.exit_code == 0
        and gone.output.strip() == f"Script {listed[0]['id']} ('Hello') deleted."
    )
    assert ok_json(home, "script", "list") == []
    attach = run(home, "bank", "create", "--title", "T", "--description", "D", "--list", "Voters",
                 "--script", "Hello", "--json")  # fmt: skip
    assert attach.exit_code == 1 and json.loads(attach.stderr)["error"] == "unknown_script"
    missing = run(home, "script", "delete", "Hello", "--yes", "--json")
    assert missing.exit_code == 1 and json.loads(missing.stderr)["error"] == "unknown_script"
    plain = run(home, "script", "delete", "Hello", "--yes")
    assert plain.stderr.strip() == "Error: there is no script 'Hello'"


def test_given_a_script_by_id_when_deleted_then_json_names_it(home: Path) -> None:
    seed(home)
    script_id = ok_json(home, "script", "list")[0]["id"]
    done = ok_json(home, "script", "delete", str(script_id), "--yes")
    assert done == {"id": script_id, "name": "Hello", "deleted": True}


def test_given_draft_and_stopped_banks_using_a_script_when_deleted_then_refused_naming_them(
    home: Path,
) -> None:
    seed(home)
    stopped, draft = str(create(home)), str(create(home))
    ok_json(home, "bank", "publish", stopped)
    ok_json(home, "bank", "start", stopped)
    ok_json(home, "bank", "stop", stopped, "--yes")
    assert f"used by banks {stopped} and {draft}" in run(home, "script", "list").stdout
    refused = run(home, "script", "delete", "Hello", "--yes", "--json")
    assert refused.exit_code == 1
    error = json.loads(refused.stderr)
    assert error["error"] == "script_in_use"
    assert error["message"] == (
        f"script 'Hello' is used by banks {stopped} (stopped) and {draft} (draft); a script a"
        " bank uses cannot be deleted (attach another script to the draft and published ones"
        " first)"
    )
    assert ok_json(home, "script", "list")[0]["banks"] == [int(stopped), int(draft)]
    ok_json(home, "bank", "delete", draft, "--yes")
    only_stopped = run(home, "script", "delete", "Hello", "--yes")
    assert only_stopped.exit_code == 1
    assert only_stopped.stderr.strip() == (
        f"Error: script 'Hello' is used by bank {stopped} (stopped);"
        " a script a bank uses cannot be deleted"
    )
    assert ok_json(home, "bank", "show", stopped)["state"] == "stopped"


def test_given_a_draft_given_another_script_when_the_old_one_is_deleted_then_it_goes(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    (home / "survey.yaml").write_text(SURVEY.replace("field: Support\n    next: null\n", ""))
    ok_json(home, "script", "import", str(home / "survey.yaml"))
    assert run(home, "script", "delete", "Hello", "--yes").exit_code == 1
    ok_json(home, "bank", "edit", bank_id, "--script", "Survey")
    assert ok_json(home, "script", "delete", "Hello", "--yes")["deleted"] is True
    assert [s["name"] for s in ok_json(home, "script", "list")] == ["Survey"]


def test_given_a_field_only_a_deleted_script_linked_when_removed_then_allowed(home: Path) -> None:
    seed(home)
    ok_json(home, "fields", "add", "Support", "--kind", "yesno")
    (home / "survey.yaml").write_text(SURVEY)
    ok_json(home, "script", "import", str(home / "survey.yaml"))
    in_use = run(home, "fields", "remove", "Support", "--json")
    assert json.loads(in_use.stderr)["error"] == "field_in_use"
    ok_json(home, "script", "delete", "Survey", "--yes")
    assert ok_json(home, "fields", "remove", "Support") == {"removed": "Support"}
