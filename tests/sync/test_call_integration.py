"""Outbox rows written by the campaign core's own functions, in their transactions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from conftest import van_worker
from van_server import VanServer

from controller.model import banks as bank_model
from controller.model import scripts as script_model
from controller.store import banks, outbox, queue, scripts
from controller.store.attempts import record_attempt, record_disposition, record_end
from controller.store.db import Database
from controller.store.sync_settings import VanSettings, save_webhook_settings, set_instruction

NOW_DT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)
NOW = NOW_DT.timestamp()
SCRIPT = {
    "name": "Survey",
    "blocks": [{"id": "q", "title": "Support?", "text": "", "field": "Support", "next": None}],
}


def make_bank(db: Database, contacts: int = 1, household_every: int = 0) -> int:
    """A started bank over a synthetic list whose contacts have VanIDs 5000 + id."""
    with db.write() as conn:
        conn.execute(
            "INSERT INTO custom_fields (name, kind, options) VALUES ('Support', 'choice', ?)",
            (json.dumps(["Yes", "No"]),),
        )
        list_id = banks.seed_synthetic_list(conn, "l", contacts, household_every, seed=1)
        conn.execute("UPDATE contacts SET van_id = 5000 + id")
        conn.execute("UPDATE phones SET van_phone_id = 700 + id")
        script_id = scripts.save(conn, script_model.from_dict(SCRIPT))
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, NOW_DT)
        return bank_id


def rows(db: Database, target: str = "van") -> list[outbox.OutboxRow]:
    with db.read() as conn:
        return outbox.list_rows(conn, target=target)


def dial(db: Database, bank_id: int, call_id: str = "c1") -> tuple[queue.Claim, int]:
    [claim] = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        return claim, record_attempt(conn, claim, call_id, NOW)


def test_given_disposition_recorded_when_committed_then_outcome_row_in_same_transaction(
    db: Database,
) -> None:
    bank_id = make_bank(db)
    claim, attempt_id = dial(db, bank_id)
    assert rows(db) == []  # Last Called At has no instruction by default
    with db.write() as conn:
        disposition_id = record_disposition(conn, attempt_id, "refused", None, 7, "", NOW)
        (row,) = outbox.list_rows(conn, target="van")
    assert (row.source_kind, row.source_id) == ("disposition", disposition_id)
    assert row.status == "pending"
    assert row.payload["vanId"] == 5000 + claim.contact_id
    assert row.payload["resultCode"] == "Refused"
    assert row.payload["phoneId"] == 700 + claim.phone_id
    assert row.payload["dateCanvassed"] == "2026-05-01T22:00:00Z"


def test_given_disposition_transaction_rolled_back_when_it_fails_then_no_outbox_row(
    db: Database,
) -> None:
    bank_id = make_bank(db)
    _, attempt_id = dial(db, bank_id)
    with pytest.raises(RuntimeError), db.write() as conn:
        record_disposition(conn, attempt_id, "wrong_number", None, 7, "", NOW)
        assert len(outbox.list_rows(conn)) == 1  # visible inside the transaction...
        raise RuntimeError("crash before commit")
    assert rows(db) == []  # ...and gone with it
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM dispositions").fetchone()[0] == 0


def test_given_last_called_at_mapped_when_household_number_dialed_then_row_per_member(
    db: Database,
) -> None:
    with db.write() as conn:
        set_instruction(
            conn, "Last Called At", "*", "result_code", result_code="Not Home",
            contact_type="Auto Dial",
        )  # fmt: skip
    bank_id = make_bank(db, contacts=2, household_every=2)
    claim, attempt_id = dial(db, bank_id)
    assert len(claim.members) == 2
    got = rows(db)
    assert sorted(r.contact_id for r in got) == sorted(m.contact_id for m in claim.members)
    assert {(r.source_kind, r.source_id) for r in got} == {("attempt", attempt_id)}
    assert {r.payload["contactType"] for r in got} == {"Auto Dial"}


async def test_given_machine_end_and_webhook_when_synced_then_van_and_webhook_rows(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    with db.write() as conn:
        save_webhook_settings(conn, "https://crm.example.org/hook")
    bank_id = make_bank(db)
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        record_end(conn, attempt_id, NOW + 30, "machine")
    (hook,) = rows(db, "webhook")
    assert hook.payload["outcome"] == "Answering Machine"
    assert hook.payload["outcome_code"] == "answering_machine"
    assert hook.payload["van_id"] == str(5000 + claim.contact_id)
    await van_worker(db, van_settings).run_until_idle()
    assert [(a.van_id, a.body["resultCodeId"]) for a in van.accepted] == [
        (5000 + claim.contact_id, 1)  # Answering Machine -> Not Home
    ]


async def test_given_script_answer_and_completed_when_synced_then_one_post_with_responses(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    bank_id = make_bank(db)
    with db.write() as conn:
        set_instruction(conn, "Support", "Yes", "survey_response",
                        survey_question_id=31, survey_response_id=91)  # fmt: skip
    claim, attempt_id = dial(db, bank_id)
    with db.write() as conn:
        scripts.save_answer(conn, bank_id=bank_id, contact_id=claim.contact_id, block_id="q",
                            answer="Yes", now=NOW + 60, attempt_id=attempt_id)  # fmt: skip
        record_end(conn, attempt_id, NOW + 90, "bridged")
        record_disposition(conn, attempt_id, "completed", None, 7, "", NOW + 95)
    completed = [r for r in rows(db) if r.source_kind == "disposition"]
    assert [(r.status, r.error_code) for r in completed] == [("skipped", "canvassed_implied")]
    await van_worker(db, van_settings).run_until_idle()
    assert [a.body for a in van.accepted] == [
        {
            "canvassContext": {
                "contactTypeId": 1,
                "inputTypeId": 11,
                "dateCanvassed": "2026-05-01T22:01:00Z",
                "phoneId": 700 + claim.phone_id,
            },
            "responses": [
                {"type": "SurveyResponse", "surveyQuestionId": 31, "surveyResponseId": 91}
            ],
        }
    ]
