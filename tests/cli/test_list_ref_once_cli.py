"""``contacts list --list`` and ``contacts delete-list`` resolve LIST once, with the one
rule, and act on that list: names swapped between the lists right after it is resolved
change nothing about which list is listed or deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import main
from controller.store import lists
from controller.store.db import Database

DOORS = "FirstName,LastName,CellPhone\nAna,Smith,617-555-0101\nBen,Ode,617-555-0102\n"
GATES = "FirstName,LastName,CellPhone\nDee,Fox,617-555-0109\n"


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def data(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def imported(home: Path, tmp_path: Path, name: str, text: str) -> int:
    path = tmp_path / f"{name}.csv"
    path.write_text(text)
    made = data(run(home, "contacts", "import", str(path), "--list", name, "--json"))
    return int(made["list_id"])


def swap_names_once_resolved(
    monkeypatch: pytest.MonkeyPatch, db: Database, first: int, second: int
) -> list[str]:
    """Make every resolution of a list swap the two lists' names right after it: what a
    rename between a second lookup and the first would do. The references resolved."""
    resolved: list[str] = []
    real = lists.resolve

    def resolve_then_swap(conn: Any, ref: str | int) -> lists.ListRef:
        found = real(conn, ref)
        resolved.append(str(ref))
        with db.write() as other:
            a, b = (other.execute("SELECT name FROM lists WHERE id = ?", (i,)).fetchone()[0]
                    for i in (first, second))  # fmt: skip
            other.execute("UPDATE lists SET name = ? WHERE id = ?", (f"{a} (swap)", first))
            other.execute("UPDATE lists SET name = ? WHERE id = ?", (a, second))
            other.execute("UPDATE lists SET name = ? WHERE id = ?", (b, first))
        return found

    monkeypatch.setattr(lists, "resolve", resolve_then_swap)
    return resolved


def test_given_names_swapped_after_resolving_when_listing_contacts_then_the_list_named(
    home: Path, tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    doors = imported(home, tmp_path, "Doors", DOORS)
    gates = imported(home, tmp_path, "Gates", GATES)
    resolved = swap_names_once_resolved(monkeypatch, db, doors, gates)
    rows = data(run(home, "contacts", "list", "--list", "doors", "--json"))
    assert [(r["first_name"], r["list"]) for r in rows] == [("Ana", "Gates"), ("Ben", "Gates")]
    assert resolved == ["doors"]


def test_given_names_swapped_after_resolving_when_deleting_then_the_list_named_goes(
    home: Path, tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    doors = imported(home, tmp_path, "Doors", DOORS)
    gates = imported(home, tmp_path, "Gates", GATES)
    resolved = swap_names_once_resolved(monkeypatch, db, doors, gates)
    gone = data(run(home, "contacts", "delete-list", "Doors", "--yes", "--json"))
    assert gone == {"deleted": "Doors", "contacts": 2} and resolved == ["Doors"]
    monkeypatch.undo()
    left = data(run(home, "lists", "--json"))
    assert [(r["id"], r["name"], r["contacts"]) for r in left] == [(gates, "Doors", 1)]


def test_given_an_old_list_named_with_digits_when_listed_and_deleted_by_id_then_only_it(
    home: Path, tmp_path: Path, db: Database
) -> None:
    ward = imported(home, tmp_path, "Ward 4", DOORS)  # id 1
    with db.write() as conn:  # as a database made before digit-only names were refused
        old = int(conn.execute("INSERT INTO lists (name) VALUES ('1')").lastrowid or 0)
    path = tmp_path / "old.csv"
    path.write_text(GATES)
    data(run(home, "contacts", "import", str(path), "--list", str(old), "--json"))
    by_id = data(run(home, "contacts", "list", "--list", str(old), "--json"))
    assert [(r["first_name"], r["list"]) for r in by_id] == [("Dee", "1")]
    by_digits = data(run(home, "contacts", "list", "--list", "1", "--json"))
    assert {r["list"] for r in by_digits} == {"Ward 4"}  # "1" is list 1's id first
    gone = data(run(home, "contacts", "delete-list", str(old), "--yes", "--json"))
    assert gone == {"deleted": "1", "contacts": 1}
    left = data(run(home, "lists", "--json"))
    assert [(r["id"], r["name"], r["contacts"]) for r in left] == [(ward, "Ward 4", 2)]
