"""The browser phone against the real PBX: register, join the room, media, reconnect.

Chromium (fake microphone: a beeping tone) signs in, opens the phone page and connects:
JsSIP registers over the app's WebSocket relay to the pbx of ``pbx_pair``, calls ``join``
and lands in the volunteer's own ConfBridge room. Media is proven both ways: the pbx
reports the browser talking (ConfbridgeTalking) and a tone played into the room raises
the browser's received audio level (WebRTC getStats).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
from asterisk.conftest import AmiProbe, PbxPairInfo
from browser_harness import LiveServer, wait_until
from playwright.sync_api import Page, expect

from controller.config import Settings
from controller.store import users as user_store
from controller.store.db import Database
from controller.telephony import render
from controller.telephony.webrtc_users import WebrtcAccounts, pbx_updater
from web.app import init_app
from web.keys import PHONES
from web.phones import FORBIDDEN, BrowserPhones

pytestmark = [pytest.mark.pbx, pytest.mark.browser]
PASSWORD = "a long volunteer password"

INBOUND_LEVEL = """async () => {
  const pc = window.phonebankPhone.session && window.phonebankPhone.session.connection;
  if (!pc) { return 0; }
  let level = 0;
  (await pc.getStats()).forEach(r => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') { level = r.audioLevel || 0; }
  });
  return level;
}"""

OUTBOUND_PACKETS = """async () => {
  const pc = window.phonebankPhone.session && window.phonebankPhone.session.connection;
  if (!pc) { return 0; }
  let sent = 0;
  (await pc.getStats()).forEach(r => {
    if (r.type === 'outbound-rtp' && r.kind === 'audio') { sent = r.packetsSent; }
  });
  return sent;
}"""


class PhoneServer(LiveServer):
    probe: AmiProbe


@pytest.fixture
def phone_server(pbx_pair: PbxPairInfo, settings: Settings, db: Database) -> Iterator[PhoneServer]:
    """The app wired to the real pbx: accounts are written to its config and reloaded."""
    app = init_app(settings, db)
    accounts = WebrtcAccounts(settings.runtime_dir / "webrtc")

    async def reload() -> None:
        await asyncio.to_thread(pbx_pair.pbx.cli, "module reload res_pjsip.so")

    update = pbx_updater(accounts, render.config_dir(pbx_pair.settings), reload)
    upstream = f"ws://127.0.0.1:{pbx_pair.settings.pbx.http_port}/ws"
    app[PHONES] = BrowserPhones(accounts, upstream, update)
    server = PhoneServer(app)
    server.start()
    server.probe = AmiProbe(pbx_pair.pbx_ami)
    server.call(server.probe.connect())
    yield server
    server.probe.close()
    server.stop()


def connect_phone(page: Page, server: LiveServer, make_user: Callable[..., int]) -> int:
    user_id = make_user("vera", PASSWORD, display_name="Vera Caller")
    page.goto(f"{server.url}/login?next=/phone")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/phone")
    page.get_by_role("button", name="Connect my phone").click()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    return user_id


def originate_tone(server: PhoneServer, room: str) -> Any:
    return server.call(
        server.probe.action(
            {
                "Action": "Originate",
                "Channel": f"Local/{room}@phonebank-room",
                "Application": "Milliwatt",
                "Async": "true",
            }
        )
    )


def test_given_a_volunteer_when_the_browser_phone_connects_then_it_joins_its_room_with_media(
    page: Page,
    phone_server: PhoneServer,
    pbx_pair: PbxPairInfo,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    user_id = connect_phone(page, phone_server, make_user)
    room = f"volunteer-{user_id}"
    probe = phone_server.probe
    joined = phone_server.call(
        probe.user_event("PhonebankVolunteerJoined", Conference=room, Via=f"webrtc-{user_id}")
    )
    assert joined["Conference"] == room
    shoot(page, "in-room")
    # Browser -> PBX: the fake microphone's beeps are heard in the room.
    talking = phone_server.call(
        probe.wait_for("ConfbridgeTalking", Conference=room, TalkingStatus="on")
    )
    assert talking["Channel"].startswith(f"PJSIP/webrtc-{user_id}-")
    assert wait_until(page, OUTBOUND_PACKETS) > 0
    # PBX -> browser: a tone played into the room reaches the browser's speaker.
    originate_tone(phone_server, room)
    assert wait_until(page, f"async () => (await ({INBOUND_LEVEL})()) > 0.05") is True
    listing = pbx_pair.cli("pbx", f"confbridge list {room}")
    assert f"PJSIP/webrtc-{user_id}" in listing
    page.get_by_role("button", name="Leave my call room").click()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "left")
    phone_server.call(
        probe.action({"Action": "Hangup", "Channel": f"/^Local\\/{room}@phonebank-room/"})
    )


def test_given_a_connected_phone_when_the_socket_drops_then_it_reconnects_by_itself(
    page: Page,
    phone_server: PhoneServer,
    pbx_pair: PbxPairInfo,
    make_user: Callable[..., int],
) -> None:
    user_id = connect_phone(page, phone_server, make_user)
    dropped = phone_server.call(phone_server.app[PHONES].drop_all())
    assert dropped == 1
    wait_until(page, "() => window.phonebankPhone.reconnects >= 1")
    wait_until(page, "() => window.phonebankPhone.registrations >= 2")
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    history = page.evaluate("() => window.phonebankPhone.history")
    assert "reconnecting" in history
    assert history[-1] == "in-room"
    contacts = pbx_pair.cli("pbx", f"pjsip show contacts webrtc-{user_id}")
    assert f"webrtc-{user_id}/" in contacts
    listing = pbx_pair.cli("pbx", f"confbridge list volunteer-{user_id}")
    assert f"PJSIP/webrtc-{user_id}" in listing  # still in the room after the reconnect
    page.get_by_role("button", name="Leave my call room").click()


async def relay_session(
    server: LiveServer, username: str, messages: list[str], revoke: Callable[[], None] | None
) -> list[tuple[str, Any]]:
    """Sign in over HTTP, open the relay and send SIP text; return what came back."""
    jar = aiohttp.CookieJar(unsafe=True)
    seen: list[tuple[str, Any]] = []
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        page = await (await http.get(f"{server.url}/login")).text()
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        form = {"username": username, "password": PASSWORD, "_csrf": token}
        await http.post(f"{server.url}/login", data=form)
        async with http.ws_connect(f"{server.url}/phone/ws", protocols=("sip",)) as ws:
            for text in messages:
                if revoke is not None and text is messages[-1]:
                    revoke()
                await ws.send_str(text)
                reply = await ws.receive(timeout=10)
                if reply.type == aiohttp.WSMsgType.TEXT:
                    seen.append(("text", reply.data.split("\r\n", 1)[0]))
                else:
                    seen.append(("closed", ws.close_code))
                    break
    return seen


def sip_register(user: str, seq: int) -> str:
    return (
        "REGISTER sip:phonebank SIP/2.0\r\n"
        f"Via: SIP/2.0/WS relaytest.invalid;branch=z9hG4bK{uuid.uuid4().hex}\r\n"
        "Max-Forwards: 70\r\n"
        f"To: <sip:{user}@phonebank>\r\n"
        f"From: <sip:{user}@phonebank>;tag={uuid.uuid4().hex[:8]}\r\n"
        f"Call-ID: {uuid.uuid4().hex}\r\n"
        f"CSeq: {seq} REGISTER\r\n"
        "Contact: <sip:relaytest@relaytest.invalid;transport=ws>;expires=60\r\n"
        "Expires: 60\r\nContent-Length: 0\r\n\r\n"
    )


def test_given_the_relay_when_a_volunteer_speaks_for_another_account_then_the_socket_closes(
    phone_server: PhoneServer, make_user: Callable[..., int]
) -> None:
    user_id = make_user("vera", PASSWORD)
    own = sip_register(f"webrtc-{user_id}", 1)
    other = sip_register("webrtc-999", 2)
    seen = phone_server.call(relay_session(phone_server, "vera", [own, other], None))
    assert seen[0] == ("text", "SIP/2.0 401 Unauthorized")  # the real PBX's challenge
    assert seen[1] == ("closed", FORBIDDEN)


def test_given_calling_turned_off_when_the_open_phone_registers_again_then_it_is_cut_off(
    phone_server: PhoneServer, make_user: Callable[..., int], db: Database
) -> None:
    user_id = make_user("vera", PASSWORD)
    name = f"webrtc-{user_id}"

    def revoke() -> None:
        user_store.update_user(db, "vera", can_make_calls=False)

    messages = [sip_register(name, 1), sip_register(name, 2)]
    seen = phone_server.call(relay_session(phone_server, "vera", messages, revoke))
    assert seen == [("text", "SIP/2.0 401 Unauthorized"), ("closed", FORBIDDEN)]


TRY_CALL = """async (target) => {
  const phone = window.phonebankPhone;
  return await new Promise((resolve) => {
    const session = phone.ua.call(target, {
      mediaStream: phone.stream, pcConfig: {iceServers: []},
      eventHandlers: {
        failed: (e) => resolve('failed: ' + e.cause),
        ended: (e) => resolve('ended: ' + e.cause),
        confirmed: () => { session.terminate(); resolve('answered'); },
      },
    });
  });
}"""


def test_given_a_browser_phone_when_it_dials_anything_but_its_room_then_the_pbx_refuses(
    page: Page, phone_server: PhoneServer, make_user: Callable[..., int]
) -> None:
    user_id = connect_phone(page, phone_server, make_user)
    number = "+12025550123"
    outcomes = {
        target: page.evaluate(TRY_CALL, f"sip:{target}@phonebank")
        for target in (number, "volunteer-999", "trunk")
    }
    assert outcomes == {
        number: "failed: Rejected",
        "volunteer-999": "failed: Not Found",
        "trunk": "failed: Not Found",
    }
    refused = phone_server.call(
        phone_server.probe.user_event("PhonebankVolunteerRefused", Exten=number)
    )
    assert refused["Endpoint"] == f"webrtc-{user_id}"
    assert phone_server.probe.find("DialBegin") == []  # nothing left toward the trunk
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
