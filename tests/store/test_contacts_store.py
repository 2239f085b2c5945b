from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.model.csv_import import CsvError
from controller.store import contacts, lists
from controller.store.db import Database

VAN_CSV = (
    "VanID,FirstName,LastName,Address,City,State,Zip5,CellPhone,CellPhoneId,HomePhone,Precinct\n"
    "101,Ana,Smith,1 Elm St,Boston,MA,02134,(617) 555-0101,9001,617-555-0199,P-1\n"
    "102,Ben,Smith,1 Elm St,Boston,MA,02134,,,617-555-0199,P-1\n"
    "103,Carla,Diaz,,El Paso,TX,79901,12345,,,P-2\n"
    "104,Dev,Roy,,,,,312 555 0100,,,\n"
    "105,Eli,Moe,MA\n"
)


def write(tmp_path: Path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding, errors="surrogateescape"))
    return path


def table_counts(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("lists", "contacts", "phones")
        )


def test_given_van_export_when_imported_then_good_rows_stored_and_bad_rows_reported(
    db: Database, tmp_path: Path
) -> None:
    report = contacts.import_csv(db, write(tmp_path, VAN_CSV), "Boston doors")
    assert (report.rows, report.imported, report.phones) == (5, 3, 4)
    assert [(e.line, e.code) for e in report.errors] == [(4, "bad_number"), (6, "missing_column")]
    assert "12345" in report.errors[0].reason
    listed = contacts.get_list(db, report.list_id)
    assert listed is not None and listed["contacts"] == 3


def test_given_imported_file_when_imported_again_then_nothing_changes(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, VAN_CSV)
    contacts.import_csv(db, path, "L")
    with db.read() as conn:
        before = [tuple(r) for r in conn.execute("SELECT * FROM contacts ORDER BY id")]
        phones_before = [tuple(r) for r in conn.execute("SELECT * FROM phones ORDER BY id")]
    again = contacts.import_csv(db, path, "L")
    assert (again.imported, again.duplicates, again.phones) == (0, 3, 0)
    with db.read() as conn:
        assert [tuple(r) for r in conn.execute("SELECT * FROM contacts ORDER BY id")] == before
        assert [tuple(r) for r in conn.execute("SELECT * FROM phones ORDER BY id")] == phones_before


def test_given_unusable_file_when_imported_then_error_and_nothing_created(
    db: Database, tmp_path: Path
) -> None:
    cases = [
        (write(tmp_path, "Name,Email\nAna,a@x\n", "nophone.csv"), "no_phone_column"),
        (write(tmp_path, "", "empty.csv"), "empty_file"),
        (tmp_path / "missing.csv", "unreadable_file"),
        (write(tmp_path, "Ph\udcf6ne\n6175550101\n", "enc.csv"), "bad_encoding"),
    ]
    for path, code in cases:
        with pytest.raises(CsvError) as info:
            contacts.import_csv(db, path, "Never")
        assert info.value.code == code
    assert table_counts(db) == (0, 0, 0)


def test_given_row_with_bad_encoding_when_imported_then_only_that_row_skipped(
    db: Database, tmp_path: Path
) -> None:
    text = "FirstName,Phone\nAna,6175550101\nM\udcfcller,6175550102\nBen,6175550103\n"
    report = contacts.import_csv(db, write(tmp_path, text), "L")
    assert report.imported == 2
    assert [(e.line, e.code) for e in report.errors] == [(3, "bad_encoding")]


def test_given_utf8_bom_and_accents_when_imported_then_names_intact(
    db: Database, tmp_path: Path
) -> None:
    text = "\ufeffFirstName,LastName,Phone\nJosé,Müller,6175550101\n"
    report = contacts.import_csv(db, write(tmp_path, text), "L")
    rows = contacts.contact_rows(db, report.list_id)
    assert (rows[0]["first_name"], rows[0]["last_name"]) == ("José", "Müller")


def test_given_no_van_ids_when_same_name_and_number_repeat_then_one_contact(
    db: Database, tmp_path: Path
) -> None:
    text = "First,Last,Tel\nAna,Smith,6175550101\nana,SMITH,(617) 555-0101\nAna,Smith,6175550102\n"
    mapping = {"First": "first_name", "Last": "last_name", "Tel": "phone"}
    report = contacts.import_csv(db, write(tmp_path, text), "L", mapping)
    assert (report.imported, report.duplicates) == (2, 1)


def test_given_same_person_in_two_lists_when_imported_then_a_contact_in_each(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, VAN_CSV)
    contacts.import_csv(db, path, "A")
    report = contacts.import_csv(db, path, "B")
    assert report.imported == 3
    assert [(r["name"], r["contacts"]) for r in contacts.all_lists(db)] == [("A", 3), ("B", 3)]


def test_given_small_batches_when_imported_then_same_result_as_one_batch(
    db: Database, tmp_path: Path
) -> None:
    lines = ["VanID,Phone"] + [f"{i},617555{i:04d}" for i in range(1, 251)]
    report = contacts.import_csv(db, write(tmp_path, "\n".join(lines)), "L", batch_size=7)
    assert (report.rows, report.imported) == (250, 250)
    with db.read() as conn:
        ids = [r[0] for r in conn.execute("SELECT van_id FROM contacts ORDER BY id")]
    assert ids == [str(i) for i in range(1, 251)]


def test_given_progress_callback_when_imported_then_it_sees_the_whole_file(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, VAN_CSV)
    seen: list[int] = []
    contacts.import_csv(db, path, "L", progress=seen.append, batch_size=2)
    assert len(seen) >= 2
    assert sum(seen) == len(VAN_CSV)


def test_given_imported_contact_when_shown_then_phones_zone_extra_and_household(
    db: Database, tmp_path: Path
) -> None:
    report = contacts.import_csv(db, write(tmp_path, VAN_CSV), "L")
    ana = contacts.contact_rows(db, report.list_id, search="Ana")[0]
    detail = contacts.contact_detail(db, ana["id"])
    assert detail is not None
    assert [(p["e164"], p["type"], p["van_phone_id"]) for p in detail["phones"]] == [
        ("+16175550101", "cell", "9001"),
        ("+16175550199", "home", None),
    ]
    assert detail["time_zone"] == "America/New_York"
    assert detail["extra"] == {"Precinct": "P-1"}
    assert [(h["first_name"], h["e164"]) for h in detail["household"]] == [("Ben", "+16175550199")]
    dev = contacts.contact_rows(db, report.list_id, search="+1312")[0]
    assert dev["time_zone"] == "America/Chicago"
    with db.read() as conn:
        extra = conn.execute("SELECT extra FROM contacts WHERE id = ?", (dev["id"],)).fetchone()[0]
    assert json.loads(extra) == {}


def test_given_household_when_one_person_marked_wrong_number_then_others_keep_it(
    db: Database, tmp_path: Path
) -> None:
    report = contacts.import_csv(db, write(tmp_path, VAN_CSV), "L")
    listed = contacts.get_list(db, report.list_id)
    assert listed is not None
    home = contacts.household(db, listed["id"], "+16175550199")
    assert [h["first_name"] for h in home] == ["Ana", "Ben"]
    assert contacts.mark_wrong_number(db, home[0]["id"], "+16175550199")
    after = contacts.household(db, listed["id"], "+16175550199")
    assert [h["wrong_number"] for h in after] == [1, 0]
    assert not contacts.mark_wrong_number(db, home[0]["id"], "+19999999999")


def test_given_worker_processes_when_importing_then_same_rows_and_lines_as_in_process(
    db: Database, tmp_path: Path
) -> None:
    lines = ["VanID,FirstName,Phone,Notes"]
    for i in range(1, 121):
        notes = f'"line one\nline two of {i}"' if i % 9 == 0 else f"n{i}"
        phone = "12345" if i % 25 == 0 else f"617555{i:04d}"
        lines.append(f"{i},P{i},{phone},{notes}")
    path = write(tmp_path, "\n".join(lines) + "\n")
    serial = contacts.import_csv(db, path, "Serial", batch_size=10, workers=0)
    parallel = contacts.import_csv(db, path, "Parallel", batch_size=10, workers=2)
    assert (parallel.rows, parallel.imported, parallel.phones) == (120, 116, 116)
    assert [(e.line, e.code) for e in parallel.errors] == [(e.line, e.code) for e in serial.errors]
    assert parallel.errors[0].line == 1 + 25 + 25 // 9  # header + rows + earlier extra lines
    with db.read() as conn:
        query = (
            "SELECT c.van_id, c.extra, p.e164 FROM contacts c JOIN lists l ON l.id = c.list_id"
            " JOIN phones p ON p.contact_id = c.id WHERE l.name = ? ORDER BY c.id"
        )
        assert [tuple(r) for r in conn.execute(query, ("Parallel",))] == [
            tuple(r) for r in conn.execute(query, ("Serial",))
        ]


def test_given_zips_that_are_no_zips_in_several_batches_when_imported_then_one_note_counts_them_serial_or_parallel(  # noqa: E501
    db: Database, tmp_path: Path
) -> None:
    bad = ["ABC", "n/a", "12345678901", "ABC", "UNKNOWN", "SW1A 1AA", "00-00-00-00-00-0", "ABC"]
    lines = ["FirstName,State,Zip,Phone"]
    for i in range(1, 41):
        written = bad[i // 5 - 1] if i % 5 == 0 else ("02134" if i % 2 else "")
        lines.append(f"P{i},MA,{written},617555{i:04d}")
    path = write(tmp_path, "\n".join(lines) + "\n")
    serial = contacts.import_csv(db, path, "Serial", batch_size=3, workers=0)
    parallel = contacts.import_csv(db, path, "Parallel", batch_size=3, workers=2)
    note = (
        "8 rows of this file have a ZIP that is no ZIP ('ABC', 'n/a', '12345678901', 'UNKNOWN',"
        " 'SW1A 1AA', ...): it was left out, and their calling hours follow their State (or"
        " else their phone number)"
    )
    for report in (serial, parallel):
        assert report.imported == 40 and report.bad_zip_rows == 8 and note in report.notes
    with db.read() as conn:
        rows = conn.execute(
            "SELECT zip5, time_zone, count(*) FROM contacts c JOIN lists l ON l.id = c.list_id"
            " WHERE l.name = 'Parallel' GROUP BY 1, 2 ORDER BY 1"
        ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("", "America/New_York", 24),
        ("02134", "America/New_York", 16),
    ]
    clean = contacts.import_csv(
        db, write(tmp_path, "FirstName,Zip,Phone\nAna,2134,6175550101\n"), "C"
    )
    assert clean.bad_zip_rows == 0 and not any("ZIP" in n for n in clean.notes)


def test_given_nul_byte_when_imported_then_that_row_reported_rest_kept(
    db: Database, tmp_path: Path
) -> None:
    text = "FirstName,Phone\nAna,6175550101\nB\x00en,6175550102\nCy,6175550103\n"
    report = contacts.import_csv(db, write(tmp_path, text), "L")
    assert report.imported == 2
    assert [(e.line, e.code) for e in report.errors] == [(3, "bad_encoding")]


def test_given_quote_left_open_in_a_later_batch_when_imported_then_refused_and_nothing_written(
    db: Database, tmp_path: Path
) -> None:
    text = "FirstName,Phone\n" + "Ana,6175550101\n" * 6 + 'Dee,"6175550104\nEve,6175550105\n'
    with pytest.raises(CsvError) as info:
        contacts.import_csv(db, write(tmp_path, text), "L", batch_size=2)
    assert info.value.code == "unclosed_quote"
    assert info.value.message.startswith(
        "line 8: a quote opens here and never closes: lines 8-9 (2 lines) read as one field"
    )
    assert table_counts(db) == (0, 0, 0)


def test_given_stray_quote_and_quote_left_open_when_imported_then_the_open_one_is_reported(
    db: Database, tmp_path: Path
) -> None:
    text = 'FirstName,Phone\nA"na,6175550101\nCy,6175550103\nDee,"6175550104\nEve,6175550105\n'
    report = contacts.import_csv(db, write(tmp_path, text), "L")
    assert report.imported == 2 and report.rows == 3
    assert [(e.line, e.code) for e in report.errors] == [(4, "unclosed_quote")]
    assert "lines 4-5 (2 lines) read as one field" in report.errors[0].reason


def test_given_punctuated_number_when_searched_then_found_by_its_digits(
    db: Database, tmp_path: Path
) -> None:
    contacts.import_csv(db, write(tmp_path, VAN_CSV), "L")
    for search in ("617-555-0101", "(617) 555-0101", "617.555.0101", "+1 617 555 0101",
                   "1-617-555-0101", "6175550101", "5550101"):  # fmt: skip
        assert [r["first_name"] for r in contacts.contact_rows(db, search=search)] == ["Ana"]
    assert [r["first_name"] for r in contacts.contact_rows(db, search="617-555-0199")] == [
        "Ana",
        "Ben",
    ]
    assert [r["first_name"] for r in contacts.contact_rows(db, search=" smith ")] == ["Ana", "Ben"]
    assert contacts.contact_rows(db, search="617-555-0102") == []


def test_given_header_with_unclosed_quote_when_imported_then_refused(
    db: Database, tmp_path: Path
) -> None:
    text = 'Name,"Phone\n' + "Ana,6175550101\n" * 50
    with pytest.raises(CsvError) as info:
        contacts.import_csv(db, write(tmp_path, text), "L")
    assert info.value.code == "bad_csv"
    assert table_counts(db) == (0, 0, 0)


def test_given_list_with_some_people_when_file_mixes_old_and_new_then_new_ones_get_their_phones(
    db: Database, tmp_path: Path
) -> None:
    first = "VanID,FirstName,LastName,CellPhone\n201,Ana,Old,617-555-0201\n"
    contacts.import_csv(db, write(tmp_path, first, "a.csv"), "L")
    mixed = (
        "VanID,FirstName,LastName,CellPhone,HomePhone\n"
        "202,Ben,New,617-555-0202,617-555-0299\n"
        "201,Ana,Old,617-555-0201,\n"
        "203,Cy,New,617-555-0203,617-555-0299\n"
    )
    report = contacts.import_csv(db, write(tmp_path, mixed, "b.csv"), "L", batch_size=3)
    assert (report.imported, report.duplicates, report.phones) == (2, 1, 4)
    with db.read() as conn:
        rows = conn.execute(
            "SELECT c.first_name, p.e164, p.position FROM phones p JOIN contacts c"
            " ON c.id = p.contact_id ORDER BY c.id, p.position"
        ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("Ana", "+16175550201", 0),
        ("Ben", "+16175550202", 0),
        ("Ben", "+16175550299", 1),
        ("Cy", "+16175550203", 0),
        ("Cy", "+16175550299", 1),
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_given_import_stopped_after_a_batch_when_imported_again_then_batch_kept_and_rest_added(
    db: Database, tmp_path: Path, workers: int
) -> None:
    lines = ["VanID,FirstName,Phone"] + [f"{i},P{i},617555{i:04d}" for i in range(1, 101)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    batches: list[int] = []

    def stop_after_first_batch(chars: int) -> None:
        batches.append(chars)
        if len(batches) == 2:  # the header, then the first batch of 10 written
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        contacts.import_csv(
            db, path, "L", progress=stop_after_first_batch, batch_size=10, workers=workers
        )
    assert table_counts(db) == (1, 10, 10)
    again = contacts.import_csv(db, path, "L", batch_size=10, workers=workers)
    assert (again.imported, again.duplicates, again.phones) == (90, 10, 90)
    with db.read() as conn:
        rows = conn.execute(
            "SELECT c.van_id, p.e164 FROM contacts c JOIN phones p ON p.contact_id = c.id"
            " ORDER BY c.id"
        ).fetchall()
    assert [r[0] for r in rows] == [str(i) for i in range(1, 101)]
    assert [r[1] for r in rows] == [f"+1617555{i:04d}" for i in range(1, 101)]


def test_given_import_running_when_app_writes_between_batches_then_both_land(
    db: Database, tmp_path: Path
) -> None:
    lines = ["VanID,Phone"] + [f"{i},617555{i:04d}" for i in range(1, 31)]
    path = write(tmp_path, "\n".join(lines) + "\n")

    def app_write(chars: int) -> None:
        with db.write() as conn:
            conn.execute("INSERT OR IGNORE INTO dnc (e164, reason) VALUES ('+16175550005', 'x')")

    report = contacts.import_csv(db, path, "L", progress=app_write, batch_size=10)
    assert (report.imported, report.phones) == (30, 30)
    assert table_counts(db) == (1, 30, 30)
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM dnc").fetchone()[0] == 1


def test_given_list_deleted_during_import_when_next_batch_comes_then_clear_error_and_nothing_left(
    db: Database, tmp_path: Path
) -> None:
    lines = ["VanID,Phone"] + [f"{i},617555{i:04d}" for i in range(1, 31)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    calls: list[int] = []

    def delete_after_first_batch(chars: int) -> None:
        calls.append(chars)
        if len(calls) == 2:
            with db.read() as conn:
                ref = lists.resolve(conn, "L")
            assert contacts.delete_list(db, ref) == 10

    with pytest.raises(CsvError) as info:
        contacts.import_csv(db, path, "L", progress=delete_after_first_batch, batch_size=10)
    assert info.value.code == "list_deleted"
    assert table_counts(db) == (0, 0, 0)


def test_given_quote_left_open_early_in_a_big_file_when_imported_then_refused_with_the_lines(
    db: Database, tmp_path: Path
) -> None:
    rows = "".join(f"Q{i},617555{i % 10000:04d}\n" for i in range(20_000))
    text = "FirstName,Phone\nAna,6175550101\n" + 'Bad,"6175550102\n' + rows
    with pytest.raises(CsvError) as info:
        contacts.import_csv(db, write(tmp_path, text), "L", batch_size=1000)
    assert info.value.code == "unclosed_quote"
    assert info.value.message.startswith(
        "line 3: a quote opens here and does not close within 131,072 characters: lines 3-"
    )
    assert table_counts(db) == (0, 0, 0)


def test_given_a_search_with_percent_or_underscore_when_listed_then_matched_as_typed(
    db: Database, tmp_path: Path
) -> None:
    contacts.import_csv(db, write(tmp_path, VAN_CSV), "L")
    for typed in ("%", "_", "A_a", "%na"):
        assert contacts.contact_rows(db, search=typed) == [], typed
    assert [r["first_name"] for r in contacts.contact_rows(db, search="na")] == ["Ana"]
