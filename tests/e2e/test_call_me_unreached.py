""" "Call me" that does not reach the volunteer, on the real PBX: their screen is told on the
bus (topic ``callme``: ringing, answered, joined or unreached and why) and they can ask
again at once."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_helpers import Env, make_bank, set_state, wait_until

from controller.engine import modes, volunteer_ops
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


async def started(env: Env) -> int:
    bank_id = make_bank(env.db, 4, dialing_mode="preview")
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    return bank_id


def heard(env: Env, vid: int) -> list[dict[str, Any]]:
    """The ``callme`` messages for ``vid``, each with whether a new Call me was then free."""
    seen: list[dict[str, Any]] = []

    def on(message: dict[str, Any]) -> None:
        if message["topic"] == "callme" and message["volunteer_id"] == vid:
            seen.append({**message, "pending": vid in env.engine.callme_guard.pending})

    env.engine.bus.listen(on)
    return seen


async def call_me(
    env: Env, carrier: Carrier, vid: int, persona: str
) -> tuple[int, str, str, list[dict[str, Any]]]:
    """A started preview bank and a "call me" from volunteer ``vid`` to a phone answered by
    ``persona``: (bank id, own phone, call id, the ``callme`` messages heard)."""
    bank_id = await started(env)
    own_phone = f"+1202555{9000 + vid % 1000:04d}"
    await carrier.set_personas({own_phone: persona})
    seen = heard(env, vid)
    call_id = await modes.call_me(env.engine, bank_id, vid, own_phone)
    return bank_id, own_phone, call_id, seen


async def test_given_call_me_nobody_answers_when_it_rings_out_then_the_screen_hears_no_answer_and_call_me_works_again(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id, own_phone, call_id, seen = await call_me(env, carrier, 9501, "noanswer")
    await wait_until(lambda: len(seen) == 2, 40, "the call me rings out")

    ringing, unreached = seen
    assert (ringing["state"], ringing["number"], ringing["call_id"]) == (
        "ringing",
        own_phone,
        call_id,
    )
    assert (unreached["state"], unreached["reason"], unreached["bank_id"]) == (
        "unreached", "no_answer", bank_id,
    )  # fmt: skip
    assert unreached["pending"] is False  # a new Call me is free when the screen hears it
    assert env.engine.callme_guard.last[9501]["state"] == "unreached"
    assert env.engine.pool.sessions[9501].state.value == "not_dialed_in"

    await carrier.set_personas({own_phone: "accept:1:60"})  # this time they answer, press 1
    again = await modes.call_me(env.engine, bank_id, 9501, own_phone)
    await wait_until(lambda: len(seen) == 5, 40, "the second call me joins")
    assert [(m["state"], m["call_id"]) for m in seen[2:]] == [
        ("ringing", again), ("answered", again), ("joined", again),
    ]  # fmt: skip
    assert env.engine.pool.sessions[9501].connected
    assert 9501 not in env.engine.callme_guard.last


async def test_given_call_me_when_a_voicemail_box_answers_then_the_screen_hears_it_was_not_accepted(
    env: Env, carrier: Carrier
) -> None:
    _, _, _, seen = await call_me(env, carrier, 9502, "machine:1")
    await wait_until(lambda: len(seen) == 3, 90, "the voicemail box hangs up")

    assert [(m["state"], m["reason"]) for m in seen] == [
        ("ringing", ""), ("answered", ""), ("unreached", "not_accepted"),
    ]  # fmt: skip
    assert seen[-1]["pending"] is False
    assert env.engine.pool.sessions[9502].state.value == "not_dialed_in"


async def test_given_call_me_ringing_when_the_volunteer_ends_their_session_then_it_is_called_off_and_they_leave(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    _, _, call_id, _ = await call_me(env, carrier, 9503, "noanswer")
    await wait_until(lambda: env.engine.channels_of(call_id) != [], 2, "the call me rings")
    await volunteer_ops.end_session(env.engine, 9503)

    assert env.engine.pool.sessions[9503].state.value == "disconnected"
    ring_timeout = env.engine.config.ring_timeout
    assert ring_timeout >= 4  # so hung up within 1.5 s below is not the phone ringing out
    await wait_until(lambda: env.engine.channels_of(call_id) == [], 1.5, "the call me ends")
    await wait_until(lambda: 9503 not in env.engine.callme_guard.pending, 10, "it is over")


async def test_given_call_me_just_asked_when_the_volunteer_ends_their_session_before_it_rings_then_the_answered_call_is_hung_up(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    _, _, call_id, seen = await call_me(env, carrier, 9504, "accept:1:60")  # would stay 60 s
    await volunteer_ops.end_session(env.engine, 9504)  # before the PBX has a line for it

    await wait_until(lambda: any(m["state"] == "answered" for m in seen), 20, "it is answered")
    await wait_until(lambda: env.engine.channels_of(call_id) == [], 5, "the call is hung up")
    assert env.engine.pool.sessions[9504].state.value == "disconnected"
