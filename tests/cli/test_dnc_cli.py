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


def test_given_a_file_with_reasons_and_a_repeat_when_imported_then_each_kept_once_with_its_own(
    home: Path, tmp_path: Path
) -> None:
    numbers = tmp_path / "dnc.csv"
    numbers.write_text(
        "number,reason\n+16175550100,asked on a call\n617-555-0101,\n(617) 555-0100,again\n"
    )
    result = run(home, "dnc", "import", str(numbers), "--reason", "campaign list")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "2 numbers added, 0 already on Do Not Call. 1 line repeated a number given earlier"
        " in the file."
    )
    listed = {r["e164"]: r["reason"] for r in json.loads(run(home, "dnc", "list", "--json").output)}
    assert listed == {"+16175550100": "asked on a call", "+16175550101": "campaign list"}


def test_given_an_empty_utf16_or_latin1_file_when_imported_then_refused_and_nothing_added(
    home: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("number\n\n")
    refused = run(home, "dnc", "import", str(empty), "--json")
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "empty_file"
    wide = tmp_path / "wide.csv"
    wide.write_bytes("number\n+16175550100\n".encode("utf-16"))
    refused = run(home, "dnc", "import", str(wide), "--json")
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "not_utf8"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("number,reason\n+16175550100,Refusé\n".encode("latin-1"))
    refused = run(home, "dnc", "import", str(latin), "--json")
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "not_utf8"
    assert json.loads(run(home, "dnc", "list", "--json").output) == []
