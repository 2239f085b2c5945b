"""A trunk outage on the real PBX pair: the simulated carrier answers every call with
congestion. The bank burns nothing (no outcome, no number closed, no attempt used up) and
holds its dialing after 5 failures in a row; when calls get through again, it dials on."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo
from e2e_helpers import FAST, Env, bank_numbers, make_bank, running_engine, set_state, wait_until

from controller.engine.simvol import SimProfile
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(600)]


def results(env: Env, bank_id: int) -> list[str]:
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT result FROM call_attempts WHERE bank_id = ? AND ended_at IS NOT NULL"
            " ORDER BY id",
            (bank_id,),
        )
        return [str(r[0]) for r in rows]


def burned(env: Env, bank_id: int) -> tuple[int, int, int]:
    """(entries closed, attempts counted on entries, outcomes filed)."""
    with env.db.read() as conn:
        done, used = conn.execute(
            "SELECT coalesce(sum(state = 'done'), 0), coalesce(sum(attempts), 0)"
            " FROM queue_entries WHERE bank_id = ?",
            (bank_id,),
        ).fetchone()
        filed = conn.execute(
            "SELECT count(*) FROM dispositions WHERE bank_id = ?", (bank_id,)
        ).fetchone()[0]
    return int(done), int(used), int(filed)


async def test_given_the_trunk_congested_when_a_power_bank_dials_then_nothing_is_burned_and_it_holds_until_calls_get_through(  # noqa: E501
    pbx_pair: PbxPairInfo, carrier: Carrier, tmp_path: Path
) -> None:
    config = dataclasses.replace(FAST, network_hold=6.0, network_hold_max=12.0)
    profile = SimProfile(talk=(1.5, 3.0), wrap=(0.2, 0.6), seed=7)
    async with running_engine(pbx_pair, tmp_path / "engine.db", config, profile) as env:
        bank_id = make_bank(env.db, 30, dialing_mode="power")
        numbers = bank_numbers(env.db, bank_id)
        await carrier.set_personas({n: "congestion" for n in numbers})
        set_state(env.db, bank_id, "start")
        await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
        runner = env.engine.runners[bank_id]
        for vid in (9001, 9002):
            await env.sims.add(bank_id, vid)

        await wait_until(
            lambda: runner.network.holding(env.engine.clock()), 60, "the bank holds its dialing"
        )
        await wait_until(lambda: not runner.calls, 10, "the calls on their way end")
        at_hold = results(env, bank_id)
        await asyncio.sleep(3.0)  # half the hold
        assert results(env, bank_id) == at_hold, "dialed while held"
        assert 5 <= len(at_hold) <= 7 and set(at_hold) == {"network_trouble"}
        assert burned(env, bank_id) == (0, 0, 0)
        assert runner.network_status()["network_failures"] == len(at_hold)

        await carrier.set_personas({n: "busy" for n in numbers})  # the trunk is back
        await wait_until(lambda: results(env, bank_id).count("busy") >= 4, 60, "dialing again")
        assert runner.network_status() == {"dialing_held_until": None, "network_failures": 0}
