"""A volunteer's way back into a bank from its pages (the real app over aiohttp's test
server, the engine on the real PBX pair, the suite's real SQLite file): once their session
has ended, or while their phone is not connected yet, the bank page offers the ways to join
again and the feed does not send them back to a call screen where nothing comes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest
from asterisk.conftest import PbxPairInfo, pbx_pair  # noqa: F401 - the shared real-PBX fixture
from callscreen_engine import engine_app, join_bank, personal_bank

from controller.model import banks as bank_model
from controller.model.bank_settings import DialingMode
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


def as_preview(db: Database, bank_id: int) -> None:
    with db.write() as conn:
        banks.update(
            conn,
            bank_id,
            lambda b: replace(b, settings=replace(b.settings, dialing_mode=DialingMode.PREVIEW)),
        )


async def test_given_a_volunteer_who_ended_their_session_when_they_open_the_bank_then_the_ways_to_join_again_show(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("rita", can_make_calls=True, display_name="Rita Rejoin")
    bank_id = personal_bank(db, 3)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "rita")
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert "You are calling in this phone bank." in page and 'id="join-personal"' not in page

        ended = await screen.post("/api/call/end")
        assert ended["status"] == 200 and ended["live"]["state"] == "disconnected"
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert 'id="join-personal"' in page
        assert "You are calling in this phone bank." not in page
        feed = await (await client.get("/banks")).text()
        assert "You are calling in a phone bank now." not in feed

        again = await screen.post(f"/api/banks/{bank_id}/join", {"via": "browser"})
        assert again["status"] == 200
        assert (await screen.state())["live"]["state"] == "idle"
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert "You are calling in this phone bank." in page


async def test_given_a_volunteer_whose_phone_is_not_connected_yet_when_they_open_the_bank_then_the_call_screen_and_the_ways_to_join_show(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("nina", can_make_calls=True, display_name="Nina Notyet")
    bank_id = personal_bank(db, 3)
    as_preview(db, bank_id)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "nina")
        assert (await screen.state())["live"]["state"] == "not_dialed_in"
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert 'data-testid="connecting"' in page and 'href="/call"' in page
        for way in ('id="join-browser"', 'id="join-dialin"', 'id="join-callme"'):
            assert way in page
        assert "You are calling in this phone bank." not in page


async def test_given_a_call_me_message_of_another_bank_when_the_volunteer_waits_in_a_new_one_then_it_is_not_shown_and_end_leaves(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    volunteer_id = make_user("omar", can_make_calls=True, display_name="Omar Other")
    first, second = personal_bank(db, 3), personal_bank(db, 3)
    as_preview(db, first)
    as_preview(db, second)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, second, "omar")
        note = {"topic": "callme", "volunteer_id": volunteer_id, "state": "ringing", "reason": ""}
        screen.engine.callme_guard.last[volunteer_id] = {**note, "bank_id": first}
        assert (await screen.state())["live"]["callme"] is None  # the first bank's "call me"
        screen.engine.callme_guard.last[volunteer_id] = {**note, "bank_id": second}
        assert (await screen.state())["live"]["callme"]["state"] == "ringing"

        ended = await screen.post("/api/call/end")  # the phone never connected: they leave
        assert ended["status"] == 200 and ended["live"]["state"] == "disconnected"


async def test_given_a_volunteer_who_left_owing_a_report_when_the_bank_is_paused_then_its_page_leads_to_the_call_screen_to_file_it(  # noqa: E501
    pbx_pair: PbxPairInfo,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("paula", can_make_calls=True, display_name="Paula Paused")
    bank_id = personal_bank(db, 3)
    async with engine_app(pbx_pair, db) as client:
        screen = await join_bank(client, bank_id, "paula")
        handed = await screen.post("/api/call/next")
        assert handed["live"]["call"]["needs_outcome"]
        assert (await screen.post("/api/call/end"))["live"]["state"] == "disconnected"
        with db.write() as conn:
            banks.update(conn, bank_id, bank_model.pause)
        screen.engine.poke()
        for _ in range(50):
            if screen.engine.runners[bank_id].mode == "paused":
                break
            await asyncio.sleep(0.1)
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert 'data-testid="paused"' in page and 'data-testid="report-owed"' in page
        assert 'href="/call"' in page
        filed = await screen.post("/api/call/outcome", {"outcome": "not_home"})
        assert filed["status"] == 200, filed
        page = await (await client.get(f"/banks/{bank_id}")).text()
        assert 'data-testid="report-owed"' not in page
