"""What the sync settings and instructions refuse: clear-text URLs, empty keys, values a field
can never take; and a yes/no instruction typed in lower case still matches the script's answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controller.model import banks as bank_model
from controller.model import scripts as script_model
from controller.model.fields import validate_field
from controller.store import banks, outbox, queue, scripts
from controller.store import fields as field_store
from controller.store.attempts import record_attempt
from controller.store.db import Database
from controller.store.sync_settings import (
    SyncConfigError,
    delete_instruction,
    get_van_settings,
    get_webhook_settings,
    list_instructions,
    save_van_settings,
    save_webhook_settings,
    set_instruction,
)

NOW_DT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)  # within the list's calling hours
NOW = NOW_DT.timestamp()
SURVEY = {"survey_question_id": 3001, "survey_response_id": 1}


def add_fields(db: Database) -> None:
    for name, kind in (("Needs ride", "yesno"), ("Age", "number"), ("Event", "date")):
        field_store.add_field(db, validate_field(name, kind))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v4",
        "http://localhost:9000/v4/",
        "http://[::1]:8080/v4",
        "https://van.example.org/v4",
    ],
)
def test_given_https_or_loopback_url_when_saved_then_kept_without_trailing_slash(
    db: Database, url: str
) -> None:
    with db.write() as conn:
        saved = save_van_settings(conn, base_url=url).base_url
        hook = save_webhook_settings(conn, url).url
    assert saved == hook == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://example.org", "insecure_url"),
        ("http://van.example.org/v4", "insecure_url"),
        ("http://127.0.0.1.example.org/v4", "insecure_url"),
        ("http://localhost.example.org/v4", "insecure_url"),
        ("ftp://x", "bad_url"),
        ("api.securevan.com/v4", "bad_url"),
    ],
)
def test_given_clear_text_or_bad_url_when_saved_then_refused_and_nothing_changed(
    db: Database, url: str, code: str
) -> None:
    with pytest.raises(SyncConfigError) as van_error, db.write() as conn:
        save_van_settings(conn, application_name="acme", base_url=url)
    with pytest.raises(SyncConfigError) as hook_error, db.write() as conn:
        save_webhook_settings(conn, url)
    assert van_error.value.code == hook_error.value.code == code
    assert "must start with https://" in van_error.value.message
    if code == "insecure_url":
        assert "API key would travel in clear text" in van_error.value.message
        assert "call outcomes would travel in clear text" in hook_error.value.message
    with db.read() as conn:
        van, hook = get_van_settings(conn), get_webhook_settings(conn)
    assert (van.application_name, van.base_url, hook.url) == (
        "", "https://api.securevan.com/v4", "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "code"), [("", "empty_api_key"), ("   ", "empty_api_key"), ("k|1", "bad_api_key")]
)
def test_given_empty_or_suffixed_key_when_saved_then_refused_with_its_own_message(
    db: Database, key: str, code: str
) -> None:
    with pytest.raises(SyncConfigError) as caught, db.write() as conn:
        save_van_settings(conn, application_name="acme", api_key=key)
    assert caught.value.code == code
    if code == "empty_api_key":
        assert "the API key is empty" in caught.value.message
        assert "|mode" not in caught.value.message
    with db.read() as conn:
        assert get_van_settings(conn).application_name == ""


@pytest.mark.parametrize(
    ("field", "value", "code", "words"),
    [
        ("Needs ride", "perhaps", "bad_yesno", "must be Yes or No"),
        ("Age", "many", "bad_number", "must be a number"),
        ("Event", "tomorrow", "bad_date", "must be a date like 2026-11-03"),
        ("Last Called At", "yesterday", "bad_timestamp", "map it with *"),
        ("Last Called At", "2026-11-03T17:05:00", "bad_timestamp", "new value at every call"),
        ("Call Outcome", "Maybe", "unknown_value", "choices: Completed"),
        ("Needs ride", " ", "empty_value", "give a value of Needs ride"),
    ],
)
def test_given_value_the_field_never_takes_when_mapped_then_refused_and_nothing_changed(
    db: Database, field: str, value: str, code: str, words: str
) -> None:
    add_fields(db)
    with db.read() as conn:
        before = list_instructions(conn)
    with pytest.raises(SyncConfigError) as caught, db.write() as conn:
        set_instruction(conn, field, value, "survey_response", **SURVEY)
    assert caught.value.code == code
    assert words in caught.value.message and field in caught.value.message
    with db.read() as conn:
        assert list_instructions(conn) == before


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("Needs ride", "yes", "Yes"),
        ("Needs ride", "N", "No"),
        ("Age", "3.0", "3"),
        ("Event", "2026-11-03", "2026-11-03"),
        ("Call Outcome", "busy", "Busy"),
        ("Needs ride", "*", "*"),
    ],
)
def test_given_value_the_field_takes_when_mapped_then_stored_as_its_answers_are_and_unmapped(
    db: Database, field: str, typed: str, stored: str
) -> None:
    add_fields(db)
    with db.write() as conn:
        item = set_instruction(conn, field, typed, "survey_response", **SURVEY)
    assert item.value == stored
    with db.write() as conn:
        assert delete_instruction(conn, field, typed) is True  # found as typed
        assert all(i.value != stored or i.field_name != field for i in list_instructions(conn))


def test_given_yesno_instruction_typed_lowercase_when_script_answers_yes_then_row_queued(
    db: Database,
) -> None:
    add_fields(db)
    with db.write() as conn:
        set_instruction(conn, "needs ride", "yes", "survey_response", **SURVEY)
        list_id = banks.seed_synthetic_list(conn, "l", 1, 0, seed=1)
        conn.execute("UPDATE contacts SET van_id = 5000 + id")
        block = {"id": "q", "title": "Ride?", "text": "", "field": "Needs ride", "next": None}
        body = script_model.from_dict({"name": "Rides", "blocks": [block]})
        base = {"title": "T", "description": "D", "list_id": list_id}
        bank_id = banks.create(conn, {**base, "script_id": scripts.save(conn, body)}).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, NOW_DT)
    [claim] = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        attempt_id = record_attempt(conn, claim, "c1", NOW)
        scripts.save_answer(conn, bank_id=bank_id, contact_id=claim.contact_id, block_id="q",
                            answer="Yes", now=NOW + 60, attempt_id=attempt_id)  # fmt: skip
        rows = outbox.list_rows(conn, target="van")
    assert [(r.source_kind, r.payload["field"], r.payload["value"]) for r in rows] == [
        ("script_answer", "Needs ride", "Yes")
    ]
    assert rows[0].payload["responses"][0]["surveyQuestionId"] == 3001


def test_given_yesno_instructions_saved_as_typed_before_even_twice_when_migrated_then_one_each_in_recorded_form(  # noqa: E501
    db: Database,
) -> None:
    add_fields(db)
    with db.write() as conn:
        set_instruction(conn, "Event", "2026-11-03", "survey_response", **SURVEY)
        for value in ("yes", "n", "maybe", "y", "0"):  # two spellings of each answer
            conn.execute(
                "INSERT INTO sync_instructions (field_id, value, van_kind, survey_question_id,"
                " survey_response_id) SELECT id, ?, 'survey_response', 3001, 1"
                " FROM custom_fields WHERE name = 'Needs ride'",
                (value,),
            )
        conn.execute("DELETE FROM schema_migrations WHERE name = '0201_sync_yesno_values'")
    assert db.migrate() == ["0201_sync_yesno_values"]
    with db.read() as conn:
        values = {i.value for i in list_instructions(conn) if i.field_name == "Needs ride"}
        event = {i.value for i in list_instructions(conn) if i.field_name == "Event"}
        kept = {i.value: i.id for i in list_instructions(conn) if i.field_name == "Needs ride"}
        left = conn.execute(
            "SELECT count(*) FROM sync_instructions"
            " WHERE value COLLATE BINARY IN ('y', '0', 'yes', 'n')"
        ).fetchone()[0]
    assert values == {"Yes", "No", "maybe"} and len(kept) == 3
    assert event == {"2026-11-03"}
    assert left == 0  # no spelling left behind
    assert kept["Yes"] > kept["maybe"] and kept["No"] > kept["maybe"]  # the newest kept
