"""The dialer leg over the real trunk: each callee persona gets its classified result."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from controller.telephony.carrier import Carrier, voiced_seconds
from controller.telephony.fastagi import FastAgiServer

from .conftest import AmiProbe, PbxPairInfo

pytestmark = pytest.mark.pbx


async def _dial_failure(ami: AmiProbe, carrier: Carrier, number: str, persona: str, **vars: str):
    await carrier.set_persona(number, persona)
    call_id, _ = ami.dial(number, **vars)
    return await ami.user_event("PhonebankDialResult", timeout=40, CallId=call_id)


async def test_given_busy_callee_when_dialed_then_dialstatus_busy_cause_17(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    result = await _dial_failure(ami, carrier, number(), "busy")
    assert result["DialStatus"] == "BUSY"
    assert result["HangupCause"] == "17"


async def test_given_unanswered_callee_when_ring_timeout_passes_then_dialstatus_noanswer(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    result = await _dial_failure(ami, carrier, number(), "noanswer", PB_RING_TIMEOUT="3")
    assert result["DialStatus"] == "NOANSWER"


async def test_given_congested_route_when_dialed_then_dialstatus_congestion_cause_34(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    result = await _dial_failure(ami, carrier, number(), "congestion")
    assert result["DialStatus"] == "CONGESTION"
    assert result["HangupCause"] == "34"


async def test_given_disconnected_number_when_dialed_then_cause_unallocated(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    result = await _dial_failure(ami, carrier, number(), "disconnected")
    assert result["DialStatus"] in ("CHANUNAVAIL", "CONGESTION")
    assert result["HangupCause"] == "1"


async def test_given_person_answers_and_no_volunteer_free_when_dialed_then_safe_harbor_heard(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    await carrier.set_persona(callee, "human:1:4")
    async with FastAgiServer(port=pbx_pair.fastagi_port):  # default: nobody free
        call_id, _ = ami.dial(callee)
        amd = await ami.user_event("PhonebankAmd", CallId=call_id)
        await ami.user_event("PhonebankDropped", CallId=call_id)
        heard = await carrier.wait_call_ended(callee)
    assert amd["AmdStatus"] == "HUMAN"
    assert heard.heard == ["safe_harbor"]
    result = await ami.user_event("PhonebankDialResult", CallId=call_id)
    assert result["DialStatus"] == "ANSWER"


async def test_given_answering_machine_when_voicemail_wanted_then_message_left_after_beep(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    await carrier.set_persona(callee, "machine:1")
    call_id, _ = ami.dial(callee, PB_VOICEMAIL="1")
    amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    left = await ami.user_event("PhonebankVoicemail", timeout=60, CallId=call_id)
    call = await carrier.wait_call_ended(callee)
    assert amd["AmdStatus"] == "MACHINE"
    assert left["Status"] == "left"
    assert call.heard == ["voicemail"]
    recordings = carrier.recordings(callee)
    prompt = voiced_seconds(pbx_pair.pbx.host_dir / "sounds" / "voicemail.wav")
    assert len(recordings) == 1
    assert voiced_seconds(recordings[0]) > 0.7 * prompt  # the whole message was left


async def test_given_answering_machine_when_no_voicemail_wanted_then_hung_up_with_nothing_left(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    await carrier.set_persona(callee, "machine:1")
    call_id, _ = ami.dial(callee)
    amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    skipped = await ami.user_event("PhonebankVoicemail", CallId=call_id)
    call = await carrier.wait_call_ended(callee)
    assert amd["AmdStatus"] == "MACHINE"
    assert skipped["Status"] == "skipped"
    assert call.heard == []
    assert carrier.recordings(callee) == []


async def test_given_dead_air_when_answered_then_machine_by_initial_silence(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    await carrier.set_persona(callee, "deadair:1")
    call_id, _ = ami.dial(callee)
    amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    assert amd["AmdStatus"] == "MACHINE"
    assert amd["AmdCause"].startswith("INITIALSILENCE")


async def test_given_number_outside_allowed_pattern_when_dialed_then_blocked_before_the_trunk(
    ami: AmiProbe, carrier: Carrier
) -> None:
    outside = "+442079460000"
    call_id, _ = ami.dial(outside)
    result = await ami.user_event("PhonebankDialResult", CallId=call_id)
    assert result["DialStatus"] == "BLOCKED"
    assert carrier.calls_to(outside) == []
