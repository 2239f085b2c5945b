"""The store acts on the list a reference was resolved to (its id), never on a name it
looks up again: an old list named with digits only, or a list renamed after it was
named, is still the one acted on."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.store import banks as bank_store
from controller.store import contacts, lists
from controller.store.db import Database

CSV = "FirstName,Phone\nAna,6175550101\nBen,6175550102\n"


def imported(db: Database, tmp_path: Path, ref: str, text: str = CSV) -> int:
    path = tmp_path / "people.csv"
    path.write_text(text)
    return contacts.import_csv(db, path, ref).list_id


def legacy_list(db: Database, name: str) -> int:
    """A list named with digits only, as a database made before the rule could hold."""
    with db.write() as conn:
        return int(conn.execute("INSERT INTO lists (name) VALUES (?)", (name,)).lastrowid or 0)


def resolve(db: Database, ref: str) -> lists.ListRef:
    with db.read() as conn:
        return lists.resolve(conn, ref)


def names(db: Database) -> list[tuple[int, str, int]]:
    return [(r["id"], r["name"], r["contacts"]) for r in contacts.all_lists(db)]


def test_given_an_old_list_named_with_digits_when_resolved_then_the_store_acts_on_that_list(
    db: Database, tmp_path: Path
) -> None:
    ward = imported(db, tmp_path, "Ward 4")  # id 1
    old = legacy_list(db, "1")  # "1" is Ward 4's id: the old list goes by its id
    imported(db, tmp_path, str(old), "FirstName,Phone\nCy,6175550103\n")
    by_id = resolve(db, str(old))
    assert by_id == (old, "1") and resolve(db, "1") == (ward, "Ward 4")
    assert [r["first_name"] for r in contacts.contact_rows(db, by_id.id)] == ["Cy"]
    listed = contacts.get_list(db, by_id.id)
    assert listed is not None and (listed["name"], listed["contacts"]) == ("1", 1)
    other = legacy_list(db, "77")  # no list has id 77: its name still finds it
    assert resolve(db, "77") == (other, "77")
    assert contacts.delete_list(db, by_id) == 1
    assert names(db) == [(other, "77", 0), (ward, "Ward 4", 2)]


def test_given_a_list_renamed_after_it_was_named_when_deleted_then_that_list_goes(
    db: Database, tmp_path: Path
) -> None:
    doors = imported(db, tmp_path, "Doors")
    named = resolve(db, "doors")
    with db.write() as conn:  # renamed meanwhile, and a new list takes the old name
        conn.execute("UPDATE lists SET name = 'Gates' WHERE id = ?", (doors,))
    newer = imported(db, tmp_path, "Doors", "FirstName,Phone\nDee,6175550109\n")
    assert [r["first_name"] for r in contacts.contact_rows(db, named.id)] == ["Ana", "Ben"]
    assert contacts.delete_list(db, named) == 2
    assert names(db) == [(newer, "Doors", 1)]


def test_given_a_list_deleted_after_it_was_named_when_deleted_then_no_such_list_and_no_change(
    db: Database, tmp_path: Path
) -> None:
    doors = imported(db, tmp_path, "Doors")
    keep = imported(db, tmp_path, "Keep")
    named = resolve(db, str(doors))
    assert contacts.delete_list(db, named) == 2
    with pytest.raises(lists.ListError) as gone:
        contacts.delete_list(db, named)
    assert (gone.value.code, gone.value.message) == (
        "no_such_list", "there is no contact list 'Doors'")  # fmt: skip
    assert contacts.get_list(db, doors) is None and names(db) == [(keep, "Keep", 2)]


def test_given_an_old_digit_named_list_a_bank_uses_when_deleted_then_refused_by_its_name(
    db: Database, tmp_path: Path
) -> None:
    imported(db, tmp_path, "Ward 4")
    old = legacy_list(db, "1")
    with db.write() as conn:
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": old})
    with pytest.raises(lists.ListError) as refused:
        contacts.delete_list(db, resolve(db, str(old)))
    assert (refused.value.code, refused.value.message) == (
        "list_in_use",
        f"list '1' is used by bank {bank.id}; a list a bank uses cannot be deleted",
    )
    assert [n for _, n, _ in names(db)] == ["1", "Ward 4"]


def test_given_a_name_where_the_list_id_goes_when_listing_contacts_then_refused_not_empty(
    db: Database, tmp_path: Path
) -> None:
    imported(db, tmp_path, "Doors")
    with pytest.raises(ValueError):
        contacts.contact_rows(db, "Doors")  # type: ignore[arg-type]
