"""A real SIP phone (baresip) volunteer dialing in with a PIN: power and preview banks, and
stopping a bank while calls are live."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asterisk.conftest import AmiProbe, sip_phone  # noqa: F401 - the baresip fixture
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.engine import modes
from controller.engine.simvol import SimProfile, SimulatedVolunteers
from controller.model import banks as bank_model
from controller.store import banks, engine_log, users
from controller.telephony import render
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]


async def dial_in(env: Env, phone_factory: Callable[..., Any], username: str) -> tuple[int, Any]:
    """A volunteer's phone on the network calls the bank's number and enters their PIN."""
    user = users.create_user(env.db, username)
    account = render.carrier_phones(env.pbx.settings)[0]
    port = env.pbx.settings.carrier.sip_port
    phone = await phone_factory(account.name, account.password, port)
    await phone.command("dial", f"sip:{env.pbx.did}@127.0.0.1:{port}")
    await phone.wait_event("CALL_ESTABLISHED")
    await asyncio.sleep(1.0)  # the PIN prompt starts; DTMF sent earlier would be lost
    await phone.command("sndcode", f"{user['pin']}#")
    return int(user["id"]), phone


def attempts(env: Env, bank_id: int) -> list[dict[str, Any]]:
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT a.*, d.outcome FROM call_attempts AS a LEFT JOIN dispositions AS d"
            " ON d.attempt_id = a.id WHERE a.bank_id = ? ORDER BY a.id",
            (bank_id,),
        ).fetchall()
    return [dict(r) for r in rows]


async def test_given_power_bank_and_phone_volunteer_when_stopped_mid_call_then_call_finishes_then_bank_ended_heard(  # noqa: E501
    env: Env,
    carrier: Carrier,
    ami: AmiProbe,
    sip_phone: Callable[..., Any],  # noqa: F811
) -> None:
    bank_id = make_bank(env.db, 6, dialing_mode="power")
    await carrier.set_personas({n: "human:1:4" for n in bank_numbers(env.db, bank_id)})
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    runner = env.engine.runners[bank_id]
    uid, phone = await dial_in(env, sip_phone, "phonevol1")
    await wait_until(lambda: runner.figures.assigned >= 1, 60, "a voter is handed to the phone")
    assert runner.figures.calls_made == 1  # power 1:1: one volunteer, one call
    set_state(env.db, bank_id, "stop")
    await env.engine.wait_stopped(bank_id, 90)
    rows = attempts(env, bank_id)
    assert len(rows) == 1 and rows[0]["result"] == "bridged"
    assert rows[0]["volunteer_id"] == uid and rows[0]["ended_at"] is not None
    session = env.engine.pool.sessions[uid]
    assert session.state.value == "disconnected" and session.via == "dialin"
    await ami.user_event("PhonebankPlayback", Sound="bank-ended", Status="SUCCESS")
    await phone.wait_event("CALL_CLOSED", timeout=30)
    env.engine.file_outcome(uid, "completed")  # a report filed after the end still counts
    assert attempts(env, bank_id)[0]["outcome"] == "completed"


async def test_given_preview_bank_when_volunteer_calls_a_machine_then_drops_voicemail_and_files(
    env: Env,
    carrier: Carrier,
    ami: AmiProbe,
    sip_phone: Callable[..., Any],  # noqa: F811
) -> None:
    bank_id = make_bank(env.db, 6, dialing_mode="preview", voicemail_message="Sorry we missed you")
    await carrier.set_personas({n: "machine:1" for n in bank_numbers(env.db, bank_id)})
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    uid, _phone = await dial_in(env, sip_phone, "phonevol2")
    await wait_until(lambda: uid in env.engine.pool.legs, 30, "the phone joins its room")
    await wait_until(lambda: env.engine.pool.sessions[uid].state.value == "waiting", 10, "ready")
    shown = modes.preview_next(env.engine, uid)
    assert shown is not None and modes.preview_next(env.engine, uid) == shown
    call_id = modes.preview_call(env.engine, uid)
    runner = env.engine.runners[bank_id]
    await wait_until(
        lambda: len(runner.figures.hangtimes) > 0, 30,
        lambda: f"the machine reaches the phone: {attempts(env, bank_id)} {runner.calls}"
        f" {env.engine.pool.sessions[uid]}",
    )  # fmt: skip
    room = env.engine.pool.sessions[uid].conference

    def ringback(event: str) -> list[dict[str, str]]:
        found = ami.find(event, Conference=room)
        return [e for e in found if e["Channel"].startswith(f"Local/{room}@phonebank-ringback")]

    await wait_until(lambda: bool(ringback("ConfbridgeLeave")), 10, "the ring tone stops")
    assert len(ringback("ConfbridgeJoin")) == 1  # the phone heard the number ring
    await modes.drop_voicemail(env.engine, uid)
    assert uid in runner.wrapups  # done with the machine at once: the report is next
    left = await ami.user_event("PhonebankVoicemail", timeout=90, CallId=call_id)
    env.engine.file_outcome(uid, "answering_machine")
    await wait_until(lambda: attempts(env, bank_id)[0]["result"] is not None, 30, "line ends")
    (row,) = attempts(env, bank_id)
    assert (left["Status"], left["By"]) == ("left", "volunteer")  # after the beep
    assert row["e164"] == shown["e164"] and row["call_id"] == call_id
    assert row["result"] == "bridged" and row["amd_status"] is None
    assert row["outcome"] == "answering_machine" and row["volunteer_id"] == uid
    assert env.engine.pool.sessions[uid].state.value == "waiting"
    assert carrier.calls_to(str(shown["e164"]))[0].persona.startswith("machine")


async def test_given_a_long_conversation_when_stopped_now_then_it_ends_and_volunteers_go(
    env: Env, carrier: Carrier
) -> None:
    bank_id = make_bank(env.db, 6, dialing_mode="power")
    await carrier.set_personas({n: "human:1:60" for n in bank_numbers(env.db, bank_id)})
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    talkers = SimulatedVolunteers(env.engine, SimProfile(talk=(120.0, 120.0)))
    try:
        await talkers.add(bank_id, 9201)
        runner = env.engine.runners[bank_id]
        await wait_until(lambda: runner.figures.assigned >= 1, 60, "in conversation")
        with env.db.write() as conn:  # what `phonebank engine stop-now` writes
            banks.update(conn, bank_id, bank_model.stop)
            engine_log.request_stop_now(conn, bank_id, "test")
        await env.engine.wait_stopped(bank_id, 60)
    finally:
        await talkers.close()
    rows = attempts(env, bank_id)
    assert [r["result"] for r in rows] == ["bridged"]
    assert env.engine.pool.sessions[9201].state.value == "disconnected"
    assert runner.calls == {}
    with env.db.read() as conn:
        assert engine_log.stop_now_requests(conn) == []


async def test_given_a_phone_volunteer_when_their_account_is_locked_then_their_line_closes(
    env: Env,
    carrier: Carrier,
    sip_phone: Callable[..., Any],  # noqa: F811
) -> None:
    bank_id = make_bank(env.db, 2, dialing_mode="preview")  # nothing dials by itself
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    uid, phone = await dial_in(env, sip_phone, "phonevol4")
    await wait_until(lambda: uid in env.engine.pool.legs, 30, "the phone joins its room")
    await asyncio.sleep(1.0)  # a few reconciles: an allowed volunteer stays
    assert env.engine.pool.sessions[uid].connected
    users.update_user(env.db, "phonevol4", disabled=True)  # `users set --disable`, no browser
    await phone.wait_event("CALL_CLOSED", timeout=30)
    session = env.engine.pool.sessions[uid]
    assert not session.connected and session.state.value == "disconnected"
    with env.db.read() as conn:
        left = conn.execute(
            "SELECT left_at FROM volunteer_sessions WHERE volunteer_id = ? AND bank_id = ?",
            (uid, bank_id),
        ).fetchone()[0]
    assert left is not None
