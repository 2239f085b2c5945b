"""The dialing modes where a volunteer asks for each number: personal phone and preview.

- Personal phone: the engine hands the next contact and number to the volunteer, who dials
  from their own phone; no PBX call. The attempt is written when the number is handed out;
  the volunteer's outcome closes it.
- "Call me" (any mode): the PBX rings the volunteer's phone; pressing 1 puts them in their room
  (:mod:`controller.engine.callme`: the number's checks and the limits).
- Preview: the volunteer sees the next contact (claimed for them), presses Call, and the PBX
  dials it with no machine screening; the volunteer hears it ring (a ring tone in their room)
  and the callee joins the room on answer. On a
  machine the volunteer may drop the voicemail message (the callee leg plays it and ends).
  A preview call that ends before reaching the volunteer (busy, not in service, no answer)
  is noted for them (:func:`call_ended`) and their next contact is offered at once.
- Power: the calls the pacer places for waiting volunteers are not theirs until one is
  answered; those that end without a conversation are noted for the bank, and the waiting
  volunteers' screens show the last few (:func:`dial_status`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from controller.engine.call_notes import CallNote
from controller.engine.callme import call_me as call_me
from controller.engine.calls import CallKind, EngineCall
from controller.engine.dialing import new_call_id
from controller.engine.recovery import PERSONAL_KIND
from controller.model.banks import DialingMode, State
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import attempts, dial_check, queue
from controller.store import banks as bank_store
from controller.store import contacts as contact_store
from controller.store.queue import Claim
from controller.telephony import actions
from controller.telephony.ami import AmiError

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner

RINGBACK_CONTEXT = "phonebank-ringback"
RINGBACK_TONE_CONTEXT = "phonebank-ringback-tone"


def bank_for_volunteer(engine: Engine, volunteer_id: int) -> int | None:
    """The bank a volunteer calling in joins: their open session's, else the first running
    bank they can see."""
    session = engine.pool.sessions.get(volunteer_id)
    if session is not None and session.connected:
        return session.bank_id
    with engine.db.read() as conn:
        banks = bank_store.visible_banks(conn, volunteer_id)
    for bank in banks:
        runner = engine.runners.get(bank.id or 0)
        if bank.state is State.RUNNING and runner is not None and runner.mode == "running":
            return bank.id
    return None


def _runner(engine: Engine, volunteer_id: int, mode: DialingMode) -> BankRunner:
    session = engine.pool.sessions.get(volunteer_id)
    runner = engine.runners.get(session.bank_id) if session else None
    if session is None or runner is None or runner.mode != "running":
        raise VolunteerError("bank_not_running", "join a running bank first")
    if runner.bank.dialing_mode is not mode:
        raise VolunteerError("wrong_mode", f"this bank dials in {runner.bank.dialing_mode} mode")
    if session.state is not VState.WAITING:
        raise VolunteerError("not_ready", f"the volunteer is {session.state.value}, not ready")
    if placed_preview(runner, volunteer_id) is not None:
        raise VolunteerError("call_ringing", "Your call is still ringing: hang up first.")
    return runner


def _claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "entry_id": claim.entry_id,
        "e164": claim.e164,
        "contact_ids": [m.contact_id for m in claim.members],
    }


def personal_next(engine: Engine, volunteer_id: int) -> dict[str, Any] | None:
    """Hand the next number to a personal-phone volunteer (None: nothing left to call)."""
    runner = _runner(engine, volunteer_id, DialingMode.PERSONAL)
    now = runner.clock()
    claims = queue.claim_next(runner.db, runner.bank_id, now, 1)
    if not claims:
        return None
    claim = claims[0]
    call_id = new_call_id(runner.bank_id, PERSONAL_KIND)
    with runner.db.write() as conn:
        attempt_id = attempts.record_attempt(conn, claim, call_id, now, None, volunteer_id)
    call = EngineCall(call_id, attempt_id, claim, now, reserved_for=volunteer_id, since=now)
    call.volunteer_id, call.connected_at, call.ended = volunteer_id, now, True
    engine.pool.assign(volunteer_id, call_id)
    runner.figures.calls_made += 1
    runner.figures.assigned += 1
    runner.wrapups[volunteer_id] = call
    return {"call_id": call_id, "attempt_id": attempt_id, **_claim_dict(claim)}


def file_personal(
    engine: Engine,
    volunteer_id: int,
    outcome: str,
    notes: str = "",
    report: Callable[[sqlite3.Connection], None] | None = None,
    contact_id: int | None = None,
) -> list[int]:
    """Close a personal-phone call: the attempt ends with the volunteer's outcome (and
    ``report``), in one transaction; the outcome is ``contact_id``'s when one is named,
    else everyone's on the number."""
    session = engine.pool.sessions.get(volunteer_id)
    runner = engine.runners.get(session.bank_id) if session else None
    call = runner.wrapups.get(volunteer_id) if runner else None
    if runner is None or call is None:
        raise VolunteerError("nothing_to_report", "this volunteer has no call to report on")
    ended_at = runner.clock()

    def end_and_report(conn: sqlite3.Connection) -> None:
        attempts.record_end(conn, call.attempt_id, ended_at, "human", "personal_phone")
        if report is not None:
            report(conn)

    if session is not None and session.state is VState.BUSY:
        engine.pool.end_call(volunteer_id)
    return runner.file_outcome(volunteer_id, outcome, notes, contact_id, end_and_report)


def preview_next(engine: Engine, volunteer_id: int) -> dict[str, Any] | None:
    """Claim the next number for a preview volunteer to look at (None: nothing left)."""
    runner = _runner(engine, volunteer_id, DialingMode.PREVIEW)
    held = _hold_next(runner, volunteer_id)
    return _claim_dict(held) if held is not None else None


def _hold_next(runner: BankRunner, volunteer_id: int) -> Claim | None:
    held = runner.previews.get(volunteer_id)
    if held is not None:
        return held
    claims = queue.claim_next(runner.db, runner.bank_id, runner.clock(), 1)
    if not claims:
        return None
    runner.previews[volunteer_id] = claims[0]
    return claims[0]


def release_preview(runner: BankRunner, volunteer_id: int) -> None:
    """The contact held for this volunteer goes back to its old place in the queue."""
    held = runner.previews.pop(volunteer_id, None)
    if held is not None:
        with runner.db.write() as conn:
            queue.release(conn, held.entry_id)


def release_previews(runner: BankRunner) -> None:
    """Every contact held for a volunteer goes back (the bank stops)."""
    for volunteer_id in list(runner.previews):
        release_preview(runner, volunteer_id)


def preview_call(engine: Engine, volunteer_id: int) -> str:
    """The volunteer pressed Call: dial their previewed number; returns the call id.

    The calling rules are checked again first (:func:`dial_check.check_before_dial`):
    a number that may not be called now is not dialed, its hold is given up and the
    refusal says why."""
    runner = _runner(engine, volunteer_id, DialingMode.PREVIEW)
    claim = runner.previews.get(volunteer_id)
    if claim is None:
        raise VolunteerError("nothing_previewed", "ask for the next contact first")
    with runner.db.write() as conn:  # the contact may have been held for a while
        reasons = dial_check.check_before_dial(conn, claim, runner.clock())
    del runner.previews[volunteer_id]
    if reasons:
        raise VolunteerError(reasons[0], f"{dial_check.WHY[reasons[0]]} Ask for the next one.")
    # dial_claims gives a claim it could not dial back to the queue itself
    runner.dial_claims([claim], runner.clock(), reserved_for=volunteer_id)
    call = _placed(runner, volunteer_id, claim)
    if call is None:
        raise VolunteerError("not_placed", "the call could not be placed")
    call.kind = CallKind.PREVIEW
    start_ringback(engine, runner, call)
    return call.call_id


def _placed(runner: BankRunner, volunteer_id: int, claim: Claim) -> EngineCall | None:
    for call in runner.calls.values():
        if call.reserved_for == volunteer_id and call.claim.entry_id == claim.entry_id:
            return call
    return None


def start_ringback(engine: Engine, runner: BankRunner, call: EngineCall) -> None:
    """The volunteer hears the number ring: a ring tone joins their room until the callee
    answers or the call ends (the runner then calls :func:`stop_ringback`).

    The ring tone has an id of its own, not one built on the call's: Asterisk refuses a new
    channel id that a live channel's id begins with, and the two Originates race (each runs
    on its own PBX thread), so a ``<call id>-rb`` tone that came up first kept the call from
    starting at all."""
    session = engine.pool.sessions.get(call.reserved_for or 0)
    if session is None:
        return
    call.ringback_id = new_call_id(runner.bank_id, "r")
    req = actions.OriginateRequest(
        call_id=call.ringback_id, channel=f"Local/{session.conference}@{RINGBACK_CONTEXT}/n",
        context=RINGBACK_TONE_CONTEXT, timeout=10.0,
    )  # fmt: skip
    runner._spawn(actions.originate(engine.ami, req))


async def stop_ringback(runner: BankRunner, ringback_id: str, tries: int = 25) -> None:
    """Hang the ring tone up (it may still be on its way into the room: retry briefly)."""
    for _ in range(tries):
        channels = runner.channels(ringback_id)
        if channels:
            for channel in channels:
                with contextlib.suppress(AmiError):
                    await actions.hangup(runner.ami, channel)
            return
        await asyncio.sleep(0.2)


async def drop_voicemail(engine: Engine, volunteer_id: int) -> None:
    """Leave the bank's voicemail message on the machine the volunteer reached."""
    session = engine.pool.sessions.get(volunteer_id)
    runner = engine.runners.get(session.bank_id) if session else None
    call = runner.calls.get(session.call_id or "") if runner and session else None
    if call is None or not call.callee_channel:
        raise VolunteerError("no_call", "the volunteer is not connected to a callee")
    await actions.playback(engine.ami, call.callee_channel, "voicemail")


# -- calls that never reached a volunteer ---------------------------------------------------


def placed_preview(runner: BankRunner, volunteer_id: int) -> EngineCall | None:
    """The preview call this volunteer pressed Call for, while it rings."""
    for call in runner.calls.values():
        if call.kind is CallKind.PREVIEW and call.reserved_for == volunteer_id and not call.ended:
            return call
    return None


def call_ended(runner: BankRunner, call: EngineCall, result: str, cause: str) -> None:
    """The runner closed a call's attempt (``result``, ``cause``). One that never reached a
    volunteer's room is noted: a preview call for the volunteer who pressed Call (who is
    offered their next contact at once), a power call for the bank's waiting volunteers.
    Their screens are told (a ``volunteer`` message each)."""
    if call.connected_at is not None:
        return
    now = runner.clock()
    if call.kind is CallKind.PREVIEW and call.reserved_for is not None:
        vid = call.reserved_for
        name = _contact_name(runner, call)
        runner.call_notes.add(
            CallNote.of(now, call.call_id, result, cause, name, call.claim.e164), vid
        )
        _offer_next(runner, vid)
        _announce(runner, [vid], call.call_id)
    elif runner.bank.dialing_mode is DialingMode.POWER:
        runner.call_notes.add(CallNote.of(now, call.call_id, result, cause))
        waiting = [s for s in runner.pool.of_bank(runner.bank_id) if s.state is VState.WAITING]
        _announce(runner, [s.volunteer_id for s in waiting], call.call_id)


def _contact_name(runner: BankRunner, call: EngineCall) -> str:
    members = call.claim.members
    person = contact_store.contact_detail(runner.db, members[0].contact_id) if members else None
    if person is None:
        return ""
    return f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()


def _offer_next(runner: BankRunner, volunteer_id: int) -> None:
    """Preview: claim the volunteer's next contact, when they can call it now."""
    session = runner.pool.sessions.get(volunteer_id)
    if (
        session is None
        or not session.connected
        or session.state is not VState.WAITING
        or runner.mode != "running"
        or runner.bank.dialing_mode is not DialingMode.PREVIEW
    ):
        return
    _hold_next(runner, volunteer_id)


def _announce(runner: BankRunner, volunteer_ids: list[int], call_id: str) -> None:
    for vid in volunteer_ids:
        s = runner.pool.sessions.get(vid)
        if s is not None:
            runner.bus.publish(
                "volunteer", runner.bank_id, volunteer_id=vid, state=s.state.value,
                conference=s.conference, call_ended=call_id,
            )  # fmt: skip


def dial_status(runner: BankRunner, session: Session) -> dict[str, Any]:
    """For the call screen: ``last_calls``, the notes since the volunteer last became ready
    (preview: the contacts they called; power: the bank's last numbers), newest first; and
    in a running power bank, while they wait, ``dialing``: the bank's calls on their way
    and whether the pacer found no number it may call now since they became ready (every
    number left is outside calling hours or waits for its retry)."""
    mode = runner.bank.dialing_mode
    notes: list[CallNote] = []
    if mode is DialingMode.PREVIEW:
        notes = runner.call_notes.recent(session.volunteer_id, session.since)
    elif mode is DialingMode.POWER:
        notes = runner.call_notes.recent(None, session.since)
    dialing = None
    if mode is DialingMode.POWER and runner.mode == "running" and session.state is VState.WAITING:
        in_flight = sum(1 for c in runner.calls.values() if c.in_flight)
        dialing = {"in_flight": in_flight, "nothing_to_call": False}
        if in_flight == 0:  # the pacer's latest decision, stored or not (decision_log.py)
            made = runner.decisions.latest
            fresh = made is not None and made.at >= session.since and made.fruitless
            dialing["nothing_to_call"] = fresh
    return {"last_calls": [n.to_dict() for n in notes], "dialing": dialing}
