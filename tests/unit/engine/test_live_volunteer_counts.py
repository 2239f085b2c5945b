"""The live page's volunteer counts: on = active + idle, where active volunteers take calls
(waiting for a voter, in a call, filing a report) and idle ones are connected but paused;
in a call is part of active. A runner on a real SQLite file; the AMI session is a stand-in."""

from __future__ import annotations

from controller.config import Settings
from controller.engine import admin_ops
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.pacing.snapshot import AbandonLedger
from controller.store.db import Database
from tests.unit.engine.engine_stand_ins import (
    Clock,
    StandInAmi,
    runner_on,
    settle,
    volunteers_waiting,
)
from tests.unit.engine.test_runner_pacing import NOW


def test_given_volunteers_in_every_state_when_figures_built_then_the_counts_add_up(
    db: Database, settings: Settings
) -> None:
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    volunteers_waiting(runner, 5)  # 1 and 2 stay waiting for a voter
    runner.pool.assign(3, "c-3")  # in a call
    runner.pool.assign(4, "c-4")
    runner.pool.end_call(4)  # filing a report
    runner.pool.pause(5)  # paused: in the waiting room

    figures = runner.figures.build(runner, 10, AbandonLedger(0, 0, 0.03))

    on, active = figures["volunteers_on"], figures["volunteers_active"]
    assert (on, active, figures["volunteers_idle"], figures["volunteers_in_call"]) == (5, 4, 1, 1)
    assert on == active + figures["volunteers_idle"]


async def test_given_calls_in_flight_and_nobody_on_when_the_dial_level_is_asked_then_none(
    db: Database, settings: Settings
) -> None:
    """Dial level is calls in flight per volunteer on: with nobody on it has no value (the
    page shows a dash), not the number of calls in flight."""
    runner = runner_on(db, settings, StandInAmi(), Clock(NOW))
    volunteers_waiting(runner, 2)
    await runner.tick()
    await settle()
    flying = sum(1 for c in runner.calls.values() if c.in_flight)
    assert flying > 0
    engine = Engine(settings, db, EngineConfig(tick=3600))
    engine.runners[runner.bank_id] = runner
    try:
        assert admin_ops.dial_level(engine, runner.bank_id) is None
        for vid in (1, 2):
            engine.pool.enroll(runner.bank_id, vid)
            engine.pool.join_without_leg(vid)
        assert admin_ops.dial_level(engine, runner.bank_id) == round(flying / 2, 2)
    finally:
        engine.runners.clear()
        await engine.close()
