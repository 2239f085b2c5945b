from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from controller.model.fields import (
    OUTCOMES,
    FieldError,
    is_builtin,
    validate_field,
    validate_name,
    validate_value,
)


def test_given_choice_field_with_options_when_validated_then_spec_keeps_them() -> None:
    spec = validate_field("  Support   level ", "choice", ["1", " 2 ", ""], is_default=True)
    assert (spec.name, spec.kind, spec.options, spec.is_default) == (
        "Support level",
        "choice",
        ("1", "2"),
        True,
    )


@pytest.mark.parametrize(
    ("name", "kind", "options", "code"),
    [("Call Outcome", "choice", ["x"], "builtin_field"),
     ("last called at", "date", [], "builtin_field"),
     ("Mood", "colour", [], "bad_kind"), ("Mood", "choice", [], "no_options"),
     ("Mood", "choice", ["Up", "up"], "duplicate_option"),
     ("Mood", "text", ["Up"], "unexpected_options"), ("   ", "text", [], "bad_field_name"),
     ("x" * 65, "text", [], "bad_field_name")],
)  # fmt: skip
def test_given_bad_field_when_validated_then_field_error(
    name: str, kind: str, options: list[str], code: str
) -> None:
    with pytest.raises(FieldError) as info:
        validate_field(name, kind, options)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("kind", "options", "value", "stored"),
    [("text", (), "  hello ", "hello"), ("choice", ("Yes", "No"), "yes", "Yes"),
     ("yesno", (), "Y", "yes"), ("yesno", (), "false", "no"), ("number", (), "3.0", "3"),
     ("number", (), "2.5", "2.5"), ("date", (), "2026-11-03", "2026-11-03"),
     ("timestamp", (), "2026-11-03T18:00:00+00:00", "2026-11-03T18:00:00+00:00")],
)  # fmt: skip
def test_given_good_value_when_validated_then_stored_form(
    kind: str, options: tuple[str, ...], value: str, stored: str
) -> None:
    assert validate_value(kind, options, value) == stored


@pytest.mark.parametrize(
    ("kind", "options", "value", "code"),
    [("choice", ("Yes", "No"), "Maybe", "not_an_option"), ("yesno", (), "perhaps", "bad_yesno"),
     ("number", (), "three", "bad_number"), ("number", (), "nan", "bad_number"),
     ("date", (), "11/03/2026", "bad_date"), ("text", (), "x" * 2001, "too_long")],
)  # fmt: skip
def test_given_bad_value_when_validated_then_field_error(
    kind: str, options: tuple[str, ...], value: str, code: str
) -> None:
    with pytest.raises(FieldError) as info:
        validate_value(kind, options, value)
    assert info.value.code == code


def test_given_outcome_catalogue_when_checked_then_it_has_the_fourteen_outcomes() -> None:
    assert len(OUTCOMES) == 14
    assert OUTCOMES[0] == "Completed"
    assert "Failed / Bad Number" in OUTCOMES
    assert validate_value("choice", OUTCOMES, "wrong number") == "Wrong Number"


def test_given_builtin_names_when_checked_in_any_case_then_recognised() -> None:
    assert is_builtin(" call outcome ")
    assert not is_builtin("Outcome")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_given_any_finite_number_when_stored_then_it_reads_back_equal(number: float) -> None:
    assert float(validate_value("number", (), repr(number))) == number


@given(st.text(min_size=1, max_size=64))
def test_given_any_tag_name_when_validated_then_whitespace_collapsed_or_refused(name: str) -> None:
    try:
        clean = validate_name(name, "tag")
    except FieldError as exc:
        assert exc.code == "bad_tag_name"
        assert not name.split()
    else:
        assert clean == " ".join(name.split())
