"""The outbox and its worker against the local VAN server: what VAN receives, call by call."""

from __future__ import annotations

import asyncio
import time

from conftest import FAST, add_contact, queue_outcome, van_worker
from van_server import VanServer

from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import VanSettings, set_instruction
from controller.sync.backoff import Backoff


def _row(db: Database, row_id: int) -> outbox.OutboxRow:
    with db.read() as conn:
        row = outbox.get_row(conn, row_id)
    assert row is not None
    return row


async def test_given_outcomes_with_default_mapping_when_worker_runs_then_van_gets_each_once(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    queued = []
    for n, outcome in enumerate(["Busy", "Refused", "Completed", "No language in common"]):
        contact_id, phone_id = add_contact(db, str(1001 + n), van_phone_id=str(500 + n))
        queued += queue_outcome(db, contact_id, outcome, source_id=n, phone_id=phone_id)
    worker = van_worker(db, van_settings)
    stats = await worker.run_until_idle()
    assert stats.sent == 4
    assert [(a.van_id, a.body) for a in van.accepted] == [
        (
            1001 + n,
            {
                "canvassContext": {
                    "contactTypeId": 1,
                    "inputTypeId": 11,
                    "dateCanvassed": "2026-11-03T17:05:00Z",
                    "phoneId": 500 + n,
                },
                "resultCodeId": code,
            },
        )
        for n, code in enumerate([1, 2, 14, 23])
    ]
    assert {_row(db, i).status for i in queued} == {"sent"}
    assert all(_row(db, i).sent_at for i in queued)


async def test_given_contact_without_van_id_when_queued_then_skipped_with_reason_and_not_sent(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, None)
    other_id, _ = add_contact(db, "VAN-x")
    (row_id,) = queue_outcome(db, contact_id, "Busy", source_id=1)
    (other_row,) = queue_outcome(db, other_id, "Busy", source_id=2)
    await van_worker(db, van_settings).run_until_idle()
    assert (_row(db, row_id).status, _row(db, row_id).error_code) == ("skipped", "no_van_id")
    assert _row(db, row_id).error_text == "contact has no VanID"
    assert "not a number" in (_row(db, other_row).error_text or "")
    assert van.accepted == []


async def test_given_same_fact_queued_twice_when_enqueued_then_one_row(db: Database) -> None:
    contact_id, _ = add_contact(db, "1001")
    assert len(queue_outcome(db, contact_id, "Busy", source_id=7)) == 1
    assert queue_outcome(db, contact_id, "Busy", source_id=7) == []
    assert queue_outcome(db, contact_id, "Do Not Call", source_id=8) == []  # no instruction
    with db.read() as conn:
        assert outbox.status_counts(conn)["van"]["pending"] == 1


async def test_given_429_burst_when_sending_then_retry_after_honored_and_posted_once(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Moved", source_id=1)
    van.plan(("status", 429, {"Retry-After": "1"}), ("status", 429), ("status", 429))
    worker = van_worker(db, van_settings)
    before = time.time()
    assert await worker.run_once()
    waiting = _row(db, row_id)
    assert (waiting.status, waiting.error_code) == ("pending", "SERVER_FAULT")
    assert waiting.next_attempt_at >= before + 1  # Retry-After is a floor
    await worker.run_until_idle()
    row = _row(db, row_id)
    assert (row.status, row.attempts) == ("sent", 4)
    assert [a.body["resultCodeId"] for a in van.accepted] == [5]
    assert [r[2] for r in van.requests if r[0] == "POST"] == [429, 429, 429, 204]


async def test_given_5xx_then_timeout_when_sending_then_retried_until_accepted_once(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Deceased", source_id=1)
    van.plan(("status", 503), ("status", 500), ("stall", 2.0))
    worker = van_worker(db, van_settings, timeout=0.5)
    await worker.run_until_idle()
    row = _row(db, row_id)
    assert row.status == "sent"
    assert row.attempts == 4
    assert worker.stats.retried == 3
    assert [a.van_id for a in van.accepted] == [1001]


async def test_given_timeout_when_sending_then_error_recorded_before_retry(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Deceased", source_id=1)
    van.plan(("stall", 2.0))
    worker = van_worker(db, van_settings, timeout=0.3)
    await worker.run_once()
    row = _row(db, row_id)
    assert (row.status, row.error_code) == ("pending", "timeout")
    assert van.accepted == []


async def test_given_van_validation_error_when_sending_then_failed_with_van_code_and_text(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    van.people = {1001}
    known, _ = add_contact(db, "1001")
    unknown, _ = add_contact(db, "2002")
    with db.write() as conn:
        from controller.store.outbox_enqueue import enqueue_field_value

        (bad_date,) = enqueue_field_value(
            conn,
            contact_id=known,
            field_name="Call Outcome",
            value="Busy",
            source_kind="manual",
            source_id=1,
            at="last tuesday",
        )
    (missing,) = queue_outcome(db, unknown, "Busy", source_id=2)
    stats = await van_worker(db, van_settings).run_until_idle()
    assert stats.failed == 2
    row = _row(db, bad_date)
    assert (row.status, row.error_code, row.attempts) == ("failed", "INVALID_PARAMETER", 1)
    assert "dateCanvassed is not a valid date" in (row.error_text or "")
    assert "canvassContext.dateCanvassed" in (row.error_text or "")
    row = _row(db, missing)
    assert (row.status, row.error_code) == ("failed", "NOT_FOUND")
    assert "person does not exist" in (row.error_text or "")
    assert van.accepted == []


async def test_given_result_code_unknown_to_van_when_sending_then_failed_until_fixed_and_retried(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    with db.write() as conn:
        set_instruction(conn, "Call Outcome", "Busy", "result_code", result_code="Busy Signal")
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Busy", source_id=1)
    await van_worker(db, van_settings).run_until_idle()
    assert _row(db, row_id).error_code == "unknown_resultCodes"
    assert "no result code named 'Busy Signal'" in (_row(db, row_id).error_text or "")
    with db.write() as conn:
        assert outbox.retry(conn, target="van") == 1
    van.plan()  # nothing planned: the next try is refused the same way, not lost
    await van_worker(db, van_settings).run_until_idle()
    assert _row(db, row_id).status == "failed"
    assert van.accepted == []


async def test_given_bad_credentials_when_sending_then_kept_pending_and_sent_after_fix(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Refused", source_id=1)
    wrong = VanSettings(van_settings.application_name, "stale", 1, van_settings.base_url)
    assert await van_worker(db, wrong).run_once()
    row = _row(db, row_id)
    assert (row.status, row.error_code) == ("pending", "UNAUTHORIZED")
    await van_worker(db, van_settings).run_until_idle()
    assert _row(db, row_id).status == "sent"
    assert [a.body["resultCodeId"] for a in van.accepted] == [2]


async def test_given_transient_errors_beyond_limit_when_sending_then_failed_then_retry_sends(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "1001")
    (row_id,) = queue_outcome(db, contact_id, "Refused", source_id=1)
    van.plan(*[("status", 502)] * 3)
    worker = van_worker(db, van_settings, backoff=Backoff(base=0.01, cap=0.02, max_attempts=3))
    await worker.run_until_idle()
    row = _row(db, row_id)
    assert (row.status, row.error_code) == ("failed", "SERVER_FAULT")
    assert (row.error_text or "").startswith("gave up after 3 attempts")
    with db.write() as conn:
        assert outbox.retry(conn, ids=[row_id]) == 1
    await van_worker(db, van_settings).run_until_idle()
    assert (_row(db, row_id).status, _row(db, row_id).attempts) == ("sent", 1)
    assert len(van.accepted) == 1


async def test_given_script_answer_instruction_when_sent_then_responses_without_result_code(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO custom_fields (name, kind, options)"
            " VALUES ('Supports Measure A', 'choice', '[\"Yes\", \"No\"]')"
        )
        set_instruction(
            conn,
            "Supports Measure A",
            "yes",
            "survey_response",
            survey_question_id=3001,
            survey_response_id=9001,
            contact_type="Auto Dial",
        )
        set_instruction(conn, "Supports Measure A", "No", "activist_code", activist_code_id=4242)
    contact_id, _ = add_contact(db, "1001")
    from controller.store.outbox_enqueue import enqueue_field_value

    for n, value in enumerate(["Yes", "No"]):
        with db.write() as conn:
            enqueue_field_value(
                conn,
                contact_id=contact_id,
                field_name="Supports Measure A",
                value=value,
                source_kind="answer",
                source_id=n,
                at="2026-11-03T17:06:00Z",
            )
    await van_worker(db, van_settings, backoff=FAST).run_until_idle()
    assert [a.body for a in van.accepted] == [
        {
            "canvassContext": {
                "contactTypeId": 19,
                "inputTypeId": 11,
                "dateCanvassed": "2026-11-03T17:06:00Z",
            },
            "responses": [
                {"type": "SurveyResponse", "surveyQuestionId": 3001, "surveyResponseId": 9001}
            ],
        },
        {
            "canvassContext": {
                "contactTypeId": 1,
                "inputTypeId": 11,
                "dateCanvassed": "2026-11-03T17:06:00Z",
            },
            "responses": [{"type": "ActivistCode", "activistCodeId": 4242, "action": "Apply"}],
        },
    ]


async def test_given_two_workers_when_running_together_then_each_row_posted_once(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    for n in range(12):
        contact_id, _ = add_contact(db, str(3001 + n))
        queue_outcome(db, contact_id, "Not Home", source_id=n)
    first = van_worker(db, van_settings, lease_seconds=5)
    second = van_worker(db, van_settings, lease_seconds=5)
    a, b = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    assert a.sent + b.sent == 12
    assert a.sent > 0 and b.sent > 0
    assert sorted(x.van_id for x in van.accepted) == [3001 + n for n in range(12)]
