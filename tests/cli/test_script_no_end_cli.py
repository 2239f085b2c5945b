"""``script import`` (with or without ``--replace``) refuses a script whose blocks can loop
with no way out (script_no_end); one saved before the check keeps its banks running."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from test_bank_cli import SCRIPT, create, ok_json, run, seed

from controller.store.db import open_database

TRAP = """
name: Hello
blocks:
  - id: hi
    title: Greeting
    text: Hi!
    responses:
      - {label: Talk, next: ask}
      - {label: Hang up, next: null}
  - id: ask
    title: Question
    text: Will you vote?
    responses:
      - {label: "Yes", next: thanks}
      - {label: Repeat the question, next: ask}
  - id: thanks
    title: Thanks
    text: Thanks!
    responses:
      - {label: Start over, next: ask}
"""


def test_given_a_script_that_traps_the_volunteer_when_imported_then_refused_naming_the_blocks(
    home: Path,
) -> None:
    (home / "trap.yaml").write_text(TRAP)
    result = run(home, "script", "import", str(home / "trap.yaml"), "--json")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["error"] == "script_no_end"
    assert [(p["code"], p["block"]) for p in error["problems"]] == [
        ("script_no_end", "ask"),
        ("script_no_end", "thanks"),
    ]
    text = run(home, "script", "import", str(home / "trap.yaml"))
    assert "[script_no_end] block 'ask' never reaches an end" in text.stderr
    assert "only lead to 'ask' and 'thanks'" in text.stderr
    assert ok_json(home, "script", "list") == []
    checked = run(home, "script", "validate", str(home / "trap.yaml"), "--json")
    assert checked.exit_code == 1 and json.loads(checked.stderr)["error"] == "script_no_end"


def test_given_a_loop_with_a_way_out_when_imported_then_saved(home: Path) -> None:
    doc = yaml.safe_load(TRAP)
    doc["blocks"][2]["responses"].append({"label": "Done", "next": None})
    (home / "ok.yaml").write_text(yaml.safe_dump(doc))
    saved = ok_json(home, "script", "import", str(home / "ok.yaml"))
    exported = yaml.safe_load(run(home, "script", "export", str(saved["id"])).stdout)
    assert exported["blocks"][1]["responses"][1] == {"label": "Repeat the question", "next": "ask"}


def test_given_a_saved_script_when_replaced_by_a_trap_then_refused_and_unchanged(
    home: Path,
) -> None:
    seed(home)  # saves SCRIPT as "Hello"
    bank_id = str(create(home))
    before = run(home, "script", "export", "Hello").stdout
    (home / "trap.yaml").write_text(TRAP)
    result = run(home, "script", "import", str(home / "trap.yaml"), "--replace", "--json")
    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "script_no_end"
    assert run(home, "script", "export", "Hello").stdout == before
    assert ok_json(home, "bank", "show", bank_id)["state"] == "draft"


def test_given_a_trap_saved_before_the_check_when_its_bank_is_published_and_started_then_it_runs(
    home: Path,
) -> None:
    seed(home)
    trap = yaml.safe_load(TRAP)
    db = open_database(home / "phonebank.db")
    with db.write() as conn:  # as stored by a version without the check
        conn.execute("UPDATE scripts SET body = ? WHERE name = 'Hello'", (json.dumps(trap),))
    db.close()
    bank_id = str(create(home))
    ok_json(home, "bank", "publish", bank_id)
    ok_json(home, "bank", "start", bank_id)
    assert ok_json(home, "bank", "show", bank_id)["state"] == "running"
    run(home, "script", "export", "Hello", "-o", str(home / "old.yaml"))
    checked = run(home, "script", "validate", str(home / "old.yaml"), "--json")
    assert json.loads(checked.stderr)["error"] == "script_no_end"
    (home / "fixed.yaml").write_text(SCRIPT)  # a draft bank would follow; a running one refuses
    refused = run(home, "script", "import", str(home / "fixed.yaml"), "--replace", "--json")
    assert json.loads(refused.stderr)["error"] == "script_in_use"
