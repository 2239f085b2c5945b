"""No call stays "queued" for ever: an Originate that fails before the PBX reports anything
ends the call as not placed (no outcome filed, the attempt given back, tried again), and a
stopping bank hangs up its unanswered calls at every tick and gives up waiting for calls the
PBX never reports. A runner on a real SQLite file; the AMI session is a real one that never
connects, or a stand-in that records what is sent."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from controller.config import Settings
from controller.engine import modes
from controller.engine.dialing import EngineConfig
from controller.store import queue
from controller.store.db import Database
from controller.telephony.ami import AmiConfig, AmiSession
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.engine_stand_ins import (
    Clock,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_preview_release import dialed_in
from tests.unit.engine.test_runner_pacing import NOW


def attempt_and_entry(db: Database, entry_id: int) -> tuple[object, ...]:
    with db.read() as conn:
        a = conn.execute(
            "SELECT result, cause FROM call_attempts WHERE entry_id = ?", (entry_id,)
        ).fetchone()
        e = conn.execute(
            "SELECT state, attempts FROM queue_entries WHERE id = ?", (entry_id,)
        ).fetchone()
        outcomes = conn.execute("SELECT count(*) FROM dispositions").fetchone()[0]
    return a["result"], a["cause"], e["state"], e["attempts"], outcomes


async def test_given_the_pbx_connection_down_when_a_call_is_placed_then_it_ends_as_not_placed(
    db: Database, settings: Settings
) -> None:
    down = AmiSession(AmiConfig("127.0.0.1", 1, "u", "s"))  # never connected
    runner = runner_on(db, settings, down, Clock(NOW), mode="preview")
    claim = queue.claim_next(db, runner.bank_id, NOW, 1)[0]

    runner.dial_claims([claim], NOW, reserved_for=7)  # a preview volunteer pressed Call
    await settle()

    assert runner.calls == {}
    # nobody was called: no outcome (nothing for the CRM), the attempt given back
    assert attempt_and_entry(db, claim.entry_id) == ("network_trouble", "not_placed", "ready", 0, 0)


async def test_given_a_call_on_its_way_when_the_bank_stops_then_it_is_hung_up_once_it_has_a_line(
    db: Database, settings: Settings
) -> None:
    lines: dict[str, list[str]] = {}
    clock, ami = Clock(NOW), StandInAmi()
    runner = runner_on(db, settings, ami, clock, channels=lambda c: lines.get(c, []))
    volunteers_waiting(runner, 1)
    await runner.tick()
    (call_id,) = runner.calls
    await settle()

    runner.stop()  # the Originate is still on its way: no line to hang up yet
    await settle()
    assert ami.actions("Hangup") == []
    lines[call_id] = [f"Local/+1@phonebank-outbound-{call_id};1"]
    clock.now += 0.5
    await runner.tick()
    await settle()

    assert [a["Channel"] for a in ami.actions("Hangup")] == lines[call_id]


async def test_given_a_call_the_pbx_never_reports_when_the_bank_stops_then_the_stop_still_ends(
    db: Database, settings: Settings
) -> None:
    clock, ami = Clock(NOW), StandInAmi()
    config = dataclasses.replace(EngineConfig(), ring_timeout=20, disconnect_grace=1.0)
    runner = runner_on(db, settings, ami, clock, config=config)
    volunteers_waiting(runner, 2)
    await runner.tick()
    queued, ringing = list(runner.calls)
    runner.on_transition(Transition(ringing, CallState.QUEUED, CallState.RINGING, NOW))
    runner.stop()

    clock.now = NOW + 29.0
    await runner.tick()
    assert len(runner.calls) == 2 and runner.stop_phase[0] == "calls"
    clock.now = NOW + 30.0
    for _ in range(3):
        clock.now += 1.0
        await runner.tick()

    assert runner.calls == {} and runner.mode == "stopped"
    with db.read() as conn:
        ends = {
            r[0]: tuple(r[1:])
            for r in conn.execute("SELECT call_id, result, cause FROM call_attempts")
        }
    assert ends == {
        queued: ("network_trouble", "not_placed"),
        ringing: ("cancelled", "bank_stopped"),
    }


async def test_given_the_pbx_connection_down_when_a_preview_volunteer_presses_call_then_told_and_offered_the_next(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    down = AmiSession(AmiConfig("127.0.0.1", 1, "u", "s"))
    runner = runner_on(db, settings, down, Clock(NOW), mode="preview")
    engine: Any = SimpleNamespace(pool=runner.pool, runners={runner.bank_id: runner}, ami=down)
    dialed_in(runner, 7)
    shown = modes.preview_next(engine, 7)
    assert shown is not None

    call_id = modes.preview_call(engine, 7)
    await settle()

    assert call_id not in runner.calls
    (note,) = runner.call_notes.recent(7)
    assert (note.call_id, note.label) == (call_id, "Could not be placed (it will be tried again)")
    assert runner.previews[7].entry_id != shown["entry_id"]  # the next contact, at once
