"""Bank settings are parsed by their declared types: one table, from the dataclass fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from controller.model import banks
from controller.model.banks import BankSettings, DialingMode, SettingTypeError


def test_given_the_settings_dataclass_when_kinds_are_read_then_every_field_has_its_type() -> None:
    kinds = {name: kind.name for name, kind in banks.SETTING_KINDS.items()}
    assert set(kinds) == set(banks.SETTING_NAMES)
    assert (kinds["amd"], kinds["max_attempts"], kinds["abandon_cap_pct"]) == (
        "boolean",
        "integer",
        "number",
    )
    assert (kinds["title"], kinds["preferred_area_codes"], kinds["window_start"]) == (
        "text",
        "list",
        "datetime",
    )
    assert kinds["dialing_mode"] == "choice"
    assert banks.SETTING_KINDS["suppress_other_bank_hours"].optional
    assert not banks.SETTING_KINDS["max_attempts"].optional


@pytest.mark.parametrize(
    ("name", "value", "parsed"),
    [("amd", "Off", False), ("amd", 1, True), ("amd", False, False),
     ("max_attempts", " 7 ", 7), ("max_attempts", 7, 7), ("abandon_cap_pct", "2.5", 2.5),
     ("abandon_cap_pct", 2, 2.0), ("title", "123", "123"),
     ("preferred_area_codes", "212, 646,", ("212", "646")),
     ("preferred_area_codes", '["212"]', ("212",)), ("report_fields", [], ()),
     ("window_start", "2026-05-01T15:00:00+00:00", datetime(2026, 5, 1, 15, tzinfo=UTC)),
     ("window_start", "", None), ("suppress_other_bank_hours", None, None),
     ("dialing_mode", " power ", DialingMode.POWER)],
)  # fmt: skip
def test_given_a_value_text_or_typed_when_parsed_then_the_settings_type(
    name: str, value: Any, parsed: Any
) -> None:
    assert banks.parse_setting(name, value) == parsed


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("amd", "maybe", "boolean"), ("amd", 2, "boolean"), ("max_attempts", 2.7, "integer"),
     ("max_attempts", True, "integer"), ("max_attempts", "", "integer"),
     ("abandon_cap_pct", "inf", "number"), ("abandon_cap_pct", False, "number"),
     ("title", None, "text"), ("title", 5, "text"), ("report_tags", {"a": 1}, "list"),
     ("report_tags", "[true]", "list"), ("report_tags", "[1, null]", "list"),
     ("window_end", 5, "datetime"), ("household", "both", "choice"),
     ("max_attempts", "٣", "integer"), ("abandon_cap_pct", "٢.5", "number")],
)  # fmt: skip
def test_given_a_value_its_type_cannot_take_when_parsed_then_setting_type_error(
    name: str, value: Any, expected: str
) -> None:
    with pytest.raises(SettingTypeError) as err:
        banks.parse_setting(name, value)
    assert (err.value.code, err.value.setting, err.value.expected) == (
        "setting_type",
        name,
        expected,
    )
    assert err.value.message.startswith(f"{name} must be ")


def test_given_null_text_when_parsed_then_none_only_where_a_setting_may_be_unset() -> None:
    assert banks.parse_setting_text("window_end", "NULL") is None
    with pytest.raises(SettingTypeError) as err:
        banks.parse_setting_text("voicemail_message", "null")
    assert err.value.message == (
        "voicemail_message must be text, not null (to empty it, give no value: voicemail_message=)"
    )
    assert banks.parse_setting_text("voicemail_message", "") == ""


def test_given_stored_values_of_the_wrong_type_when_read_then_defaults_and_the_bank_opens() -> None:
    stored = banks.settings_to_dict(BankSettings(title="T", max_attempts=5))
    stored.update(amd="off", voicemail_message=None, retry_delay_min=2.7, disclaimer=None)
    s = banks.settings_from_dict(stored)
    assert (s.title, s.max_attempts, s.amd) == ("T", 5, False)
    assert (s.voicemail_message, s.retry_delay_min, s.disclaimer) == ("", 30, "")
