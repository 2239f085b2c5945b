"""``phonebank contacts wrong-number ID NUMBER --undo``: the mark taken back, refusals, and
what is not restored said in words."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main
from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import open_database

CSV = (
    "Voter File VANID,FirstName,LastName,State,Zip5,CellPhone,HomePhone\n"
    "201,Ana,Smith,MA,02134,617-555-0101,617-555-0199\n"
    "202,Ben,Smith,MA,02134,,617-555-0199\n"
)
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'
AT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def phones(home: Path, contact_id: int) -> dict[str, int]:
    shown = run(home, "contacts", "show", str(contact_id), "--json")
    return {p["e164"]: p["wrong_number"] for p in json.loads(shown.output)["phones"]}


def start_bank(home: Path, title: str) -> int:
    """A bank over the imported list, started now (its queue is built at once)."""
    db = open_database(home / "phonebank.db")
    with db.write() as conn:
        conn.execute("INSERT INTO scripts (name, body) VALUES ('s', ?)", (SCRIPT,))
        list_id = conn.execute("SELECT id FROM lists WHERE name = 'Doors'").fetchone()[0]
        settings = {"title": title, "description": "D", "list_id": list_id, "script_id": 1}
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, AT)
    db.close()
    return bank_id


def test_given_a_number_marked_wrong_for_one_person_when_undone_then_the_mark_goes_and_a_bank_started_meanwhile_is_named(  # noqa: E501
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    assert run(home, "contacts", "import", str(path), "--list", "Doors").exit_code == 0
    assert run(home, "contacts", "wrong-number", "1", "(617) 555-0199").exit_code == 0
    bank_id = start_bank(home, "Spring")

    undone = run(home, "contacts", "wrong-number", "1", "617.555.0199", "--undo")
    assert undone.exit_code == 0, undone.output
    assert undone.output.strip() == (
        "+16175550199 is no longer marked as a wrong number for contact 1. The person is not put"
        f" back in the queue of bank {bank_id} (Spring), built while the number was left out for"
        " them."
    )
    assert phones(home, 1) == {"+16175550101": 0, "+16175550199": 0}
    again = run(home, "contacts", "wrong-number", "1", "617-555-0199", "--undo", "--json")
    assert again.exit_code == 1
    assert json.loads(again.stderr) == {
        "error": "not_marked",
        "message": "+16175550199 is not marked as a wrong number for contact 1",
    }
    refusals = [("2", "617-555-0101", "no_such_phone"), ("1", "555", "bad_number")]
    for contact_id, number, code in refusals:  # not Ben's number; not a phone number
        refused = run(home, "contacts", "wrong-number", contact_id, number, "--undo", "--json")
        assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == code
    assert phones(home, 2) == {"+16175550199": 0}


def test_given_a_mark_when_undone_with_json_then_nothing_left_unrestored_is_reported(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(CSV)
    run(home, "contacts", "import", str(path), "--list", "Doors")
    run(home, "contacts", "wrong-number", "2", "617-555-0199")
    undone = run(home, "contacts", "wrong-number", "2", "617-555-0199", "--undo", "--json")
    assert undone.exit_code == 0, undone.output
    assert json.loads(undone.stdout) == {"contact_id": 2, "e164": "+16175550199",
                                         "wrong_number": False, "closed": [], "left_out": [],
                                         "dnc": False}  # fmt: skip
    text = run(home, "contacts", "wrong-number", "2", "617-555-0199")
    assert text.output.strip() == "+16175550199 marked as a wrong number for contact 2."
    assert phones(home, 2) == {"+16175550199": 1}
