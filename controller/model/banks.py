"""Phone banks and their lifecycle (pure: no I/O).

The settings, how their values are read and their rules are in
:mod:`controller.model.bank_settings`; their names are imported here too, so callers can
take everything about banks from this module.

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

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

# Re-exported from the settings module ("X as X"), for callers of this one.
from controller.model.bank_settings import AREA_CODE as AREA_CODE
from controller.model.bank_settings import E164 as E164
from controller.model.bank_settings import MAX_ABANDON_PCT as MAX_ABANDON_PCT
from controller.model.bank_settings import SETTING_KINDS as SETTING_KINDS
from controller.model.bank_settings import SETTING_NAMES as SETTING_NAMES
from controller.model.bank_settings import BankError as BankError
from controller.model.bank_settings import BankSettings as BankSettings
from controller.model.bank_settings import DialingMode as DialingMode
from controller.model.bank_settings import Household as Household
from controller.model.bank_settings import SettingTypeError as SettingTypeError
from controller.model.bank_settings import apply_changes as apply_changes
from controller.model.bank_settings import check_caller_ids as check_caller_ids
from controller.model.bank_settings import parse_setting as parse_setting
from controller.model.bank_settings import parse_setting_text as parse_setting_text
from controller.model.bank_settings import settings_from_dict as settings_from_dict
from controller.model.bank_settings import settings_to_dict as settings_to_dict
from controller.model.bank_settings import validate as validate


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


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
    _require_valid(new, kept=bank.settings)
    if bank.scheduled_start is not None and not in_window(new, bank.scheduled_start):
        raise BankError(
            "schedule_outside_window",
            f"the bank is scheduled to start at {when_text(bank.scheduled_start)}, which would be"
            " outside the new campaign window: cancel it first (bank unschedule) or keep the"
            " start inside the window",
        )
    return replace(bank, settings=new)


def _require_valid(s: BankSettings, kept: BankSettings | None = None) -> None:
    """Refused when ``s`` has a problem; an image kept from before (``kept``) is not re-judged:
    one saved when other addresses were taken must not block every other edit."""
    problems = validate(s)
    if kept is not None and s.image == kept.image:
        problems = [p for p in problems if p[0] != "image_address"]
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


def check_deletable(bank: Bank) -> None:
    """A bank may be deleted only before it ever started (a draft, or published and not
    started): a started bank's calls and results are its record, kept for good."""
    if bank.ever_started or bank.state not in (State.DRAFT, State.PUBLISHED):
        raise BankError(
            "bank_started",
            f"bank {bank.id} has started: its calls and results are kept (stop it instead)",
        )


def is_published(bank: Bank) -> bool:
    """Published, running or paused: volunteers may see it, and who sees it is changed, not
    published again (neither a draft nor a stopped bank)."""
    return bank.state not in (State.DRAFT, State.STOPPED)


def visible_to(bank: Bank, user_list_ids: set[int], is_admin: bool = False) -> bool:
    """Whether a volunteer (member of ``user_list_ids``) sees the bank and its script: a
    published, running or paused one (a paused bank shows as paused, it does not vanish)."""
    if is_admin:
        return True
    if not is_published(bank):
        return False
    if bank.visibility == "public":
        return True
    return bool(set(bank.user_list_ids) & user_list_ids)
