""" "Leave voicemail message" pressed by a volunteer who reached an answering machine, on the
real PBX and the simulated network: the message is left after the machine's greeting and
beep (the machine records it), and a bank with no voicemail message refuses the button
with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from asterisk.conftest import AmiProbe
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine import modes
from controller.engine import volunteer_ops as ops
from controller.engine.runner import BankRunner
from controller.model.volunteers import VolunteerError
from controller.telephony.carrier import Carrier, voiced_seconds

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(240)]


async def machine_reached(env: Env, carrier: Carrier, uid: int, **settings: str) -> BankRunner:
    """A preview bank of answering machines; volunteer ``uid`` joins ("call me") and calls
    the first contact; returns once the machine is in their room, its greeting playing."""
    bank_id = make_bank(env.db, 4, dialing_mode="preview", **settings)
    await carrier.set_personas({n: "machine:1" for n in bank_numbers(env.db, bank_id)})
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    own_phone = f"+120255590{uid % 100:02d}"
    await carrier.set_personas({own_phone: "accept:1:200"})
    await modes.call_me(env.engine, bank_id, uid, own_phone)
    session = lambda: env.engine.pool.sessions[uid]  # noqa: E731
    await wait_until(lambda: session().state.value == "waiting", 30, "joined by call me")
    assert modes.preview_next(env.engine, uid) is not None
    modes.preview_call(env.engine, uid)
    runner = env.engine.runners[bank_id]
    await wait_until(lambda: len(runner.figures.hangtimes) > 0, 30, "the machine answers")
    return runner


async def test_given_a_machine_greeting_playing_when_leave_voicemail_is_pressed_then_the_message_is_left_after_the_beep(  # noqa: E501
    env: Env, carrier: Carrier, ami: AmiProbe
) -> None:
    runner = await machine_reached(env, carrier, 9601, voicemail_message="Sorry we missed you")
    (call,) = runner.calls.values()
    told: list[dict[str, Any]] = []
    env.engine.bus.listen(lambda m: told.append(m) if m["topic"] == "voicemail" else None)
    await modes.drop_voicemail(env.engine, 9601)  # at once: the greeting is still playing
    assert [m["state"] for m in told] == ["waiting_for_beep"]
    # the call is over for the volunteer: the report is next, and their Hang up (or a second
    # press) does not touch the message being left
    assert env.engine.pool.sessions[9601].state.value == "wrap_up"
    assert runner.wrapups[9601] is call
    assert await ops.hang_up(env.engine, 9601) is False
    with pytest.raises(VolunteerError) as again:
        await modes.drop_voicemail(env.engine, 9601)
    assert again.value.code == "voicemail_underway"
    modes_filed = env.engine.file_outcome(9601, "answering_machine")
    assert len(modes_filed) == 1 and env.engine.pool.sessions[9601].state.value == "waiting"

    left = await ami.user_event("PhonebankVoicemail", timeout=90, CallId=call.call_id)
    heard = await carrier.wait_call_ended(call.claim.e164, timeout=90)
    assert (left["Status"], left["By"]) == ("left", "volunteer")
    assert heard.heard == ["voicemail"]
    (recording,) = carrier.recordings(call.claim.e164)  # the machine recorded after its beep
    prompt = voiced_seconds(env.pbx.pbx.host_dir / "sounds" / "voicemail.wav")
    assert voiced_seconds(recording) > 0.7 * prompt  # the whole message was left
    await wait_until(lambda: len(told) == 2, 10, "the volunteer's screen is told")
    assert [(m["state"], m["volunteer_id"], m["call_id"]) for m in told] == [
        ("waiting_for_beep", 9601, call.call_id), ("left", 9601, call.call_id),
    ]  # fmt: skip
    assert env.engine.voicemails == {}

    def stored() -> tuple[Any, list[str]]:
        with env.db.read() as conn:
            end = conn.execute(
                "SELECT ended_at, result FROM call_attempts WHERE id = ?", (call.attempt_id,)
            ).fetchone()
            filed = conn.execute(
                "SELECT outcome FROM dispositions WHERE attempt_id = ?", (call.attempt_id,)
            ).fetchall()
        return tuple(end), [r[0] for r in filed]

    await wait_until(lambda: stored()[0][0] is not None, 20, "the attempt is closed")
    assert stored()[0][1] == "bridged" and stored()[1] == ["answering_machine"]  # filed once


async def test_given_a_bank_without_a_voicemail_message_when_leave_voicemail_is_pressed_then_refused_and_the_call_goes_on(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    runner = await machine_reached(env, carrier, 9602)
    (call,) = runner.calls.values()
    with pytest.raises(VolunteerError) as refused:
        await modes.drop_voicemail(env.engine, 9602)

    assert refused.value.code == "no_voicemail_message"
    assert "no voicemail message" in refused.value.message
    assert env.engine.pool.sessions[9602].state.value == "busy"
    assert runner.calls.get(call.call_id) is call and call.callee_channel
    assert not carrier.calls_to(call.claim.e164)[0].ended.is_set()  # still on the line
