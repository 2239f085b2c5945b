"""Phone numbers: parsing into E.164 with phonenumbers, and their time zone.

North American numbers are the bulk of any import; whether such a number is valid and which
zone it is in depends only on its first six national digits (area code + exchange), so
``PhoneParser`` asks phonenumbers once per prefix and reuses the answer. Everything else goes
through phonenumbers in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import timezone as pn_timezone

from controller.model.timezones import zone_from_candidates

PHONE_TYPES = ("cell", "home", "work", "optin", "other")
NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_SEPARATORS = str.maketrans("", "", " ()-./\t")


class PhoneError(ValueError):
    """A number that cannot be dialed; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    e164: str
    time_zone: str | None


def _full_parse(text: str, region: str | None) -> ParsedPhone:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("bad_number", f"not a phone number: {text!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("bad_number", f"not a valid phone number: {text!r}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    zone = zone_from_candidates(pn_timezone.time_zones_for_number(number))
    return ParsedPhone(e164, zone)


class PhoneParser:
    """Parses numbers as written in campaign files; caches North American prefixes."""

    def __init__(self, default_region: str = "US") -> None:
        self.default_region = default_region.upper()
        self._prefixes: dict[str, ParsedPhone | PhoneError] = {}
        self._contexts: dict[tuple[str, str], tuple[str, str, bool]] = {}

    def parse(self, raw: str, region: str = "", dialing_prefix: str = "") -> ParsedPhone:
        """``raw`` as written; ``region`` (ISO code) and ``dialing_prefix`` (e.g. "1") if known.

        Raises ``PhoneError`` for an empty, unparseable or invalid number.
        """
        text = raw.strip()
        if not text:
            raise PhoneError("empty_number", "no phone number")
        context = self._contexts.get((region, dialing_prefix))
        if context is None:
            context = self._context(region, dialing_prefix)
        region, prefix, nanp = context
        if nanp and text.isdigit() and text.isascii() and len(text) == 10:
            return self._nanp(text, text)  # the bulk: ten plain digits in a NANP region
        national = self._nanp_national(text, region, prefix)
        if national is not None:
            return self._nanp(national, text)
        if prefix and not text.startswith("+"):
            return _full_parse(f"+{prefix}{text}", None)
        return _full_parse(text, region)

    def _context(self, region: str, dialing_prefix: str) -> tuple[str, str, bool]:
        """Normalized region and prefix, and whether plain digits are North American."""
        norm_region = region.strip().upper() or self.default_region
        prefix = dialing_prefix.strip().lstrip("+")
        nanp = prefix in ("", "1") and norm_region in NANP_REGIONS
        context = (norm_region, prefix, nanp)
        self._contexts[(region, dialing_prefix)] = context
        return context

    def _nanp_national(self, text: str, region: str, prefix: str) -> str | None:
        if prefix not in ("", "1") or (region not in NANP_REGIONS and not text.startswith("+1")):
            return None
        digits = text.translate(_SEPARATORS)
        if digits.startswith("+"):
            if not digits.startswith("+1"):
                return None
            digits = digits[1:]
        if not digits.isascii() or not digits.isdigit():
            return None  # other scripts' digits are read (and made ASCII) by the full parser
        if len(digits) == 11 and digits[0] == "1":
            return digits[1:]
        return digits if len(digits) == 10 else None

    def _nanp(self, national: str, text: str) -> ParsedPhone:
        key = national[:6]
        known = self._prefixes.get(key)
        if known is None:
            try:
                known = _full_parse("+1" + national, None)
            except PhoneError as exc:
                known = exc
            self._prefixes[key] = known
        if isinstance(known, PhoneError):
            raise PhoneError("bad_number", f"not a valid phone number: {text!r}")
        return ParsedPhone("+1" + national, known.time_zone)


_DEFAULT = PhoneParser()


def to_e164(raw: str, region: str = "US") -> str:
    """E.164 form of one number (``PhoneError`` if it is not a valid number)."""
    return _DEFAULT.parse(raw, region).e164


def is_e164(text: str) -> bool:
    return text.startswith("+") and text.isascii() and text[1:].isdigit() and 8 <= len(text) <= 16
