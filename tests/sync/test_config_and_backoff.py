"""Sync instructions and settings validation; retry timing."""

from __future__ import annotations

import pytest

from controller.store.db import Database
from controller.store.sync_settings import (
    SyncConfigError,
    find_instruction,
    get_van_settings,
    list_instructions,
    save_van_settings,
    set_instruction,
)
from controller.sync.backoff import Backoff, parse_retry_after


def test_given_fresh_database_when_listing_then_advised_mapping_present(db: Database) -> None:
    with db.read() as conn:
        mapping = {
            (i.value, i.result_code)
            for i in list_instructions(conn)
            if i.field_name == "Call Outcome"
        }
    assert mapping == {
        ("Completed", "Canvassed"),
        ("No language in common", "Other Language"),
        ("Wrong Number", "Wrong Number"),
        ("Refused", "Refused"),
        ("Deceased", "Deceased"),
        ("Answering Machine", "Not Home"),
        ("No Answer", "Not Home"),
        ("Busy", "Not Home"),
        ("Not Home", "Not Home"),
        ("Moved", "Moved"),
    }


@pytest.mark.parametrize(
    ("field", "value", "kind", "spec", "code"),
    [
        ("Nope", "x", "result_code", {"result_code": "Moved"}, "unknown_field"),
        ("Call Outcome", "Maybe", "result_code", {"result_code": "Moved"}, "unknown_value"),
        ("Call Outcome", "Busy", "phone_call", {"result_code": "Moved"}, "unknown_van_kind"),
        ("Call Outcome", "Busy", "result_code", {}, "missing_result_code"),
        ("Call Outcome", "Busy", "survey_response", {"survey_question_id": 1},
         "missing_survey_response_id"),
        ("Call Outcome", "Busy", "result_code",
         {"result_code": "Moved", "activist_code_id": 3}, "result_and_responses"),
    ],
)  # fmt: skip
def test_given_bad_instruction_when_set_then_refused_with_code_and_nothing_changed(
    db: Database, field: str, value: str, kind: str, spec: dict, code: str
) -> None:
    with db.read() as conn:
        before = list_instructions(conn)
    with pytest.raises(SyncConfigError) as caught, db.write() as conn:
        set_instruction(conn, field, value, kind, **spec)
    assert caught.value.code == code
    with db.read() as conn:
        assert list_instructions(conn) == before


def test_given_exact_and_wildcard_instructions_when_finding_then_exact_wins_and_disabled_ignored(
    db: Database,
) -> None:
    with db.write() as conn:
        set_instruction(conn, "Last Called At", "*", "result_code", result_code="Not Home")
        set_instruction(conn, "Call Outcome", "Busy", "result_code", result_code="Moved",
                        enabled=False)  # fmt: skip
        assert find_instruction(conn, "last called at", "2026-01-01T00:00:00Z") is not None
        assert find_instruction(conn, "Call Outcome", "Busy") is None
        found = find_instruction(conn, "Call Outcome", "refused")
        assert found is not None and found.result_code == "Refused"


def test_given_a_value_disabled_beside_a_wildcard_when_finding_then_nothing_is_sent(
    db: Database,
) -> None:
    with db.write() as conn:
        set_instruction(conn, "Call Outcome", "*", "result_code", result_code="Not Home")
        set_instruction(conn, "Call Outcome", "Busy", "result_code", result_code="Not Home",
                        enabled=False)  # fmt: skip
        assert find_instruction(conn, "Call Outcome", "Busy") is None  # not the * one
        other = find_instruction(conn, "Call Outcome", "Dropped")  # no instruction of its own
        assert other is not None and other.value == "*"
        set_instruction(conn, "Call Outcome", "Busy", "result_code", result_code="Moved")
        exact = find_instruction(conn, "Call Outcome", "Busy")
        assert exact is not None and exact.result_code == "Moved"  # exact beats *
        set_instruction(conn, "Call Outcome", "*", "result_code", result_code="Not Home",
                        enabled=False)  # fmt: skip
        assert find_instruction(conn, "Call Outcome", "Dropped") is None


def test_given_bad_van_settings_when_saved_then_refused_and_kept(db: Database) -> None:
    with db.write() as conn:
        save_van_settings(conn, application_name="app", api_key="k1", mode=0)
    for changes, code in (
        ({"mode": 2}, "bad_mode"),
        ({"api_key": "k2|1"}, "bad_api_key"),
        ({"base_url": "api.example.org"}, "bad_url"),
        ({"colour": "red"}, "unknown_setting"),
    ):
        with pytest.raises(SyncConfigError) as caught, db.write() as conn:
            save_van_settings(conn, application_name="changed", **changes)
        assert caught.value.code == code
    with db.read() as conn:
        kept = get_van_settings(conn)
    assert (kept.application_name, kept.api_key, kept.mode) == ("app", "k1", 0)
    assert kept.public()["api_key"] == "set"


def test_given_attempts_when_delaying_then_exponential_capped_and_jittered() -> None:
    backoff = Backoff(base=2, cap=60, max_attempts=5)
    assert [backoff.delay(n, rand=lambda: 1.0) for n in (1, 2, 3, 4, 8)] == [2, 4, 8, 16, 60]
    assert [backoff.delay(n, rand=lambda: 0.0) for n in (1, 2, 3)] == [1, 2, 4]
    assert backoff.delay(1, retry_after=30, rand=lambda: 0.5) == 30
    assert backoff.delay(6, retry_after=1, rand=lambda: 1.0) == 60
    assert not backoff.exhausted(4) and backoff.exhausted(5)


def test_given_retry_after_forms_when_parsed_then_seconds() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Fri, 15 Jan 2027 08:00:00 GMT", now - 90) == 90  # = now
    assert parse_retry_after("Fri, 15 Jan 2027 08:00:00 GMT", now + 5) == 0
    assert parse_retry_after("garbage", now) is None
    assert parse_retry_after(None, now) is None


def test_given_a_retry_after_of_odd_digits_or_a_huge_number_when_parsed_then_ignored() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after("²", now) is None
    assert parse_retry_after("٣٠", now) is None
    assert parse_retry_after("9" * 40, now) is None
