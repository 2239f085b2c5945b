"""Phone banks: settings, their validation, and the lifecycle.

Lifecycle::

    draft -> published -> running <-> paused
                             \\-> stopped   (paused -> stopped too; stopped is final)

- Publishing makes the bank visible to volunteers: ``public`` (everyone) or ``private``
  (only members of chosen user lists). A public bank can never go private again.
- Starting needs a published bank and happens inside the campaign window (or is
  scheduled); the contact list is frozen from the first start on.
- The campaign end date does not stop a running bank; an admin stops it.
- Pausing archives a bank; it can be resumed. A stopped bank never restarts.

Every refused step raises :class:`BankError` with a machine-readable ``code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, get_type_hints

from controller.errors import PhonebankError
from controller.model.compliance import CallingHours, ComplianceError
from controller.model.setting_types import Kind, WrongType, kind_of


class BankError(PhonebankError):
    """A bank setting or lifecycle step that is refused."""


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class DialingMode(StrEnum):
    PREDICTIVE = "predictive"
    POWER = "power"
    PREVIEW = "preview"
    PERSONAL = "personal"


class Household(StrEnum):
    ONE_CALL = "one_call"  # dial a shared number once; the volunteer sees every member
    EACH_CONTACT = "each_contact"  # every contact gets their own call


E164 = re.compile(r"^\+[1-9]\d{6,14}$")
AREA_CODE = re.compile(r"^[2-9]\d{2}$")
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

    @property
    def hours(self) -> CallingHours:
        return CallingHours.parse(self.calling_hours)


SETTING_NAMES = tuple(f.name for f in fields(BankSettings))


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
    if s.amd is False and s.voicemail_message:
        bad("voicemail_needs_amd", "a voicemail message needs answering machine detection on")
    return problems


SETTING_KINDS = {name: kind_of(hint) for name, hint in get_type_hints(BankSettings).items()}


class SettingTypeError(BankError):
    """A setting value its type cannot take; names the ``setting`` and the ``expected`` type."""

    def __init__(self, setting: str, kind: Kind, value: Any) -> None:
        shown = "null" if value is None else repr(value)
        super().__init__("setting_type", f"{setting} must be {kind.expected}, not {shown}")
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


@dataclass(frozen=True)
class Bank:
    settings: BankSettings
    id: int | None = None
    state: State = State.DRAFT
    visibility: str | None = None  # None until published: "public" or "private"
    user_list_ids: tuple[int, ...] = ()
    ever_started: bool = False
    scheduled_start: datetime | None = None
    history: tuple[str, ...] = field(default=(), compare=False)


def create(settings: BankSettings, explicit: set[str] | frozenset[str] = frozenset()) -> Bank:
    """A new draft; ``explicit`` names the settings the admin passed in."""
    if "amd" in explicit:
        raise BankError("amd_after_save", "answering machine detection can be changed once saved")
    _require_valid(settings)
    return Bank(settings=settings)


def edit(bank: Bank, changes: dict[str, Any]) -> Bank:
    if bank.state is State.STOPPED:
        raise BankError("bank_stopped", "a stopped bank can no longer be edited")
    new = apply_changes(bank.settings, changes)
    if bank.ever_started and new.list_id != bank.settings.list_id:
        raise BankError("list_frozen", "the contact list is frozen once the bank has started")
    if bank.ever_started and new.household != bank.settings.household:
        raise BankError("household_frozen", "household handling is fixed once the bank started")
    _require_valid(new)
    if bank.scheduled_start is not None and not in_window(new, bank.scheduled_start):
        raise BankError(
            "schedule_outside_window",
            f"the bank is scheduled to start at {when_text(bank.scheduled_start)}, which would be"
            " outside the new campaign window: cancel it first (bank unschedule) or keep the"
            " start inside the window",
        )
    return replace(bank, settings=new)


def _require_valid(s: BankSettings) -> None:
    problems = validate(s)
    if problems:
        code, _ = problems[0]
        raise BankError(code, "; ".join(m for _, m in problems))


def publish(bank: Bank, visibility: str, user_list_ids: tuple[int, ...] = ()) -> Bank:
    if visibility not in ("public", "private"):
        raise BankError("visibility_unknown", "visibility must be public or private")
    if bank.state is State.STOPPED:
        raise BankError("bank_stopped", "a stopped bank cannot be published")
    if bank.visibility == "public" and visibility == "private":
        raise BankError("public_is_final", "a public bank can never become private again")
    if visibility == "private" and not user_list_ids:
        raise BankError("private_needs_lists", "a private bank needs at least one user list")
    if bank.settings.script_id is None:
        raise BankError("script_required", "attach a script before publishing")
    state = State.PUBLISHED if bank.state is State.DRAFT else bank.state
    ids = user_list_ids if visibility == "private" else ()
    return replace(bank, state=state, visibility=visibility, user_list_ids=ids)


def in_window(s: BankSettings, now: datetime) -> bool:
    if s.window_start and now < s.window_start:
        return False
    return not (s.window_end and now >= s.window_end)


def start(bank: Bank, now: datetime) -> Bank:
    if bank.state is State.STOPPED:
        raise BankError("bank_stopped", "a stopped bank never restarts")
    if bank.state is State.DRAFT:
        raise BankError("not_published", "publish the bank before starting it")
    if bank.state is State.RUNNING:
        raise BankError("already_running", "the bank is already running")
    if bank.state is State.PAUSED:
        raise BankError("paused_use_resume", "the bank is paused: resume it")
    if not in_window(bank.settings, now):
        raise BankError("outside_window", "now is outside the bank's campaign window")
    return replace(bank, state=State.RUNNING, ever_started=True, scheduled_start=None)


def when_text(at: datetime) -> str:
    """``2026-12-03 09:00 (UTC-05:00)``: a time as given, with its zone or offset."""
    zone = getattr(at.tzinfo, "key", None) or at.tzname() or "no time zone"
    return f"{at:%Y-%m-%d %H:%M} ({zone})"


def schedule(bank: Bank, at: datetime, now: datetime | None = None) -> Bank:
    """``bank`` to start by itself at ``at``; with ``now``, a time not after it is refused."""
    if bank.state is not State.PUBLISHED:
        raise BankError("not_published", "only a published, not yet started bank is scheduled")
    if now is not None and at <= now:
        raise BankError("start_in_past", f"{when_text(at)} is in the past: pick a later time")
    if not in_window(bank.settings, at):
        raise BankError("outside_window", "the scheduled start is outside the campaign window")
    return replace(bank, scheduled_start=at)


def unschedule(bank: Bank) -> Bank:
    """``bank`` without its scheduled start (it stays published)."""
    if bank.scheduled_start is None:
        raise BankError("not_scheduled", "the bank has no scheduled start")
    return replace(bank, scheduled_start=None)


def due_to_start(bank: Bank, now: datetime) -> bool:
    return (
        bank.state is State.PUBLISHED
        and bank.scheduled_start is not None
        and now >= bank.scheduled_start
    )


def pause(bank: Bank) -> Bank:
    if bank.state is not State.RUNNING:
        raise BankError("not_running", f"only a running bank can be paused (it is {bank.state})")
    return replace(bank, state=State.PAUSED)


def resume(bank: Bank) -> Bank:
    if bank.state is not State.PAUSED:
        raise BankError("not_paused", f"only a paused bank can be resumed (it is {bank.state})")
    return replace(bank, state=State.RUNNING)


def stop(bank: Bank) -> Bank:
    if bank.state is State.STOPPED:
        raise BankError("bank_stopped", "the bank is already stopped")
    if bank.state not in (State.RUNNING, State.PAUSED):
        raise BankError("never_started", "only a started bank can be stopped")
    return replace(bank, state=State.STOPPED)


def visible_to(bank: Bank, user_list_ids: set[int], is_admin: bool = False) -> bool:
    """Whether a volunteer (member of ``user_list_ids``) sees the bank and its script."""
    if is_admin:
        return True
    if bank.state in (State.DRAFT, State.STOPPED, State.PAUSED):
        return False
    if bank.visibility == "public":
        return True
    return bool(set(bank.user_list_ids) & user_list_ids)


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
