"""Real calls through the real PBX and carrier, followed by the AMI session and the tracker.

Each scenario dials one callee persona on the simulated network and checks the transitions
the tracker derived from Asterisk's events. With ``PHONEBANK_RECORD_AMI=1`` each scenario also
writes its session to ``tests/fixtures/ami/<name>.jsonl``, the recordings the unit tests
replay (tests/unit/telephony/test_ami_replay.py).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from controller.telephony import actions as act
from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiConfig, AmiSession
from controller.telephony.carrier import Carrier
from controller.telephony.fastagi import FastAgiServer, HandoffRequest
from controller.telephony.replay import Recorder, attach
from controller.telephony.tracker import CallState, CallTracker, Transition

pytestmark = pytest.mark.pbx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ami"
NOISE = ("TestEvent", "RTCPSent", "RTCPReceived", "DeviceStateChange", "VarSet", "Newexten")


RECORDINGS = {
    "test_given_an_answering_machine_when_dialed_then_machine_then_ended": "machine",
    "test_given_a_person_and_no_free_volunteer_when_dialed_then_human_then_dropped": "dropped",
    "test_given_a_person_and_a_waiting_volunteer_when_dialed_then_bridged_then_ended": "bridged",
}


def keep(event: ev.AmiEvent) -> bool:
    return event.name not in NOISE


@dataclass
class Live:
    session: AmiSession
    tracker: CallTracker
    transitions: list[Transition] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def report(self, t: Transition) -> None:
        self.transitions.append(t)
        self.changed.set()

    def path(self, call_id: str) -> list[str]:
        return [t.new.value for t in self.transitions if t.call_id == call_id]

    async def until(self, call_id: str, state: CallState, timeout: float = 60.0) -> None:
        async def wait() -> None:
            while state.value not in self.path(call_id):
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            call = self.tracker.get(call_id)
            detail = f"{call.reason} cause={call.cause}" if call else "unknown call"
            raise AssertionError(
                f"{call_id} never reached {state.value}: {self.path(call_id)} ({detail})"
            ) from None


@pytest.fixture
async def live(pbx_pair: Any, request: pytest.FixtureRequest) -> AsyncIterator[Live]:
    c = pbx_pair.pbx_ami
    session = AmiSession(AmiConfig(c.host, c.port, c.username, c.secret))
    recorder = None
    if os.environ.get("PHONEBANK_RECORD_AMI") == "1":
        callspec = getattr(request.node, "callspec", None)
        name = callspec.id if callspec else RECORDINGS[request.node.originalname]
        recorder = Recorder(FIXTURES / f"{name}.jsonl", keep=keep)
        session.subscribe(recorder)
    state = Live(session, CallTracker())
    attach(session, state.tracker, state.report)
    session.start()
    await session.wait_connected(15)
    yield state
    await session.close()
    if recorder is not None:
        recorder.close()


async def in_room(session: AmiSession, room: str, uniqueid: str) -> list[act.ConferenceMember]:
    """The room's members once ``uniqueid`` has joined (the bridged report comes just before)."""
    async with asyncio.timeout(20):
        while True:
            members = await act.confbridge_list(session, room)
            if any(m.uniqueid == uniqueid for m in members):
                return members
            await asyncio.sleep(0.1)


def new_number() -> str:
    return f"+1202556{uuid.uuid4().int % 10000:04d}"


async def dial(live: Live, carrier: Carrier, persona: str) -> str:
    number = new_number()
    await carrier.set_persona(number, persona)
    call_id = "call-" + uuid.uuid4().hex[:10]
    req = act.outbound_call(call_id, number, ring_timeout=4)
    act.originate_task(live.session, req)
    await live.until(call_id, CallState.QUEUED, 5)
    return call_id


@pytest.mark.parametrize(
    ("persona", "state", "reason", "cause"),
    [
        ("busy", CallState.BUSY, "busy", 17),
        ("congestion", CallState.FAILED, "congestion", 34),
        ("disconnected", CallState.REJECTED, "unallocated", 1),
        ("noanswer", CallState.NO_ANSWER, "no_answer", None),
    ],
    ids=["busy", "congestion", "disconnected", "noanswer"],
)
async def test_given_a_callee_who_does_not_answer_when_dialed_then_the_failure_is_classified(
    live: Live, carrier: Carrier, persona: str, state: CallState, reason: str, cause: int | None
) -> None:
    call_id = await dial(live, carrier, persona)
    await live.until(call_id, state, 30)
    call = live.tracker.calls[call_id]
    assert call.reason == reason
    if cause is not None:
        assert call.cause == cause
    assert "answered" not in live.path(call_id)
    assert live.path(call_id)[:2] == ["queued", "dialing"]


async def test_given_an_answering_machine_when_dialed_then_machine_then_ended(
    live: Live, carrier: Carrier
) -> None:
    call_id = await dial(live, carrier, "machine:1")
    await live.until(call_id, CallState.ENDED, 60)
    assert live.path(call_id) == ["queued", "dialing", "ringing", "answered", "machine", "ended"]


async def test_given_a_person_and_no_free_volunteer_when_dialed_then_human_then_dropped(
    live: Live, carrier: Carrier
) -> None:
    call_id = await dial(live, carrier, "human:1:2")
    await live.until(call_id, CallState.ENDED, 60)
    expected = ["queued", "dialing", "ringing", "answered", "human", "dropped", "ended"]
    assert live.path(call_id) == expected


async def test_given_a_person_and_a_waiting_volunteer_when_dialed_then_bridged_then_ended(
    live: Live,
    carrier: Carrier,
    pbx_pair: Any,
) -> None:
    room = "room-" + uuid.uuid4().hex[:8]

    async def handoff(request: HandoffRequest) -> str | None:
        return room

    volunteer = act.OriginateRequest(
        call_id="vol-" + uuid.uuid4().hex[:8],
        channel=f"Local/{room}@phonebank-room/n",
        application="Wait",
        data="120",
    )
    async with FastAgiServer(handoff=handoff, port=pbx_pair.fastagi_port):
        joined = await act.originate(live.session, volunteer)
        assert joined.answered
        call_id = await dial(live, carrier, "human:1:30")
        await live.until(call_id, CallState.BRIDGED, 60)
        members = await in_room(live.session, room, call_id)
        assert len(members) == 2
        callee = next(m for m in members if m.uniqueid == call_id)
        await act.confbridge_kick(live.session, room, callee.channel)
        await live.until(call_id, CallState.ENDED, 30)
        await act.hangup(live.session, joined.channel)
    expected = ["queued", "dialing", "ringing", "answered", "human", "bridged", "ended"]
    assert live.path(call_id) == expected
    assert live.tracker.calls[call_id].at(CallState.BRIDGED) is not None
