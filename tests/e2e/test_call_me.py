""" "Call me": the PBX rings the volunteer's own phone; pressing 1 puts them in their room."""

from __future__ import annotations

import asyncio

import pytest
from asterisk.conftest import AmiProbe
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine import modes
from controller.store import queue, users
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


async def started(env: Env) -> int:
    bank_id = make_bank(env.db, 6, dialing_mode="preview")
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    return bank_id


async def test_given_call_me_when_the_volunteer_presses_1_then_they_join_and_get_a_voter(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await started(env)
    own_phone = "+12025559001"
    await carrier.set_personas({own_phone: "accept:1:60"})
    await carrier.set_personas({n: "human:1:30" for n in bank_numbers(env.db, bank_id)})
    await modes.call_me(env.engine, bank_id, 9301, own_phone)
    await wait_until(
        lambda: env.engine.pool.sessions[9301].state.value == "waiting", 30, "joined by call me"
    )
    assert env.engine.pool.sessions[9301].via == "callme"
    runner = env.engine.runners[bank_id]
    now = env.engine.clock()
    runner.dial_claims(queue.claim_next(env.db, bank_id, now, 1), now)
    await wait_until(lambda: len(runner.figures.hangtimes) > 0, 30, "a voter reaches the volunteer")
    assert env.engine.pool.sessions[9301].state.value == "busy"


async def test_given_call_me_when_a_voicemail_box_answers_then_it_never_joins(
    env: Env, carrier: Carrier, ami: AmiProbe
) -> None:
    bank_id = await started(env)
    own_phone = "+12025559002"
    await carrier.set_personas({own_phone: "machine:1"})
    call_id = await modes.call_me(env.engine, bank_id, 9302, own_phone)
    refused = await ami.user_event("PhonebankCallMeRefused", timeout=60, CallId=call_id)
    assert refused["Conference"] == env.engine.pool.sessions[9302].conference
    assert env.engine.pool.sessions[9302].state.value == "not_dialed_in"
    assert 9302 not in env.engine.pool.legs


async def test_given_call_me_ringing_when_the_account_is_locked_then_the_call_is_called_off(
    env: Env, carrier: Carrier, ami: AmiProbe
) -> None:
    bank_id = await started(env)
    user = users.create_user(env.db, "callmelocked")
    uid, own_phone = int(user["id"]), "+12025559003"
    await carrier.set_personas({own_phone: "noanswer"})
    call_id = await modes.call_me(env.engine, bank_id, uid, own_phone)
    await wait_until(lambda: env.engine.channels_of(call_id), 15, "the volunteer's phone rings")
    await asyncio.sleep(1.0)  # a few reconciles: an allowed volunteer's call me rings on
    assert env.engine.pool.sessions[uid].state.value == "not_dialed_in"
    assert env.engine.channels_of(call_id)
    users.update_user(env.db, "callmelocked", disabled=True)  # `users set --disable`
    await wait_until(
        lambda: env.engine.pool.sessions[uid].state.value == "disconnected", 15, "called off"
    )
    await wait_until(lambda: not env.engine.channels_of(call_id), 15, "the ringing call ends")
