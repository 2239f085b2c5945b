"""The browser phone's relay on the real PBX once the sign-in it was opened with is taken
back: the next REGISTER closes the socket, and within seconds the app closes it by itself
and takes the account back from the PBX."""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp
import pytest
from asterisk.conftest import PbxPairInfo
from test_phone_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    PhoneServer,
    phone_server,
    relay_session,
    sip_register,
)

from controller.store import web_sessions
from controller.store.db import Database
from web.phones import FORBIDDEN
from web.sessions import SIGNED_OUT_CLOSE

pytestmark = [pytest.mark.pbx, pytest.mark.browser]


def test_given_an_open_phone_when_its_sign_in_is_revoked_then_registering_again_cuts_it_off(
    phone_server: PhoneServer,  # noqa: F811
    make_user: Callable[..., int],
    db: Database,
) -> None:
    user_id = make_user("vera", PASSWORD)
    name = f"webrtc-{user_id}"

    def revoke() -> None:
        reason = web_sessions.SIGNED_OUT_EVERYWHERE
        assert web_sessions.revoke_user(db, user_id, time.time(), reason) == 1

    messages = [sip_register(name, 1), sip_register(name, 2)]
    seen = phone_server.call(relay_session(phone_server, "vera", messages, revoke))
    assert seen == [("text", "SIP/2.0 401 Unauthorized"), ("closed", FORBIDDEN)]


async def _open_then_revoked(
    server: PhoneServer, user_id: int, revoke: Callable[[], None]
) -> tuple[str, int | None, float]:
    """Sign in, open the relay, register once; then take the sign-in back and send nothing:
    (the PBX's answer to the REGISTER, how the socket closed, seconds it took)."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        page = await (await http.get(f"{server.url}/login")).text()
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        form = {"username": "vera", "password": PASSWORD, "_csrf": token}
        await http.post(f"{server.url}/login", data=form)
        assert (await http.get(f"{server.url}/api/phone/credentials")).status == 200
        async with http.ws_connect(f"{server.url}/phone/ws", protocols=("sip",)) as ws:
            await ws.send_str(sip_register(f"webrtc-{user_id}", 1))
            answer = (await ws.receive(timeout=10)).data.split("\r\n", 1)[0]
            revoke()
            start = time.monotonic()
            closed = await ws.receive(timeout=15)  # nothing sent: the app closes it by itself
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            return answer, ws.close_code, time.monotonic() - start


def test_given_an_open_phone_when_its_sign_in_is_revoked_then_the_socket_closes_and_the_pbx_forgets_the_account(  # noqa: E501
    phone_server: PhoneServer,  # noqa: F811
    make_user: Callable[..., int],
    db: Database,
    pbx_pair: PbxPairInfo,
) -> None:
    user_id = make_user("vera", PASSWORD)
    endpoint = f"webrtc-{user_id}"

    def revoke() -> None:
        reason = web_sessions.SIGNED_OUT_EVERYWHERE
        assert web_sessions.revoke_user(db, user_id, time.time(), reason) == 1

    answer, code, took = phone_server.call(_open_then_revoked(phone_server, user_id, revoke))
    assert answer == "SIP/2.0 401 Unauthorized"  # the PBX knew the account
    assert code == SIGNED_OUT_CLOSE and took < 10
    shown = pbx_pair.pbx.cli(f"pjsip show endpoint {endpoint}")
    assert "Unable to find object" in shown, shown  # its password opens nothing any more
