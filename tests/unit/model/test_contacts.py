from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.model.contacts import (
    ContactError,
    PhoneRecord,
    clean_van_id,
    clean_zip5,
    dedupe_key,
    order_phones,
)


def test_given_accuracy_scores_when_ordered_then_most_accurate_first_unknown_last() -> None:
    phones = [
        PhoneRecord("+16175550001", "cell", accuracy=None, column=1),
        PhoneRecord("+16175550002", "home", accuracy=0.4, column=2),
        PhoneRecord("+16175550003", "work", accuracy=0.9, column=3),
    ]
    assert [p.e164 for p in order_phones(phones)] == [
        "+16175550003",
        "+16175550002",
        "+16175550001",
    ]


def test_given_same_number_in_two_columns_when_ordered_then_kept_once() -> None:
    phones = [
        PhoneRecord("+16175550001", "cell", column=1),
        PhoneRecord("+16175550001", "home", column=2),
    ]
    assert [(p.e164, p.type) for p in order_phones(phones)] == [("+16175550001", "cell")]


def test_given_van_id_when_keyed_then_name_and_number_do_not_matter() -> None:
    a = dedupe_key("42", "Ana", "Smith", [PhoneRecord("+16175550001", "cell")])
    b = dedupe_key("42", "Anna", "Smyth", [PhoneRecord("+16175550002", "cell")])
    assert a == b == "van:42"


def test_given_no_van_id_when_keyed_then_same_name_and_number_match_case_blind() -> None:
    phone = [PhoneRecord("+16175550001", "cell")]
    assert dedupe_key(None, "Ana", "Smith", phone) == dedupe_key(None, " ana", "SMITH ", phone)
    other = [PhoneRecord("+16175550002", "cell")]
    assert dedupe_key(None, "Ana", "Smith", phone) != dedupe_key(None, "Ana", "Smith", other)
    assert dedupe_key(None, "Ana", "Smith", phone) != dedupe_key(None, "Ben", "Smith", phone)


@pytest.mark.parametrize(
    ("raw", "zip5"),
    [("02134", "02134"), ("2134", "02134"), ("02134-1234", "02134"), ("021341234", "02134"),
     ("21341234", "02134"), ("", ""), ("n/a", ""), ("1234567890", ""),
     ("SW1A 1AA", ""), ("ZIP 02134", ""), (" 02134 ", "02134"), ("501", "00501"),
     ("2134 1234", "02134"), ("12-3", ""), ("7", ""), ("42", ""), ("123456", ""),
     ("02134-12", ""), ("0213\u0664", "")],
)  # fmt: skip
def test_given_zip_as_spreadsheets_leave_it_when_cleaned_then_five_digits(
    raw: str, zip5: str
) -> None:
    assert clean_zip5(raw) == zip5


@given(st.text())
def test_given_any_text_when_zip_cleaned_then_empty_or_five_digits(raw: str) -> None:
    result = clean_zip5(raw)
    assert result == "" or (len(result) == 5 and result.isdigit() and result.isascii())


def test_given_van_ids_when_cleaned_then_digits_only() -> None:
    assert clean_van_id(" 00123 ") == "123"
    assert clean_van_id("") is None
    with pytest.raises(ContactError) as info:
        clean_van_id("12a")
    assert info.value.code == "bad_van_id"
