"""A predictive bank of 100 contacts, simulated volunteers, the real PBX and carrier."""

from __future__ import annotations

from datetime import datetime

import pytest
from asterisk.conftest import AmiProbe
from e2e_helpers import Env, bank_numbers, make_bank, set_state, wait_until

from controller.model import compliance
from controller.model.compliance import RECALL_BLOCK
from controller.model.outcomes import decide_retry, outcome
from controller.store import dnc as dnc_store
from controller.store import engine_log
from controller.telephony.carrier import Carrier, assign_personas

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(900)]

MIX = {"human:1:30": 0.45, "machine:1": 0.2, "busy": 0.1, "noanswer": 0.15, "disconnected": 0.1}
EXPECTED = {"busy": {"busy"}, "noanswer": {"no_answer"}, "disconnected": {"failed"}}
EXPECTED["machine"] = {"answering_machine"}
VOLUNTEER_OUTCOMES = {"completed", "not_home", "refused", "moved"}


def ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def settled(env: Env, bank_id: int) -> bool:
    now = env.engine.clock()
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT zone, state, lane FROM queue_entries WHERE bank_id = ?", (bank_id,)
        ).fetchall()
    hours = compliance.CallingHours.parse("09:00-20:00")
    for r in rows:
        if r["state"] in ("claimed", "dialing"):
            return False
        fresh_open = r["lane"] == 1 and compliance.within_hours(r["zone"], now, hours)
        if r["state"] == "ready" and fresh_open:
            return False
    runner = env.engine.runners[bank_id]
    return not runner.calls and not runner.wrapups


def attempts_of(env: Env, bank_id: int) -> list[dict[str, object]]:
    with env.db.read() as conn:
        rows = conn.execute(
            "SELECT a.*, q.zone, q.lane, q.sort_key, q.state AS entry_state, q.done_reason,"
            " d.outcome, d.created_at AS filed_at FROM call_attempts AS a"
            " JOIN queue_entries AS q ON q.id = a.entry_id"
            " LEFT JOIN dispositions AS d ON d.attempt_id = a.id WHERE a.bank_id = ?",
            (bank_id,),
        ).fetchall()
    return [dict(r) for r in rows]


async def test_given_predictive_bank_of_100_when_run_with_4_simulated_volunteers_then_every_open_contact_settled_once_and_stop_ends_sessions(  # noqa: E501
    env: Env,
    carrier: Carrier,
    ami: AmiProbe,
) -> None:
    bank_id = make_bank(env.db, 100, voicemail_message="Sorry we missed you")
    numbers = bank_numbers(env.db, bank_id)
    personas = assign_personas(numbers, MIX, seed=3)
    dnc = [n for n in numbers if personas[n].startswith("human")][:3]
    dnc_store.add_many(env.db, dnc, reason="asked")
    await carrier.set_personas(personas)
    set_state(env.db, bank_id, "start")
    await wait_until(lambda: bank_id in env.engine.runners, 10, "the runner starts")
    for vid in range(9001, 9005):
        await env.sims.add(bank_id, vid)

    await wait_until(lambda: settled(env, bank_id), 600, "every open number dialed and settled")
    rows = attempts_of(env, bank_id)
    hours = compliance.CallingHours.parse("09:00-20:00")
    dialed = [str(r["e164"]) for r in rows]
    assert len(dialed) == len(set(dialed)), "a number was dialed twice (retry delay is 30 min)"
    assert not set(dialed) & set(dnc)
    assert all(
        compliance.within_hours(str(r["zone"]), ts(str(r["started_at"])), hours) for r in rows
    )
    assert not any("Honolulu" in str(r["zone"]) for r in rows)
    with env.db.read() as conn:
        open_entries = [
            r["e164"]
            for r in conn.execute(
                "SELECT e164, zone FROM queue_entries WHERE bank_id = ?", (bank_id,)
            )
            if compliance.within_hours(r["zone"], env.engine.clock(), hours)
        ]
    assert set(dialed) == set(open_entries) - set(dnc)
    assert len(dialed) >= 60

    filed = {call_id: code for _, call_id, code in env.sims.filed}
    for r in rows:
        kind = personas[str(r["e164"])].split(":")[0]
        assert r["ended_at"] is not None and r["outcome"] is not None, r
        if r["cause"] == "cancelled":  # the pacer took the call back before it was answered
            assert r["outcome"] == "no_answer" and r["answered_at"] is None, str(dict(r))
        elif kind == "human":
            assert r["outcome"] in VOLUNTEER_OUTCOMES | {"dropped"}, str(dict(r))
            if r["outcome"] != "dropped":
                assert filed[str(r["call_id"])] == r["outcome"]
                assert r["volunteer_id"] in range(9001, 9005)
        else:
            assert r["outcome"] in EXPECTED[kind], str(dict(r))
        item = outcome(str(r["outcome"]))
        decision = decide_retry(
            item, 1, 3, 1800.0, ts(str(r["filed_at"])), RECALL_BLOCK.total_seconds()
        )
        if decision.retry_at is None:
            assert r["entry_state"] == "done", r
        else:
            assert r["entry_state"] == "ready" and r["lane"] == 0, r
            assert abs(float(str(r["sort_key"])) - decision.retry_at) < 2.0, r

    for r in rows:  # what the callee heard: the safe-harbor message, the voicemail message
        if r["cause"] == "cancelled":
            continue
        heard = (await carrier.wait_call_ended(str(r["e164"]))).heard
        if r["outcome"] == "dropped":
            assert heard == ["safe_harbor"], str(dict(r))
        elif r["outcome"] == "answering_machine":
            assert heard == ["voicemail"], str(dict(r))
        else:
            assert heard == [], str(dict(r))

    with env.db.read() as conn:
        decisions = engine_log.decisions(conn, bank_id)
        hang = engine_log.hangtimes(conn, bank_id)
    assert sum(d["dialed"] for d in decisions) == len(dialed)
    assert all(d["inputs"]["volunteers"] is not None for d in decisions)
    bridged = [r for r in rows if r["result"] == "bridged"]
    assert bridged and len(hang) == len(bridged)
    amd = {r["id"]: r["amd_status"] for r in rows}
    odd = [  # a verdict seen on the attempt gives a verdict -> connected figure, never < 0
        h for h in hang
        if (h["verdict_to_connect"] is None) != (amd[h["attempt_id"]] is None)
        or (h["verdict_to_connect"] or 0.0) < 0 or h["answer_to_connect"] < 0
    ]  # fmt: skip
    assert odd == [], [(h, [r for r in rows if r["id"] == h["attempt_id"]]) for h in odd]
    assert sum(1 for h in hang if h["verdict_to_connect"] is not None) >= len(hang) // 2
    figures = env.engine.bus.figures(bank_id)
    assert figures is not None and figures["calls_made"] == len(dialed)

    before_stop = len(ami.events)  # the PBX is shared: an earlier test's playbacks came before
    set_state(env.db, bank_id, "stop")
    await env.engine.wait_stopped(bank_id, 60)
    for vid in range(9001, 9005):
        assert env.engine.pool.sessions[vid].state.value == "disconnected"

    def told() -> list[dict[str, str]]:  # this bank's volunteers (rooms volunteer-900N)
        found = [
            e for e in ami.events[before_stop:]
            if e.get("Event") == "UserEvent" and e.get("UserEvent") == "PhonebankPlayback"
            and e.get("Sound") == "bank-ended"
        ]  # fmt: skip
        return [e for e in found if e.get("Channel", "").startswith("Local/volunteer-900")]

    await wait_until(lambda: len(told()) >= 4, 30, "every volunteer heard the bank has ended")
    assert len(told()) == 4 and all(e["Status"] == "SUCCESS" for e in told())
    with env.db.read() as conn:
        sessions = engine_log.sessions(conn, bank_id)
    assert len(sessions) == 4 and all(s["left_at"] is not None for s in sessions)
    assert sum(s["calls_assigned"] for s in sessions) == len(bridged)
