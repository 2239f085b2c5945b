"""``phonebank tags list`` counts contacts in words that agree with the number."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from cli import main


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_given_tags_on_none_one_and_two_contacts_when_listed_then_counts_read_naturally(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("FirstName,Phone\nAna,6175550101\nBen,6175550102\n")
    assert run(home, "contacts", "import", str(path), "--list", "L").exit_code == 0
    assert run(home, "tags", "add", "Unused").exit_code == 0
    for contact_id, tag in (("1", "New tag"), ("1", "Both"), ("2", "Both")):
        assert run(home, "tags", "apply", contact_id, tag).exit_code == 0
    assert run(home, "tags", "list").output.splitlines() == [
        "Both: 2 contacts",
        "New tag: 1 contact",
        "Unused: 0 contacts",
    ]
