"""``contacts import``: a column that looks like a phone field another column already gives
is kept as an extra column, and the report says so."""

from __future__ import annotations

import json
from pathlib import Path

from test_contacts_cli import run


def test_given_two_cell_columns_when_imported_then_the_report_notes_the_second_is_not_dialed(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "twocell.csv"
    path.write_text("FirstName,Cell Phone,CellPhone\nA,617-555-0201,617-555-0202\n")
    result = run(home, "contacts", "import", str(path), "--list", "Two")
    assert result.exit_code == 0, result.output
    assert "1 contact imported (1 number)" in result.output
    note = (
        "Note: column 'CellPhone' looks like cell_phone, which column 'Cell Phone' already"
        " gives: it is kept as an extra column (not dialed)."
    )
    assert note in result.output
    mapped = run(home, "contacts", "import", str(path), "--list", "Three", "--json",
                 "--map", "CellPhone=home_phone")  # fmt: skip
    data = json.loads(mapped.stdout)
    assert data["notes"] == [] and data["phones"] == 2
