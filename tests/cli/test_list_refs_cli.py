"""``--list`` means the same on every command: an existing list's id, else a list's name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli import main
from controller.store.db import Database

CSV = "FirstName,LastName,CellPhone\nAna,Smith,617-555-0101\nBen,Ode,617-555-0102\n"


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def data(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def refusal(result: Result) -> dict[str, str]:
    assert result.exit_code == 1, result.output
    return dict(json.loads(result.stderr))


def csv_file(tmp_path: Path, text: str = CSV) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text)
    return path


def lists(home: Path) -> list[tuple[int, str, int]]:
    return [(r["id"], r["name"], r["contacts"]) for r in data(run(home, "lists", "--json"))]


def legacy_list(db: Database, name: str) -> int:
    """A list named with digits only, as could be made before such names were refused."""
    with db.write() as conn:
        return int(conn.execute("INSERT INTO lists (name) VALUES (?)", (name,)).lastrowid or 0)


def test_given_a_list_when_importing_with_its_id_then_its_contacts_join_it_and_no_list_is_made(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path)
    first = data(run(home, "contacts", "import", str(path), "--list", "Ward 4", "--json"))
    more = csv_file(tmp_path, CSV.replace("Ana,Smith,617-555-0101", "Cy,Lee,617-555-0103"))
    by_id = run(home, "contacts", "import", str(more), "--list", str(first["list_id"]))
    assert by_id.exit_code == 0, by_id.output
    assert "List 'Ward 4': 1 contact imported" in by_id.output
    assert lists(home) == [(first["list_id"], "Ward 4", 3)]


def test_given_a_new_name_of_digits_only_when_importing_then_refused_and_nothing_is_made(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path)
    refused = refusal(run(home, "contacts", "import", str(path), "--list", " 12 ", "--json"))
    assert refused["error"] == "list_name_digits"
    assert "a new list cannot be called '12'" in refused["message"]
    text = run(home, "contacts", "import", str(path), "--list", "12")
    assert text.exit_code == 1 and "add a word, e.g. 'Ward 12'" in text.stderr
    assert lists(home) == []
    made = run(home, "contacts", "import", str(path), "--list", "Ward 12")
    assert made.exit_code == 0 and lists(home) == [(1, "Ward 12", 2)]


def test_given_a_list_named_with_digits_from_before_when_referred_to_then_id_first_else_name(
    home: Path, tmp_path: Path, db: Database
) -> None:
    path = csv_file(tmp_path)
    data(run(home, "contacts", "import", str(path), "--list", "Ward 4", "--json"))  # id 1
    old = legacy_list(db, "1")  # id 2: "1" is list 1's id, so this one goes by its id
    assert data(run(home, "contacts", "import", str(path), "--list", "1", "--json"))[
        "list_name"] == "Ward 4"  # fmt: skip
    into_old = data(run(home, "contacts", "import", str(path), "--list", str(old), "--json"))
    assert (into_old["list_name"], into_old["imported"]) == ("1", 2)
    other = legacy_list(db, "77")  # no list has id 77: its name still finds it
    assert data(run(home, "contacts", "import", str(path), "--list", "77", "--json"))[
        "list_id"] == other  # fmt: skip
    assert lists(home) == [(old, "1", 2), (other, "77", 2), (1, "Ward 4", 2)]


def test_given_lists_when_browsing_by_id_or_name_then_the_same_contacts_and_unknown_refused(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    other = csv_file(tmp_path, "FirstName,LastName,CellPhone\nDee,Fox,617-555-0109\n")
    run(home, "contacts", "import", str(other), "--list", "Other")
    by_name = data(run(home, "contacts", "list", "--list", "doors", "--json"))
    by_id = data(run(home, "contacts", "list", "--list", "1", "--json"))
    assert by_name == by_id and [r["first_name"] for r in by_id] == ["Ana", "Ben"]
    assert [r["list"] for r in data(run(home, "contacts", "list", "--list", "2", "--json"))] == [
        "Other"]  # fmt: skip
    for ref in ("9", "Nope"):
        unknown = refusal(run(home, "contacts", "list", "--list", ref, "--json"))
        assert unknown == {"error": "no_such_list", "message": f"there is no contact list {ref!r}"}


def test_given_a_list_when_deleting_it_by_id_then_it_goes_and_an_unknown_id_changes_nothing(
    home: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    run(home, "contacts", "import", str(path), "--list", "Keep")
    unknown = refusal(run(home, "contacts", "delete-list", "5", "--yes", "--json"))
    assert unknown["error"] == "no_such_list" and len(lists(home)) == 2
    gone = run(home, "contacts", "delete-list", "1", "--yes")
    assert gone.exit_code == 0 and "List 'Doors' deleted with its 2 contacts." in gone.output
    assert lists(home) == [(2, "Keep", 2)]


def test_given_lists_when_creating_banks_with_list_id_or_name_then_the_same_rule_as_import(
    home: Path, tmp_path: Path, db: Database
) -> None:
    path = csv_file(tmp_path)
    run(home, "contacts", "import", str(path), "--list", "Ward 4")
    old = legacy_list(db, "1")
    base = ("bank", "create", "--title", "T", "--description", "D", "--json")
    assert data(run(home, *base, "--list", "1"))["settings"]["list_id"] == 1
    assert data(run(home, *base, "--list", "ward 4"))["settings"]["list_id"] == 1
    assert data(run(home, *base, "--list", str(old)))["settings"]["list_id"] == old
    assert data(run(home, *base, "--set", "list_id=Ward 4"))["settings"]["list_id"] == 1
    unknown = refusal(run(home, *base, "--list", "9"))
    assert unknown == {"error": "unknown_list", "message": "there is no contact list '9'"}
    edited = data(run(home, "bank", "edit", "1", "--list", str(old), "--json"))
    assert edited["settings"]["list_id"] == old


def test_given_the_help_of_each_command_taking_a_list_then_it_says_id_or_name(
    home: Path,
) -> None:
    for command in (("contacts", "import"), ("contacts", "list"), ("bank", "create")):
        shown = " ".join(run(home, *command, "--help").output.split())
        assert "--list LIST" in shown or "--list TEXT" in shown, command
        assert "id or name" in shown, command
    assert "LIST (its id or its name)" in run(home, "contacts", "delete-list", "--help").output
