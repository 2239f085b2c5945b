"""Contacts and their numbers as imported: ordering, de-duplication keys, ZIP clean-up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from controller.errors import PhonebankError

CONTACT_COLUMNS = ("van_id", "first_name", "last_name", "address", "city", "state", "zip5")


class ContactError(PhonebankError):
    """A contact that cannot be stored; ``code`` is machine-readable."""


@dataclass(slots=True)
class PhoneRecord:
    e164: str
    type: str
    van_phone_id: str | None = None
    accuracy: float | None = None
    column: int = 0  # position of the number's column in the file (ties keep file order)
    time_zone: str | None = None  # the number's own zone, when it has exactly one


@dataclass(slots=True)
class ContactRecord:
    van_id: str | None
    first_name: str
    last_name: str
    address: str
    city: str
    state: str
    zip5: str
    time_zone: str | None
    phones: list[PhoneRecord]
    extra: dict[str, str] = field(default_factory=dict)
    bad_zip: str = ""  # a ZIP as written that is no ZIP (zip5 is then empty)

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.van_id, self.first_name, self.last_name, self.phones)


def order_phones(phones: list[PhoneRecord]) -> list[PhoneRecord]:
    """Dialing order: highest accuracy first (unknown last), then file order; one per number."""
    if len(phones) < 2:
        return phones
    if all(p.accuracy is None for p in phones) and len({p.e164 for p in phones}) == len(phones):
        return phones  # already in file order, no duplicates
    ranked = sorted(
        phones,
        key=lambda p: (-p.accuracy if p.accuracy is not None else float("inf"), p.column),
    )
    seen: set[str] = set()
    unique: list[PhoneRecord] = []
    for phone in ranked:
        if phone.e164 not in seen:
            seen.add(phone.e164)
            unique.append(phone)
    return unique


def dedupe_key(van_id: str | None, first: str, last: str, phones: list[PhoneRecord]) -> str:
    """Same person within a list: same VAN id, else same name and same first number."""
    if van_id:
        return f"van:{van_id}"
    number = phones[0].e164 if phones else ""
    return f"np:{first.strip().lower()}|{last.strip().lower()}|{number}"


def clean_zip5(raw: str) -> str:
    """Five-digit ZIP from ``02134``, ``2134`` / ``501`` (lost leading zeros), ``02134-1234``,
    ``021341234``; else '' (``SW1A 1AA`` is a postcode, not ZIP 00011; ``12-3``, ``7`` or
    ``1234567890`` are no ZIP: the lowest ZIP, 00501, keeps three digits)."""
    text = raw.strip()
    if not _ZIP_SHAPE.fullmatch(text):
        return ""
    digits = text.replace("-", "").replace(" ", "")
    return digits.zfill(5) if len(digits) <= 5 else digits.zfill(9)[:5]


_ZIP_SHAPE = re.compile(r"[0-9]{3,5}(?:[- ]?[0-9]{4})?")


def clean_van_id(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if not (text.isdigit() and text.isascii()):
        raise ContactError("bad_van_id", f"VAN id must be a number, got {text!r}")
    return str(int(text))
