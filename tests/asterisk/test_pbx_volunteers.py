"""Volunteers in their rooms: answered callees are bridged in and audio really flows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e.e2e_helpers import FAST, make_bank, running_engine, set_state, wait_until

from controller.engine.simvol import SimProfile
from controller.store import users
from controller.telephony import render
from controller.telephony.carrier import Carrier
from controller.telephony.fastagi import FastAgiServer, HandoffRequest, PinDecision, PinRequest

from .conftest import AmiProbe, PbxPairInfo

pytestmark = pytest.mark.pbx


def _room(name: str) -> Callable[[HandoffRequest], Any]:
    async def handoff(request: HandoffRequest) -> str | None:
        return name

    return handoff


async def _talking(ami: AmiProbe, room: str, channel_prefix: str) -> dict[str, str]:
    """Wait until the conference hears sound from the channel (ConfbridgeTalking on)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        for e in ami.find("ConfbridgeTalking", Conference=room, TalkingStatus="on"):
            if e.get("Channel", "").startswith(channel_prefix):
                return e
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no sound from {channel_prefix} in {room}")


async def _hang_up_room(ami: AmiProbe, room: str) -> None:
    await ami.action({"Action": "ConfbridgeKick", "Conference": room, "Channel": "all"})


async def test_given_local_volunteer_waiting_when_person_answers_then_bridged_and_audio_flows(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    room = "room-local"
    ami.originate({"Action": "Originate", "Channel": f"Local/{room}@phonebank-room/n",
                   "Application": "Milliwatt", "Timeout": "10000"})  # fmt: skip
    await ami.user_event("PhonebankVolunteerJoined", Conference=room, Via="local")
    callee = number()
    await carrier.set_persona(callee, "human:1:5")
    async with FastAgiServer(handoff=_room(room), port=pbx_pair.fastagi_port):
        call_id, _ = ami.dial(callee)
        amd = await ami.user_event("PhonebankAmd", CallId=call_id)
        bridged = await ami.user_event("PhonebankBridged", CallId=call_id)
    try:
        callee_talks = await _talking(ami, room, f"Local/{callee}@phonebank-outbound")
        volunteer_talks = await _talking(ami, room, f"Local/{room}@phonebank-room")
    finally:
        await _hang_up_room(ami, room)
    assert amd["AmdStatus"] == "HUMAN"
    assert bridged["Conference"] == room
    assert callee_talks["Conference"] == volunteer_talks["Conference"] == room
    call = await carrier.wait_call_ended(callee)
    assert call.heard == []  # bridged: neither the safe-harbor nor the voicemail message


async def test_given_sip_phone_dialing_in_with_right_pin_when_person_answers_then_bridged(
    pbx_pair: PbxPairInfo,
    ami: AmiProbe,
    carrier: Carrier,
    number: Callable[[], str],
    sip_phone: Callable[..., Any],
) -> None:
    room = "room-dialin"
    pins: list[PinRequest] = []

    async def check_pin(request: PinRequest) -> PinDecision:
        pins.append(request)
        return PinDecision.accept(room) if request.pin == "4321" else PinDecision("wrong_pin")

    phone_account = render.carrier_phones(pbx_pair.settings)[0]
    carrier_port = pbx_pair.settings.carrier.sip_port
    callee = number()
    await carrier.set_persona(callee, "human:1:5")
    async with FastAgiServer(_room(room), check_pin, port=pbx_pair.fastagi_port):
        phone = await sip_phone(phone_account.name, phone_account.password, carrier_port)
        await phone.command("dial", f"sip:{pbx_pair.did}@127.0.0.1:{carrier_port}")
        await phone.wait_event("CALL_ESTABLISHED")
        await asyncio.sleep(1.0)
        await phone.command("sndcode", "4321#")
        pin = await ami.user_event("PhonebankPin")
        joined = await ami.user_event("PhonebankVolunteerJoined", Conference=room)
        volunteer_talks = await _talking(ami, room, "PJSIP/trunk-")
        call_id, _ = ami.dial(callee)
        bridged = await ami.user_event("PhonebankBridged", CallId=call_id)
        try:
            callee_talks = await _talking(ami, room, f"Local/{callee}@phonebank-outbound")
        finally:
            await _hang_up_room(ami, room)
    assert pins[0].pin == "4321"
    assert pins[0].caller_id == phone_account.number
    assert pin["Result"] == "ok"
    assert joined["Via"] == "dialin"
    assert bridged["Conference"] == room
    assert volunteer_talks["Channel"] != callee_talks["Channel"]


async def test_given_caller_with_wrong_pin_when_tries_run_out_then_refused_and_hung_up(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier
) -> None:
    async def check_pin(request: PinRequest) -> PinDecision:
        return PinDecision.accept("room-never") if request.pin == "4321" else PinDecision()

    async with FastAgiServer(check_pin=check_pin, port=pbx_pair.fastagi_port):
        await carrier.call_pbx(pbx_pair.did, dtmf="1111#wwwwww2222#wwwwww3333#", wait=2, stay=60)
        third = await ami.user_event("PhonebankPin", timeout=60, Tries="3")
        hangup = await ami.wait_for("Hangup", timeout=30, Context="phonebank-volunteer-dialin")
    results = [e["Result"] for e in ami.find("UserEvent", UserEvent="PhonebankPin")]
    assert results == ["wrong_pin", "wrong_pin", "wrong_pin"]
    assert third["Result"] == "wrong_pin"
    assert hangup["Cause"] == "21"
    assert not ami.find("UserEvent", UserEvent="PhonebankVolunteerJoined")


async def test_given_volunteer_sip_endpoint_when_dialing_outside_number_then_refused(
    pbx_pair: PbxPairInfo,
    ami: AmiProbe,
    carrier: Carrier,
    number: Callable[[], str],
    sip_phone: Callable[..., Any],
) -> None:
    volunteer = render.VolunteerEndpoint("vol-test", "s3cret-vol-pass", "room-vol")
    render.write_volunteers(pbx_pair.settings, [volunteer])
    await asyncio.to_thread(pbx_pair.pbx.cli, "module reload res_pjsip.so")  # as run does
    pbx_port = pbx_pair.settings.pbx.sip_port
    outside = number()
    await carrier.set_persona(outside, "human:0:5")
    phone = await sip_phone(volunteer.name, volunteer.password, pbx_port)
    await phone.command("dial", f"sip:{outside}@127.0.0.1:{pbx_port}")
    await phone.wait_event("CALL_CLOSED")
    refused = await ami.user_event("PhonebankVolunteerRefused")
    phone.events.clear()
    await phone.command("dial", f"sip:join@127.0.0.1:{pbx_port}")
    await phone.wait_event("CALL_ESTABLISHED")
    joined = await ami.user_event("PhonebankVolunteerJoined", Conference="room-vol")
    await _hang_up_room(ami, "room-vol")
    assert refused["Dialed"] == outside
    assert refused["Endpoint"] == "vol-test"
    assert joined["Via"] == "vol-test"
    assert carrier.calls_to(outside) == []


async def test_given_five_wrong_pins_from_one_phone_when_it_calls_again_then_even_its_right_pin_is_refused_until_the_window_passes(  # noqa: E501
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, tmp_path: Path
) -> None:
    """The product's PIN check (the engine's, on the real PBX): five wrong PINs from one
    phone within ten minutes and PINs from that phone are refused, the right one too; once
    the oldest miss is ten minutes old, the right PIN joins the volunteer."""
    profile = SimProfile(talk=(1.0, 2.0), wrap=(0.2, 0.4), seed=3)
    async with running_engine(pbx_pair, tmp_path / "pin.db", FAST, profile) as env:
        throttle = env.engine.pin_throttle
        assert (throttle.limit, throttle.window) == (5, 600.0)  # as the volunteer guide says
        now = [1_000.0]
        throttle.clock = lambda: now[0]  # the ten minutes pass on this clock, not the wall's
        pin = str(users.create_user(env.db, "dialer")["pin"])
        bank_id = make_bank(env.db, 2, dialing_mode="preview")
        set_state(env.db, bank_id, "start")
        await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
        wrong = [p for p in ("1111", "2222", "3333", "4444", "5555", "6666") if p != pin][:5]

        first = await _dial_in(ami, carrier, pbx_pair.did, wrong[:3], hangs_up=True)
        second = await _dial_in(ami, carrier, pbx_pair.did, [*wrong[3:], pin], hangs_up=True)
        third = await _dial_in(ami, carrier, pbx_pair.did, [pin], hangs_up=False)
        now[0] += 9 * 60  # nine minutes on: still refused
        still = await _dial_in(ami, carrier, pbx_pair.did, [pin], hangs_up=False)
        now[0] += 61  # the first miss is now more than ten minutes old
        joined_wait = ami.user_event("PhonebankVolunteerJoined", timeout=60, Via="dialin")
        after = await _dial_in(ami, carrier, pbx_pair.did, [pin], hangs_up=False)
        joined = await joined_wait
        session = env.engine.pool.sessions.get(int(users.get_user(env.db, "dialer")["id"]))
        await _hang_up_room(ami, joined["Conference"])
    assert [e["Result"] for e in first] == ["wrong_pin"] * 3
    assert [e["Result"] for e in second] == ["wrong_pin"] * 3  # the right PIN too, 6th try
    assert first[0]["CallerId"] and {e["CallerId"] for e in first + second} == {
        first[0]["CallerId"]
    }  # one phone: the throttle counts by its number
    assert [e["Result"] for e in third + still] == ["wrong_pin", "wrong_pin"]
    assert [e["Result"] for e in after] == ["ok"]
    assert session is not None and session.bank_id == bank_id
    assert joined["Conference"] == session.conference


async def _dial_in(
    ami: AmiProbe, carrier: Carrier, did: str, pins: list[str], hangs_up: bool
) -> list[dict[str, str]]:
    """One call to the dial-in number typing ``pins`` (one per prompt); the PhonebankPin
    events of that call. With ``hangs_up`` the PBX ends the call after the last try (out of
    tries); otherwise the caller hangs up after the last answer (or stays if it joined)."""

    def pin_events() -> list[dict[str, str]]:
        return ami.find("UserEvent", UserEvent="PhonebankPin")

    def hangups() -> list[dict[str, str]]:
        return ami.find("Hangup", Context="phonebank-volunteer-dialin")

    seen_pins, seen_hangups = len(pin_events()), len(hangups())
    await carrier.call_pbx(did, dtmf="wwwwww".join(f"{p}#" for p in pins), wait=2, stay=40)
    await wait_until(lambda: len(pin_events()) >= seen_pins + len(pins), 60, "the PIN tries")
    events = pin_events()[seen_pins:]
    if hangs_up:
        await wait_until(lambda: len(hangups()) > seen_hangups, 30, "the PBX hangs up")
        assert hangups()[seen_hangups]["Cause"] == "21"
    elif events[-1]["Result"] != "ok":
        await ami.action({"Action": "Hangup", "Channel": events[-1]["Channel"]})
        await wait_until(lambda: len(hangups()) > seen_hangups, 30, "the call ends")
    return events
