"""`phonebank bank create/edit --set NAME=VALUE`: each value is parsed by its setting's type
and a value that type cannot take is refused with a clear message, naming the setting and
the type, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_bank_cli import create, ok_json, run, seed

from controller.config import load_settings
from controller.engine.dialing import EngineConfig, originate_request
from controller.model.banks import Bank
from controller.store import banks
from controller.store.db import open_database


def stored(home: Path, bank_id: int) -> Bank:
    db = open_database(home / "phonebank.db")
    try:
        with db.read() as conn:
            return banks.get(conn, bank_id)
    finally:
        db.close()


def dials_with_amd(home: Path, bank_id: int) -> bool:
    request = originate_request("pb1c-test", "+12125550100", "+15550100100",
                                stored(home, bank_id).settings, load_settings(home),
                                EngineConfig())  # fmt: skip
    return request.variables.get("PB_AMD") != "0"


def edited(home: Path, bank_id: int, *sets: str) -> dict[str, Any]:
    args = [a for s in sets for a in ("--set", s)]
    settings: dict[str, Any] = ok_json(home, "bank", "edit", str(bank_id), *args)["settings"]
    return settings


def refused(home: Path, *args: str) -> dict[str, Any]:
    result = run(home, *args, "--json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    error: dict[str, Any] = json.loads(result.stderr)
    return error


@pytest.mark.parametrize(
    ("text", "expected"),
    [("off", False), ("no", False), ("False", False), ("0", False), ("OFF", False),
     ("on", True), ("Yes", True), ("true", True), ("1", True)],
)  # fmt: skip
def test_given_a_boolean_word_when_amd_is_set_then_stored_as_that_boolean(
    home: Path, text: str, expected: bool
) -> None:
    seed(home)
    bank_id = create(home)
    edited(home, bank_id, "amd=on" if not expected else "amd=off")
    assert edited(home, bank_id, f"amd={text}")["amd"] is expected
    shown = run(home, "bank", "show", str(bank_id)).stdout
    assert ("AMD on" if expected else "AMD off") in shown
    assert dials_with_amd(home, bank_id) is expected


def test_given_amd_set_to_0_when_a_voicemail_message_is_set_then_refused(home: Path) -> None:
    seed(home)
    bank_id = create(home)
    error = refused(home, "bank", "edit", str(bank_id), "--set", "amd=0",
                    "--set", "voicemail_message=Hi from the campaign")  # fmt: skip
    assert error["error"] == "voicemail_needs_amd"
    assert ok_json(home, "bank", "show", str(bank_id))["settings"]["amd"] is True


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [("voicemail_message", "null", "text"), ("disclaimer", "null", "text"),
     ("title", "null", "text"), ("start_button_label", "null", "text"),
     ("max_attempts", "2.7", "integer"), ("max_attempts", "abc", "integer"),
     ("max_attempts", "true", "integer"), ("retry_delay_min", "null", "integer"),
     ("abandon_cap_pct", "true", "number"), ("abandon_cap_pct", "abc", "number"),
     ("abandon_cap_pct", "nan", "number"),
     ("prevent_frequent", "maybe", "boolean"), ("amd", "2", "boolean"),
     ("amd", "null", "boolean"), ("calling_hours", "null", "text"),
     ("window_start", "5", "datetime"), ("window_end", "tomorrow", "datetime"),
     ("description", "null", "text"), ("preferred_area_codes", "[212, [646]]", "list"),
     ("preferred_area_codes", "[212", "list"), ("report_tags", "null", "list"),
     ("dialing_mode", "robot", "choice"), ("household", "5", "choice"),
     ("retry_delay_min", "2.5", "integer"), ("suppress_other_bank_hours", "1.5", "integer")],
)  # fmt: skip
def test_given_a_value_its_type_cannot_take_when_set_then_refused_naming_setting_and_type(
    home: Path, setting: str, value: str, expected: str
) -> None:
    seed(home)
    bank_id = create(home)
    before = ok_json(home, "bank", "show", str(bank_id))
    error = refused(home, "bank", "edit", str(bank_id), "--set", f"{setting}={value}")
    assert (error["error"], error["setting"], error["expected"]) == (
        "setting_type",
        setting,
        expected,
    )
    assert setting in error["message"]
    assert ok_json(home, "bank", "show", str(bank_id)) == before
    text = run(home, "bank", "edit", str(bank_id), "--set", f"{setting}={value}")
    assert text.exit_code == 1 and text.stderr.startswith(f"Error: {setting} must be ")


def test_given_a_bad_value_when_creating_then_refused_and_no_bank_saved(home: Path) -> None:
    seed(home)
    error = refused(home, "bank", "create", "--title", "T", "--description", "D",
                    "--list", "Voters", "--set", "max_attempts=2.7")  # fmt: skip
    assert (error["error"], error["setting"]) == ("setting_type", "max_attempts")
    assert ok_json(home, "bank", "list") == []


@pytest.mark.parametrize(
    ("value", "codes"),
    [("212", ["212"]), ("212,646", ["212", "646"]), (" 212 , 646 ", ["212", "646"]),
     ('["212","646"]', ["212", "646"]), ("[212, 646]", ["212", "646"]), ("", [])],
)  # fmt: skip
def test_given_area_codes_as_json_or_commas_when_set_then_stored_as_a_list(
    home: Path, value: str, codes: list[str]
) -> None:
    seed(home)
    bank_id = create(home)
    assert edited(home, bank_id, f"preferred_area_codes={value}")["preferred_area_codes"] == codes


def test_given_text_that_looks_like_json_when_set_then_stored_as_text(home: Path) -> None:
    seed(home)
    bank_id = create(home)
    s = edited(home, bank_id, "title=123", "start_button_label=5", "disclaimer=true",
               "description=[1]")  # fmt: skip
    assert (s["title"], s["start_button_label"], s["disclaimer"], s["description"]) == (
        "123",
        "5",
        "true",
        "[1]",
    )


def test_given_typed_values_when_set_then_stored_with_their_types(home: Path) -> None:
    seed(home)
    bank_id = create(home)
    s = edited(home, bank_id, "max_attempts=5", "abandon_cap_pct=2.5", "prevent_frequent=no",
               "window_start=2026-01-01T09:00:00-05:00", "suppress_other_bank_hours=48",
               "dialing_mode=power", "report_tags=a, b")  # fmt: skip
    assert (s["max_attempts"], s["abandon_cap_pct"], s["prevent_frequent"]) == (5, 2.5, False)
    assert (s["window_start"], s["suppress_other_bank_hours"]) == ("2026-01-01T09:00:00-05:00", 48)
    assert (s["dialing_mode"], s["report_tags"]) == ("power", ["a", "b"])
    s = edited(home, bank_id, "window_start=null", "suppress_other_bank_hours=", "report_tags=")
    assert (s["window_start"], s["suppress_other_bank_hours"], s["report_tags"]) == (None, None, [])


def test_given_a_rule_breaking_value_when_set_then_the_models_rule_refuses_it(home: Path) -> None:
    seed(home)
    bank_id = create(home)
    assert refused(home, "bank", "edit", str(bank_id), "--set", "max_attempts=50")["error"] == (
        "max_attempts_range"
    )
    error = refused(home, "bank", "edit", str(bank_id), "--set", "preferred_area_codes=123,646")
    assert error["error"] == "area_code_format"


def test_given_voicemail_message_null_when_set_then_the_bank_can_still_dial(home: Path) -> None:
    seed(home)
    bank_id = create(home)
    edited(home, bank_id, "voicemail_message=Sorry we missed you")
    refused(home, "bank", "edit", str(bank_id), "--set", "voicemail_message=null")
    assert stored(home, bank_id).settings.voicemail_message == "Sorry we missed you"
    assert dials_with_amd(home, bank_id)


def test_given_an_unknown_name_or_no_equals_when_set_then_clear_error(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    assert refused(home, "bank", "edit", bank_id, "--set", "colour=red")["error"] == (
        "unknown_setting"
    )
    assert refused(home, "bank", "edit", bank_id, "--set", "max_attempts")["error"] == "set_format"


def test_given_a_built_in_field_when_made_a_report_field_then_refused(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    refused = run(home, "bank", "edit", bank_id, "--set", "report_fields=Call Outcome", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["error"] == "builtin_report_field"
    assert ok_json(home, "bank", "show", bank_id)["settings"]["report_fields"] == []


def test_given_a_list_and_a_script_by_name_in_set_when_edited_then_found(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    edited = ok_json(home, "bank", "edit", bank_id, "--set", "script_id=Hello", "--set",
                     "list_id=Voters")  # fmt: skip
    assert edited["settings"]["script_id"] == 1 and edited["settings"]["list_id"] == 1
    missing = run(home, "bank", "edit", bank_id, "--set", "script_id=Nope", "--json")
    assert missing.exit_code == 1 and json.loads(missing.stderr)["error"] == "unknown_script"
    cleared = ok_json(home, "bank", "edit", bank_id, "--set", "script_id=null")
    assert cleared["settings"]["script_id"] is None  # null still clears it


def test_given_a_report_field_that_names_no_field_when_set_then_refused_and_a_deleted_one_kept(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    refused = run(home, "bank", "edit", bank_id, "--set", "report_fields=NoSuchField", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["error"] == "unknown_field"
    assert ok_json(home, "bank", "show", bank_id)["settings"]["report_fields"] == []
    assert run(home, "fields", "add", "Support", "--kind", "text").exit_code == 0
    assert run(home, "bank", "edit", bank_id, "--set", "report_fields=support").exit_code == 0
    shown = ok_json(home, "bank", "show", bank_id)["settings"]["report_fields"]
    assert shown == ["Support"]  # spelled as the field is, where the call screen looks it up
    assert run(home, "fields", "remove", "Support").exit_code == 0
    kept = run(home, "bank", "edit", bank_id, "--set", "max_attempts=4", "--json")
    assert kept.exit_code == 0, kept.output  # a field deleted since does not block other edits
    assert ok_json(home, "bank", "show", bank_id)["settings"]["max_attempts"] == 4


def test_given_a_comma_in_a_new_field_or_tag_name_when_added_then_refused(home: Path) -> None:
    added = run(home, "fields", "add", "A, B", "--kind", "text")
    assert added.exit_code == 1 and "cannot contain a comma" in added.output
    tagged = run(home, "tags", "add", "Ride, food")
    assert tagged.exit_code != 0 and "cannot contain a comma" in tagged.output
    assert "A, B" not in run(home, "fields", "list").output
