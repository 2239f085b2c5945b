from __future__ import annotations

from pathlib import Path

import pytest

from controller.model.fields import OUTCOMES, FieldError, validate_field
from controller.store import contacts, fields
from controller.store.db import Database


@pytest.fixture
def contact_id(db: Database, tmp_path: Path) -> int:
    path = tmp_path / "c.csv"
    path.write_text("FirstName,Phone\nAna,6175550101\n")
    report = contacts.import_csv(db, path, "L")
    return int(contacts.contact_rows(db, report.list_id)[0]["id"])


def test_given_fresh_database_when_fields_listed_then_two_protected_builtins(
    db: Database,
) -> None:
    listed = fields.all_fields(db)
    assert [(f["name"], f["kind"], f["builtin"]) for f in listed] == [
        ("Call Outcome", "choice", True),
        ("Last Called At", "timestamp", True),
    ]
    assert tuple(listed[0]["options"]) == OUTCOMES
    for name in ("Call Outcome", "last called at"):
        with pytest.raises(FieldError) as info:
            fields.remove_field(db, name)
        assert info.value.code == "builtin_field"
    assert len(fields.all_fields(db)) == 2


def test_given_new_field_when_added_twice_then_second_refused(db: Database) -> None:
    created = fields.add_field(db, validate_field("Support", "choice", ["1", "2", "3"]))
    assert created["options"] == ["1", "2", "3"]
    with pytest.raises(FieldError) as info:
        fields.add_field(db, validate_field("support", "text"))
    assert info.value.code == "field_exists"


def test_given_field_values_when_set_then_validated_and_last_one_kept(
    db: Database, contact_id: int
) -> None:
    fields.add_field(db, validate_field("Support", "choice", ["Strong", "Lean"]))
    assert fields.set_value(db, contact_id, "Support", "strong", bank_id=7) == "Strong"
    assert fields.set_value(db, contact_id, "Call Outcome", "not home") == "Not Home"
    assert fields.set_value(db, contact_id, "Support", "Lean") == "Lean"
    with pytest.raises(FieldError):
        fields.set_value(db, contact_id, "Support", "Maybe")
    assert fields.values_for(db, contact_id) == {"Call Outcome": "Not Home", "Support": "Lean"}


def test_given_unknown_field_or_contact_when_value_set_then_error_and_nothing_stored(
    db: Database, contact_id: int
) -> None:
    with pytest.raises(FieldError) as info:
        fields.set_value(db, contact_id, "Nope", "x")
    assert info.value.code == "no_such_field"
    with pytest.raises(FieldError) as info:
        fields.set_value(db, 999_999, "Call Outcome", "Busy")
    assert info.value.code == "no_such_contact"
    assert fields.values_for(db, contact_id) == {}


def test_given_removed_field_when_it_had_values_then_values_go_with_it(
    db: Database, contact_id: int
) -> None:
    fields.add_field(db, validate_field("Pets", "number"))
    fields.set_value(db, contact_id, "Pets", "2")
    fields.remove_field(db, "Pets")
    assert fields.values_for(db, contact_id) == {}
    with pytest.raises(FieldError) as info:
        fields.remove_field(db, "Pets")
    assert info.value.code == "no_such_field"


def test_given_tags_when_applied_and_removed_then_counts_follow(
    db: Database, contact_id: int
) -> None:
    assert fields.tag_contact(db, contact_id, "Needs ride")
    assert not fields.tag_contact(db, contact_id, "needs ride")
    assert fields.tags_for(db, contact_id) == ["Needs ride"]
    assert [(t["name"], t["contacts"]) for t in fields.all_tags(db)] == [("Needs ride", 1)]
    assert fields.untag_contact(db, contact_id, "Needs ride")
    assert fields.tags_for(db, contact_id) == []
    fields.remove_tag(db, "Needs ride")
    assert fields.all_tags(db) == []
    with pytest.raises(FieldError):
        fields.remove_tag(db, "Needs ride")


def test_given_missing_contact_when_tagged_then_error_and_no_tag_created(db: Database) -> None:
    with pytest.raises(FieldError) as info:
        fields.tag_contact(db, 424242, "Ghost")
    assert info.value.code == "no_such_contact"
    assert fields.all_tags(db) == []
