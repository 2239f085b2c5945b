"""What the running :class:`~controller.engine.engine.Engine` does with what the PBX tells it:
AMI events (call progress to the bank runners, volunteer lines to the pool), volunteer
changes (published; a volunteer who left a bank frees their calls there) and the dialplan's
FastAGI questions (the hand-off of an answered person, a dial-in volunteer's PIN).
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from typing import TYPE_CHECKING

from controller.engine import (
    call_events,
    callme,
    handoff,
    modes,
    ringback,
    voicemail,
    volunteer_ops,
)
from controller.errors import PhonebankError
from controller.model.banks import DialingMode
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import users as user_store
from controller.telephony import ami_events as ev
from controller.telephony.fastagi import HandoffRequest, PinDecision, PinRequest
from controller.telephony.tracker import TERMINAL

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)
# The PBX's channel listing after a (re)connect: the volunteer pool follows it too.
SYNC_EVENTS = (ev.SessionConnected, ev.CoreShowChannel, ev.CoreShowChannelsComplete)


def on_event(engine: Engine, event: ev.AmiEvent) -> None:
    """One AMI event: the tracker's transitions go to the runner of their call, volunteer
    lines joining or leaving rooms (and the listing after a reconnect) to the pool."""
    if engine.offset and event.timestamp is not None:
        event = dataclasses.replace(event, timestamp=event.timestamp + engine.offset)
    for t in engine.tracker.feed(event):
        runner = engine.runner_of_call(t.call_id)
        try:
            if runner is not None:
                runner.on_transition(t)
        except Exception:  # the store failed (locked, full): the call is still followed
            log.exception("engine: call %s (%s) not applied", t.call_id, t.new.value)
            if t.new in TERMINAL and runner is not None:
                runner.calls.pop(t.call_id, None)
        if t.new in TERMINAL:
            engine.tracker.forget(t.call_id)
            engine.callme_guard.ended(t.call_id, t.new.value)
    voicemail.on_event(engine, event)
    if isinstance(event, ev.ConfbridgeJoin):
        _on_join(engine, event)
    elif isinstance(event, ev.ConfbridgeLeave | ev.Hangup):
        engine.pool.on_leg_gone(event.uniqueid, event.timestamp)
    elif isinstance(event, SYNC_EVENTS):
        engine.pool.on_sync(event)


def _on_join(engine: Engine, e: ev.ConfbridgeJoin) -> None:
    runner = engine.runner_of_call(e.uniqueid)
    if runner is not None:
        runner.on_callee_joined(e.uniqueid, e.timestamp or engine.clock(), e.channel)
        return
    if f"@{ringback.RINGBACK_CONTEXT}-" in e.channel:
        return  # a preview call's ring tone in the volunteer's room, not their line
    via = _via(engine, e)
    if via == "browser":
        callme.call_off(engine, e.conference)  # joined from the browser: not by that call
    back = via == "browser" and engine.pool.by_conference(e.conference) is None
    back = back and _back_after_drop(engine, e)
    session = engine.pool.on_join(e, via)
    if back and session is not None:
        _as_they_were(engine, session)


def _back_after_drop(engine: Engine, e: ev.ConfbridgeJoin) -> bool:
    """A browser line back in the room of a volunteer whose line dropped a moment ago: they
    are enrolled in that bank again (the join that follows puts them back in it)."""
    session = next((s for s in engine.pool.sessions.values() if s.conference == e.conference), None)
    if session is None or not volunteer_ops.rejoining(engine, session):
        return False
    auto_ready = engine.pool.auto_ready.get(session.volunteer_id, True)
    try:
        engine.enroll(session.bank_id, session.volunteer_id, auto_ready)
    except VolunteerError as exc:
        log.info("engine: volunteer %s not back in bank %s: %s", session.volunteer_id,
                 session.bank_id, exc)  # fmt: skip
        return False
    log.info("engine: volunteer %s is back in bank %s after their line dropped",
             session.volunteer_id, session.bank_id)  # fmt: skip
    return True


def _as_they_were(engine: Engine, session: Session) -> None:
    """One who was waiting for a voter when their line dropped waits again (not in the
    waiting room, pressing Ready once more), unless a report is due or the bank is paused."""
    vid = session.volunteer_id
    was_waiting = vid in engine.pool.dropped_waiting
    engine.pool.dropped_waiting.discard(vid)
    runner = engine.runners.get(session.bank_id)
    if runner is None or runner.mode != "running" or session.state is not VState.IDLE:
        return
    if was_waiting and not engine.pool.report_due(vid):
        engine.pool.ready(vid)
        runner.wake.set()


def _via(engine: Engine, e: ev.ConfbridgeJoin) -> str:
    session = engine.pool.by_conference(e.conference)
    if session is not None and session.volunteer_id in engine.simulated:
        return "simulated"
    channel = e.channel.lower()
    if channel.startswith("pjsip/webrtc-"):  # the browser phone, even with a call-me ringing
        return "browser"
    if session is not None and session.volunteer_id in engine.callme_guard.pending:
        return "callme"
    if channel.startswith("local/"):
        return "local"
    return "dialin"


def on_volunteer(engine: Engine, session: Session) -> None:
    """A volunteer's session changed: published; in their bank, a volunteer who left frees
    their calls; a report due in another bank will not come now."""
    engine.bus.publish(
        "volunteer", session.bank_id, volunteer_id=session.volunteer_id,
        state=session.state.value, conference=session.conference,
    )  # fmt: skip
    if session.state is not VState.NOT_DIALED_IN:  # in the room or gone: no "call me" to show
        engine.callme_guard.last.pop(session.volunteer_id, None)
    runner = engine.runners.get(session.bank_id)
    if runner is not None:
        if session.state is VState.DISCONNECTED:
            handoff.volunteer_left(runner, session.volunteer_id)
        runner.wake.set()
    for other in engine.runners.values():  # now in another bank: that report will not come
        if other is not runner and session.volunteer_id in other.wrapups:
            close_report(other, session.volunteer_id)


def close_report(runner: BankRunner, volunteer_id: int) -> None:
    """:func:`call_events.close_unreported`; a failed write leaves the report due (logged:
    the next :meth:`Engine.expire_reports` tries again)."""
    try:
        call_events.close_unreported(runner, volunteer_id)
    except (sqlite3.Error, PhonebankError):
        log.exception("engine: report of volunteer %s not closed", volunteer_id)


def report_due(engine: Engine, volunteer_id: int) -> bool:
    return any(volunteer_id in r.wrapups for r in engine.runners.values())


# -- FastAGI -------------------------------------------------------------------------------


async def on_handoff(engine: Engine, request: HandoffRequest) -> str | None:
    runner = engine.runner_of_call(request.call_id)
    if runner is None:
        return None
    return await runner.handoff(request.call_id)


async def on_pin(engine: Engine, request: PinRequest) -> PinDecision:
    if engine.pin_throttle.blocked(request.caller_id, request.pin):
        return PinDecision("wrong_pin")  # too many wrong tries: even a right PIN fails
    user = user_store.user_by_pin(engine.db, request.pin) if request.pin.isdigit() else None
    if user is None:
        engine.pin_throttle.miss(request.caller_id, request.pin)
        return PinDecision("wrong_pin")
    bank_id = modes.bank_for_volunteer(engine, int(user["id"]))
    runner = engine.runners.get(bank_id) if bank_id is not None else None
    if bank_id is None or runner is None or runner.bank.dialing_mode is DialingMode.PERSONAL:
        return PinDecision("bank_not_running")  # a personal-phone bank calls from no line
    try:
        session = engine.enroll(bank_id, int(user["id"]))  # refused unless running or paused
    except VolunteerError:
        return PinDecision("bank_not_running")
    return PinDecision.accept(session.conference)
