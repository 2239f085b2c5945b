from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from controller.model import banks
from controller.model.banks import Bank, BankError, BankSettings, DialingMode, State

NOW = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)


def good(**kw: object) -> BankSettings:
    base = BankSettings(title="Spring canvass", description="Call supporters", list_id=1,
                        script_id=1)  # fmt: skip
    return banks.apply_changes(base, dict(kw))


def published(**kw: object) -> Bank:
    return banks.publish(banks.create(good(**kw)), "public")


def code_of(fn: object, *args: object) -> str:
    with pytest.raises(BankError) as err:
        fn(*args)  # type: ignore[operator]
    return err.value.code


def test_given_defaults_when_created_then_predictive_amd_on_3_tries_30_min_3pct() -> None:
    bank = banks.create(good())
    s = bank.settings
    assert bank.state is State.DRAFT
    assert s.dialing_mode is DialingMode.PREDICTIVE and s.amd
    assert (s.max_attempts, s.retry_delay_min, s.abandon_cap_pct) == (3, 30, 3.0)
    assert s.calling_hours == "09:00-20:00" and s.prevent_frequent


def test_given_missing_title_description_list_when_validated_then_each_named() -> None:
    codes = [c for c, _ in banks.validate(BankSettings())]
    assert {"title_required", "description_required", "list_required"} <= set(codes)


def test_given_amd_passed_at_creation_when_created_then_refused_until_saved() -> None:
    assert code_of(lambda: banks.create(good(), {"amd"})) == "amd_after_save"
    saved = banks.create(good())
    assert banks.edit(saved, {"amd": False}).settings.amd is False


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"caller_ids": "5551234"}, "caller_id_format"),
        ({"caller_ids": "+1٢١٢٥٥٥٠١٢٣"}, "caller_id_format"),  # not dialable as written
        ({"preferred_area_codes": "123"}, "area_code_format"),
        ({"preferred_area_codes": "2٢٢"}, "area_code_format"),
        ({"calling_hours": "07:00-20:00"}, "hours_outside_limits"),
        ({"abandon_cap_pct": 5}, "abandon_cap_range"),
        ({"max_attempts": 0}, "max_attempts_range"),
        ({"dialing_mode": "robot"}, "setting_type"),
        ({"window_start": "2026-05-02T00:00+00:00", "window_end": "2026-05-01T00:00+00:00"},
         "window_order"),
        ({"window_start": "soon"}, "setting_type"),
        ({"colour": "red"}, "unknown_setting"),
    ],
)  # fmt: skip
def test_given_bad_setting_when_edited_then_clear_error_id(change: dict, code: str) -> None:
    bank = banks.create(good())
    assert code_of(banks.edit, bank, change) == code


def test_given_draft_when_published_public_then_never_private_again() -> None:
    bank = published()
    assert bank.state is State.PUBLISHED and bank.visibility == "public"
    assert code_of(banks.publish, bank, "private", (1,)) == "public_is_final"


def test_given_private_bank_when_published_then_only_list_members_see_it() -> None:
    bank = banks.publish(banks.create(good()), "private", (7,))
    assert banks.visible_to(bank, {7}) and not banks.visible_to(bank, {8})
    assert code_of(banks.publish, banks.create(good()), "private", ()) == "private_needs_lists"
    assert banks.publish(bank, "public").visibility == "public"


def test_given_draft_when_seen_by_volunteer_then_hidden() -> None:
    assert not banks.visible_to(banks.create(good()), {1})
    assert banks.visible_to(published(), set())


def test_given_no_script_when_published_then_refused() -> None:
    bank = banks.create(replace(good(), script_id=None))
    assert code_of(banks.publish, bank, "public") == "script_required"


def test_given_draft_when_started_then_refused_not_published() -> None:
    assert code_of(banks.start, banks.create(good()), NOW) == "not_published"


def test_given_window_in_future_when_started_then_outside_window() -> None:
    bank = published(window_start=(NOW + timedelta(days=1)).isoformat())
    assert code_of(banks.start, bank, NOW) == "outside_window"


def test_given_window_passed_while_running_when_checked_then_still_running() -> None:
    bank = banks.start(published(window_end=(NOW + timedelta(hours=1)).isoformat()), NOW)
    assert bank.state is State.RUNNING
    later = banks.pause(bank)  # nothing in the model stops it at the end date
    assert banks.resume(later).state is State.RUNNING


def test_given_full_lifecycle_when_walked_then_each_illegal_step_has_an_id() -> None:
    bank = banks.start(published(), NOW)
    assert code_of(banks.start, bank, NOW) == "already_running"
    assert code_of(banks.resume, bank) == "not_paused"
    paused = banks.pause(bank)
    assert code_of(banks.pause, paused) == "not_running"
    assert code_of(banks.start, paused, NOW) == "paused_use_resume"
    stopped = banks.stop(banks.resume(paused))
    assert stopped.state is State.STOPPED
    assert code_of(banks.start, stopped, NOW) == "bank_stopped"
    assert code_of(banks.resume, stopped) == "not_paused"
    assert code_of(banks.stop, stopped) == "bank_stopped"
    assert code_of(banks.edit, stopped, {"title": "x"}) == "bank_stopped"
    assert code_of(banks.stop, published()) == "never_started"


def test_given_started_bank_when_list_changed_then_frozen() -> None:
    bank = banks.pause(banks.start(published(), NOW))
    assert code_of(banks.edit, bank, {"list_id": 2}) == "list_frozen"
    assert banks.edit(bank, {"title": "New"}).settings.title == "New"
    assert banks.edit(published(), {"list_id": 2}).settings.list_id == 2
    assert code_of(banks.edit, bank, {"household": "each_contact"}) == "household_frozen"


def test_given_scheduled_start_when_time_comes_then_due() -> None:
    bank = banks.schedule(published(), NOW + timedelta(hours=1))
    assert not banks.due_to_start(bank, NOW)
    assert banks.due_to_start(bank, NOW + timedelta(hours=1))
    assert banks.start(bank, NOW + timedelta(hours=1)).scheduled_start is None
    outside = published(window_end=(NOW + timedelta(hours=2)).isoformat())
    assert code_of(banks.schedule, outside, NOW + timedelta(hours=3)) == "outside_window"


def test_given_settings_when_round_tripped_through_dict_then_equal() -> None:
    s = good(window_start=NOW.isoformat(), caller_ids=["+15550100100"], household="each_contact")
    assert banks.settings_from_dict(banks.settings_to_dict(s)) == s


def test_given_a_past_or_present_time_when_scheduled_with_now_then_start_in_past() -> None:
    assert code_of(banks.schedule, published(), NOW, NOW) == "start_in_past"
    assert code_of(banks.schedule, published(), NOW - timedelta(days=1), NOW) == "start_in_past"
    later = banks.schedule(published(), NOW + timedelta(minutes=1), NOW)
    assert later.scheduled_start == NOW + timedelta(minutes=1)


def test_given_a_scheduled_bank_when_the_window_moves_past_it_then_edit_refused() -> None:
    bank = banks.schedule(published(), NOW + timedelta(hours=1), NOW)
    after = (NOW + timedelta(hours=2)).isoformat()
    assert code_of(banks.edit, bank, {"window_start": after}) == "schedule_outside_window"
    assert code_of(banks.edit, bank, {"window_end": NOW.isoformat()}) == "schedule_outside_window"
    assert banks.edit(bank, {"window_end": after}).scheduled_start == bank.scheduled_start
    cleared = banks.unschedule(bank)
    assert cleared.scheduled_start is None and cleared.state is State.PUBLISHED
    assert banks.edit(cleared, {"window_start": after}).settings.window_start is not None
    assert code_of(banks.unschedule, cleared) == "not_scheduled"


def test_given_times_with_offsets_when_described_then_as_given_with_the_offset() -> None:
    at = datetime.fromisoformat("2026-12-03T09:00:00-05:00")
    assert banks.when_text(at) == "2026-12-03 09:00 (UTC-05:00)"
    assert banks.when_text(NOW) == "2026-05-01 15:00 (UTC)"


def test_given_hours_typed_loosely_and_a_caller_id_twice_then_stored_in_one_form() -> None:
    loose = BankSettings(title="T", description="D", list_id=1, calling_hours=" 9:00 - 17:30 ",
                         caller_ids=("+15551230001", "+15551230002", "+15551230001"))  # fmt: skip
    assert loose.calling_hours == "09:00-17:30"
    assert loose.caller_ids == ("+15551230001", "+15551230002")
    bad = BankSettings(title="T", description="D", list_id=1, calling_hours="nine to five")
    assert bad.calling_hours == "nine to five"  # left as typed for the check to report
    assert [code for code, _ in banks.validate(bad)] == ["hours_format"]


def test_given_a_built_in_field_as_a_report_field_then_refused() -> None:
    asked = BankSettings(title="T", description="D", list_id=1, report_fields=("call outcome",))
    assert [code for code, _ in banks.validate(asked)] == ["builtin_report_field"]
    fine = BankSettings(title="T", description="D", list_id=1, report_fields=("Support",))
    assert banks.validate(fine) == []


def test_given_an_image_once_allowed_when_another_setting_is_edited_then_saved() -> None:
    old = Bank(replace(good(), image="https://example.org/logo.png"), id=1)  # as once stored
    edited = banks.edit(old, {"max_attempts": 4})
    assert edited.settings.max_attempts == 4
    with pytest.raises(BankError) as refused:
        banks.edit(old, {"image": "https://example.org/other.png"})
    assert refused.value.code == "image_address"
