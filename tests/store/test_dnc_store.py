from __future__ import annotations

from pathlib import Path

import pytest

from controller.model.phones import PhoneError
from controller.store import dnc
from controller.store.db import Database


def test_given_number_in_any_format_when_added_then_stored_once_as_e164(db: Database) -> None:
    assert dnc.add(db, "(617) 555-0123", "asked on call") == ("+16175550123", True)
    assert dnc.add(db, "+1 617 555 0123") == ("+16175550123", False)
    assert dnc.contains(db, "+16175550123")
    assert dnc.count(db) == 1
    entry = dnc.entries(db)[0]
    assert (entry["reason"], entry["source"]) == ("asked on call", "manual")


def test_given_bad_number_when_added_then_error_and_list_unchanged(db: Database) -> None:
    with pytest.raises(PhoneError):
        dnc.add(db, "12345")
    assert dnc.count(db) == 0


def test_given_listed_number_when_removed_then_gone_and_second_remove_reports_absent(
    db: Database,
) -> None:
    dnc.add(db, "6175550123")
    assert dnc.remove(db, "617.555.0123") == ("+16175550123", True)
    assert dnc.remove(db, "617.555.0123") == ("+16175550123", False)
    assert dnc.lookup(db, "6175550123") == ("+16175550123", False)


def test_given_file_with_header_duplicates_and_bad_lines_when_imported_then_report(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dnc.csv"
    path.write_text("Phone,Note\n617-555-0101,x\n6175550101\n\nnope,\n(312) 555-0100\n")
    report = dnc.import_file(db, path, reason="state list", source="state")
    assert (report.added, report.already) == (2, 0)
    assert [(e["line"], e["code"]) for e in report.errors] == [(5, "bad_number")]
    again = dnc.import_file(db, path)
    assert (again.added, again.already) == (0, 2)
    assert {e["e164"] for e in dnc.entries(db)} == {"+16175550101", "+13125550100"}
    assert {e["source"] for e in dnc.entries(db)} == {"state"}


def test_given_a_line_with_only_a_reason_or_a_long_reason_when_imported_then_each_listed_as_skipped(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "dnc.csv"
    long_reason = "x" * (dnc.MAX_REASON + 1)
    path.write_text(f"6175550101,asked\n,only a reason\n3125550100,{long_reason}\n,\n")
    report = dnc.import_file(db, path)
    assert report.added == 1
    assert [(e["line"], e["code"]) for e in report.errors] == [
        (2, "empty_number"),
        (3, "reason_too_long"),
    ]
    assert [e["e164"] for e in dnc.entries(db)] == ["+16175550101"]


def test_given_a_reason_over_the_limit_when_added_or_given_to_an_import_then_refused_and_nothing_added(  # noqa: E501
    db: Database, tmp_path: Path
) -> None:
    long_reason = "y" * (dnc.MAX_REASON + 1)
    with pytest.raises(PhoneError) as caught:
        dnc.add(db, "6175550101", long_reason)
    assert caught.value.code == "reason_too_long"
    path = tmp_path / "dnc.csv"
    path.write_text("6175550101\n")
    with pytest.raises(PhoneError):
        dnc.import_file(db, path, reason=long_reason)
    assert dnc.count(db) == 0
    assert dnc.add(db, "6175550101", "z" * dnc.MAX_REASON)[1]


def test_given_a_quote_left_open_or_a_field_too_big_when_imported_then_refused_with_its_line_and_nothing_added(  # noqa: E501
    db: Database, tmp_path: Path
) -> None:
    opened = tmp_path / "open.csv"
    opened.write_text('6175550101\n"6175550102\n6175550103\n' + "9" * 200_000 + "\n")
    with pytest.raises(PhoneError) as info:
        dnc.import_file(db, opened)
    assert info.value.code == "unclosed_quote" and "line 2" in info.value.message
    assert "nothing was added" in info.value.message
    huge = tmp_path / "huge.csv"
    huge.write_text("6175550101\n" + "9" * 200_000 + "\n6175550103\n")
    with pytest.raises(PhoneError) as info:
        dnc.import_file(db, huge)
    assert info.value.code == "bad_csv" and info.value.message.startswith("line 2: not readable")
    assert dnc.count(db) == 0


def test_given_a_long_file_when_imported_then_written_in_short_transactions_each_committed_before_the_next(  # noqa: E501
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("".join(f"+1202555{n:04d}\n" for n in range(5000)), encoding="utf-8")
    seen_at_each_begin: list[int] = []
    write = db.write

    def spying_write():  # type: ignore[no-untyped-def]
        seen_at_each_begin.append(dnc.count(db))  # what another reader sees between batches
        return write()

    monkeypatch.setattr(db, "write", spying_write)
    monkeypatch.setattr(dnc, "BATCH", 2000)
    report = dnc.import_file(db, path)
    assert report.added == 5000
    assert seen_at_each_begin == [0, 2000, 4000]
    assert dnc.count(db) == 5000
