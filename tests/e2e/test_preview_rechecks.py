"""Preview on the real PBX: the calling rules are checked again when the volunteer presses
Call (the contact may have been on screen for a while), and one preview call at a time."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_helpers import Env, make_bank, set_state, wait_until

from controller.engine import modes
from controller.engine import volunteer_ops as ops
from controller.model.volunteers import VolunteerError
from controller.store import dnc
from controller.store.results import iso
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(180)]


async def previewing(env: Env, carrier: Carrier, uid: int, persona: str) -> tuple[int, Any]:
    """A running preview bank, ``uid`` in it with a contact on screen (its number answers
    as ``persona``)."""
    bank_id = make_bank(env.db, 4, dialing_mode="preview")
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    await env.sims.add(bank_id, uid)
    held = modes.preview_next(env.engine, uid)
    assert held is not None
    await carrier.set_personas({held["e164"]: persona})
    return bank_id, held


def entry(env: Env, entry_id: int) -> dict[str, Any]:
    with env.db.read() as conn:
        row = conn.execute(
            "SELECT state, done_reason, lane, sort_key FROM queue_entries WHERE id = ?",
            (entry_id,),
        ).fetchone()
        attempts = conn.execute(
            "SELECT count(*) FROM call_attempts WHERE entry_id = ?", (entry_id,)
        ).fetchone()[0]
    return {**dict(row), "attempts": attempts}


def refused_call(env: Env, uid: int) -> VolunteerError:
    with pytest.raises(VolunteerError) as caught:
        modes.preview_call(env.engine, uid)
    return caught.value


async def test_given_a_previewed_number_put_on_the_do_not_call_list_when_call_is_pressed_then_it_is_not_dialed_and_closed(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    _, held = await previewing(env, carrier, 9501, "human:1:30")
    dnc.add(env.db, held["e164"], "asked on another channel")
    refusal = refused_call(env, 9501)
    assert refusal.code == "dnc" and "Do Not Call" in refusal.message
    after = entry(env, held["entry_id"])
    assert (after["state"], after["done_reason"], after["attempts"]) == ("done", "dnc", 0)
    assert carrier.calls_to(held["e164"]) == []
    assert ops.live_state(env.engine, 9501)["preview"] is None


async def test_given_a_preview_held_until_calling_hours_ended_when_call_is_pressed_then_it_is_not_dialed_and_goes_back(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id, held = await previewing(env, carrier, 9502, "human:1:30")
    runner = env.engine.runners[bank_id]
    later = runner.clock() + 13.5 * 3600  # 08:00 UTC: night in every US zone
    runner.clock = lambda: later
    refusal = refused_call(env, 9502)
    assert refusal.code == "outside_calling_hours"
    assert entry(env, held["entry_id"])["state"] == "ready"
    assert entry(env, held["entry_id"])["attempts"] == 0
    assert carrier.calls_to(held["e164"]) == []


async def test_given_the_previewed_person_reached_by_another_bank_meanwhile_when_call_is_pressed_then_it_waits_out_the_re_call_protection(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    _, held = await previewing(env, carrier, 9503, "human:1:30")
    other = make_bank(env.db, 1)
    now = env.engine.clock()
    with env.db.write() as conn:  # another bank's volunteer talked to them a minute ago
        cur = conn.execute(
            "INSERT INTO call_attempts (bank_id, e164, call_id, started_at, answered_at,"
            " ended_at, result) VALUES (?, ?, 'elsewhere-1', ?, ?, ?, 'bridged')",
            (other, held["e164"], iso(now - 120), iso(now - 110), iso(now - 60)),
        )
        conn.execute(
            "INSERT INTO dispositions (attempt_id, bank_id, outcome, created_at)"
            " VALUES (?, ?, 'not_home', ?)",
            (cur.lastrowid, other, iso(now - 60)),
        )
    refusal = refused_call(env, 9503)
    assert refusal.code == "recently_reached"
    after = entry(env, held["entry_id"])
    assert (after["state"], after["lane"], after["attempts"]) == ("ready", 0, 0)
    assert after["sort_key"] == pytest.approx(now - 60 + 6 * 3600, abs=2)
    assert carrier.calls_to(held["e164"]) == []


async def test_given_a_preview_call_ringing_when_the_volunteer_asks_for_the_next_or_pauses_then_refused_and_one_call_rings(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id, _ = await previewing(env, carrier, 9504, "noanswer")
    call_id = modes.preview_call(env.engine, 9504)
    with pytest.raises(VolunteerError) as next_refused:
        modes.preview_next(env.engine, 9504)
    with pytest.raises(VolunteerError) as pause_refused:
        ops.pause(env.engine, 9504)
    assert (next_refused.value.code, pause_refused.value.code) == ("call_ringing", "call_ringing")
    assert env.engine.runners[bank_id].previews.get(9504) is None  # nothing else held
    await wait_until(lambda: env.engine.channels_of(call_id) != [], 10, "the call rings")
    assert await ops.hang_up(env.engine, 9504)
    runner = env.engine.runners[bank_id]
    await wait_until(lambda: call_id not in runner.calls, 30, "the preview call ends")
    assert modes.preview_next(env.engine, 9504) is not None  # free again once it ended
    with env.db.read() as conn:
        placed = conn.execute(
            "SELECT count(*) FROM call_attempts WHERE bank_id = ?", (bank_id,)
        ).fetchone()[0]
    assert placed == 1
