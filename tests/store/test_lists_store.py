"""One rule for naming a contact list: an existing list's id first, else its name."""

from __future__ import annotations

import pytest

from controller.model.csv_import import CsvError
from controller.store import lists
from controller.store.db import Database


def test_given_lists_when_finding_by_loose_text_then_name_ignores_case_and_spaces(
    db: Database,
) -> None:
    ward, _, _ = lists.ensure_created(db, "Ward 4")
    with db.read() as conn:
        assert lists.find(conn, "  ward 4 ") == (ward, "Ward 4")
        assert lists.find(conn, ward) == lists.find(conn, f" {ward} ") == (ward, "Ward 4")
        assert lists.find(conn, "Ward") is None
        assert lists.find(conn, "9" * 40) is None  # too long to be an id: read as a name
        with pytest.raises(lists.ListError) as refused:
            lists.resolve(conn, "Nope")
    assert (refused.value.code, refused.value.message) == (
        "no_such_list", "there is no contact list 'Nope'")  # fmt: skip


def test_given_names_of_digits_only_when_making_a_list_then_refused_in_any_script(
    db: Database,
) -> None:
    for name in ("12", "٣", "00", " 7 "):
        with pytest.raises(CsvError) as refused:
            lists.ensure_created(db, name)
        assert refused.value.code == "list_name_digits", name
    with pytest.raises(CsvError) as other_script:
        lists.ensure_created(db, "²")
    assert "'²': a name of digits only could be taken for a list id" in str(other_script.value)
    with pytest.raises(CsvError) as empty:
        lists.ensure_created(db, "  ")
    assert empty.value.code == "bad_list_name"
    assert lists.ensure_created(db, "12 B")[1] == "12 B"
    with db.read() as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM lists")] == ["12 B"]


def test_given_an_import_target_when_checked_then_lists_pass_and_new_digit_names_fail(
    db: Database,
) -> None:
    first, _, _ = lists.ensure_created(db, "Doors")
    lists.check_target(db, str(first))
    lists.check_target(db, "doors")
    lists.check_target(db, "New list")
    with pytest.raises(CsvError) as refused:
        lists.check_target(db, str(first + 1))
    assert refused.value.code == "list_name_digits"
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM lists").fetchone()[0] == 1
