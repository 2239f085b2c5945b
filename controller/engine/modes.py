"""The dialing modes where a volunteer asks for each number: personal phone and preview.

- Personal phone: the engine hands the next contact and number to the volunteer, who dials
  from their own phone; no PBX call. The attempt is written when the number is handed out;
  the volunteer's outcome closes it.
- "Call me" (any mode): the PBX rings the volunteer's phone; pressing 1 puts them in their room.
- Preview: the volunteer sees the next contact (claimed for them), presses Call, and the PBX
  dials it with no machine screening; the volunteer hears it ring (a ring tone in their room)
  and the callee joins the room on answer. On a
  machine the volunteer may drop the voicemail message (the callee leg plays it and ends).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from controller.engine.calls import CallKind, EngineCall
from controller.engine.dialing import new_call_id
from controller.model.banks import DialingMode, State
from controller.model.volunteers import VolunteerError, VState
from controller.store import attempts, queue
from controller.store import banks as bank_store
from controller.store.queue import Claim
from controller.telephony import actions
from controller.telephony.ami import AmiError

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner

CALLME_CONTEXT = "phonebank-callme"
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
    call_id = new_call_id(runner.bank_id, "m")
    with runner.db.write() as conn:
        attempt_id = attempts.record_attempt(conn, claim, call_id, now, None, volunteer_id)
    call = EngineCall(call_id, attempt_id, claim, now, reserved_for=volunteer_id, since=now)
    call.volunteer_id, call.connected_at, call.ended = volunteer_id, now, True
    engine.pool.assign(volunteer_id, call_id)
    runner.figures.calls_made += 1
    runner.figures.assigned += 1
    runner.wrapups[volunteer_id] = call
    return {"call_id": call_id, "attempt_id": attempt_id, **_claim_dict(claim)}


def file_personal(engine: Engine, volunteer_id: int, outcome: str, notes: str = "") -> list[int]:
    """Close a personal-phone call: the attempt ends, then the volunteer's outcome."""
    session = engine.pool.sessions.get(volunteer_id)
    runner = engine.runners.get(session.bank_id) if session else None
    call = runner.wrapups.get(volunteer_id) if runner else None
    if runner is None or call is None:
        raise VolunteerError("nothing_to_report", "this volunteer has no call to report on")
    with runner.db.write() as conn:
        attempts.record_end(conn, call.attempt_id, runner.clock(), "human", "personal_phone")
    if session is not None and session.state is VState.BUSY:
        engine.pool.end_call(volunteer_id)
    return runner.file_outcome(volunteer_id, outcome, notes)


def preview_next(engine: Engine, volunteer_id: int) -> dict[str, Any] | None:
    """Claim the next number for a preview volunteer to look at (None: nothing left)."""
    runner = _runner(engine, volunteer_id, DialingMode.PREVIEW)
    held = runner.previews.get(volunteer_id)
    if held is not None:
        return _claim_dict(held)
    claims = queue.claim_next(runner.db, runner.bank_id, runner.clock(), 1)
    if not claims:
        return None
    runner.previews[volunteer_id] = claims[0]
    return _claim_dict(claims[0])


def preview_call(engine: Engine, volunteer_id: int) -> str:
    """The volunteer pressed Call: dial their previewed number; returns the call id."""
    runner = _runner(engine, volunteer_id, DialingMode.PREVIEW)
    claim = runner.previews.pop(volunteer_id, None)
    if claim is None:
        raise VolunteerError("nothing_previewed", "ask for the next contact first")
    runner.dial_claims([claim], runner.clock(), reserved_for=volunteer_id)
    for call in runner.calls.values():
        if call.reserved_for == volunteer_id and call.claim.entry_id == claim.entry_id:
            call.kind = CallKind.PREVIEW
            start_ringback(engine, runner, call)
            return call.call_id
    raise VolunteerError("not_placed", "the call could not be placed")


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


async def call_me(engine: Engine, bank_id: int, volunteer_id: int, number: str) -> str:
    """ "Call me": ring the volunteer's own phone; they press 1 to join their room (a
    voicemail box never does). Returns the call id of that leg."""
    session = engine.enroll(bank_id, volunteer_id)
    call_id = new_call_id(bank_id, "v")
    req = actions.outbound_call(
        call_id, number, ring_timeout=engine.config.ring_timeout,
        allowed_pattern=engine.settings.trunk.allowed_pattern,
    )  # fmt: skip
    variables = {**req.variables, "PB_CONFERENCE": session.conference}
    req = replace(req, context=CALLME_CONTEXT, variables=variables)
    engine.callme.add(volunteer_id)
    actions.originate_task(engine.ami, req)
    return call_id
