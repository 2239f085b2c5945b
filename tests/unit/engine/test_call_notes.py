"""What a volunteer is told about numbers that never reached them: the labels (pure), and
the runner noting a failed preview or power call on a real SQLite file (no PBX: nothing is
originated, the AMI session is a stand-in that is never connected)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from test_runner_pacing import make_runner

from controller.config import Settings
from controller.engine import modes
from controller.engine.call_notes import CallNote, CallNotes, label_of, reason_of
from controller.engine.calls import CallKind, EngineCall, result_of
from controller.engine.dialing import new_call_id
from controller.engine.runner import BankRunner
from controller.pacing.decision import Decision
from controller.store import contacts as contact_store
from controller.store import queue
from controller.store.db import Database
from controller.store.queue import Claim, Member
from controller.telephony.tracker import CallState, Transition

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)
NOW = AT.timestamp()
AGAIN = "Could not be placed (it will be tried again)"
LATER = " (it will be tried again)"  # the phone network could not carry it: no outcome filed
CLAIM = Claim(1, 1, "+12125550100", "America/New_York", 0, (Member(1, 1),))


@pytest.mark.parametrize(
    ("new", "reason", "cause", "label", "recorded"),
    [
        (CallState.BUSY, "busy", 17, "Busy", "Busy"),
        (CallState.NO_ANSWER, "no_answer", None, "No answer", "No Answer"),
        (CallState.REJECTED, "unallocated", 1, "Number not in service", "Failed / Bad Number"),
        (CallState.REJECTED, "invalid_number", 28, "Number not in service", "Failed / Bad Number"),
        (CallState.REJECTED, "call_rejected", 21, "Call rejected", "No Answer"),
        (CallState.FAILED, "congestion", 34, f"Phone network busy{LATER}", ""),
        (CallState.FAILED, "destination_out_of_order", None, f"Phone network busy{LATER}", ""),
        (CallState.FAILED, "unavailable", None, f"Call failed{LATER}", ""),
        (CallState.FAILED, "no_route", 3, f"Call failed{LATER}", ""),
        (CallState.FAILED, "originate_rejected", None, AGAIN, ""),
    ],
)  # fmt: skip
def test_given_a_call_ending_unanswered_when_noted_then_the_volunteer_reads_why_and_what_was_recorded(  # noqa: E501
    new: CallState, reason: str, cause: int | None, label: str, recorded: str
) -> None:
    call = EngineCall("pb1p-x", 1, CLAIM, 100.0, since=100.0)
    result, why = result_of(call, Transition("pb1p-x", None, new, 110.0, reason, cause))
    note = CallNote.of(110.0, "pb1p-x", result, why, "Ann Lee", CLAIM.e164)
    assert (note.label, note.outcome, note.name) == (label, recorded, "Ann Lee")


def test_given_notes_when_more_than_kept_then_newest_first_and_only_since_asked() -> None:
    notes = CallNotes(keep=3)
    for i in range(5):
        notes.add(CallNote.of(float(i), f"c{i}", "busy", "17"))
        notes.add(CallNote.of(float(i), f"v{i}", "no_answer", "19"), volunteer_id=7)
    assert [n.call_id for n in notes.recent()] == ["c4", "c3", "c2"]
    assert [n.call_id for n in notes.recent(7, since=3.0)] == ["v4", "v3"]
    assert notes.recent(8) == []
    notes.forget(7)
    assert notes.recent(7) == []
    assert label_of("machine", "") == "Answering machine"


def waiting_volunteer(runner: BankRunner, vid: int) -> None:
    runner.pool.enroll(runner.bank_id, vid)
    runner.pool.join_without_leg(vid)
    assert runner.pool.sessions[vid].state.value == "waiting"


def placed(runner: BankRunner, claim: Claim, reserved_for: int | None) -> EngineCall:
    call = runner._record(
        claim,
        NOW,
        reserved_for,
        "",
        new_call_id(runner.bank_id, "p" if reserved_for is not None else "c"),
    )
    call.kind = CallKind.PREVIEW if reserved_for is not None else CallKind.AUTO
    call.state = CallState.RINGING
    runner.calls[call.call_id] = call
    return call


def outcomes_of(db: Database, attempt_id: int) -> list[str]:
    with db.read() as conn:
        rows = conn.execute("SELECT outcome FROM dispositions WHERE attempt_id = ?", (attempt_id,))
        return [str(r[0]) for r in rows]


async def test_given_a_preview_call_ringing_when_the_number_is_busy_then_noted_by_name_and_next_offered(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, "preview", contacts=6)
    waiting_volunteer(runner, 7)
    messages = runner.bus.subscribe()
    claim = modes._hold_next(runner, 7)
    assert claim is not None
    call = placed(runner, runner.previews.pop(7), 7)
    assert modes.placed_preview(runner, 7) is call
    session = runner.pool.sessions[7]
    assert modes.dial_status(runner, session) == {"last_calls": [], "dialing": None}

    runner.on_transition(
        Transition(call.call_id, CallState.RINGING, CallState.BUSY, NOW, "busy", 17)
    )

    assert outcomes_of(db, call.attempt_id) == ["busy"]
    person = contact_store.contact_detail(db, claim.members[0].contact_id) or {}
    status = modes.dial_status(runner, runner.pool.sessions[7])
    [note] = status["last_calls"]
    assert (note["label"], note["outcome"], note["e164"]) == ("Busy", "Busy", claim.e164)
    assert note["name"] == f"{person['first_name']} {person['last_name']}"
    assert modes.placed_preview(runner, 7) is None
    offered = runner.previews[7]
    assert offered.entry_id != claim.entry_id  # the next contact, claimed for them
    told = [messages.get_nowait() for _ in range(messages.qsize())]
    told_them = next(m for m in told if m["topic"] == "volunteer")
    assert (told_them["volunteer_id"], told_them["call_ended"]) == (7, call.call_id)


async def test_given_a_power_bank_when_a_number_is_not_in_service_then_waiting_volunteers_see_it_and_the_dialer(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, "power", contacts=6)
    waiting_volunteer(runner, 8)
    messages = runner.bus.subscribe()
    claim = queue.claim_next(db, runner.bank_id, NOW, 1)[0]
    call = placed(runner, claim, None)
    session = runner.pool.sessions[8]
    dialing = {"in_flight": 1, "nothing_to_call": False}
    assert modes.dial_status(runner, session)["dialing"] == dialing

    runner.on_transition(
        Transition(call.call_id, CallState.RINGING, CallState.REJECTED, NOW, "unallocated", 1)
    )

    assert outcomes_of(db, call.attempt_id) == ["failed"]
    status = modes.dial_status(runner, runner.pool.sessions[8])
    assert [(n["label"], n["outcome"], n["name"]) for n in status["last_calls"]] == [
        ("Number not in service", "Failed / Bad Number", "")
    ]  # no name: the volunteer never had this contact in front of them
    assert status["dialing"] == {"in_flight": 0, "nothing_to_call": False}
    runner._record_decision(Decision("p", 1), NOW, 0)  # wanted a number, none may be called
    dialing = modes.dial_status(runner, runner.pool.sessions[8])["dialing"]
    assert dialing == {"in_flight": 0, "nothing_to_call": True}
    told = [messages.get_nowait() for _ in range(messages.qsize())]
    assert any(m["topic"] == "volunteer" and m["volunteer_id"] == 8 for m in told)
    assert runner.previews == {}


def test_given_a_cause_code_when_named_then_the_reason_and_odd_text_is_kept_as_is() -> None:
    assert reason_of("17") == "busy"
    assert reason_of("28") == "invalid_number"
    assert reason_of("²") == "²"  # no ValueError on digits that are not ASCII
    assert reason_of("9" * 30) == "9" * 30
