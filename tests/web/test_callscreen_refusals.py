"""The volunteer's JSON routes refuse in words, never with a server error, and a
personal-phone report filed for one person of a household is that person's only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import engine_app, join_bank, personal_bank
from web_test_helpers import csrf_token, login

from controller.engine import plugin
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


async def test_given_a_household_on_a_personal_phone_call_when_one_person_is_filed_then_only_that_person_gets_the_outcome(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("hana", can_make_calls=True)
    bank_id = personal_bank(db, 2, household_every=2)  # two people, one number
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "hana")
        handed = await screen.post("/api/call/next")
        call = handed["live"]["call"]
        first, second = call["contact_ids"]
        filed = await screen.post("/api/call/outcome", {"outcome": "refused", "contact_id": first})
        assert filed["status"] == 200, filed
    with db.read() as conn:
        rows = conn.execute(
            "SELECT contact_id, outcome FROM dispositions WHERE attempt_id = ?",
            (call["attempt_id"],),
        ).fetchall()
    assert [(r["contact_id"], r["outcome"]) for r in rows] == [(first, "refused")]
    assert second != first


async def test_given_call_me_when_the_number_is_premium_rate_or_the_phone_system_is_down_then_a_clear_json_refusal(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("cleo", can_make_calls=True)
    bank_id = personal_bank(db, 2)
    async with engine_app(pbx_pair, db) as client:
        engine = plugin._RUNNING[id(client.app)]
        engine.poke()
        await login(client, "cleo")
        headers = {"X-CSRF-Token": await csrf_token(client, "/banks")}
        path = f"/api/banks/{bank_id}/join"

        async def join(number: str) -> tuple[int, dict[str, str]]:
            body = {"via": "callme", "number": number}
            response = await client.post(path, json=body, headers=headers)
            return response.status, await response.json()

        premium = await join("1-900-555-0142")
        await engine.ami.close()  # the PBX connection is gone
        down = await join("(202) 555-9061")
    assert premium == (
        409,
        {
            "error": "not_a_personal_phone",
            "message": "We can only call a regular phone number: not a premium-rate,"
            " toll-free or other service number.",
        },
    )
    assert down == (
        503,
        {
            "error": "phone_system",
            "message": "The phone system did not answer. Try again in a moment.",
        },
    )


async def test_given_a_call_when_a_volunteer_route_gets_odd_digits_or_a_huge_id_then_refused_in_words_and_nothing_filed(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("ines", can_make_calls=True)
    bank_id = personal_bank(db, 2)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "ines")
        call = (await screen.post("/api/call/next"))["live"]["call"]
        shown = {}
        for odd in ("²", "٣", "99999999999999999999"):
            page = await client.get(f"/banks/{odd}")
            contact = await client.get(f"/api/call/contacts/{odd}", headers=screen.headers)
            filed = await screen.post(
                "/api/call/outcome", {"outcome": "refused", "contact_id": odd}
            )
            shown[odd] = (page.status, contact.status, (await contact.json())["error"], filed)
        mine = await client.get(
            f"/api/call/contacts/{call['contact_ids'][0]}", headers=screen.headers
        )
        assert mine.status == 200
    for odd, (page, contact, contact_error, filed) in shown.items():
        assert (page, contact, contact_error) == (404, 404, "not_your_call"), odd
        assert (filed["status"], filed["error"]) == (409, "not_in_call"), odd
        assert filed["message"] == "That person is not on this call.", odd
    with db.read() as conn:
        count = conn.execute("SELECT count(*) FROM dispositions").fetchone()[0]
    assert count == 0
