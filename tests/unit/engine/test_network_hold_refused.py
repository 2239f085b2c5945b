"""The network hold counts what it should: calls the PBX refuses while its connection is up
count toward it (not with the connection down), a bank that does not pace (preview) never
holds, and a batch that fails part-way gives every claim it did not dial back, the failing
one too. A runner on a real SQLite file; the AMI session is a stand-in (or a real one that
never connects)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from controller.config import Settings
from controller.engine.runner import BankRunner
from controller.store import queue
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiConfig, AmiSession
from controller.telephony.tracker import CallState, CallTracker, Transition
from tests.unit.engine.engine_stand_ins import (
    Clock,
    Reply,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_runner_pacing import NOW


class RefusingAmi(StandInAmi):
    """Connected, and the PBX answers every Originate with an error (as Asterisk does when
    it cannot place a call: no channel driver, the trunk's endpoint unavailable)."""

    async def send(self, action: Mapping[str, Any], **_: Any) -> Reply:
        self.sent.append(dict(action))
        return Reply(Response="Error", Message="Originate failed")


async def test_given_the_pbx_refusing_every_call_when_a_power_bank_dials_then_its_dialing_is_held(
    db: Database, settings: Settings
) -> None:
    clock = Clock(NOW)
    runner = runner_on(db, settings, RefusingAmi(), clock)
    volunteers_waiting(runner, 6)

    await runner.tick()
    await settle()

    assert runner.calls == {}
    assert runner.network_status() == {"dialing_held_until": NOW + 30.0, "network_failures": 6}
    clock.now = NOW + 10.0
    await runner.tick()
    assert runner.calls == {}  # held: nothing dialed
    with db.read() as conn:
        counts = queue.counts(conn, runner.bank_id)
    assert counts["done"] == 0  # nobody was called: nothing used up


class WiredRefusingAmi(RefusingAmi):
    """As the real session: the rejected-Originate event it publishes reaches the call
    tracker, and through it the runner, before ``originate`` raises."""

    def __init__(self) -> None:
        super().__init__()
        self.tracker = CallTracker()
        self.runner: BankRunner | None = None

    def publish(self, headers: Mapping[str, Any]) -> None:
        super().publish(headers)
        raw = {**ev.normalize(headers), "Timestamp": str(NOW)}
        for t in self.tracker.feed(ev.parse_event(raw)):
            if self.runner is not None and t.call_id in self.runner.calls:
                self.runner.on_transition(t)


async def test_given_the_refusals_reaching_the_runner_through_the_tracker_then_dialing_is_held(
    db: Database, settings: Settings
) -> None:
    ami = WiredRefusingAmi()
    runner = runner_on(db, settings, ami, Clock(NOW))
    ami.runner = runner
    volunteers_waiting(runner, 6)

    await runner.tick()
    await settle()

    assert len(ami.actions("Originate")) == 6
    assert runner.calls == {}
    assert runner.network_status() == {"dialing_held_until": NOW + 30.0, "network_failures": 6}


async def test_given_the_pbx_connection_down_when_calls_are_not_placed_then_no_hold(
    db: Database, settings: Settings
) -> None:
    down = AmiSession(AmiConfig("127.0.0.1", 1, "u", "s"))  # never connected
    runner = runner_on(db, settings, down, Clock(NOW))
    claims = queue.claim_next(db, runner.bank_id, NOW, 6)

    runner.dial_claims(claims, NOW)
    await settle()

    assert runner.calls == {}
    assert runner.network_status() == {"dialing_held_until": None, "network_failures": 0}


async def test_given_a_preview_bank_when_its_calls_fail_in_the_network_then_it_never_holds(
    db: Database, settings: Settings
) -> None:
    clock = Clock(NOW)
    runner = runner_on(db, settings, StandInAmi(), clock, mode="preview")
    heard: list[dict[str, Any]] = []
    runner.bus.listen(lambda m: heard.append(m) if m["topic"] == "bank" else None)
    for n, claim in enumerate(queue.claim_next(db, runner.bank_id, NOW, 6)):
        call = runner._record(claim, NOW, 7, "", f"pb{runner.bank_id}p-{n}")
        runner.calls[call.call_id] = call
        runner.on_transition(
            Transition(call.call_id, CallState.DIALING, CallState.FAILED, NOW, "congestion", 34)
        )

    assert runner.network_status() == {"dialing_held_until": None, "network_failures": 0}
    assert [m for m in heard if m.get("dialing_held_until")] == []


async def test_given_a_batch_when_writing_one_attempt_fails_then_that_claim_and_the_rest_go_back(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    claims = queue.claim_next(db, runner.bank_id, NOW, 3)

    def broken(*_: object) -> object:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(runner, "_record", broken)
    with pytest.raises(RuntimeError):
        runner.dial_claims(claims, NOW)

    with db.read() as conn:
        sql = "SELECT state FROM queue_entries WHERE id = ?"
        states = [conn.execute(sql, (c.entry_id,)).fetchone()[0] for c in claims]
    assert states == ["ready", "ready", "ready"]
