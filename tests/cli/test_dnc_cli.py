from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_given_number_when_added_checked_and_removed_then_list_follows(home: Path) -> None:
    added = run(home, "dnc", "add", "(617) 555-0123", "--reason", "asked", "--json")
    assert json.loads(added.output) == {"e164": "+16175550123", "added": True}
    assert "already" in run(home, "dnc", "add", "6175550123").output
    assert json.loads(run(home, "dnc", "check", "617 555 0123", "--json").output)["on_dnc"]
    listed = json.loads(run(home, "dnc", "list", "--json").output)
    assert [(r["e164"], r["reason"]) for r in listed] == [("+16175550123", "asked")]
    assert run(home, "dnc", "remove", "+16175550123").exit_code == 0
    again = run(home, "dnc", "remove", "+16175550123", "--json")
    assert again.exit_code == 1 and json.loads(again.stderr)["error"] == "not_on_dnc"
    assert "empty" in run(home, "dnc", "list").output


def test_given_bad_number_when_added_then_exit_1_and_list_empty(home: Path) -> None:
    result = run(home, "dnc", "add", "555", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stderr)["error"] == "bad_number"
    assert json.loads(run(home, "dnc", "list", "--json").output) == []


def test_given_file_when_imported_then_counts_and_bad_lines_reported(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "dnc.txt"
    path.write_text("6175550101\n617-555-0102\nabc\n")
    result = run(home, "dnc", "import", str(path))
    assert result.exit_code == 0
    assert "2 numbers added, 0 already on Do Not Call." in result.output
    assert "line 3:" in result.output
    data = json.loads(run(home, "dnc", "import", str(path), "--json").output)
    assert (data["added"], data["already"]) == (0, 2)


def test_given_a_number_when_added_removed_and_checked_then_the_page_wording_each_time(
    home: Path,
) -> None:
    number = "(212) 555-0108"
    assert run(home, "dnc", "add", number).stdout == "+12125550108 added to Do Not Call.\n"
    assert run(home, "dnc", "add", number).stdout == "+12125550108 was already on Do Not Call.\n"
    assert run(home, "dnc", "check", number).stdout == "+12125550108 is on Do Not Call.\n"
    assert run(home, "dnc", "remove", number).stdout == "+12125550108 removed from Do Not Call.\n"
    gone = run(home, "dnc", "remove", number)
    assert gone.exit_code == 1 and gone.stderr == "Error: +12125550108 is not on Do Not Call.\n"
    assert run(home, "dnc", "check", number).stdout == "+12125550108 is not on Do Not Call.\n"
