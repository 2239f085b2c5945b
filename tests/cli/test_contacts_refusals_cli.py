"""Small refusals and wording around contacts, Do Not Call and user lists: an unknown contact
is no_such_contact on wrong-number (mark and undo); an import that keeps no row leaves no new
empty list behind (an existing list stays); `dnc list` pages with --offset; "1 user added"."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main

CSV = "VanID,FirstName,LastName,CellPhone\n1,Ana,Smith,617-555-0101\n"
ALL_BAD = "VanID,FirstName,LastName,CellPhone\nx,Bo,Lee,12\n3,Cy,Ng,\n"


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def error_of(home: Path, *args: str) -> str:
    result = run(home, *args, "--json")
    assert result.exit_code == 1, result.output
    return str(json.loads(result.stderr)["error"])


def dnc_page(home: Path, offset: int) -> list[str]:
    listed = run(home, "dnc", "list", "--limit", "2", "--offset", str(offset), "--json")
    return [r["e164"] for r in json.loads(listed.stdout)]


def list_names(home: Path) -> list[str]:
    return [r["name"] for r in json.loads(run(home, "lists", "--json").stdout)]


def test_given_an_unknown_contact_when_marking_a_wrong_number_then_no_such_contact(
    home: Path, tmp_path: Path
) -> None:
    (tmp_path / "c.csv").write_text(CSV)
    assert (
        run(home, "contacts", "import", str(tmp_path / "c.csv"), "--list", "Doors").exit_code == 0
    )
    mark = ("contacts", "wrong-number", "999", "(617) 555-0101")
    assert error_of(home, *mark) == "no_such_contact"
    assert error_of(home, *mark, "--undo") == "no_such_contact"
    assert "no contact with id 999" in run(home, *mark).stderr
    assert error_of(home, "contacts", "wrong-number", "1", "(617) 555-0199") == "no_such_phone"
    assert error_of(home, "contacts", "wrong-number", "1", "(617) 555-0199", "--undo") == (
        "no_such_phone"
    )
    phones = json.loads(run(home, "contacts", "show", "1", "--json").stdout)["phones"]
    assert [p["wrong_number"] for p in phones] == [0]


def test_given_a_file_whose_every_row_is_refused_when_imported_then_no_new_list_is_left(
    home: Path, tmp_path: Path
) -> None:
    (tmp_path / "bad.csv").write_text(ALL_BAD)
    (tmp_path / "c.csv").write_text(CSV)
    said = run(home, "contacts", "import", str(tmp_path / "bad.csv"), "--list", "Ward 9")
    assert said.exit_code == 0, said.output
    assert "2 rows skipped" in said.stdout
    assert "Nothing was imported, so the list 'Ward 9' was not created." in said.stdout
    assert list_names(home) == []
    report = json.loads(
        run(
            home, "contacts", "import", str(tmp_path / "bad.csv"), "--list", "Ward 9", "--json"
        ).stdout
    )
    assert report["list_dropped"] is True and report["imported"] == 0

    assert (
        run(home, "contacts", "import", str(tmp_path / "c.csv"), "--list", "Doors").exit_code == 0
    )
    kept = run(home, "contacts", "import", str(tmp_path / "bad.csv"), "--list", "Doors", "--json")
    assert json.loads(kept.stdout)["list_dropped"] is False
    assert list_names(home) == ["Doors"]


def test_given_more_numbers_than_a_page_when_dnc_is_listed_then_offset_pages_through_them(
    home: Path, tmp_path: Path
) -> None:
    numbers = [f"617555{n:04d}" for n in range(101, 106)]
    (tmp_path / "dnc.csv").write_text("\n".join(numbers) + "\n")
    assert run(home, "dnc", "import", str(tmp_path / "dnc.csv")).exit_code == 0
    pages = [dnc_page(home, at) for at in (0, 2, 4)]
    assert sorted(e164 for page in pages for e164 in page) == sorted(f"+1{n}" for n in numbers)
    assert [len(p) for p in pages] == [2, 2, 1]
    first = run(home, "dnc", "list", "--limit", "2").stdout
    assert first.splitlines()[-1] == "(1-2 of 5 numbers; --offset 2 for the next)"
    last = run(home, "dnc", "list", "--limit", "2", "--offset", "4").stdout
    assert last.splitlines()[-1] == "(5-5 of 5 numbers)"
    assert len(run(home, "dnc", "list").stdout.splitlines()) == 5


def test_given_one_user_when_added_to_and_removed_from_a_team_then_said_in_the_singular(
    home: Path,
) -> None:
    for name in ("ann", "bob"):
        assert run(home, "users", "add", name).exit_code == 0
    assert run(home, "users", "lists", "create", "Crew").exit_code == 0
    added = run(home, "users", "lists", "add", "Crew", "ann", "bob")
    assert added.stdout.strip() == "2 users added to 'Crew'."
    removed = run(home, "users", "lists", "add", "Crew", "bob", "--remove")
    assert removed.stdout.strip() == "1 user removed from 'Crew'."
