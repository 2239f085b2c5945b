from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from test_bank_cli import SCRIPT, run


def test_given_valid_yaml_when_imported_and_exported_then_round_trips(home: Path) -> None:
    (home / "s.yaml").write_text(SCRIPT)
    result = run(home, "script", "import", str(home / "s.yaml"), "--json")
    assert result.exit_code == 0, result.output
    script_id = json.loads(result.stdout)["id"]
    exported = run(home, "script", "export", str(script_id))
    assert yaml.safe_load(exported.stdout) == yaml.safe_load(
        run(home, "script", "export", "Hello").stdout
    )
    data = yaml.safe_load(exported.stdout)
    assert data["name"] == "Hello" and [b["id"] for b in data["blocks"]] == ["hi", "bye"]
    as_json = run(home, "script", "export", "Hello", "--format", "json").stdout
    assert run(home, "script", "export", "Hello", "--json").stdout == as_json
    (home / "s.json").write_text(as_json)
    again = run(home, "script", "import", str(home / "s.json"), "--replace", "--json")
    assert json.loads(again.stdout)["id"] == script_id


def test_given_broken_script_when_validated_then_each_problem_listed_and_exit_1(
    home: Path,
) -> None:
    doc = yaml.safe_load(SCRIPT)
    doc["blocks"][0]["responses"][1]["next"] = "gone"
    doc["blocks"][1]["text"] = "{{ contact.age }}"
    doc["blocks"].append({"id": "lost", "title": "Lost", "field": "Nope"})
    (home / "bad.yaml").write_text(yaml.safe_dump(doc))
    result = run(home, "script", "validate", str(home / "bad.yaml"), "--json")
    assert result.exit_code == 1
    codes = sorted(p["code"] for p in json.loads(result.stderr)["problems"])
    assert codes == ["dangling_branch", "unknown_field", "unknown_variable", "unreachable_block"]
    text = run(home, "script", "import", str(home / "bad.yaml"))
    assert text.exit_code == 1 and "[dangling_branch]" in text.stderr
    assert json.loads(run(home, "script", "list", "--json").stdout) == []


def test_given_unreadable_or_missing_file_when_validated_then_clear_error(home: Path) -> None:
    (home / "x.yaml").write_text("name: [unclosed")
    result = run(home, "script", "validate", str(home / "x.yaml"))
    assert result.exit_code == 1 and "[parse_error]" in result.stderr
    assert "x.yaml cannot be read: it is not valid YAML (" in result.stderr
    assert re.search(r"at line \d+, column \d+\)", result.stderr)  # where it shows
    missing = run(home, "script", "validate", str(home / "none.yaml"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    (home / "e.yaml").write_text("name: empty\nblocks: []\n")
    empty = run(home, "script", "validate", str(home / "e.yaml"), "--json")
    assert json.loads(empty.stderr)["error"] == "empty_script"


def test_given_valid_file_when_validated_then_ok_and_nothing_saved(home: Path) -> None:
    (home / "s.yaml").write_text(SCRIPT)
    result = run(home, "script", "validate", str(home / "s.yaml"))
    assert result.exit_code == 0 and "valid" in result.stdout
    assert "No scripts." in run(home, "script", "list").stdout
    assert run(home, "script", "export", "nope").exit_code == 1


def test_given_an_output_in_a_missing_folder_when_a_script_is_exported_then_one_line(
    home: Path,
) -> None:
    (home / "s.yaml").write_text(SCRIPT)
    assert run(home, "script", "import", str(home / "s.yaml")).exit_code == 0
    target = home / "no-such-folder" / "s.yaml"

    result = run(home, "script", "export", "1", "-o", str(target), "--json")

    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "cannot_write"
    assert not target.parent.exists()
    written = run(home, "script", "export", "1", "-o", str(home / "copy.yaml"))
    assert written.exit_code == 0 and "name:" in (home / "copy.yaml").read_text()


YES_NO = """name: Ride
blocks:
  - id: ride
    title: Needs a ride
    text: Do you need a ride to the polls?
    responses:
      - label: Yes
        next: thanks
      - label: No
        next: thanks
      - label: Off
        next: null
  - id: thanks
    title: Thanks
    text: Thank you!
"""


def test_given_unquoted_yes_and_no_labels_when_imported_then_the_buttons_read_yes_and_no(
    home: Path,
) -> None:
    """YAML 1.1 reads unquoted Yes / No / Off as true / false: a script's words stay words."""
    (home / "ride.yaml").write_text(YES_NO)
    assert run(home, "script", "import", str(home / "ride.yaml")).exit_code == 0
    exported = yaml.safe_load(run(home, "script", "export", "Ride").stdout)
    labels = [r["label"] for r in exported["blocks"][0]["responses"]]
    assert labels == ["Yes", "No", "Off"]
