"""What a running bank does when the PBX reports a call's progress.

The tracker's transitions reach :meth:`BankRunner.on_transition`, which hands them here.
A call that moves on (answered, screened as a person or a machine, dropped) has the step
stored on its attempt and taught to the estimator; a call that ends gets its automatic
result stored (:func:`record_end`), leaves the runner's calls, and frees its volunteer: to
report on the conversation (wrap-up) when the callee reached the room, or ready again at
once when they did not.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING

from controller.engine import recovery, ringback, unreached
from controller.engine.calls import EngineCall, censored_ring, estimator_outcome, result_of
from controller.errors import PhonebankError
from controller.model.volunteers import VState
from controller.store import attempts
from controller.telephony.tracker import TERMINAL, CallState, Transition

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)


def on_transition(runner: BankRunner, t: Transition) -> None:
    """Apply one tracker transition to the bank's call (if it is one of ours), publish the
    new state and wake the runner so pacing sees the change at once."""
    call = runner.calls.get(t.call_id)
    if call is not None:
        apply(runner, call, t)


def apply(runner: BankRunner, call: EngineCall, t: Transition) -> None:
    """:func:`on_transition` for a call of the bank; the engine's own decisions about a call
    (:func:`handoff.to_safe_harbor`) come through here as well."""
    if call.ringback_id and (t.new in TERMINAL or t.new is CallState.ANSWERED):
        runner._spawn(ringback.stop_ringback(runner, call.ringback_id))
        call.ringback_id = ""
    if t.new in TERMINAL:
        end_call(runner, call, t)
    elif not advance(runner, call, t):
        return  # a drop already applied, reported again: nothing changed, nothing to say
    runner.bus.publish("call", runner.bank_id, call_id=t.call_id, state=t.new.value, at=t.at)
    runner.wake.set()


def advance(runner: BankRunner, call: EngineCall, t: Transition) -> bool:
    """A call still on the line moved on: the first answer is stored on its attempt, a
    screening verdict is stored and learned, a drop is counted (and learned as a person).
    A call the engine sent to the safe-harbor message (:func:`handoff.to_safe_harbor`, a
    drop applied here too) stays dropped (counted once): False when nothing changed."""
    if call.state is CallState.DROPPED and t.new in (CallState.BRIDGED, CallState.DROPPED):
        return False
    call.state, call.since = t.new, t.at
    if t.new is CallState.ANSWERED and call.answered_at is None:
        call.answered_at = t.at
        with runner.db.write() as conn:
            attempts.mark_answered(conn, call.attempt_id, t.at)
    elif t.new in (CallState.HUMAN, CallState.MACHINE):
        record_verdict(runner, call, t)
    elif t.new is CallState.DROPPED:
        runner.figures.dropped += 1
        if call.verdict_at is None:
            learn(runner, call, t, CallState.HUMAN)
    return True


def record_verdict(runner: BankRunner, call: EngineCall, t: Transition) -> None:
    """Screening said person or machine: store it on the attempt and teach the estimator."""
    call.verdict_at, call.verdict = t.at, t.reason.upper()
    with runner.db.write() as conn:
        attempts.mark_answered(conn, call.attempt_id, t.at, call.verdict)
    learn(runner, call, t, t.new)


def learn(runner: BankRunner, call: EngineCall, t: Transition, state: CallState) -> None:
    """Teach the estimator how this call turned out (as ``state``): its fate, how long it
    rang and, when screened after an answer, how long screening took; a call we hung up while
    it rang only says nobody answered that soon (a censored observation)."""
    fate = estimator_outcome(call, Transition(t.call_id, None, state, t.at))
    if fate is None:
        ring_s = censored_ring(call, t)  # hung up by us while ringing: not answered by then
        if ring_s is not None:
            runner.estimator.observe_unanswered(ring_s)
        return
    answered = call.answered_at
    ring = (answered if answered is not None else t.at) - call.dialed_at
    amd = t.at - answered if answered is not None and call.verdict_at else None
    runner.estimator.observe_call(fate, ring_s=max(ring, 0.01), amd_s=amd)


def end_call(runner: BankRunner, call: EngineCall, t: Transition) -> None:
    """The call ended: store its automatic result, drop it from the bank's calls, note it
    for its mode (a call that reached nobody) and free its volunteer, if it had one."""
    result, cause = result_of(call, t)
    if call.answered_at is None:
        learn(runner, call, t, t.new)
    end = (call.attempt_id, t.at, result, cause)
    if not _store_end(runner, *end):
        runner.unstored_ends.append(end)  # tried again at each tick (retry_ends)
    call.ended, call.state = True, t.new
    runner._stored_dirty = True
    runner.calls.pop(call.call_id, None)
    try:
        unreached.call_ended(runner, call, result, cause)
    finally:  # whatever the note costs (it reads the store), the volunteer is never left busy
        _free_volunteer(runner, call, t)


def _store_end(
    runner: BankRunner, attempt_id: int, at: float, result: str, cause: str | None
) -> bool:
    """Store a call's end; False (logged) only when the store failed (worth another try):
    an end stored meanwhile by another path (a report closed as Not Recorded ends its
    call) or refused for good counts as done."""
    try:
        with runner.db.write() as conn:
            attempts.record_end(conn, attempt_id, at, result, cause)
    except sqlite3.Error:
        log.exception("bank %s: end of call attempt %s not stored", runner.bank_id, attempt_id)
        return False
    except PhonebankError as exc:
        if getattr(exc, "code", "") != "already_ended":
            log.exception("bank %s: end of call attempt %s refused", runner.bank_id, attempt_id)
    return True


def retry_ends(runner: BankRunner) -> None:
    """Store the call ends the store refused (locked, full) when they came: until then their
    numbers stay "dialing", taken in every bank. Kept for the next tick if it fails again
    (the next start closes what is still open, see ``recovery``)."""
    waiting, runner.unstored_ends = runner.unstored_ends, []
    for i, end in enumerate(waiting):
        if not _store_end(runner, *end):  # the store still fails: the rest wait with it
            runner.unstored_ends = waiting[i:]
            break
    runner._stored_dirty = True


def _free_volunteer(runner: BankRunner, call: EngineCall, t: Transition) -> None:
    """The volunteer on an ended call reports on it (wrap-up) if the callee reached their
    room (talk time learned), else is made ready again at once."""
    vid = call.volunteer_id
    if vid is None or call.released:
        return  # nobody, or already freed (see release_volunteer)
    session = runner.pool.sessions.get(vid)
    if session is None or session.call_id != call.call_id:
        return
    if session.state is VState.BUSY:
        runner.pool.end_call(vid)
    if call.connected_at is not None:
        runner.estimator.observe_talk(t.at - call.connected_at)
        close_unreported(runner, vid)  # never happens (Ready waits for it): never lost
        runner.wrapups[vid] = call
    elif runner.mode != "stopping" and runner.pool.sessions[vid].state is VState.WRAP_UP:
        runner.pool.ready(vid)  # the callee left before the room: no call had, nothing to file


def release_volunteer(runner: BankRunner, call: EngineCall) -> None:
    """The callee's leg left the volunteer's room for good (a voicemail message being left):
    the call is over for the volunteer, who files the report now, while the engine follows
    the leg to its end (which then frees nobody)."""
    vid = call.volunteer_id
    session = runner.pool.sessions.get(vid) if vid is not None else None
    if vid is None or session is None or session.call_id != call.call_id:
        return
    call.released = True
    if session.state is VState.BUSY:
        runner.pool.end_call(vid)
    if call.connected_at is not None:
        runner.estimator.observe_talk(runner.clock() - call.connected_at)
    runner.wrapups[vid] = call
    runner.wake.set()


def ready_again(runner: BankRunner, volunteer_id: int) -> None:
    """A volunteer done with a call is made ready for the next one if they asked for that
    (auto-ready) and the bank is not stopping."""
    s = runner.pool.sessions.get(volunteer_id)
    if s is None or runner.mode == "stopping":
        return
    if s.state in (VState.WRAP_UP, VState.IDLE) and runner.pool.auto_ready.get(volunteer_id):
        runner.pool.ready(volunteer_id)


def close_unreported(runner: BankRunner, volunteer_id: int) -> list[int]:
    """The volunteer's report on their last conversation will not come (they went on to
    another bank, or left long ago): the call gets *Not Recorded*, whose rule reschedules
    the number, and nothing is due any more. A number handed to a personal-phone volunteer
    (its attempt still open) ends in the same transaction, as a call with a person (they
    may have talked). The report stays due if that cannot be stored (tried again later)."""
    call = runner.wrapups.get(volunteer_id)
    if call is None:
        return []
    contacts = [m.contact_id for m in call.claim.members]
    personal = recovery.is_personal(call.call_id)
    end_as, cause = ("human", recovery.PERSONAL_CAUSE) if personal else ("bridged", "no_report")
    with runner.db.write() as conn:
        now = runner.clock()
        ids = recovery.file_not_recorded(conn, call.attempt_id, contacts, now, end_as, cause)
    if runner.wrapups.get(volunteer_id) is call:
        del runner.wrapups[volunteer_id]
    runner.figures.note_outcome(recovery.NOT_RECORDED)
    runner.wake.set()
    return ids
