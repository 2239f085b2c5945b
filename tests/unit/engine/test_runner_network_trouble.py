"""A call the phone network cannot carry (congestion, trunk down) is not the number's fault: it
is tried again without using up an attempt, and a bank whose calls keep failing holds its
dialing. The ends come from sessions recorded on the real PBX and carrier
(tests/fixtures/ami), replayed through the call tracker into a runner on a real SQLite file;
the AMI session is a stand-in that records what the runner sends."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from controller.config import Settings
from controller.engine.admin_ops import live_snapshot
from controller.engine.runner import BankRunner
from controller.store import queue
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.replay import read_recording
from controller.telephony.tracker import CallState, CallTracker, Transition
from tests.unit.engine.engine_stand_ins import (
    Clock,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_runner_pacing import NOW

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"


def replay_into(runner: BankRunner, name: str, tmp: Path, n: int = 0) -> str:
    """Dial the next number as the recording's call (renamed for the ``n``-th replay), then
    replay the recording to the runner; returns the call id."""
    text = (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8")
    recorded = next(
        e.call_id
        for e in read_recording(FIXTURES / f"{name}.jsonl")
        if isinstance(e, ev.OriginateRequested) and e.call_id.startswith("call-")
    )
    call_id = f"{recorded}x{n}"
    path = tmp / f"{name}-{n}.jsonl"
    path.write_text(text.replace(recorded, call_id), encoding="utf-8")
    claim = queue.claim_next(runner.db, runner.bank_id, NOW, 1)[0]
    runner.calls[call_id] = runner._record(claim, NOW, None, "", call_id)
    tracker = CallTracker()
    for event in read_recording(path):
        for t in tracker.feed(event):
            runner.on_transition(t)
    assert call_id not in runner.calls
    return call_id


def after(db: Database, call_id: str) -> dict[str, object]:
    with db.read() as conn:
        a = conn.execute("SELECT * FROM call_attempts WHERE call_id = ?", (call_id,)).fetchone()
        e = conn.execute("SELECT * FROM queue_entries WHERE id = ?", (a["entry_id"],)).fetchone()
        outcomes = [
            r[0]
            for r in conn.execute(
                "SELECT outcome FROM dispositions WHERE attempt_id = ?", (a["id"],)
            )
        ]
        field = conn.execute(
            "SELECT count(*) FROM contact_field_values AS v JOIN custom_fields AS f"
            " ON f.id = v.field_id WHERE f.name = 'Call Outcome' AND v.contact_id = ?",
            (a["contact_id"],),
        ).fetchone()[0]
    return {
        "result": a["result"], "cause": a["cause"], "outcomes": outcomes, "state": e["state"],
        "done_reason": e["done_reason"], "attempts": e["attempts"], "call_outcome_set": field,
    }  # fmt: skip


async def test_given_a_congested_trunk_when_the_call_fails_then_retried_later_and_no_attempt_used(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))

    call_id = replay_into(runner, "congestion", tmp_path)  # cause 34, recorded from the carrier

    stored = after(db, call_id)
    assert stored == {
        "result": "network_trouble", "cause": "34", "outcomes": [], "state": "ready",
        "done_reason": None, "attempts": 0, "call_outcome_set": 0,
    }  # fmt: skip
    assert runner.estimator.observed_calls == 0  # an outage says nothing about the list


async def test_given_a_number_not_in_service_when_the_call_fails_then_it_is_closed_as_bad(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))

    call_id = replay_into(runner, "disconnected", tmp_path)  # cause 1, unallocated

    stored = after(db, call_id)
    assert (stored["result"], stored["outcomes"]) == ("failed", ["failed"])
    assert (stored["state"], stored["done_reason"]) == ("done", "failed")


async def test_given_a_number_failing_in_the_network_again_and_again_then_only_the_first_3_are_free(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW), contacts=1)  # 3 attempts
    used = []
    for n in range(6):
        with db.write() as conn:  # due again now (the retry delay has passed)
            conn.execute("UPDATE queue_entries SET sort_key = 0 WHERE state = 'ready'")
        used.append(after(db, replay_into(runner, "congestion", tmp_path, n))["attempts"])
    assert used == [0, 0, 0, 1, 2, 3]
    with db.read() as conn:
        entry = conn.execute("SELECT state, done_reason FROM queue_entries").fetchone()
    assert tuple(entry) == ("done", "max_attempts")


def fail(runner: BankRunner, call_id: str, at: float, cause: int = 34) -> None:
    runner.on_transition(
        Transition(call_id, CallState.DIALING, CallState.FAILED, at, "congestion", cause)
    )


async def test_given_calls_failing_in_the_network_when_5_in_a_row_then_the_bank_holds_then_probes(
    db: Database, settings: Settings
) -> None:
    clock, ami = Clock(NOW), StandInAmi()
    runner = runner_on(db, settings, ami, clock)  # power: one call per waiting volunteer
    volunteers_waiting(runner, 6)
    heard = []
    runner.bus.listen(lambda m: heard.append(m) if m["topic"] == "bank" else None)

    await runner.tick()
    assert len(runner.calls) == 6
    for call_id in list(runner.calls):
        fail(runner, call_id, clock.now)
    assert runner.network.in_row == 6
    held = runner.network_status()
    assert held == {"dialing_held_until": NOW + 30.0, "network_failures": 6}
    assert heard[-1]["dialing_held_until"] == NOW + 30.0
    engine: Any = SimpleNamespace(
        bus=runner.bus, runners={runner.bank_id: runner}, pool=runner.pool, db=db, clock=clock,
        simulated=set(),
    )  # fmt: skip
    figures = live_snapshot(engine, runner.bank_id)["figures"]  # what the dashboard gets
    assert (figures["dialing_held_until"], figures["network_failures"]) == (NOW + 30.0, 6)

    clock.now = NOW + 29.0
    await runner.tick()
    assert runner.calls == {}  # held: nothing dialed for 30 s

    clock.now = NOW + 30.0
    await runner.tick()
    await runner.tick()
    assert len(runner.calls) == 1  # one call at a time while the trouble lasts
    fail(runner, next(iter(runner.calls)), clock.now)
    assert runner.network.held_until == NOW + 30.0 + 60.0  # doubled

    clock.now = NOW + 90.0
    await runner.tick()
    probe = next(iter(runner.calls))
    runner.on_transition(Transition(probe, CallState.DIALING, CallState.RINGING, clock.now))
    assert runner.network_status() == {"dialing_held_until": None, "network_failures": 0}
    await runner.tick()
    assert len(runner.calls) == 6  # it rang: full pace again
    await settle()
    assert len(ami.actions("Originate")) == 6 + 1 + 1 + 5
    with db.read() as conn:
        counts = queue.counts(conn, runner.bank_id)
    assert counts["done"] == 0  # nothing was closed by the outage
