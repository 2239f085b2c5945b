from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model.users import (
    PIN_LENGTH,
    UserError,
    allowed,
    generate_pin,
    hash_password,
    needs_rehash,
    validate_password,
    validate_pin,
    validate_role,
    validate_username,
)


@pytest.mark.parametrize(
    ("role", "calls", "permission", "expected"),
    [("admin", False, "manage_users", True), ("admin", True, "manage_volunteers", True),
     ("manager", True, "manage_users", False), ("manager", True, "manage_banks", True),
     ("manager", True, "manage_volunteers", True), ("volunteer", True, "manage_banks", False),
     ("volunteer", True, "make_calls", True), ("volunteer", False, "make_calls", False),
     ("admin", False, "make_calls", False), ("ghost", True, "view_results", False)],
)  # fmt: skip
def test_given_role_and_permission_when_checked_then_allowed_only_as_designed(
    role: str, calls: bool, permission: str, expected: bool
) -> None:
    assert allowed(role, calls, permission) is expected


def test_given_usernames_when_validated_then_lower_cased_or_refused() -> None:
    assert validate_username(" Alice.B ") == "alice.b"
    for bad in ["a", "has space", "-dash", "x" * 65, "émile"]:
        with pytest.raises(UserError) as info:
            validate_username(bad)
        assert info.value.code == "bad_username"


def test_given_roles_when_validated_then_only_the_three_roles() -> None:
    assert validate_role("Manager") == "manager"
    with pytest.raises(UserError) as info:
        validate_role("owner")
    assert info.value.code == "bad_role"


@pytest.mark.parametrize("pin", ["12345", "12345a", "", "１２３４５６", "1234567890123"])
def test_given_bad_pin_when_validated_then_refused(pin: str) -> None:
    with pytest.raises(UserError) as info:
        validate_pin(pin)
    assert info.value.code == "bad_pin"


def test_given_a_pin_of_six_or_twelve_digits_then_kept_as_typed() -> None:
    assert validate_pin(" 123456 ") == "123456"
    assert validate_pin("123456789012") == "123456789012"  # the most the phone prompt reads


def test_given_short_password_when_validated_then_weak_password() -> None:
    with pytest.raises(UserError) as info:
        validate_password("short")
    assert info.value.code == "weak_password"


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=12))
def test_given_any_length_when_pin_generated_then_numeric_at_least_six_digits(
    length: int,
) -> None:
    pin = generate_pin(length)
    assert pin.isdigit() and pin.isascii()
    assert len(pin) == max(length, PIN_LENGTH)
    assert pin[0] != "0"
    assert validate_pin(pin) == pin


def test_given_many_generated_pins_when_compared_then_they_differ() -> None:
    assert len({generate_pin() for _ in range(200)}) > 190


def test_given_password_when_hashed_then_argon2_and_verifiable() -> None:
    from controller.model.users import verify_password

    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong horse")
    assert not verify_password(None, "correct horse")
    assert not verify_password("garbage", "correct horse")
    assert not needs_rehash(hashed)
