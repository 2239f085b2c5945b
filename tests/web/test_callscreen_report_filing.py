"""The call screen's report is all or nothing: fields, tags and the outcome are checked
before anything is written, then stored in one transaction (``/api/call/outcome``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import CallScreen, engine_app, join_bank, personal_bank

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


def stored(db: Database, attempt_id: int, contact_ids: list[int]) -> dict[str, Any]:
    """What the report and outcome of one call left in the store."""
    marks = ",".join("?" * len(contact_ids))
    with db.read() as conn:
        values = conn.execute(
            "SELECT c.id, f.name, v.value FROM contact_field_values v JOIN custom_fields f"
            f" ON f.id = v.field_id JOIN contacts c ON c.id = v.contact_id WHERE c.id IN ({marks})"
            " AND f.builtin = 0 ORDER BY f.name",
            contact_ids,
        ).fetchall()
        tags = conn.execute(
            f"SELECT contact_id FROM contact_tags WHERE contact_id IN ({marks})", contact_ids
        ).fetchall()
        outcomes = conn.execute(
            "SELECT outcome FROM dispositions WHERE attempt_id = ?", (attempt_id,)
        ).fetchall()
        ended = conn.execute(
            "SELECT ended_at FROM call_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()[0]
    return {
        "values": {r["name"]: r["value"] for r in values},
        "tags": len(tags),
        "outcomes": [r["outcome"] for r in outcomes],
        "ended": ended is not None,
    }


async def next_contact(screen: CallScreen) -> dict[str, Any]:
    handed = await screen.post("/api/call/next")
    assert handed["status"] == 200, handed
    call = handed["live"]["call"]
    assert call["needs_outcome"]
    return dict(call)


async def report_still_due(screen: CallScreen, call_id: str) -> None:
    """The call's report is still due and editable (a personal-phone volunteer stays busy
    with the call until the outcome is filed), and the next contact waits for it."""
    state = await screen.state()
    assert state["live"]["state"] == "busy"
    assert state["live"]["call"]["call_id"] == call_id and state["live"]["call"]["needs_outcome"]
    assert state["report"]["fields"] and state["report"]["tags"] == ["volunteer"]
    refused = await screen.post("/api/call/next")
    assert refused["error"] == "outcome_required"


async def test_given_a_report_whose_second_field_is_refused_when_filed_then_no_field_tag_or_outcome_is_stored_and_the_volunteer_files_again(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("vera", can_make_calls=True, display_name="Vera Caller")
    bank_id = personal_bank(db, 3)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "vera")
        call = await next_contact(screen)
        report = {"outcome": "completed", "notes": "nice", "tags": ["volunteer"],
                  "fields": {"Supporter": "strong yes", "Visits": "many"}}  # fmt: skip
        refused = await screen.post("/api/call/outcome", report)
        assert refused["status"] == 400 and refused["error"] == "bad_number"
        nothing = {"values": {}, "tags": 0, "outcomes": [], "ended": False}
        assert stored(db, call["attempt_id"], call["contact_ids"]) == nothing
        assert refused["message"] == "Visits: not a valid number: 'many'"
        for odd in ({"tags": 5}, {"tags": "volunteer"}, {"fields": ["Visits", "2"]}):
            bad = await screen.post("/api/call/outcome", {**report, **odd})
            assert (bad["status"], bad["error"]) == (400, "bad_report"), odd
        assert stored(db, call["attempt_id"], call["contact_ids"]) == nothing
        await report_still_due(screen, call["call_id"])

        fixed = await screen.post(
            "/api/call/outcome", {**report, "fields": {"Supporter": "strong yes", "Visits": "2"}}
        )
        assert fixed["status"] == 200 and fixed["live"]["call"] is None
        filed = stored(db, call["attempt_id"], call["contact_ids"])
        assert filed == {"values": {"Supporter": "Strong yes", "Visits": "2"}, "tags": 1,
                         "outcomes": ["completed"], "ended": True}  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "code"), [("teleported", "unknown_outcome"), ("dropped", "not_a_volunteer_outcome")]
)
async def test_given_a_refused_outcome_when_the_report_is_filed_then_its_fields_and_tags_are_not_stored(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    outcome: str,
    code: str,
) -> None:
    make_user("otto", can_make_calls=True)
    bank_id = personal_bank(db, 2)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "otto")
        call = await next_contact(screen)
        report = {"outcome": outcome, "tags": ["volunteer"],
                  "fields": {"Supporter": "Lean no", "Visits": "3"}}  # fmt: skip
        refused = await screen.post("/api/call/outcome", report)
        assert refused["status"] == 400 and refused["error"] == code
        nothing = {"values": {}, "tags": 0, "outcomes": [], "ended": False}
        assert stored(db, call["attempt_id"], call["contact_ids"]) == nothing
        await report_still_due(screen, call["call_id"])
        filed = await screen.post("/api/call/outcome", {**report, "outcome": "refused"})
        assert filed["status"] == 200
        assert stored(db, call["attempt_id"], call["contact_ids"])["outcomes"] == ["refused"]
