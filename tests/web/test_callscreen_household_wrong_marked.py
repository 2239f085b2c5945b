"""A shared number whose person at the top of the call screen was marked a wrong number:
the script's answers and the report go to the other person, and an outcome filed for
"everyone on this number" is not filed for the person marked wrong."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import CallScreen, engine_app, join_bank, personal_bank

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]

ASKING = {
    "name": "Asking",
    "blocks": [{"id": "a", "title": "Voting?", "text": "",
                "responses": [{"label": "Yes", "next": None}, {"label": "No", "next": None}]}],
}  # fmt: skip


def ask_in(db: Database, bank_id: int) -> None:
    with db.write() as conn:
        conn.execute(
            "UPDATE scripts SET body = ? WHERE id = (SELECT script_id FROM banks WHERE id = ?)",
            (json.dumps(ASKING), bank_id),
        )


def filed(db: Database, attempt_id: int) -> dict[str, list[int]]:
    with db.read() as conn:
        ask = "SELECT contact_id FROM {} WHERE attempt_id = ? ORDER BY contact_id"
        return {
            table: [int(r[0]) for r in conn.execute(ask.format(table), (attempt_id,))]
            for table in ("dispositions", "script_answers")
        }


@contextlib.asynccontextmanager
async def household_call(
    pbx: PbxPairInfo, db: Database, make_user: Callable[..., int], name: str
) -> AsyncIterator[tuple[CallScreen, dict[str, Any]]]:
    """``name``, a volunteer of a personal-phone bank asking one question, handed a number
    two people share: their call screen and the call."""
    make_user(name, can_make_calls=True, display_name=f"{name.title()} House")
    bank_id = personal_bank(db, 4, household_every=2)
    ask_in(db, bank_id)
    async with engine_app(pbx, db) as client:
        screen = await join_bank(client, bank_id, name)
        call = (await screen.post("/api/call/next"))["live"]["call"]
        assert len(call["contact_ids"]) == 2
        yield screen, call


def tagged(db: Database, contact_ids: list[int]) -> list[int]:
    marks = ",".join("?" * len(contact_ids))
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT contact_id FROM contact_tags WHERE contact_id IN ({marks})", contact_ids
        )
        return sorted(int(r[0]) for r in rows)


async def test_given_the_top_person_marked_wrong_when_answers_and_an_everyone_outcome_are_filed_then_none_is_theirs(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    async with household_call(pbx_pair, db, make_user, "hal") as (screen, call):
        top, other = call["contact_ids"]
        marked = await screen.post("/api/call/wrong-number", {"contact_id": top})
        assert marked["status"] == 200
        answered = await screen.post("/api/call/answer", {"block_id": "a", "answer": "Yes"})
        assert answered["status"] == 200, answered
        report = {"outcome": "completed", "tags": ["volunteer"]}  # for everyone on the number
        assert (await screen.post("/api/call/outcome", report))["status"] == 200
        assert filed(db, call["attempt_id"]) == {"dispositions": [other], "script_answers": [other]}
        assert tagged(db, [top, other]) == [other]
        assert entry(db, call["attempt_id"]) == ("done", {top: 1, other: 1})  # not called again


async def test_given_one_person_marked_wrong_when_the_other_is_not_home_then_the_number_is_retried_for_them_only(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    async with household_call(pbx_pair, db, make_user, "ines") as (screen, call):
        top, other = call["contact_ids"]
        assert (await screen.post("/api/call/wrong-number", {"contact_id": other}))["status"] == 200
        filed_for = {"outcome": "not_home", "contact_id": top}
        assert (await screen.post("/api/call/outcome", filed_for))["status"] == 200
        assert entry(db, call["attempt_id"]) == ("ready", {top: 0, other: 1})


def entry(db: Database, attempt_id: int) -> tuple[str, dict[int, int]]:
    """The state of the call's queue entry and who on it is finished."""
    with db.read() as conn:
        entry_id = conn.execute(
            "SELECT entry_id FROM call_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()[0]
        state = conn.execute("SELECT state FROM queue_entries WHERE id = ?", (entry_id,))
        members = conn.execute(
            "SELECT contact_id, finished FROM queue_members WHERE entry_id = ?", (entry_id,)
        )
        return str(state.fetchone()[0]), {int(r[0]): int(r[1]) for r in members}


async def test_given_a_shared_number_with_no_one_marked_when_filed_for_everyone_then_each_person_has_the_outcome(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    async with household_call(pbx_pair, db, make_user, "ida") as (screen, call):
        top, other = call["contact_ids"]
        chosen = {"block_id": "a", "answer": "No", "contact_id": other}
        assert (await screen.post("/api/call/answer", chosen))["status"] == 200
        assert (await screen.post("/api/call/outcome", {"outcome": "completed"}))["status"] == 200
        assert filed(db, call["attempt_id"]) == {
            "dispositions": [top, other],
            "script_answers": [other],
        }


async def test_given_a_screen_naming_an_earlier_call_when_filing_then_refused_and_nothing_filed(
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    async with household_call(pbx_pair, db, make_user, "jo") as (screen, call):
        stale = {"outcome": "completed", "call_id": "pb1m-0123456789abcdef"}  # a stale tab's
        refused = await screen.post("/api/call/outcome", stale)
        assert (refused["status"], refused["error"]) == (409, "stale_call")
        assert filed(db, call["attempt_id"]) == {"dispositions": [], "script_answers": []}
        mine = {"outcome": "completed", "call_id": call["call_id"]}
        assert (await screen.post("/api/call/outcome", mine))["status"] == 200
