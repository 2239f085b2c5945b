"""Single calls through the engine on the real PBX: safe harbor, voicemail, AMD off, pause,
a volunteer whose leg drops, personal-phone mode."""

from __future__ import annotations

import pytest
from asterisk.conftest import AmiProbe
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine import modes
from controller.model import banks as bank_model
from controller.store import banks, engine_log, queue
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]


def attempt(env: Env, call_id: str) -> dict[str, object]:
    with env.db.read() as conn:
        row = conn.execute(
            "SELECT a.*, d.outcome FROM call_attempts AS a LEFT JOIN dispositions AS d"
            " ON d.attempt_id = a.id WHERE a.call_id = ?",
            (call_id,),
        ).fetchone()
    return dict(row)


def ended(env: Env, call_id: str) -> bool:
    return attempt(env, call_id)["ended_at"] is not None


async def start(env: Env, contacts: int, **settings: object) -> int:
    bank_id = make_bank(env.db, contacts, **settings)
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    return bank_id


def dial_next(env: Env, bank_id: int, n: int = 1) -> list[str]:
    """Claim and dial ``n`` numbers by hand (a preview bank: nothing dials by itself)."""
    runner = env.engine.runners[bank_id]
    now = env.engine.clock()
    runner.dial_claims(queue.claim_next(env.db, bank_id, now, n), now)
    return [c.call_id for c in runner.calls.values()]


async def test_given_the_only_volunteer_busy_when_a_second_person_answers_then_safe_harbor_and_dropped(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id = await start(env, 12, dialing_mode="preview")
    numbers = bank_numbers(env.db, bank_id)
    await carrier.set_personas({n: "human:1:30" for n in numbers})
    await env.sims.add(bank_id, 9101)
    first, second = dial_next(env, bank_id, 2)
    await wait_until(lambda: ended(env, first) and ended(env, second), 60, "both calls end")
    results = {attempt(env, c)["result"] for c in (first, second)}
    assert results == {"bridged", "dropped"}
    dropped = first if attempt(env, first)["result"] == "dropped" else second
    row = attempt(env, dropped)
    assert row["outcome"] == "dropped" and row["volunteer_id"] is None
    heard = await carrier.wait_call_ended(str(row["e164"]))
    assert heard.heard == ["safe_harbor"]
    figures = env.engine.bus.figures(bank_id)
    assert figures is not None and figures["dropped"] == 1


async def test_given_a_machine_and_a_voicemail_message_when_answered_then_message_left_and_no_volunteer(  # noqa: E501
    env: Env, carrier: Carrier
) -> None:
    bank_id = await start(env, 12, dialing_mode="preview", voicemail_message="Sorry we missed you")
    numbers = bank_numbers(env.db, bank_id)
    await carrier.set_personas({n: "machine:1" for n in numbers})
    await env.sims.add(bank_id, 9102)
    (call_id,) = dial_next(env, bank_id)
    await wait_until(lambda: ended(env, call_id), 90, "the machine call ends")
    row = attempt(env, call_id)
    assert row["result"] == "machine" and row["outcome"] == "answering_machine"
    assert row["amd_status"] == "MACHINE" and row["volunteer_id"] is None
    heard = await carrier.wait_call_ended(str(row["e164"]))
    assert heard.heard == ["voicemail"]
    assert env.engine.pool.sessions[9102].calls_assigned == 0


async def test_given_amd_off_when_a_machine_answers_then_it_reaches_the_volunteer(
    env: Env, carrier: Carrier
) -> None:
    bank_id = make_bank(env.db, 12, dialing_mode="preview")
    with env.db.write() as conn:
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"amd": False}))
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    await carrier.set_personas({n: "machine:1" for n in bank_numbers(env.db, bank_id)})
    await env.sims.add(bank_id, 9103)
    (call_id,) = dial_next(env, bank_id)
    await wait_until(lambda: ended(env, call_id), 60, "the call ends")
    row = attempt(env, call_id)
    assert row["result"] == "bridged" and row["volunteer_id"] == 9103
    assert row["amd_status"] is None
    with env.db.read() as conn:
        hang = engine_log.hangtimes(conn, bank_id)
    assert len(hang) == 1 and hang[0]["verdict_to_connect"] is None
    assert hang[0]["answer_to_connect"] >= 0


async def test_given_a_running_power_bank_when_paused_then_no_new_dials_until_resumed(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await start(env, 30, dialing_mode="power")
    await carrier.set_personas({n: "human:1:30" for n in bank_numbers(env.db, bank_id)})
    runner = env.engine.runners[bank_id]
    set_state(env.db, bank_id, "pause")
    await wait_until(lambda: runner.mode == "paused", 10, "the runner pauses")
    await env.sims.add(bank_id, 9104)
    ticks = runner.ticks
    await wait_until(lambda: runner.ticks >= ticks + 10, 30, "ten pacing ticks while paused")
    assert runner.figures.calls_made == 0
    set_state(env.db, bank_id, "resume")
    await wait_until(lambda: runner.figures.calls_made >= 2, 60, "dialing resumes")
    with env.db.read() as conn:
        decisions = engine_log.decisions(conn, bank_id)
    for d in decisions:  # power 1:1: never more calls in flight than ready volunteers
        waiting = sum(1 for v in d["inputs"]["volunteers"] if v["state"] == "waiting")
        assert len(d["inputs"]["calls"]) + d["dial"] <= max(waiting, len(d["inputs"]["calls"]))


async def test_given_a_volunteer_in_the_pool_when_their_leg_drops_then_they_leave_at_once(
    env: Env, ami: AmiProbe
) -> None:
    bank_id = await start(env, 5, dialing_mode="preview")
    await env.sims.add(bank_id, 9105)
    await env.sims.remove(9105)
    await wait_until(
        lambda: env.engine.pool.sessions[9105].state.value == "disconnected", 10, "left"
    )
    assert env.engine.pool.longest_waiting(bank_id) is None
    with env.db.read() as conn:
        (session,) = engine_log.sessions(conn, bank_id)
    assert session["via"] == "simulated" and session["left_at"] is not None


async def test_given_a_personal_phone_bank_when_next_then_filed_then_no_pbx_call_and_outcome_kept(
    env: Env, carrier: Carrier
) -> None:
    bank_id = await start(env, 5, dialing_mode="personal")
    session = env.engine.enroll(bank_id, 9106)
    assert session.state.value == "waiting" and 9106 not in env.engine.pool.legs
    handed = modes.personal_next(env.engine, 9106)
    assert handed is not None
    ids = modes.file_personal(env.engine, 9106, "refused", "no thanks")
    row = attempt(env, str(handed["call_id"]))
    assert row["outcome"] == "refused" and row["result"] == "human"
    assert row["volunteer_id"] == 9106 and len(ids) == 1
    assert carrier.calls_to(str(handed["e164"])) == []
    assert env.engine.pool.sessions[9106].state.value == "waiting"
