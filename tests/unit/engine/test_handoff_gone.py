"""The hand-off never gives a volunteer a call that has ended, and never sends a person into
the room of a volunteer who left: such a person hears the safe-harbor message and the call
counts as dropped. A runner on a real SQLite file, its engine fed typed PBX events; the PBX
side is a stand-in that records the actions asked of it (no PBX)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from test_runner_pacing import NOW, dial, make_runner

from controller.config import Settings
from controller.engine import handoff
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.engine.runner import BankRunner
from controller.model.volunteers import VState
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.tracker import CallState, Transition


@dataclass
class Reply:
    success: bool = True
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.headers.get(key, default)


@dataclass
class RecordingAmi:
    """Connected; every action succeeds and is kept."""

    connected: bool = True
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, action: dict[str, Any]) -> Reply:
        self.sent.append(action)
        return Reply()


def event(**headers: str) -> ev.AmiEvent:
    return ev.parse_event({"Timestamp": str(NOW + 1), **headers})


def answered(runner: BankRunner, **kw: Any) -> Any:
    """A call a person answered (screened as a person), not yet handed to anyone."""
    call = dial(runner, CallState.HUMAN, answered_at=NOW, verdict_at=NOW, **kw)
    return call


async def test_given_a_person_waiting_for_a_volunteer_when_they_hang_up_and_one_gets_ready_then_the_volunteer_stays_free(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    runner.pool.enroll(runner.bank_id, 7, auto_ready=False)
    runner.pool.join_without_leg(7)  # in the bank, still filing a report
    call = answered(runner)
    asking = asyncio.ensure_future(handoff.handoff(runner, call.call_id))  # nobody free yet
    await asyncio.sleep(0.2)
    runner.on_transition(Transition(call.call_id, CallState.HUMAN, CallState.ENDED, NOW, "x"))
    runner.pool.ready(7)  # ready within the 2 s the hand-off waits

    assert await asking is None
    s = runner.pool.sessions[7]
    assert s.state is VState.WAITING and s.call_id is None and s.calls_assigned == 0
    assert call.volunteer_id is None and runner.figures.assigned == 0
    assert handoff.try_assign(runner, call) is None  # an ended call is never assigned


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[tuple[Engine, BankRunner]]:
    eng = Engine(settings, db, EngineConfig(tick=3600))
    runner = make_runner(db, settings)
    runner.pool = eng.pool
    runner.ami = RecordingAmi()  # type: ignore[assignment]
    runner.channels = lambda call_id: [f"Local/+1555@phonebank-outbound-0001;{i}" for i in (1, 2)]
    eng.runners[runner.bank_id] = runner
    yield eng, runner
    for task in list(runner._tasks):  # a preview's late hang-up looks for up to 30 s: stop it
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def volunteer_in(eng: Engine, runner: BankRunner, vid: int) -> None:
    eng.pool.enroll(runner.bank_id, vid)
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference=f"volunteer-{vid}", Uniqueid=f"leg-{vid}",
              Channel=f"PJSIP/webrtc-{vid}-1")
    )  # fmt: skip
    assert eng.pool.sessions[vid].state is VState.WAITING


def redirects(runner: BankRunner) -> list[tuple[str, str, str, str]]:
    sent = runner.ami.sent  # type: ignore[attr-defined]
    return [
        (a["Channel"], a["Context"], a["Exten"], a["Priority"])
        for a in sent
        if a["Action"] == "Redirect"
    ]


async def test_given_a_person_handed_to_a_volunteer_when_the_volunteer_leaves_before_they_join_then_safe_harbor_and_dropped(  # noqa: E501
    engine: tuple[Engine, BankRunner],
) -> None:
    eng, runner = engine
    volunteer_in(eng, runner, 7)
    call = answered(runner)
    assert await runner.handoff(call.call_id) == "volunteer-7"

    eng._on_event(event(Event="Hangup", Uniqueid="leg-7", Channel="PJSIP/webrtc-7-1", Cause="16"))
    await asyncio.sleep(0)  # the redirect is sent
    assert call.state is CallState.DROPPED and runner.figures.dropped == 1
    assert redirects(runner) == [
        ("Local/+1555@phonebank-outbound-0001;1", "phonebank-answered", "s", "dropped")
    ]
    # the person still reaches the (empty) room before the redirect: never connected
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference="volunteer-7", Uniqueid=call.call_id,
              Channel="Local/+1555@phonebank-outbound-0001;1")
    )  # fmt: skip
    await asyncio.sleep(0)
    assert call.connected_at is None and len(runner.figures.hangtimes) == 0
    assert runner.figures.dropped == 1  # counted once
    runner.on_transition(Transition(call.call_id, CallState.BRIDGED, CallState.ENDED, NOW + 9))
    with runner.db.read() as conn:
        row = conn.execute(
            "SELECT a.result, d.outcome FROM call_attempts AS a JOIN dispositions AS d"
            " ON d.attempt_id = a.id WHERE a.id = ?",
            (call.attempt_id,),
        ).fetchone()
    assert (row["result"], row["outcome"]) == ("dropped", "dropped")
    assert runner.wrapups == {}


async def test_given_a_volunteer_who_left_when_the_person_enters_their_room_then_sent_to_safe_harbor(  # noqa: E501
    engine: tuple[Engine, BankRunner],
) -> None:
    eng, runner = engine
    volunteer_in(eng, runner, 8)
    call = answered(runner)
    assert await runner.handoff(call.call_id) == "volunteer-8"
    runner.channels = lambda call_id: []  # the PBX has not told its channels yet
    eng.pool.leave(8)
    assert call.state is CallState.DROPPED and redirects(runner) == []

    joined = "Local/+1555@phonebank-outbound-0002;1"
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference="volunteer-8", Uniqueid=call.call_id,
              Channel=joined)
    )  # fmt: skip
    await asyncio.sleep(0)
    assert call.connected_at is None
    assert redirects(runner) == [(joined, "phonebank-answered", "s", "dropped")]
    assert runner.figures.dropped == 1


async def test_given_a_preview_call_ringing_for_a_volunteer_when_they_leave_then_it_is_hung_up(
    engine: tuple[Engine, BankRunner],
) -> None:
    eng, runner = engine
    volunteer_in(eng, runner, 9)
    ringing = dial(runner, CallState.RINGING, reserved_for=9)
    eng.pool.leave(9)
    await asyncio.sleep(0)
    hangups = [a["Channel"] for a in runner.ami.sent if a["Action"] == "Hangup"]  # type: ignore[attr-defined]
    assert hangups == runner.channels(ringing.call_id)
    assert ringing.state is CallState.RINGING and runner.figures.dropped == 0
