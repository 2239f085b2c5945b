"""The simulated phone network itself: personas, seeded distributions, calls into the pbx."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from controller.telephony.carrier import (
    Carrier,
    CarrierError,
    assign_personas,
    mix_persona,
    mix_thresholds,
)
from controller.telephony.fastagi import FastAgiServer, HandoffRequest

from .conftest import AmiProbe, PbxPairInfo

pytestmark = pytest.mark.pbx


async def test_given_slow_person_when_answering_late_then_still_classified_human(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    await carrier.set_persona(callee, "slow:5:2")
    async with FastAgiServer(port=pbx_pair.fastagi_port):
        call_id, _ = ami.dial(callee)
        answered = await ami.user_event("PhonebankAnswered", CallId=call_id)
        amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    ringing = [e for e in ami.find("Newstate") if e.get("ChannelStateDesc") == "Ringing"]
    assert ringing, "the callee never rang"
    assert answered["CallId"] == call_id
    assert amd["AmdStatus"] == "HUMAN"


async def test_given_person_opening_with_long_sentence_when_answered_then_amd_says_machine(
    ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    """A known limit of AMD (max two words): a talkative person is taken for a machine."""
    callee = number()
    await carrier.set_persona(callee, "talker:1:2")
    call_id, _ = ami.dial(callee)
    amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    assert amd["AmdStatus"] == "MACHINE"


async def _left_room(
    ami: AmiProbe, room: str, prefix: str, timeout: float = 10.0
) -> list[dict[str, str]]:
    """ConfbridgeLeave events of ``room`` for channels named ``prefix...``, waited for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = ami.find("ConfbridgeLeave", Conference=room)
        hits = [e for e in left if e["Channel"].startswith(prefix)]
        if hits or loop.time() > deadline:
            return hits
        await asyncio.sleep(0.05)


async def test_given_bridged_person_when_dead_air_runs_out_then_callee_hangs_up_first(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    room = "room-deadair"
    ami.originate({"Action": "Originate", "Channel": f"Local/{room}@phonebank-room/n",
                   "Application": "Wait", "Data": "60", "Timeout": "10000"})  # fmt: skip
    await ami.user_event("PhonebankVolunteerJoined", Conference=room)
    callee = number()
    await carrier.set_persona(callee, "human:0:1")

    async def handoff(request: HandoffRequest) -> str:
        return room

    async with FastAgiServer(handoff=handoff, port=pbx_pair.fastagi_port):
        call_id, _ = ami.dial(callee)
        await ami.user_event("PhonebankBridged", CallId=call_id)
        call = await carrier.wait_call_ended(callee)
        result = await ami.user_event("PhonebankDialResult", CallId=call_id)
    callee_left = await _left_room(ami, room, f"Local/{callee}@")  # the pbx reports it after
    left = ami.find("ConfbridgeLeave", Conference=room)
    volunteer_left_early = [e for e in left if e["Channel"].startswith(f"Local/{room}@")]
    await ami.action({"Action": "ConfbridgeKick", "Conference": room, "Channel": "all"})
    assert call.hung_up_by_callee
    assert call.heard == []
    assert result["DialStatus"] == "ANSWER"
    assert volunteer_left_early == []
    assert len(callee_left) == 1


async def test_given_unknown_number_when_dialed_then_default_persona_answers(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    callee = number()
    async with FastAgiServer(port=pbx_pair.fastagi_port):
        call_id, _ = ami.dial(callee)
        amd = await ami.user_event("PhonebankAmd", CallId=call_id)
    call = carrier.calls_to(callee)[0]
    assert call.persona.startswith("human")
    assert amd["AmdStatus"] == "HUMAN"


async def test_given_network_phone_when_calling_a_number_that_is_not_a_did_then_refused(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier
) -> None:
    await carrier.call_pbx("+12025550000", stay=1)
    refused = await ami.user_event("PhonebankInboundRefused")
    assert refused["Dialed"] == "+12025550000"


async def test_given_bad_persona_or_number_when_set_then_rejected_and_nothing_written(
    carrier: Carrier, number: Callable[[], str]
) -> None:
    with pytest.raises(CarrierError) as bad_persona:
        await carrier.set_persona(number(), "human:1:2\nSet(X=1)")
    with pytest.raises(CarrierError) as bad_number:
        await carrier.set_persona("12;34", "busy")
    assert bad_persona.value.code == "invalid_persona"
    assert bad_number.value.code == "invalid_number"


def test_given_a_seed_when_assigning_personas_then_reproducible_and_following_the_mix() -> None:
    numbers = [f"+1202555{i:04d}" for i in range(2000)]
    mix = {"human:2:10": 0.5, "machine:3": 0.3, "noanswer": 0.2}
    first = assign_personas(numbers, mix, seed=7)
    again = assign_personas(numbers, mix, seed=7)
    other = assign_personas(numbers, mix, seed=8)
    share = sum(p == "machine:3" for p in first.values()) / len(numbers)
    assert first == again
    assert first != other
    assert 0.25 < share < 0.35


async def test_given_seeded_mix_when_numbers_without_persona_are_dialed_then_drawn_as_predicted(
    pbx_pair: PbxPairInfo, ami: AmiProbe, carrier: Carrier, number: Callable[[], str]
) -> None:
    mix = {"busy": 0.5, "congestion": 0.5}
    callees = [number() for _ in range(4)]
    await carrier.set_mix(mix, seed=11)
    try:
        for callee in callees:
            call_id, _ = ami.dial(callee)
            await ami.user_event("PhonebankDialResult", CallId=call_id)
    finally:
        await carrier.clear_mix()
    # the carrier's own record of each call comes on its own AMI connection, which may
    # be read after the pbx's dial result
    drawn = {c: (await carrier.wait_call_ended(c, timeout=15)).persona for c in callees}
    assert drawn == {c: mix_persona(c, mix, seed=11) for c in callees}


def test_given_mix_weights_when_thresholds_computed_then_cumulative_to_100() -> None:
    assert mix_thresholds({"human:2:10": 3, "machine:3": 1}) == [
        (75, "human:2:10"),
        (100, "machine:3"),
    ]
    with pytest.raises(CarrierError) as error:
        mix_thresholds({"human": 0})
    assert error.value.code == "invalid_mix"
    rolls = [
        mix_persona(f"+1202555{i:04d}", {"busy": 1, "noanswer": 1}, seed=3) for i in range(1000)
    ]
    assert 400 < rolls.count("busy") < 600
