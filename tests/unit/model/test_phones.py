from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model.phones import PhoneError, PhoneParser, is_e164, to_e164


@pytest.mark.parametrize(
    "raw",
    ["(617) 555-0123", "617-555-0123", "617.555.0123", "6175550123", "1 617 555 0123",
     "+1 (617) 555-0123", "+16175550123", " 617 555 0123 "],
)  # fmt: skip
def test_given_us_number_written_any_usual_way_when_parsed_then_e164(raw: str) -> None:
    assert to_e164(raw) == "+16175550123"


@pytest.mark.parametrize("raw", ["12345", "555-0123", "(000) 555-0123", "5550100100", "call me"])
def test_given_unusable_number_when_parsed_then_bad_number_error(raw: str) -> None:
    with pytest.raises(PhoneError) as info:
        PhoneParser().parse(raw)
    assert info.value.code == "bad_number"


def test_given_empty_number_when_parsed_then_empty_number_error() -> None:
    with pytest.raises(PhoneError) as info:
        PhoneParser().parse("  ")
    assert info.value.code == "empty_number"


def test_given_foreign_number_with_region_or_prefix_when_parsed_then_e164_and_zone() -> None:
    parser = PhoneParser()
    assert parser.parse("+44 20 7946 0958").e164 == "+442079460958"
    assert parser.parse("020 7946 0958", region="GB").e164 == "+442079460958"
    by_prefix = parser.parse("20 7946 0958", dialing_prefix="44")
    assert by_prefix.e164 == "+442079460958"
    assert by_prefix.time_zone == "Europe/London"


def test_given_number_with_one_zone_when_parsed_then_zone_from_area_code() -> None:
    parser = PhoneParser()
    assert parser.parse("312 555 0100").time_zone == "America/Chicago"
    assert parser.parse("206 555 0100").time_zone == "America/Los_Angeles"


def test_given_toll_free_number_spanning_zones_when_parsed_then_no_zone() -> None:
    assert PhoneParser().parse("800 555 1212").time_zone is None


def test_given_e164_checks_when_text_varies_then_only_plus_digits_pass() -> None:
    assert is_e164("+16175550123")
    assert not is_e164("16175550123")
    assert not is_e164("+1617555012a")
    assert not is_e164("+1٦١٧٥٥٥٠١٢٣")  # Arabic-Indic digits are not dialable as written
    assert not is_e164("+1²²²5550123")


@pytest.mark.parametrize("raw", ["٦١٧٥٥٥٠١٢٣", "+1 ٦١٧ ٥٥٥ ٠١٢٣", "۶۱۷-۵۵۵-۰۱۲۳"])
def test_given_a_us_number_in_other_scripts_digits_when_parsed_then_ascii_e164(raw: str) -> None:
    parsed = PhoneParser().parse(raw, "US")
    assert parsed.e164 == "+16175550123"
    assert is_e164(parsed.e164)


def test_given_superscript_digits_when_parsed_then_bad_number() -> None:
    with pytest.raises(PhoneError):
        PhoneParser().parse("(617) ²²²-0123", "US")


def _reference(national: str) -> tuple[str | None, tuple[str, ...]]:
    number = phonenumbers.parse("+1" + national, None)
    if not phonenumbers.is_valid_number(number):
        return None, ()
    from phonenumbers import timezone

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, timezone.time_zones_for_number(number)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(r"\A[2-9][0-9]{2}[2-9][0-9]{6}\Z"), min_size=1, max_size=20))
def test_given_many_numbers_when_parsed_with_prefix_cache_then_same_as_phonenumbers(
    nationals: list[str],
) -> None:
    parser = PhoneParser()
    for national in nationals:
        expected, zones = _reference(national)
        try:
            got = parser.parse(f"({national[:3]}) {national[3:6]}-{national[6:]}")
        except PhoneError:
            assert expected is None
            continue
        assert got.e164 == expected
        assert got.time_zone == (zones[0] if len(zones) == 1 else None)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"\A[2-9][0-9]{2}[2-9][0-9]{2}\Z"), st.lists(st.from_regex(r"\A\d{4}\Z")))
def test_given_same_prefix_when_suffixes_vary_then_cached_answer_matches_each(
    prefix: str, suffixes: list[str]
) -> None:
    parser = PhoneParser()
    for suffix in suffixes:
        expected, _ = _reference(prefix + suffix)
        try:
            assert parser.parse(prefix + suffix).e164 == expected
        except PhoneError:
            assert expected is None
