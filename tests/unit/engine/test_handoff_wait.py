"""How long an answered person waited for a volunteer: kept on the call by the hand-off and
published with its hangtime (crafted runner state, no PBX)."""

from __future__ import annotations

import asyncio

from test_runner_pacing import NOW, dial, make_runner

from controller.config import Settings
from controller.engine import handoff
from controller.store.db import Database
from controller.telephony.tracker import CallState


async def test_given_a_ready_volunteer_and_one_finishing_when_two_people_answer_then_waits_are_0_and_the_delay(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    runner.pool.enroll(runner.bank_id, 1)
    runner.pool.join_without_leg(1)  # ready at once
    runner.pool.enroll(runner.bank_id, 2, auto_ready=False)
    runner.pool.join_without_leg(2)  # still filing a report
    first = dial(runner, CallState.HUMAN, answered_at=NOW, verdict_at=NOW)
    second = dial(runner, CallState.HUMAN, answered_at=NOW, verdict_at=NOW)

    assert await handoff.handoff(runner, first.call_id) == "volunteer-1"
    asyncio.get_running_loop().call_later(0.3, runner.pool.ready, 2)
    assert await handoff.handoff(runner, second.call_id) == "volunteer-2"
    handoff.callee_joined(runner, second.call_id, NOW + 1.0, "Local/x;1")

    assert first.handoff_wait == 0.0
    assert second.handoff_wait is not None and second.handoff_wait >= 0.3
    published = runner.bus.latest[("hangtime", runner.bank_id)]
    assert published["call_id"] == second.call_id
    assert published["volunteer_wait"] == second.handoff_wait
    assert published["verdict_to_connect"] == 1.0
