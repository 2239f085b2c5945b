""" "Call me" on the real PBX: only a volunteer's own phone, one call at a time, a few an
hour, and the "called by us" note goes once the call is over."""

from __future__ import annotations

import pytest
from asterisk.conftest import AmiProbe
from e2e_helpers import Env, make_bank, set_state, wait_until

from controller.engine import modes
from controller.model.volunteers import VolunteerError
from controller.store import dnc, users
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


async def started(env: Env) -> int:
    bank_id = make_bank(env.db, 4, dialing_mode="preview")
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    return bank_id


async def refused(env: Env, bank_id: int, uid: int, number: str) -> str:
    with pytest.raises(VolunteerError) as caught:
        await modes.call_me(env.engine, bank_id, uid, number)
    return caught.value.code


async def test_given_premium_rate_and_do_not_call_numbers_when_call_me_is_asked_then_refused_and_the_trunk_never_rings(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id = await started(env)
    premium, exchange_976, listed = "+19005550142", "+12029765501", "+12025559011"
    dnc.add(env.db, listed, "asked not to be called")
    await carrier.set_personas({n: "accept:1:30" for n in (premium, exchange_976, listed)})
    codes = [await refused(env, bank_id, 9401, n) for n in (premium, exchange_976, listed)]
    assert codes == ["not_a_personal_phone", "not_a_personal_phone", "number_on_dnc"]
    assert await refused(env, bank_id, 9401, "+15550100100") == "bad_number"  # no such number
    assert [carrier.calls_to(n) for n in (premium, exchange_976, listed)] == [[], [], []]
    assert 9401 not in env.engine.pool.sessions and 9401 not in env.engine.callme_guard.pending


async def test_given_call_me_ringing_when_asked_again_then_refused_and_after_joining_the_note_goes(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await started(env)
    own_phone = "+12025559041"
    await carrier.set_personas({own_phone: "accept:3:60"})  # answers after 3 s, presses 1
    await modes.call_me(env.engine, bank_id, 9402, own_phone)
    assert await refused(env, bank_id, 9402, own_phone) == "callme_pending"
    session = lambda: env.engine.pool.sessions[9402]  # noqa: E731
    await wait_until(lambda: session().state.value == "waiting", 30, "joined by call me")
    await wait_until(
        lambda: 9402 not in env.engine.callme_guard.pending, 10, "the call-me note goes"
    )
    assert session().via == "callme"
    assert await refused(env, bank_id, 9402, own_phone) == "already_joined"
    assert len(carrier.calls_to(own_phone)) == 1


async def test_given_a_call_me_nobody_answers_when_the_volunteer_dials_in_then_it_counts_as_dial_in(
    env: Env, carrier: Carrier, ami: AmiProbe
) -> None:
    bank_id = await started(env)
    user = users.create_user(env.db, "callmedialer")
    uid, pin = int(user["id"]), str(user["pin"])
    own_phone = "+12025559042"
    await carrier.set_personas({own_phone: "busy"})
    await modes.call_me(env.engine, bank_id, uid, own_phone)
    await wait_until(
        lambda: uid not in env.engine.callme_guard.pending, 30, "the call-me note goes"
    )
    joined = ami.user_event("PhonebankVolunteerJoined", timeout=60, Via="dialin")
    await carrier.call_pbx(env.pbx.did, dtmf=f"{pin}#", wait=2, stay=30)
    await joined
    await wait_until(lambda: env.engine.pool.sessions[uid].connected, 30, "joined by dial-in")
    assert env.engine.pool.sessions[uid].via == "dialin"


async def test_given_call_me_calls_used_up_when_asked_again_within_the_hour_then_refused(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await started(env)
    guard = env.engine.callme_guard
    assert guard.per_hour == 5  # as the volunteer guide says
    own_phone = "+12025559043"
    await carrier.set_personas({own_phone: "busy"})
    for _ in range(guard.per_hour):
        await modes.call_me(env.engine, bank_id, 9404, own_phone)
        await wait_until(lambda: 9404 not in guard.pending, 30, "the busy call ends")
    assert await refused(env, bank_id, 9404, own_phone) == "callme_limit"
    assert len(carrier.calls_to(own_phone)) == guard.per_hour
