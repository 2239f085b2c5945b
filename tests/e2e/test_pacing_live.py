"""Live pacing on the real PBX: the first minute of a predictive bank with 5 simulated
volunteers and the demo's answer mix dials only what the strategy allows, and the published
abandon rate is the store's dropped / live answers."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from asterisk.conftest import PbxPairInfo, carrier, pbx_pair  # noqa: F401 - shared fixtures
from e2e_helpers import (
    Env,
    bank_numbers,
    make_bank,
    running_engine,
    set_state,
    wait_until,
)

from controller.engine import runner as runner_module
from controller.engine.dialing import EngineConfig
from controller.engine.simvol import SimProfile
from controller.pacing.strategies import FixedRatio
from controller.store import engine_log
from controller.telephony.carrier import Carrier, assign_personas

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(600)]

DEMO_MIX = {"human:2:20": 0.3, "machine:3": 0.25, "noanswer": 0.3, "busy": 0.1,
            "disconnected": 0.05}  # fmt: skip
CONFIG = EngineConfig(ring_timeout=8, cancel_min_ring=5.0, tick=0.5, reconcile_every=0.5)
RUN_FOR = 60.0
VOLUNTEERS = 5


@pytest.fixture
async def live(pbx_pair: PbxPairInfo, tmp_path: Path) -> AsyncIterator[Env]:  # noqa: F811
    profile = SimProfile(talk=(4.0, 10.0), wrap=(1.0, 3.0), seed=7)
    async with running_engine(pbx_pair, tmp_path / "engine.db", CONFIG, profile) as env:
        yield env


def attempt_rows(env: Env, bank_id: int) -> list[dict[str, Any]]:
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT call_id, started_at, ended_at, result FROM call_attempts"
            " WHERE bank_id = ? ORDER BY id",
            (bank_id,),
        ).fetchall()
    return [dict(r) for r in rows]


async def test_given_predictive_bank_with_5_volunteers_when_first_minute_then_dials_within_strategy_and_rate_matches_store(  # noqa: E501
    live: Env,
    carrier: Carrier,  # noqa: F811
) -> None:
    env = live
    bank_id = make_bank(env.db, 400)
    await carrier.set_personas(assign_personas(bank_numbers(env.db, bank_id), DEMO_MIX, seed=5))
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    runner = env.engine.runners[bank_id]
    await asyncio.gather(*(env.sims.add(bank_id, 9100 + i) for i in range(VOLUNTEERS)))
    await asyncio.sleep(RUN_FOR)
    set_state(env.db, bank_id, "pause")
    await wait_until(lambda: runner.mode == "paused" and not runner.calls, 120, "calls end")
    await asyncio.sleep(2 * CONFIG.tick)  # a tick publishes the figures
    rows = attempt_rows(env, bank_id)
    with env.db.read() as conn:
        decisions = engine_log.decisions(conn, bank_id)
        live_n, dropped = engine_log.abandon_counts(conn, bank_id, env.engine.clock())
    figures = env.engine.bus.figures(bank_id) or {}
    per_second = Counter(str(r["started_at"]) for r in rows)
    quick = Counter(str(r["started_at"]) for r in rows if r["ended_at"] == r["started_at"])
    print("dials", len(rows), "per second", sorted(per_second.items())[:8])
    print("results", dict(Counter(str(r["result"]) for r in rows)), "figures", figures)

    assert sum(int(d["dialed"]) for d in decisions) == len(rows), "a dial without a decision"
    assert all(int(d["dialed"]) <= int(d["dial"]) for d in decisions)
    over = {s: n for s, n in per_second.items() if n > VOLUNTEERS + quick[s]}
    assert not over, f"more than one dial per volunteer in a second: {over}"
    assert figures["dropped"] == dropped
    assert figures["abandon_rate"] == round(dropped / live_n, 4) if live_n else 0.0


async def test_given_a_ratio_that_drops_calls_when_calls_end_then_published_drops_and_rate_are_the_stores(  # noqa: E501
    live: Env,
    carrier: Carrier,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = live
    bold = FixedRatio(4.0, cancel_min_ring=CONFIG.cancel_min_ring)
    monkeypatch.setattr(runner_module, "strategy_for", lambda mode, config: bold)
    bank_id = make_bank(env.db, 60)
    mix = {"human:1:20": 0.8, "busy": 0.2}
    await carrier.set_personas(assign_personas(bank_numbers(env.db, bank_id), mix, seed=2))
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    runner = env.engine.runners[bank_id]
    await asyncio.gather(*(env.sims.add(bank_id, 9200 + i) for i in range(2)))
    await wait_until(lambda: runner.figures.dropped >= 3, 60, "a few calls dropped")
    seen_while_dropping = runner.store_figures(env.engine.clock())[0]
    assert seen_while_dropping.dropped >= 1, "a drop on the line counts at once"
    set_state(env.db, bank_id, "pause")
    await wait_until(lambda: runner.mode == "paused" and not runner.calls, 120, "calls end")
    await asyncio.sleep(2 * CONFIG.tick)
    with env.db.read() as conn:
        live_n, dropped = engine_log.abandon_counts(conn, bank_id, env.engine.clock())
    figures = env.engine.bus.figures(bank_id) or {}
    print("ledger", live_n, dropped, "figures", figures)
    assert figures["dropped"] == dropped >= 3
    assert figures["abandon_rate"] == round(dropped / live_n, 4)
