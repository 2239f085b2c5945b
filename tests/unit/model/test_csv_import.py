from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model.csv_import import (
    CsvError,
    ImportPlan,
    RowError,
    auto_target,
    parse_mapping,
)
from controller.model.csv_records import read_rows

VAN_HEADER = [
    "VanID", "FirstName", "LastName", "Address", "City", "State", "Zip5",
    "CellPhone", "CellPhoneDialingPrefix", "CellPhoneCountryCode", "CellPhoneId",
    "HomePhone", "HomePhoneId", "Precinct",
]  # fmt: skip


def van_row(**values: str) -> list[str]:
    row = dict.fromkeys(VAN_HEADER, "")
    row.update({"VanID": "101", "FirstName": "Ana", "LastName": "Smith", "State": "MA",
                "Zip5": "02134", "CellPhone": "(617) 555-0123", "CellPhoneDialingPrefix": "1",
                "CellPhoneCountryCode": "US", "CellPhoneId": "9001"})  # fmt: skip
    row.update(values)
    return [row[h] for h in VAN_HEADER]


@pytest.mark.parametrize(
    ("header", "target"),
    [("VanID", "van_id"), ("Voter File VANID", "van_id"), ("First Name", "first_name"),
     ("Zip5", "zip5"), ("CellPhone", "cell_phone"), ("Cell Phone Id", "cell_phone_id"),
     ("HomePhoneDialingPrefix", "home_phone_dialing_prefix"),
     ("OptInPhoneCountryCode", "optin_phone_country_code"), ("Phone", "phone"),
     ("WorkPhoneAccuracy", "work_phone_accuracy"), ("Mobile Phone", "cell_phone"),
     ("Precinct", None), ("Phone Banker", None)],
)  # fmt: skip
def test_given_van_column_names_when_recognised_then_mapped_to_fields(
    header: str, target: str | None
) -> None:
    assert auto_target(header) == target


def test_given_van_row_when_parsed_then_contact_with_e164_phone_zone_and_extra() -> None:
    plan = ImportPlan.from_header(VAN_HEADER)
    record = plan.parse(van_row(HomePhone="617 555 0199", Precinct="P-7"), 2)
    assert (record.van_id, record.first_name, record.last_name) == ("101", "Ana", "Smith")
    assert [(p.e164, p.type, p.van_phone_id) for p in record.phones] == [
        ("+16175550123", "cell", "9001"),
        ("+16175550199", "home", None),
    ]
    assert record.time_zone == "America/New_York"
    assert record.extra == {"Precinct": "P-7"}
    assert record.dedupe_key == "van:101"


def test_given_no_address_when_parsed_then_zone_comes_from_the_number() -> None:
    plan = ImportPlan.from_header(VAN_HEADER)
    record = plan.parse(van_row(State="", Zip5="", CellPhone="312-555-0100"), 2)
    assert record.time_zone == "America/Chicago"


@pytest.mark.parametrize(
    ("values", "code"),
    [({"CellPhone": "12345"}, "bad_number"), ({"CellPhone": ""}, "no_phone"),
     ({"VanID": "abc"}, "bad_van_id")],
)  # fmt: skip
def test_given_bad_row_when_parsed_then_row_error_with_line_and_code(
    values: dict[str, str], code: str
) -> None:
    plan = ImportPlan.from_header(VAN_HEADER)
    with pytest.raises(RowError) as info:
        plan.parse(van_row(**values), 17)
    assert (info.value.line, info.value.code) == (17, code)
    assert str(info.value).startswith("line 17: ")


def test_given_short_or_long_row_when_parsed_then_field_count_errors() -> None:
    plan = ImportPlan.from_header(VAN_HEADER)
    with pytest.raises(RowError) as short:
        plan.parse(van_row()[:5], 3)
    assert short.value.code == "missing_column"
    with pytest.raises(RowError) as long:
        plan.parse([*van_row(), "x"], 4)
    assert long.value.code == "extra_fields"


def test_given_undecodable_text_when_parsed_then_bad_encoding() -> None:
    plan = ImportPlan.from_header(VAN_HEADER)
    with pytest.raises(RowError) as info:
        plan.parse(van_row(LastName="M\udce9ller"), 5)
    assert info.value.code == "bad_encoding"


def test_given_header_without_phone_column_when_planned_then_csv_error() -> None:
    with pytest.raises(CsvError) as info:
        ImportPlan.from_header(["Name", "Number"])
    assert info.value.code == "no_phone_column"


def test_given_mapping_when_planned_then_custom_columns_become_fields() -> None:
    mapping = parse_mapping(["Number=phone", "Given=first_name", "Ward=skip", "Pct=extra:Precinct"])
    plan = ImportPlan.from_header(["Given", "Number", "Ward", "Pct", "Notes"], mapping)
    record = plan.parse(["Ben", "2065550100", "3", "12", "likes dogs"], 2)
    assert record.first_name == "Ben"
    assert [(p.e164, p.type) for p in record.phones] == [("+12065550100", "other")]
    assert record.extra == {"Precinct": "12", "Notes": "likes dogs"}
    assert record.time_zone == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("pairs", "header", "code"),
    [(["Number"], ["Number"], "bad_mapping"), (["Number=telephone"], ["Number"], "unknown_field"),
     (["Missing=phone"], ["Number"], "unknown_column"),
     (["A=phone", "B=phone"], ["A", "B"], "duplicate_field")],
)  # fmt: skip
def test_given_bad_mapping_when_planned_then_csv_error(
    pairs: list[str], header: list[str], code: str
) -> None:
    with pytest.raises(CsvError) as info:
        ImportPlan.from_header(header, parse_mapping(pairs))
    assert info.value.code == code


def test_given_accuracy_columns_when_parsed_then_numbers_ordered_by_accuracy() -> None:
    header = ["CellPhone", "CellPhoneAccuracy", "HomePhone", "HomePhoneAccuracy"]
    plan = ImportPlan.from_header(header)
    record = plan.parse(["617 555 0101", "0.2", "617 555 0102", "0.8"], 2)
    assert [p.e164 for p in record.phones] == ["+16175550102", "+16175550101"]
    with pytest.raises(RowError) as info:
        plan.parse(["617 555 0101", "high", "", ""], 3)
    assert info.value.code == "bad_accuracy"


def test_given_quoted_multiline_field_when_read_then_lines_counted_from_the_file() -> None:
    text = 'Phone,Notes\n6175550101,"two\nlines"\n\n6175550102,x\n'
    assert list(read_rows(io.StringIO(text, newline=""))) == [
        (1, ["Phone", "Notes"]),
        (2, ["6175550101", "two\nlines"]),
        (5, ["6175550102", "x"]),
    ]


names = st.text(alphabet=st.characters(categories=["L"]), min_size=0, max_size=12)
nationals = st.sampled_from(["617", "312", "206", "512", "404"]).flatmap(
    lambda area: st.from_regex(rf"\A{area}[2-9]\d{{6}}\Z")
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(names, names, nationals), min_size=1, max_size=15))
def test_given_generated_rows_when_written_and_read_back_then_every_contact_round_trips(
    people: list[tuple[str, str, str]],
) -> None:
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer)
    out.writerow(["FirstName", "LastName", "Phone"])
    for first, last, national in people:
        out.writerow([first, last, f"({national[:3]}) {national[3:6]}-{national[6:]}"])
    buffer.seek(0)
    rows = read_rows(buffer)
    plan = ImportPlan.from_header(next(rows)[1])
    parsed = []
    for line, row in rows:
        try:
            parsed.append(plan.parse(row, line))
        except RowError as exc:
            assert exc.code == "bad_number"
            parsed.append(None)
    assert len(parsed) == len(people)
    for record, (first, last, national) in zip(parsed, people, strict=True):
        if record is not None:
            assert (record.first_name, record.last_name) == (first.strip(), last.strip())
            ascii_digits = "".join(str(int(c)) for c in national)  # any script's digits
            assert record.phones[0].e164 == "+1" + ascii_digits


def test_given_unreadable_csv_record_when_read_then_error_handed_over_and_reading_goes_on() -> None:
    import csv as csv_module

    limit = csv_module.field_size_limit()
    csv_module.field_size_limit(20)
    try:
        text = "Phone\n6175550101\n" + "x" * 30 + "\n6175550102\n"
        errors: list[RowError] = []
        rows = list(read_rows(io.StringIO(text, newline=""), on_error=errors.append))
        with pytest.raises(RowError):
            list(read_rows(io.StringIO(text, newline="")))
    finally:
        csv_module.field_size_limit(limit)
    assert rows == [(1, ["Phone"]), (2, ["6175550101"]), (4, ["6175550102"])]
    assert [(e.line, e.code) for e in errors] == [(3, "bad_csv")]


def test_given_a_quote_never_closed_when_read_then_its_lines_are_an_error_not_a_row() -> None:
    text = 'Phone,Name\n6175550101,A\n6175550102,"B\n6175550103,C\r\n6175550104,D\n'
    errors: list[RowError] = []
    rows = list(read_rows(io.StringIO(text, newline=""), on_error=errors.append))
    assert rows == [(1, ["Phone", "Name"]), (2, ["6175550101", "A"])]
    assert [(e.line, e.code) for e in errors] == [(3, "unclosed_quote")]
    assert "lines 3-5 (3 lines) read as one field" in errors[0].reason
    with pytest.raises(RowError):
        list(read_rows(io.StringIO(text, newline="")))


def test_given_a_quote_left_open_on_the_last_line_when_read_then_that_line_is_named() -> None:
    errors: list[RowError] = []
    text = 'Phone,Notes\n6175550101,x\n6175550102,"open'
    rows = list(read_rows(io.StringIO(text, newline=""), first_line=10, on_error=errors.append))
    assert rows == [(10, ["Phone", "Notes"]), (11, ["6175550101", "x"])]
    assert [(e.line, e.code) for e in errors] == [(12, "unclosed_quote")]
    assert "the rest of the line is one field" in errors[0].reason
    closed = 'Phone,Notes\n6175550101,"two\nlines"'
    assert list(read_rows(io.StringIO(closed, newline="")))[-1] == (2, ["6175550101", "two\nlines"])


def test_given_a_quote_closed_lines_later_when_parsed_then_the_lines_run_together_named() -> None:
    plan = ImportPlan.from_header(["FirstName", "LastName", "CellPhone"])
    with pytest.raises(RowError) as info:
        plan.parse(["Bad", 'Quote,617\nQ0,Y,617"x'], 7)
    assert info.value.code == "missing_column"
    assert info.value.reason == (
        "row has 2 fields, the header has 3 (a quoted field runs on: lines 7-8 read as one row)"
    )


def test_given_a_quote_running_past_the_field_limit_when_read_then_reported_and_read_on() -> None:
    import csv as csv_module

    from controller.model.csv_records import find_unclosed_quote

    text = 'Phone,Name\n6175550101,"A\n' + "6175550102,B\n" * 10 + "6175550103,C\n"
    limit = csv_module.field_size_limit()
    csv_module.field_size_limit(40)
    try:
        errors: list[RowError] = []
        rows = list(read_rows(io.StringIO(text, newline=""), on_error=errors.append))
        found = find_unclosed_quote(io.StringIO(text, newline=""))
        clean = find_unclosed_quote(io.StringIO("Phone\n" + "6175550101\n" * 50, newline=""))
    finally:
        csv_module.field_size_limit(limit)
    assert [(e.line, e.code) for e in errors] == [(2, "unclosed_quote")]
    assert errors[0].reason == (
        "a quote opens here and does not close within 40 characters: lines 2-5 (4 lines)"
        " read as one field"
    )
    assert rows[0] == (1, ["Phone", "Name"]) and rows[-1] == (13, ["6175550103", "C"])
    assert found is not None and (found.line, found.reason) == (2, errors[0].reason)
    assert clean is None


def test_given_two_columns_kept_under_one_name_when_planned_then_refused_with_both_named() -> None:
    """`--map "Pct=extra:Precinct"` beside a Precinct column would keep one and drop the
    other's values without a word: refused, naming both columns."""
    mapping = parse_mapping(["Pct=extra:Precinct"])
    with pytest.raises(CsvError) as info:
        ImportPlan.from_header(["CellPhone", "Precinct", "Pct"], mapping)
    assert info.value.code == "duplicate_extra"
    assert "'Precinct'" in str(info.value) and "'Pct'" in str(info.value)


def test_given_blank_header_cells_when_planned_then_those_columns_are_skipped() -> None:
    """Spreadsheets often end rows with blank cells: two or more nameless columns are
    skipped like one, not 'column '' appears twice'."""
    plan = ImportPlan.from_header(["FirstName", "CellPhone", "", ""])
    record = plan.parse(["Bo", "6175550124", "", ""], 2)
    assert record.first_name == "Bo" and record.extra == {}
