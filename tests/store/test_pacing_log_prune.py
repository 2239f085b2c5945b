"""Pacing decisions are kept for a while, not for ever: the oldest ones, made before the
cutoff, go a batch at a time (every bank's); newer ones stay for the decision log and
replay. Real SQLite file."""

from __future__ import annotations

import time

from test_queue_store import make_bank

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import DECISIONS_KEPT, Engine
from controller.store.db import Database
from controller.store.pacing_log import count_decisions, prune_decisions, record_decision

DAY = 86400.0
DECISION = {"strategy": "predictive", "dial": 1, "reason": "test"}


def test_given_old_and_new_decisions_when_pruned_then_only_the_old_go_a_batch_at_a_time(
    db: Database,
) -> None:
    one, two = make_bank(db), make_bank(db)
    with db.write() as conn:
        record_decision(conn, one, 400 * DAY, DECISION, 1)  # a clock once set ahead: kept
        for day in range(40):  # one decision a day for 40 days, in each bank
            for bank_id in (one, two):
                record_decision(conn, bank_id, day * DAY, DECISION, 1)
    cutoff = 10 * DAY  # days 0-9 are older than the cutoff: 20 rows

    with db.write() as conn:
        assert prune_decisions(conn, cutoff, 15) == 15
        assert prune_decisions(conn, cutoff, 15) == 5
        assert prune_decisions(conn, cutoff, 15) == 0
        left = {b: count_decisions(conn, b) for b in (one, two)}
        oldest = conn.execute("SELECT min(at) FROM pacing_decisions").fetchone()[0]
    assert left == {one: 31, two: 30}
    assert oldest == cutoff


async def test_given_a_month_old_decision_when_the_engine_reconciles_then_it_goes_and_the_days_stay(
    db: Database, settings: Settings
) -> None:
    bank_id = make_bank(db)
    now = time.time()
    with db.write() as conn:
        record_decision(conn, bank_id, now - DECISIONS_KEPT - 60, DECISION, 1)
        record_decision(conn, bank_id, now - DECISIONS_KEPT + 3600, DECISION, 1)
        record_decision(conn, bank_id, now - 60, DECISION, 1)
    engine = Engine(settings, db, EngineConfig(tick=3600))
    try:
        assert engine.prune_decisions() == 1
        assert engine.prune_decisions() == 0
    finally:
        await engine.close()
    with db.read() as conn:
        assert count_decisions(conn, bank_id) == 2
