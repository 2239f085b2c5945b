"""Phone bank settings: their types, how values are read, and the rules they must meet.

Pure (no I/O). Each setting's dataclass field type decides how a value is read
(:mod:`controller.model.setting_types`): ``--set NAME=VALUE`` text, a form's converted value
and a stored setting all go through :func:`parse_setting`, and a value its type cannot take
raises :class:`SettingTypeError`. :func:`validate` then checks the settings' rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, get_type_hints

from controller.errors import PhonebankError
from controller.model.compliance import CallingHours, ComplianceError
from controller.model.fields import is_builtin
from controller.model.setting_types import Kind, WrongType, kind_of


class BankError(PhonebankError):
    """A bank setting or lifecycle step that is refused."""


class DialingMode(StrEnum):
    PREDICTIVE = "predictive"
    POWER = "power"
    PREVIEW = "preview"
    PERSONAL = "personal"


class Household(StrEnum):
    ONE_CALL = "one_call"  # dial a shared number once; the volunteer sees every member
    EACH_CONTACT = "each_contact"  # every contact gets their own call


E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")  # ASCII digits: what a trunk dials
AREA_CODE = re.compile(r"^[2-9][0-9]{2}$")
MAX_ABANDON_PCT = 3.0


@dataclass(frozen=True)
class BankSettings:
    title: str = ""
    description: str = ""
    list_id: int | None = None
    script_id: int | None = None
    folders: tuple[str, ...] = ()
    image: str = ""
    disclaimer: str = ""
    preferred_area_codes: tuple[str, ...] = ()
    start_button_label: str = "Start calling"
    window_start: datetime | None = None
    window_end: datetime | None = None
    calling_hours: str = "09:00-20:00"
    dialing_mode: DialingMode = DialingMode.PREDICTIVE
    amd: bool = True
    voicemail_message: str = ""
    contact_details: tuple[str, ...] = ()
    report_tags: tuple[str, ...] = ()
    report_fields: tuple[str, ...] = ()
    caller_ids: tuple[str, ...] = ()
    max_attempts: int = 3
    retry_delay_min: int = 30
    household: Household = Household.ONE_CALL
    abandon_cap_pct: float = 3.0
    prevent_frequent: bool = True
    suppress_other_bank_hours: int | None = None

    def __post_init__(self) -> None:
        """Store settings in one form: calling hours as HH:MM-HH:MM (when they parse: bad
        ones are left for :func:`validate` to report) and each caller ID once."""
        try:
            hours = str(CallingHours.parse(self.calling_hours))
        except (ComplianceError, AttributeError, TypeError):
            hours = self.calling_hours
        object.__setattr__(self, "calling_hours", hours)
        if isinstance(self.caller_ids, tuple):
            object.__setattr__(self, "caller_ids", tuple(dict.fromkeys(self.caller_ids)))

    @property
    def hours(self) -> CallingHours:
        return CallingHours.parse(self.calling_hours)


SETTING_NAMES = tuple(f.name for f in fields(BankSettings))


def check_caller_ids(numbers: Sequence[str], allowed: Sequence[str]) -> None:
    """Refuse (``caller_id_not_on_trunk``) a caller ID the trunk does not let the
    organization show (``allowed``: ``[trunk] caller_ids``; empty: any)."""
    foreign = [n for n in numbers if allowed and n not in allowed]
    if foreign:
        raise BankError(
            "caller_id_not_on_trunk",
            f"caller ID {', '.join(foreign)} is not one of the trunk's numbers"
            f" ([trunk] caller_ids: {', '.join(allowed)})",
        )


def validate(s: BankSettings) -> list[tuple[str, str]]:
    """Every problem with ``s`` as ``(code, message)``; empty means valid."""
    problems: list[tuple[str, str]] = []

    def bad(code: str, message: str) -> None:
        problems.append((code, message))

    if not s.title.strip():
        bad("title_required", "a title is required")
    if not s.description.strip():
        bad("description_required", "a description is required")
    if s.list_id is None:
        bad("list_required", "a contact list is required")
    try:
        s.hours  # noqa: B018 - parse for validation
    except ComplianceError as exc:
        bad(exc.code, str(exc))
    if s.window_start and s.window_end and s.window_end <= s.window_start:
        bad("window_order", "the campaign window must end after it starts")
    for when in (s.window_start, s.window_end):
        if when is not None and when.tzinfo is None:
            bad("window_naive", "campaign window times need a time zone (e.g. +00:00)")
    for number in s.caller_ids:
        if not E164.match(number):
            bad("caller_id_format", f"caller ID {number!r} is not an E.164 number (+15551234567)")
    for code in s.preferred_area_codes:
        if not AREA_CODE.match(code):
            bad("area_code_format", f"area code {code!r} must be three digits, not 0/1 first")
    if not 1 <= s.max_attempts <= 20:
        bad("max_attempts_range", "max attempts must be between 1 and 20")
    if not 1 <= s.retry_delay_min <= 60 * 24 * 14:
        bad("retry_delay_range", "retry delay must be between 1 minute and 14 days")
    if not 0 < s.abandon_cap_pct <= MAX_ABANDON_PCT:
        bad("abandon_cap_range", f"abandon-rate cap must be above 0 and at most {MAX_ABANDON_PCT}%")
    if s.suppress_other_bank_hours is not None and not 1 <= s.suppress_other_bank_hours <= 720:
        bad("suppress_hours_range", "other-bank suppression must be 1 to 720 hours")
    for name in s.report_fields:
        if is_builtin(name):
            bad("builtin_report_field", f"{name!r} is built in and kept by the dialer, not asked")
    if s.amd is False and s.voicemail_message:
        bad("voicemail_needs_amd", "a voicemail message needs answering machine detection on")
    if s.image and not image_allowed(s.image):
        bad("image_address", IMAGE_RULE)
    return problems


# The volunteer pages load images only from the appliance itself or inline (their CSP keeps
# other sites from learning who opens them), so an image must be one of those.
IMAGE_MAX = 200_000
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]+$")
IMAGE_RULE = (
    "the image must be a data: address (data:image/png;base64,...) or a path on this"
    " appliance (/static/...), at most 200,000 characters: the volunteer pages show no"
    " images from other sites"
)


def image_allowed(address: str) -> bool:
    """True for an image the volunteer pages show: inline (data:image/...) or on this host."""
    text = address.strip()
    if len(text) > IMAGE_MAX:
        return False
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return all(c.isprintable() and not c.isspace() for c in text)
    return bool(IMAGE_DATA.match(text))


SETTING_KINDS = {name: kind_of(hint) for name, hint in get_type_hints(BankSettings).items()}


class SettingTypeError(BankError):
    """A setting value its type cannot take; names the ``setting`` and the ``expected`` type."""

    def __init__(self, setting: str, kind: Kind, value: Any) -> None:
        shown = "null" if value is None else repr(value)
        message = f"{setting} must be {kind.expected}, not {shown}"
        if value is None and kind.name in ("text", "list"):
            message += f" (to empty it, give no value: {setting}=)"
        super().__init__("setting_type", message)
        self.setting = setting
        self.expected = kind.name


def parse_setting(name: str, value: Any) -> Any:
    """``value`` (typed, or text) as setting ``name``'s type; see :mod:`setting_types`."""
    kind = SETTING_KINDS.get(name)
    if kind is None:
        raise BankError("unknown_setting", f"unknown bank setting: {name}")
    try:
        return kind.parse(value)
    except WrongType:
        raise SettingTypeError(name, kind, value) from None


def parse_setting_text(name: str, text: str) -> Any:
    """A setting from ``NAME=VALUE`` text: ``null`` is none (only where a setting may be unset)."""
    return parse_setting(name, None if text.strip().lower() == "null" else text)


def apply_changes(s: BankSettings, changes: dict[str, Any]) -> BankSettings:
    """``s`` with ``changes`` applied (coerced); unknown names raise ``unknown_setting``."""
    unknown = sorted(set(changes) - set(SETTING_NAMES))
    if unknown:
        raise BankError("unknown_setting", f"unknown bank setting(s): {', '.join(unknown)}")
    return replace(s, **{k: parse_setting(k, v) for k, v in changes.items()})


def settings_to_dict(s: BankSettings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SETTING_NAMES:
        value = getattr(s, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def settings_from_dict(data: dict[str, Any]) -> BankSettings:
    """Stored settings. A stored value its type cannot take (one saved before values were
    checked by type, like ``"amd": null``) reads as the default, so the bank still opens."""
    values: dict[str, Any] = {}
    for name in SETTING_NAMES:
        try:
            values[name] = parse_setting(name, data[name])
        except (KeyError, SettingTypeError):
            continue
    return replace(BankSettings(), **values)
