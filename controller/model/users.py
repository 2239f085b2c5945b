"""People who use the appliance: roles, the "make calls" permission, names, passwords, PINs.

Roles, from most to least trusted: ``admin`` (everything, including users and settings),
``manager`` (phone banks, contacts, results, volunteers) and ``volunteer`` (calls, when
allowed to make calls). Passwords are hashed with argon2; dial-in PINs are random digits.
"""

from __future__ import annotations

import contextlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from controller.errors import PhonebankError

ROLES = ("admin", "manager", "volunteer")
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {"manage_users", "manage_settings", "manage_banks", "manage_contacts", "view_results"}
    ),
    "manager": frozenset({"manage_volunteers", "manage_banks", "manage_contacts", "view_results"}),
    "volunteer": frozenset(),
}
PIN_LENGTH = 6
PIN_MAX_LENGTH = 12  # the dial-in prompt reads at most 12 digits (pbx-extensions.conf.j2)
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_HASHER = PasswordHasher()


class UserError(PhonebankError):
    """A user, password, PIN or team that is not acceptable; ``code`` is machine-readable."""


def allowed(role: str, can_make_calls: bool, permission: str) -> bool:
    """Whether a user with ``role`` may do ``permission`` (``make_calls`` is per user)."""
    if permission == "make_calls":
        return can_make_calls
    if role == "admin" and permission == "manage_volunteers":
        return True
    return permission in PERMISSIONS.get(role, frozenset())


def validate_username(name: str) -> str:
    clean = name.strip().lower()
    if not _USERNAME.match(clean):
        raise UserError(
            "bad_username",
            "usernames are 2-64 characters: letters, digits, '.', '_', '-', '@',"
            " starting with a letter or digit",
        )
    return clean


def validate_role(role: str) -> str:
    clean = role.strip().lower()
    if clean not in ROLES:
        raise UserError("bad_role", f"role must be one of {', '.join(ROLES)}")
    return clean


def validate_display_name(name: str) -> str:
    clean = " ".join(name.split())
    if len(clean) > 100:
        raise UserError("bad_display_name", "display names are at most 100 characters")
    return clean


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError("weak_password", f"passwords need at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise UserError("bad_password", "passwords are at most 1024 characters")
    return password


def validate_pin(pin: str) -> str:
    clean = pin.strip()
    if not clean.isdigit() or not clean.isascii() or not PIN_LENGTH <= len(clean) <= PIN_MAX_LENGTH:
        raise UserError("bad_pin", f"a PIN is {PIN_LENGTH} to {PIN_MAX_LENGTH} digits")
    return clean


def validate_team_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean or len(clean) > 64:
        raise UserError("bad_user_list_name", "user list names are 1-64 characters")
    return clean


def generate_pin(length: int = PIN_LENGTH) -> str:
    """A random numeric PIN (never starting with 0, so it survives spreadsheets)."""
    length = max(length, PIN_LENGTH)
    first = str(secrets.randbelow(9) + 1)
    return first + "".join(str(secrets.randbelow(10)) for _ in range(length - 1))


def hash_password(password: str) -> str:
    return _HASHER.hash(validate_password(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-effort check (a missing hash still costs one verification)."""
    if not password_hash:
        _dummy_verify(password)
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


_DUMMY: list[str] = []


def _dummy_verify(password: str) -> None:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("not-a-real-password"))
    with contextlib.suppress(VerificationError):
        _HASHER.verify(_DUMMY[0], password)
