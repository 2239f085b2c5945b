"""An open live page keeps its sign-in: the socket pushes the sign-in's record while it is
open, so someone watching a dashboard (or waiting on the call screen) for longer than the
idle time is still signed in, and a sign-in ended meanwhile closes the socket without
waiting for the bank to change. Real app, real database file, real sockets; the idle time is
shortened to seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType
from aiohttp.test_utils import TestClient
from test_admin_pages import create_bank, seed_list
from web_test_helpers import csrf_token, login

from controller.store import users as user_store
from controller.store import web_sessions
from controller.store.db import Database
from web.keys import SESSIONS
from web.sessions import SIGNED_OUT_CLOSE

Client = TestClient[Any, Any]
IDLE = 2  # seconds; the socket pushes the record every IDLE / 4


async def signed_in_with_a_bank(client: Client, db: Database, username: str) -> int:
    """Sign in as ``username`` (staff) and create a bank whose dashboard they can open."""
    await login(client, username)
    return await create_bank(client, await csrf_token(client, "/admin"), seed_list(db, 2))


async def watch(client: Client, db: Database, seconds: float) -> int:
    """Sign in as an admin, open a bank's live dashboard socket for ``seconds``; its bank."""
    bank_id = await signed_in_with_a_bank(client, db, "boss")
    client.app[SESSIONS].idle_seconds = IDLE
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            message = await ws.receive(timeout=10)
            assert message.type == WSMsgType.TEXT, message
    return bank_id


async def test_given_an_open_dashboard_when_idle_time_passes_thrice_then_still_signed_in(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("boss", role="admin")
    await watch(client, db, 3 * IDLE)
    response = await client.get("/account", allow_redirects=False)
    assert response.status == 200  # no request but the socket for three idle times
    await asyncio.sleep(IDLE + 1)  # now nothing is open
    response = await client.get("/account", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/login")


async def test_given_an_open_dashboard_when_signed_out_everywhere_then_it_closes_within_a_push(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    uid = make_user("boss", role="admin")
    bank_id = await signed_in_with_a_bank(client, db, "boss")
    client.app[SESSIONS].idle_seconds = IDLE
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        assert (await ws.receive_json(timeout=10))["bank"]["id"] == bank_id
        user = user_store.get_user(db, "boss")
        assert user is not None and user["id"] == uid
        web_sessions.revoke_user(db, uid, 0.0, web_sessions.SIGNED_OUT_EVERYWHERE)
        while (message := await ws.receive(timeout=IDLE)).type == WSMsgType.TEXT:
            pass  # a snapshot already on its way
        assert message.type == WSMsgType.CLOSE and message.data == SIGNED_OUT_CLOSE


async def test_given_an_open_dashboard_when_its_manager_is_made_a_volunteer_then_it_closes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("boss", role="admin")
    make_user("mia", role="manager")
    bank_id = await signed_in_with_a_bank(client, db, "mia")
    client.app[SESSIONS].idle_seconds = IDLE
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        assert (await ws.receive_json(timeout=10))["bank"]["id"] == bank_id
        user_store.update_user(db, "mia", role="volunteer")  # still signed in, no longer staff
        while (message := await ws.receive(timeout=IDLE)).type == WSMsgType.TEXT:
            pass  # a snapshot already on its way
        assert message.type == WSMsgType.CLOSE and message.data == SIGNED_OUT_CLOSE
    assert (await client.get(f"/admin/banks/{bank_id}/live")).status == 403


async def test_given_an_open_dashboard_when_the_app_shuts_down_then_its_socket_closes_going_away(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("boss", role="admin")
    bank_id = await signed_in_with_a_bank(client, db, "boss")
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        assert (await ws.receive_json(timeout=10))["bank"]["id"] == bank_id
        await client.app.shutdown()  # as `phonebank run` stopping: an open page holds nothing up
        while (message := await ws.receive(timeout=5)).type == WSMsgType.TEXT:
            pass
        assert message.type == WSMsgType.CLOSE and message.data == WSCloseCode.GOING_AWAY
