"""The pacing decisions a runner stores: one row per change of decision, and a run of
decisions that want numbers none of which may be called now is stored when it starts and
then every 30 s. A power bank on a real SQLite file, paced tick by tick (no PBX: the AMI
session is a stand-in and nothing is dialed)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from test_runner_pacing import make_runner

from controller.config import Settings
from controller.engine import modes, volunteer_ops
from controller.engine.decision_log import REPEAT_EVERY, DecisionLog
from controller.engine.runner import BankRunner
from controller.pacing.decision import Decision
from controller.store import engine_log
from controller.store.db import Database

STARTED = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)
NIGHT = datetime(2026, 5, 2, 8, 0, tzinfo=UTC).timestamp()  # 4:00 in New York, 22:00 Honolulu
TICK = 0.5


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def ready_volunteer(runner: BankRunner, vid: int) -> None:
    runner.pool.enroll(runner.bank_id, vid)
    runner.pool.join_without_leg(vid)


def pace_for(runner: BankRunner, clock: Clock, seconds: float) -> None:
    for _ in range(int(seconds / TICK)):
        clock.now += TICK
        runner._pace()


def stored(runner: BankRunner) -> list[tuple[float, int, int, str]]:
    with runner.db.read() as conn:
        rows = engine_log.decisions(conn, runner.bank_id)
    return [(r["at"] - NIGHT, r["dial"], r["dialed"], r["reason"]) for r in rows]


async def test_given_nothing_callable_when_the_pacer_keeps_asking_then_stored_every_30s_and_changes_at_once(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    clock = Clock(NIGHT)
    runner = make_runner(db, settings, "power", contacts=30, seed=3, clock=clock)
    ready_volunteer(runner, 7)

    pace_for(runner, clock, 100.0)  # 200 ticks, every number outside calling hours

    wanted_one = [(t, 1, 0, "one_per_ready") for t in (0.5, 30.5, 60.5, 90.5)]
    assert stored(runner) == wanted_one

    clock.now += 4.5
    ready_volunteer(runner, 8)  # the decision changes: two numbers wanted
    session = runner.pool.sessions[8]
    assert session.since > stored(runner)[-1][0] + NIGHT  # newer than the last row stored
    pace_for(runner, clock, 10.0)
    assert stored(runner)[4:] == [(105.0, 2, 0, "one_per_ready")]
    dialing = modes.dial_status(runner, runner.pool.sessions[8])["dialing"]
    assert dialing == {"in_flight": 0, "nothing_to_call": True}
    runner.pool.pause(8)
    runner.pool.ready(8)  # between two ticks: the same decision, not stored again
    pace_for(runner, clock, TICK)
    assert len(stored(runner)) == 5
    assert runner.pool.sessions[8].since > stored(runner)[-1][0] + NIGHT
    dialing = modes.dial_status(runner, runner.pool.sessions[8])["dialing"]
    assert dialing == {"in_flight": 0, "nothing_to_call": True}  # the latest decision made

    runner.pool.pause(7)
    runner.pool.pause(8)
    pace_for(runner, clock, 60.0)  # nothing wanted any more: stored once, at once
    [ended] = stored(runner)[5:]
    assert ended[:3] == (115.5, 0, 0)


def test_given_decisions_when_they_dial_cancel_or_repeat_then_actions_and_changes_kept() -> None:
    log = DecisionLog()
    want = Decision("predictive", 2, reason="risk_limit")
    kept = [
        log.keep(want, 0.0, 0),  # a run starts
        log.keep(want, 10.0, 0),
        log.keep(want, REPEAT_EVERY, 0),  # 30 s after the run's last row
        log.keep(want, 31.0, 1),  # one number could be dialed: always stored
        log.keep(want, 31.5, 0),  # a new run
        log.keep(Decision("predictive", 0, ("c1",), reason="risk_limit"), 32.0, 0),  # cancel
        log.keep(Decision("predictive", 0, reason="risk_limit"), 32.5, 0),  # same reason
        log.keep(Decision("predictive", 0, reason="line_limit"), 33.0, 0),  # a new reason
    ]
    assert kept == [True, False, True, True, True, True, False, True]
    assert log.latest is not None and (log.latest.at, log.latest.fruitless) == (33.0, False)


def test_given_a_fruitless_run_when_it_starts_a_volunteer_becomes_ready_or_it_ends_then_news() -> (
    None
):
    log = DecisionLog()
    want = Decision("power", 1, reason="one_per_ready")
    news = []
    for at, decision, dialed, ready in [
        (0.0, want, 0, 0.0),  # a run starts: "no number can be called" appears
        (0.5, want, 0, 0.0),  # the same run: nothing new
        (0.7, want, 0, 0.6),  # a volunteer became ready since the last decision
        (1.0, want, 0, 0.6),
        (1.5, Decision("power", 2, reason="one_per_ready"), 0, 0.6),  # more wanted
        (2.0, want, 1, 0.6),  # a number dialed: the run ends
        (2.5, want, 1, 0.6),
    ]:
        log.keep(decision, at, dialed, ready)
        news.append(log.news)
    assert news == [True, False, True, False, True, True, False]


def test_given_a_waiting_power_volunteer_when_calls_move_then_only_placed_and_ended_are_news(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, "power", contacts=5, seed=3, clock=Clock(NIGHT))
    ready_volunteer(runner, 7)
    engine: Any = SimpleNamespace(pool=runner.pool, runners={runner.bank_id: runner})

    def news(topic: str, state: str = "", bank_id: int = runner.bank_id) -> bool:
        message = {"topic": topic, "bank_id": bank_id, "state": state}
        return volunteer_ops.power_dial_news(engine, 7, message)

    moved = {s: news("call", s) for s in ("dialing", "ringing", "answered", "human", "busy")}
    assert moved == {"dialing": True, "ringing": False, "answered": False, "human": False,
                     "busy": True}  # fmt: skip
    assert news("pacing") and news("call", "bridged") and news("call", "machine")
    assert not news("call", "ended", bank_id=runner.bank_id + 1)  # another bank's call
    runner.pool.pause(7)
    assert not news("call", "ended")  # not waiting: nothing on their screen to change
