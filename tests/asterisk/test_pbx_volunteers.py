"""Volunteers in their rooms: answered callees are bridged in and audio really flows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

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
    reload = await ami.action({"Action": "Reload", "Module": "res_pjsip.so"})
    assert reload.get("Response") == "Success"  # the controller's AMI user may reload
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
