"""Preview calls on the real PBX when the volunteer's ring tone reaches the PBX before the
call itself (each Originate runs on its own PBX thread, so either may come up first)."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine import modes
from controller.engine.runner import BankRunner
from controller.telephony import actions
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


def attempt_rows(env: Env, bank_id: int) -> list[dict[str, Any]]:
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT call_id, result, volunteer_id FROM call_attempts WHERE bank_id = ?",
            (bank_id,),
        )
        return [dict(r) for r in rows]


async def test_given_a_preview_call_when_its_ring_tone_is_up_before_the_call_then_the_call_still_reaches_the_volunteer(  # noqa: E501
    env: Env, carrier: Carrier, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank_id = make_bank(env.db, 2, dialing_mode="preview")
    await carrier.set_personas({n: "human:1:60" for n in bank_numbers(env.db, bank_id)})
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    runner = env.engine.runners[bank_id]
    send_call = BankRunner._originate

    async def tone_first(self: BankRunner, req: actions.OriginateRequest) -> None:
        """The call's Originate reaches the PBX only once the ring tone is in the room."""
        call = self.calls[req.call_id]
        await wait_until(
            lambda: bool(call.ringback_id and self.channels(call.ringback_id)), 10, "ring tone"
        )
        await send_call(self, req)

    monkeypatch.setattr(BankRunner, "_originate", tone_first)
    uid = 9301
    await env.sims.add(bank_id, uid)
    assert modes.preview_next(env.engine, uid) is not None
    call_id = modes.preview_call(env.engine, uid)

    await wait_until(
        lambda: len(runner.figures.hangtimes) > 0, 30,
        lambda: f"the callee reaches the volunteer: {attempt_rows(env, bank_id)}"
        f" {env.engine.pool.sessions[uid]}",
    )  # fmt: skip
    assert env.engine.pool.sessions[uid].call_id == call_id
    await wait_until(lambda: len(env.sims.filed) == 1, 30, "the volunteer files the outcome")
    assert attempt_rows(env, bank_id) == [
        {"call_id": call_id, "result": "bridged", "volunteer_id": uid}
    ]
