from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def one_contact(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("FirstName,Phone\nAna,6175550101\n")
    assert run(home, "contacts", "import", str(path), "--list", "L").exit_code == 0


def test_given_builtins_when_removed_then_refused_and_still_listed(home: Path) -> None:
    result = run(home, "fields", "remove", "Call Outcome", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stderr)["error"] == "builtin_field"
    names = [f["name"] for f in json.loads(run(home, "fields", "list", "--json").output)]
    assert names == ["Call Outcome", "Last Called At"]


def test_given_builtins_when_set_by_hand_then_refused_and_nothing_recorded(
    home: Path, tmp_path: Path
) -> None:
    one_contact(home, tmp_path)
    for name, value in (("Call Outcome", "Do Not Call"), ("Last Called At", "2020-01-01")):
        result = run(home, "fields", "set", "1", name, value, "--json")
        assert result.exit_code == 1, name
        assert json.loads(result.stderr)["error"] == "builtin_field"
    assert json.loads(run(home, "contacts", "show", "1", "--json").output)["fields"] == {}


def test_given_choice_field_when_added_and_set_then_values_checked(
    home: Path, tmp_path: Path
) -> None:
    one_contact(home, tmp_path)
    added = run(home, "fields", "add", "Support", "--kind", "choice", "--option", "Yes",
                "--option", "No", "--default")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert run(home, "fields", "set", "1", "Support", "yes").exit_code == 0
    bad = run(home, "fields", "set", "1", "Support", "maybe", "--json")
    assert bad.exit_code == 1 and json.loads(bad.stderr)["error"] == "not_an_option"
    shown = json.loads(run(home, "contacts", "show", "1", "--json").output)
    assert shown["fields"] == {"Support": "Yes"}
    assert run(home, "fields", "add", "support").exit_code == 1
    assert run(home, "fields", "add", "Mood", "--kind", "choice").exit_code == 1
    assert run(home, "fields", "remove", "Support").exit_code == 0
    assert json.loads(run(home, "contacts", "show", "1", "--json").output)["fields"] == {}


def test_given_tags_when_applied_listed_and_removed_then_contact_follows(
    home: Path, tmp_path: Path
) -> None:
    one_contact(home, tmp_path)
    assert run(home, "tags", "add", "Needs ride").exit_code == 0
    assert run(home, "tags", "add", "needs ride").exit_code == 1
    assert run(home, "tags", "apply", "1", "Needs ride").exit_code == 0
    listed = json.loads(run(home, "tags", "list", "--json").output)
    assert [(t["name"], t["contacts"]) for t in listed] == [("Needs ride", 1)]
    assert json.loads(run(home, "contacts", "show", "1", "--json").output)["tags"] == ["Needs ride"]
    assert run(home, "tags", "apply", "1", "Needs ride", "--off").exit_code == 0
    assert json.loads(run(home, "contacts", "show", "1", "--json").output)["tags"] == []
    assert run(home, "tags", "apply", "99", "X").exit_code == 1
    unknown = run(home, "tags", "apply", "1", "Nope", "--off", "--json")
    assert unknown.exit_code == 1 and json.loads(unknown.stderr)["error"] == "no_such_tag"
    nobody = run(home, "tags", "apply", "99", "Needs ride", "--off", "--json")
    assert nobody.exit_code == 1 and json.loads(nobody.stderr)["error"] == "no_such_contact"
    assert [t["name"] for t in json.loads(run(home, "tags", "list", "--json").output)] == [
        "Needs ride"
    ]  # taking off an unknown tag created nothing
    assert run(home, "tags", "remove", "Needs ride").exit_code == 0
    assert run(home, "tags", "remove", "Needs ride").exit_code == 1
