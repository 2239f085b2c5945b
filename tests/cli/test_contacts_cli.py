from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main

CSV = (
    "Voter File VANID,FirstName,LastName,State,Zip5,CellPhone,HomePhone,Shirt Size\n"
    "201,Ana,Smith,MA,02134,617-555-0101,617-555-0199,M\n"
    "202,Ben,Smith,MA,02134,,617-555-0199,L\n"
    "203,Cy,Ode,MA,02134,999,,S\n"
)


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_given_van_csv_when_imported_then_summary_lists_skipped_rows(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    result = run(home, "contacts", "import", str(path), "--list", "Doors")
    assert result.exit_code == 0, result.output
    assert "2 contacts imported (3 numbers), 0 already there, 1 row skipped" in result.output
    assert "line 4: CellPhone: not a valid phone number: '999'" in result.output
    again = run(home, "contacts", "import", str(path), "--list", "Doors", "--json")
    data = json.loads(again.output)
    assert (data["imported"], data["duplicates"]) == (0, 2)
    assert data["errors"] == [
        {"line": 4, "code": "bad_number", "reason": "CellPhone: not a valid phone number: '999'"}
    ]


def test_given_mapping_when_imported_then_columns_used_as_mapped(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Who,Mobile,Ward\nDee,206 555 0100,4\n")
    result = run(home, "contacts", "import", str(path), "--list", "M", "--map", "Who=first_name",
                 "--map", "Mobile=cell_phone", "--json")  # fmt: skip
    assert json.loads(result.output)["imported"] == 1
    shown = json.loads(run(home, "contacts", "show", "1", "--json").output)
    assert shown["first_name"] == "Dee"
    assert shown["phones"][0]["type"] == "cell"
    assert shown["extra"] == {"Ward": "4"}
    assert shown["time_zone"] == "America/Los_Angeles"


def test_given_bad_file_or_mapping_when_imported_then_exit_1_and_no_list(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Name,Email\nAna,a@example.org\n")
    result = run(home, "contacts", "import", str(path), "--list", "X")
    assert result.exit_code == 1
    assert "no phone number column" in result.output
    result = run(home, "contacts", "import", str(path), "--list", "X", "--map", "Name=nope",
                 "--json")  # fmt: skip
    assert result.exit_code == 1
    assert json.loads(result.stderr)["error"] == "unknown_field"
    result = run(home, "contacts", "import", str(tmp_path / "none.csv"), "--list", "X")
    assert result.exit_code == 1 and "no such file" in result.output
    assert json.loads(run(home, "lists", "--json").output) == []


def test_given_imported_list_when_listed_and_shown_then_household_visible(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    lists = json.loads(run(home, "lists", "--json").output)
    assert [(r["name"], r["contacts"], r["phones"]) for r in lists] == [("Doors", 2, 3)]
    rows = json.loads(run(home, "contacts", "list", "--list", "Doors", "--json").output)
    assert [(r["first_name"], r["phone"]) for r in rows] == [
        ("Ana", "+16175550101"),
        ("Ben", "+16175550199"),
    ]
    shown = run(home, "contacts", "show", str(rows[0]["id"]))
    assert "shares +16175550199 with" in shown.output and "Ben Smith" in shown.output
    assert "Shirt Size: M" in shown.output
    missing = run(home, "contacts", "show", "999", "--json")
    assert missing.exit_code == 1 and json.loads(missing.stderr)["error"] == "no_such_contact"
    assert run(home, "contacts", "list", "--list", "Nope").exit_code == 1


def test_given_household_when_wrong_number_marked_then_only_that_person(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    result = run(home, "contacts", "wrong-number", "1", "(617) 555-0199")
    assert result.exit_code == 0, result.output
    ana = json.loads(run(home, "contacts", "show", "1", "--json").output)
    ben = json.loads(run(home, "contacts", "show", "2", "--json").output)
    assert [p["wrong_number"] for p in ana["phones"]] == [0, 1]
    assert [p["wrong_number"] for p in ben["phones"]] == [0]
    assert run(home, "contacts", "wrong-number", "2", "312 555 0100").exit_code == 1


def test_given_lists_when_deleting_then_an_unused_one_goes_with_its_contacts_and_a_used_one_stays(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    for name in ("Doors", "Spare"):
        assert run(home, "contacts", "import", str(path), "--list", name).exit_code == 0
    made = run(home, "bank", "create", "--title", "T", "--description", "D", "--list", "Doors")
    assert made.exit_code == 0, made.output
    unconfirmed = run(home, "contacts", "delete-list", "Spare", "--json")
    assert unconfirmed.exit_code == 1 and "confirm_required" in unconfirmed.stderr
    used = run(home, "contacts", "delete-list", "Doors", "--yes", "--json")
    assert used.exit_code == 1 and json.loads(used.stderr)["error"] == "list_in_use"
    deleted = run(home, "contacts", "delete-list", "Spare", "--yes")
    assert deleted.exit_code == 0 and "List 'Spare' deleted with its 2 contacts." in deleted.output
    lists = json.loads(run(home, "lists", "--json").output)
    assert [(r["name"], r["contacts"]) for r in lists] == [("Doors", 2)]
    assert json.loads(run(home, "contacts", "list", "--json").output)[0]["list"] == "Doors"


def quote_file(path: Path, closed: bool) -> Path:
    """5 good rows, a row whose quote opens (and, if ``closed``, closes a line later), 5 more."""
    lines = ["FirstName,LastName,CellPhone"]
    lines += [f"P{i},X,617-555-020{i}" for i in range(5)]
    lines += ['Bad,"Quote,617-555-0300' if not closed else 'Bad,"Two\nLines",617-555-0300']
    lines += [f"Q{i},Y,617-555-040{i}" for i in range(5)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_given_a_quote_that_never_closes_when_imported_then_refused_with_the_lines_and_nothing_added(  # noqa: E501
    home: Path, tmp_path: Path
) -> None:
    path = quote_file(tmp_path / "quote3.csv", closed=False)
    result = run(home, "contacts", "import", str(path), "--list", "T_quote3")
    assert result.exit_code == 1
    assert (
        "line 7: a quote opens here and never closes: lines 7-12 (6 lines) read as one field"
        in result.stderr
    )
    result = run(home, "contacts", "import", str(path), "--list", "T_quote3", "--json")
    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "unclosed_quote"
    assert json.loads(run(home, "lists", "--json").output) == []


def test_given_a_quoted_field_over_two_lines_when_imported_then_every_row_lands(
    home: Path, tmp_path: Path
) -> None:
    path = quote_file(tmp_path / "multi.csv", closed=True)
    data = json.loads(run(home, "contacts", "import", str(path), "--list", "M", "--json").output)
    assert (data["rows"], data["imported"], data["errors"]) == (11, 11, [])
    rows = json.loads(run(home, "contacts", "list", "--search", "Lines", "--json").output)
    assert [r["last_name"] for r in rows] == ["Two\nLines"]


def test_given_one_contact_when_imported_listed_and_deleted_then_messages_are_singular(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("FirstName,CellPhone\nAnn,617-555-0101\nBo,12\n")
    result = run(home, "contacts", "import", str(path), "--list", "One")
    assert "List 'One': 1 contact imported (1 number), 0 already there, 1 row skipped." in (
        result.output
    )
    assert "   1  One: 1 contact, 1 number" in run(home, "lists").output
    deleted = run(home, "contacts", "delete-list", "One", "--yes")
    assert "List 'One' deleted with its 1 contact." in deleted.output


def test_given_imported_list_when_searched_by_a_number_as_people_write_it_then_found(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    for typed in ("617-555-0101", "(617) 555-0101", "1 617 555 0101", "6175550101"):
        result = run(home, "contacts", "list", "--search", typed)
        assert "Ana Smith  +16175550101" in result.output, typed
        assert "Ben" not in result.output
    assert "No contacts." in run(home, "contacts", "list", "--search", "617-555-0102").output


def test_given_rows_whose_state_is_no_us_state_when_imported_then_a_note_says_so_and_the_phone_gives_the_zone(  # noqa: E501
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "FirstName,LastName,State,CellPhone\n"
        "Ana,Lee,ZZ,310-555-0101\nBo,Ray,zz,310-555-0102\nCy,Day,England,310-555-0103\n"
        "Di,Fox,MA,617-555-0104\n"
    )
    result = run(home, "contacts", "import", str(path), "--list", "Abroad")
    assert result.exit_code == 0, result.output
    assert (
        "Note: 3 contacts in this list have a State that is no US state ('ZZ', 'ENGLAND'):"
        " their calling hours follow the time zone of their phone number." in result.output
    )
    shown = json.loads(run(home, "contacts", "list", "--list", "Abroad", "--json").output)
    zones = {c["first_name"]: c["time_zone"] for c in shown}
    assert zones["Ana"] == "America/Los_Angeles" and zones["Di"] == "America/New_York"
