"""The dashboard's simulated volunteers on the real PBX: Remove takes every one of them out of
the bank, and Add brings back as many as asked, also while calls are in flight."""

from __future__ import annotations

import asyncio

import pytest
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine.admin_ops import sim_switch
from controller.model.volunteers import VState
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]

ON = {VState.IDLE, VState.WAITING, VState.BUSY, VState.WRAP_UP}


def on_in(env: Env, bank_id: int) -> list[int]:
    return sorted(
        v for v, s in env.engine.pool.sessions.items() if s.bank_id == bank_id and s.state in ON
    )


async def start(env: Env, contacts: int, **settings: object) -> int:
    bank_id = make_bank(env.db, contacts, **settings)
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    return bank_id


async def test_given_five_simulated_volunteers_when_removed_and_added_again_then_all_out_then_five_in(  # noqa: E501
    env: Env,
) -> None:
    bank_id = await start(env, 10, dialing_mode="preview")
    switch = sim_switch(env.engine)
    assert await switch.switch_on(bank_id, 5) == 5
    assert len(on_in(env, bank_id)) == 5
    assert await switch.switch_off(bank_id) == 5
    await wait_until(lambda: not on_in(env, bank_id), 15, "every simulated volunteer leaves")
    assert switch.running(bank_id) == 0
    assert await switch.switch_on(bank_id, 5) == 5
    assert len(on_in(env, bank_id)) == 5 and switch.running(bank_id) == 5
    assert await switch.switch_off(bank_id) == 5


async def test_given_simulated_volunteers_in_calls_when_removed_and_added_again_then_five_come_back(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await start(env, 40, dialing_mode="power")
    await carrier.set_personas({n: "human:1:30" for n in bank_numbers(env.db, bank_id)})
    switch = sim_switch(env.engine)
    assert await switch.switch_on(bank_id, 5) == 5
    runner = env.engine.runners[bank_id]

    def talking() -> bool:  # a voter is through to one of them (not only being handed over)
        calls = [
            runner.calls.get(env.engine.pool.sessions[v].call_id or "") for v in on_in(env, bank_id)
        ]
        return any(c is not None and c.connected_at is not None for c in calls)

    await wait_until(talking, 60, "a simulated volunteer takes a call")
    await switch.switch_off(bank_id)
    await wait_until(lambda: not on_in(env, bank_id), 20, "every simulated volunteer leaves")
    # the reports they owe: the calls they were talking on (one still being handed over as
    # they left went to the safe-harbor message instead, and owes none)
    owed = {c.call_id for c in runner.wrapups.values()}
    assert await switch.switch_on(bank_id, 5) == 5
    assert len(on_in(env, bank_id)) == 5
    await switch.switch_off(bank_id)
    assert owed
    with env.db.read() as conn:
        filed = conn.execute(
            "SELECT a.call_id, d.outcome FROM call_attempts AS a JOIN dispositions AS d"
            f" ON d.attempt_id = a.id WHERE a.call_id IN ({','.join('?' * len(owed))})",
            sorted(owed),
        ).fetchall()
    outcomes = {r["call_id"]: r["outcome"] for r in filed}
    assert set(outcomes) == owed  # each report owed was filed by its volunteer on return
    assert "not_recorded" not in outcomes.values()


async def test_given_two_banks_when_simulated_volunteers_are_added_to_both_at_once_then_each_gets_its_own(  # noqa: E501
    env: Env,
) -> None:
    first = await start(env, 10, dialing_mode="preview")
    second = await start(env, 10, dialing_mode="preview")
    switch = sim_switch(env.engine)
    joined = await asyncio.gather(switch.switch_on(first, 3), switch.switch_on(second, 3))
    assert joined == [3, 3]
    assert len(on_in(env, first)) == 3 and len(on_in(env, second)) == 3
    assert not set(on_in(env, first)) & set(on_in(env, second))
    await switch.switch_off(first)
    await switch.switch_off(second)
