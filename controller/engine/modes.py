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
  is noted for them and their next contact is offered at once (``unreached.py``).
- Power: the calls the pacer places for waiting volunteers are not theirs until one is
  answered; those that end without a conversation are noted for the bank, and the waiting
  volunteers' screens show the last few (:func:`dial_status`, from ``unreached.py``).

The contacts held for preview volunteers are in ``previews.py``, the ring tone in
``ringback.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from controller.engine import call_events, voicemail
from controller.engine.callme import call_me as call_me
from controller.engine.calls import CallKind, EngineCall
from controller.engine.dialing import new_call_id
from controller.engine.previews import claim_dict
from controller.engine.previews import hold_next as _hold_next
from controller.engine.previews import placed_preview as placed_preview
from controller.engine.recovery import PERSONAL_KIND
from controller.engine.ringback import start_ringback
from controller.engine.unreached import dial_status as dial_status
from controller.model.banks import DialingMode, State
from controller.model.volunteers import VolunteerError, VState
from controller.store import attempts, dial_check
from controller.store import banks as bank_store
from controller.store.queue import Claim
from controller.telephony import actions

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner


LEAVE_VOICEMAIL_CONTEXT = "phonebank-leave-voicemail"


def bank_for_volunteer(engine: Engine, volunteer_id: int) -> int | None:
    """The bank a volunteer calling in joins: the one they chose (their open session's, one
    waiting for this dial-in included), else the one whose line they lost a moment ago,
    else the one whose report they still owe (their line dropped), else the first running
    bank they can see that calls from the box (a personal-phone bank takes no line)."""
    session = engine.pool.sessions.get(volunteer_id)
    if session is not None and session.connected:
        return session.bank_id
    waiting = session is not None and session.state is VState.NOT_DIALED_IN
    if session is not None and waiting and open_to_join(engine, session.bank_id):
        return session.bank_id
    dropped = engine.pool.dropped_from(volunteer_id, engine.clock())  # calling back after
    if dropped is not None and open_to_join(engine, dropped):  # their line dropped
        return dropped
    for owed in engine.runners.values():
        if volunteer_id in owed.wrapups and open_to_join(engine, owed.bank_id):
            return owed.bank_id
    with engine.db.read() as conn:
        banks = bank_store.visible_banks(conn, volunteer_id)
    for bank in banks:
        runner = engine.runners.get(bank.id or 0)
        if bank.state is not State.RUNNING or runner is None or runner.mode != "running":
            continue
        if bank.settings.dialing_mode is not DialingMode.PERSONAL:
            return bank.id
    return None


def open_to_join(engine: Engine, bank_id: int) -> bool:
    """Whether a volunteer may join ``bank_id`` now (as :meth:`Engine.enroll` allows)."""
    runner = engine.runners.get(bank_id)
    return runner is not None and runner.mode in ("running", "paused")


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


def personal_next(engine: Engine, volunteer_id: int) -> dict[str, Any] | None:
    """Hand the next number to a personal-phone volunteer (None: nothing left to call)."""
    runner = _runner(engine, volunteer_id, DialingMode.PERSONAL)
    now = runner.clock()
    claim = dial_check.next_callable(runner.db, runner.bank_id, now)
    if claim is None:
        return None
    call_id = new_call_id(runner.bank_id, PERSONAL_KIND)
    with runner.db.write() as conn:
        attempt_id = attempts.record_attempt(conn, claim, call_id, now, None, volunteer_id)
    call = EngineCall(call_id, attempt_id, claim, now, reserved_for=volunteer_id, since=now)
    call.volunteer_id, call.connected_at, call.ended = volunteer_id, now, True
    engine.pool.assign(volunteer_id, call_id)
    runner.figures.calls_made += 1
    runner.figures.assigned += 1
    runner.wrapups[volunteer_id] = call
    return {"call_id": call_id, "attempt_id": attempt_id, **claim_dict(claim)}


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
    return claim_dict(held) if held is not None else None


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


async def drop_voicemail(engine: Engine, volunteer_id: int) -> None:
    """Leave the bank's voicemail message on the machine the volunteer reached: the callee
    leaves their room for :data:`LEAVE_VOICEMAIL_CONTEXT`, which waits for the greeting to
    end (the beep) before it plays the message, as on the automatic path. Refused, nothing
    changed, when the bank has no voicemail message."""
    session = engine.pool.sessions.get(volunteer_id)
    runner = engine.runners.get(session.bank_id) if session else None
    call = runner.calls.get(session.call_id or "") if runner and session else None
    if runner is None or call is None or not call.callee_channel:
        raise VolunteerError("no_call", "the volunteer is not connected to a callee")
    if call.released:
        raise VolunteerError("voicemail_underway", "Your message is already being left.")
    if not runner.bank.voicemail_message.strip():
        raise VolunteerError(
            "no_voicemail_message",
            "This phone bank has no voicemail message to leave: hang up instead.",
        )
    ask = voicemail.Ask(runner.bank_id, volunteer_id, call.call_id, call.callee_channel)
    engine.voicemails[ask.call_id] = ask  # followed already: a hangup meanwhile is seen
    try:
        await actions.redirect(engine.ami, call.callee_channel, LEAVE_VOICEMAIL_CONTEXT, "s")
    except BaseException:
        engine.voicemails.pop(ask.call_id, None)
        raise
    if ask.call_id in engine.voicemails:  # the machine did not hang up during the redirect
        voicemail.asked(engine, ask)
    call_events.release_volunteer(runner, call)  # their part is done: the report is next
