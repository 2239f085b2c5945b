"""The live page's volunteers table counts a volunteer's whole day in the bank: a volunteer
whose line dropped and who joined again keeps the calls and the times of their earlier
lines (each line is its own durable session row; the table adds them up). An engine on a
real SQLite file; the volunteer's steps go through the pool, on a clock the test moves."""

from __future__ import annotations

from test_report_due import new_bank

from controller.config import Settings
from controller.engine import admin_ops
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.store.db import Database
from tests.unit.engine.engine_stand_ins import Clock
from tests.unit.engine.test_runner_pacing import NOW


def _row(engine: Engine, bank_id: int, volunteer_id: int) -> dict[str, object]:
    (row,) = [
        r for r in admin_ops.volunteer_rows(engine, bank_id) if r["volunteer_id"] == volunteer_id
    ]
    return row


def _one_call(engine: Engine, volunteer_id: int, clock: Clock, call_id: str) -> None:
    engine.pool.assign(volunteer_id, call_id)
    clock.now += 60.0  # a minute's conversation
    engine.pool.end_call(volunteer_id)
    clock.now += 10.0  # the report
    engine.pool.ready(volunteer_id)


async def test_given_a_volunteer_whose_line_dropped_when_they_join_again_then_the_table_keeps_their_earlier_calls(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    clock = Clock(NOW)
    engine = Engine(settings, db, EngineConfig(tick=3600))
    engine.clock = engine.pool.clock = clock
    bank_id = new_bank(db, "totals")
    try:
        engine.pool.enroll(bank_id, 7)
        engine.pool.join_without_leg(7)
        _one_call(engine, 7, clock, "c-1")
        clock.now += 5.0
        engine.pool.leave(7)  # the line dropped
        clock.now += 30.0
        engine.pool.enroll(bank_id, 7)
        engine.pool.join_without_leg(7)
        _one_call(engine, 7, clock, "c-2")
        clock.now += 5.0

        row = _row(engine, bank_id, 7)
        assert row["calls_assigned"] == 2
        assert row["call_time"] == 120.0
        assert row["active_time"] == 150.0  # 75 s per line; the 30 s away do not count
        engine.pool.leave(7)  # gone for the day: the same totals, from the stored rows only
        assert _row(engine, bank_id, 7)["calls_assigned"] == 2
        assert _row(engine, bank_id, 7)["active_time"] == 150.0
    finally:
        await engine.close()
