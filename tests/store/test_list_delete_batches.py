"""A list is deleted a batch of contacts at a time (other writes go in between); while it
goes it is gone for every other purpose, and a delete cut short is finished by the next."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from controller.model.csv_import import CsvError
from controller.store import banks as bank_store
from controller.store import contacts, list_delete, lists
from controller.store.db import Database


def imported(db: Database, tmp_path: Path, name: str, people: int) -> lists.ListRef:
    path = tmp_path / f"{name}.csv"
    rows = [f"{name}{i},6175{i:06d}" for i in range(people)]
    path.write_text("FirstName,Phone\n" + "\n".join(rows) + "\n")
    report = contacts.import_csv(db, path, name)
    return lists.ListRef(report.list_id, name)


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("lists", "contacts", "phones")
        )


def test_given_a_list_of_many_contacts_when_deleted_then_each_batch_is_committed_before_the_next(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doomed = imported(db, tmp_path, "Doomed", 25)
    imported(db, tmp_path, "Kept", 3)
    contacts_seen: list[int] = []  # what another reader sees as each transaction begins
    write = db.write

    def spying_write():  # type: ignore[no-untyped-def]
        with db.read() as conn:
            contacts_seen.append(int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0]))
        return write()

    monkeypatch.setattr(db, "write", spying_write)
    assert contacts.delete_list(db, doomed, batch=10) == 25
    assert contacts_seen == [28, 28, 18, 8]  # the check and mark, then 10, 10, 5 (+ the list)
    assert counts(db) == (1, 3, 3)
    assert [r["name"] for r in contacts.all_lists(db)] == ["Kept"]


def test_given_a_delete_cut_short_then_the_list_is_gone_for_all_its_name_free_and_the_next_delete_finishes_it(  # noqa: E501
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doomed = imported(db, tmp_path, "Doomed", 25)
    other = imported(db, tmp_path, "Other", 2)
    original = list_delete._delete_marked

    def stopped(db_: Database, list_id: int, batch: int) -> None:
        raise KeyboardInterrupt  # the appliance stopped before the first batch

    monkeypatch.setattr(list_delete, "_delete_marked", stopped)
    with pytest.raises(KeyboardInterrupt):
        contacts.delete_list(db, doomed, batch=10)
    monkeypatch.setattr(list_delete, "_delete_marked", original)
    assert counts(db) == (2, 27, 27)  # nothing deleted yet, but the list is gone for all:
    assert [r["name"] for r in contacts.all_lists(db)] == ["Other"]
    assert contacts.get_list(db, doomed.id) is None
    assert contacts.contact_rows(db, doomed.id) == []
    assert contacts.contact_rows(db, search="Doomed1") == []
    with db.read() as conn:
        assert lists.find(conn, "Doomed") is None and lists.find(conn, str(doomed.id)) is None
    with db.write() as conn, pytest.raises(Exception) as refused:
        bank_store.create(conn, {"title": "T", "description": "D", "list_id": doomed.id})
    assert getattr(refused.value, "code", None) == "unknown_list"
    with pytest.raises(lists.ListError) as again:
        contacts.delete_list(db, doomed)
    assert again.value.code == "no_such_list"
    renewed = imported(db, tmp_path, "Doomed", 1)  # its name is free for a new list
    assert renewed.id != doomed.id
    assert contacts.delete_list(db, other) == 2  # and the next delete finishes the old one
    assert counts(db) == (1, 1, 1)
    assert [(r["name"], r["contacts"]) for r in contacts.all_lists(db)] == [("Doomed", 1)]


def test_given_a_name_with_a_control_character_when_a_list_is_created_then_refused() -> None:
    with pytest.raises(CsvError) as refused:
        lists.new_name("Ward\t4")
    assert refused.value.code == "bad_list_name"


def cut_short(db: Database, ref: lists.ListRef, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete ``ref`` as an appliance stopped right after marking it would have."""
    original = list_delete._delete_marked
    monkeypatch.setattr(list_delete, "_delete_marked", _stopped)
    with pytest.raises(KeyboardInterrupt):
        contacts.delete_list(db, ref)
    monkeypatch.setattr(list_delete, "_delete_marked", original)


def _stopped(*_args: object) -> bool:
    raise KeyboardInterrupt


def test_given_deletes_cut_short_when_finishing_is_stopped_then_the_rest_waits_and_a_later_finish_ends_them(  # noqa: E501
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_short(db, imported(db, tmp_path, "One", 5), monkeypatch)
    stop = threading.Event()
    stop.set()
    assert list_delete.finish_interrupted(db, batch=2, stop=stop) == []
    assert counts(db) == (1, 5, 5)
    assert list_delete.finish_interrupted(db, batch=2) != []
    assert counts(db) == (0, 0, 0)
