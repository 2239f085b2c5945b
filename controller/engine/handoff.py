"""The hand-off: an answered person goes to the longest-waiting volunteer of the bank (or to
the volunteer a preview call was placed for), else, after ``handoff_wait`` (2 s), nobody:
the dialplan plays the safe-harbor message and the call counts as dropped. How long the
person waited for a volunteer to be free (0 when one was ready) is kept on the call and
published with its hangtime (``volunteer_wait``).

When the callee enters the volunteer's room (``ConfbridgeJoin``) the call is connected:
its hangtime (callee answer -> connected, AMD verdict -> connected) is stored and published.
After the call the volunteer files the outcome (:func:`file_outcome`) and is ready again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from controller.aio import wait_set
from controller.engine import call_events
from controller.engine.calls import RING_MARGIN, EngineCall
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import attempts, engine_log
from controller.store import contacts as contact_store
from controller.store.queue import Claim
from controller.telephony import actions
from controller.telephony.ami import AmiError
from controller.telephony.tracker import CallState, Transition

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)
SAFE_HARBOR_LABEL = "dropped"  # phonebank-answered's safe-harbor message (counts as dropped)
LEFT = "volunteer_left"  # the reason of a drop the engine decides (its volunteer is gone)
CANCEL_EVERY = 0.2  # seconds between looks for the line of a preview call to hang up


async def handoff(runner: BankRunner, call_id: str) -> str | None:
    call = runner.calls.get(call_id)
    if call is None:
        return None
    loop = asyncio.get_running_loop()
    asked = tried = loop.time()
    deadline = asked + runner.config.handoff_wait
    while True:
        conference = try_assign(runner, call)
        if conference is not None:
            call.handoff_wait = tried - asked  # 0.0 when a volunteer was ready at once
            return conference
        remaining = deadline - loop.time()
        if remaining <= 0 or not _alive(runner, call):
            return None
        await wait_set(runner.pool.changed, remaining)
        tried = loop.time()


def _candidate(runner: BankRunner, call: EngineCall) -> Session | None:
    if call.reserved_for is None:
        return runner.pool.longest_waiting(runner.bank_id)
    s = runner.pool.sessions.get(call.reserved_for)
    if s is None or s.state is not VState.WAITING or s.bank_id != runner.bank_id:
        return None
    return s


def _alive(runner: BankRunner, call: EngineCall) -> bool:
    """The person is still on the line (the call has not ended, nor been sent to the
    safe-harbor message): only such a call may be handed to a volunteer."""
    return (
        not call.ended
        and call.state is not CallState.DROPPED
        and runner.calls.get(call.call_id) is call
    )


def try_assign(runner: BankRunner, call: EngineCall) -> str | None:
    if not _alive(runner, call):
        return None
    s = _candidate(runner, call)
    if s is None:
        return None
    waited = max(0.0, runner.clock() - s.since)
    try:
        s = runner.pool.assign(s.volunteer_id, call.call_id)
    except VolunteerError:
        return None
    call.volunteer_id = s.volunteer_id
    runner.figures.assigned += 1
    runner.figures.add_wait(waited)
    with runner.db.write() as conn:
        attempts.record_bridge(conn, call.attempt_id, s.volunteer_id)
    return s.conference


def callee_joined(runner: BankRunner, call_id: str, at: float, channel: str) -> None:
    """The callee entered the volunteer's room: connected (hangtime stored and published).
    When that volunteer has left meanwhile, the callee hears the safe-harbor message
    instead, and the call counts as dropped."""
    call = runner.calls.get(call_id)
    if call is None or call.connected_at is not None:
        return
    if not _volunteer_there(runner, call):
        to_safe_harbor(runner, call, channel)
        return
    call.connected_at, call.callee_channel = at, channel
    a = at - call.answered_at if call.answered_at is not None else None
    v = at - call.verdict_at if call.verdict_at is not None else None
    if call.verdict_at is None:  # no screening: the estimator still learns a person answered
        call_events.learn(
            runner, call, Transition(call_id, None, CallState.HUMAN, at), CallState.HUMAN
        )
    with runner.db.write() as conn:
        engine_log.record_hangtime(
            conn, call.attempt_id, runner.bank_id, call.volunteer_id, a, v, at
        )
    runner.figures.add_hangtime(a, v)
    runner.bus.publish(
        "hangtime",
        runner.bank_id,
        call_id=call_id,
        answer_to_connect=a,
        verdict_to_connect=v,
        volunteer_wait=call.handoff_wait,
    )


def volunteer_left(runner: BankRunner, volunteer_id: int) -> None:
    """A volunteer left the bank: a person handed to them who has not reached their room
    yet hears the safe-harbor message instead (dropped), never an empty room; a preview
    call placed for them that nobody answered yet is hung up (nobody is there to talk)."""
    for call in list(runner.calls.values()):
        if call.ended or call.connected_at is not None:
            continue
        if call.volunteer_id == volunteer_id:
            to_safe_harbor(runner, call)
        elif call.reserved_for == volunteer_id and call.answered_at is None:
            runner._spawn(_cancel_preview(runner, call))


async def _cancel_preview(runner: BankRunner, call: EngineCall) -> None:
    """Hang up a preview call whose volunteer left. Its Originate may still be on its way
    (no line yet): each line is hung up as it appears, until the call ends, is answered
    (the safe-harbor message then takes the person) or could no longer be ringing."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + runner.config.ring_timeout + RING_MARGIN
    hung: set[str] = set()
    while _alive(runner, call) and call.answered_at is None and loop.time() < give_up:
        for channel in runner.channels(call.call_id):
            if channel not in hung:
                hung.add(channel)
                with contextlib.suppress(AmiError):
                    await actions.hangup(runner.ami, channel)
        await asyncio.sleep(CANCEL_EVERY)


def to_safe_harbor(runner: BankRunner, call: EngineCall, channel: str = "") -> None:
    """Send the answered person of ``call`` to the safe-harbor message: the call counts as
    dropped (like a person nobody was free for within the 2 s) and is never connected.

    The drop takes the path of one the PBX reports (:func:`call_events.apply`: the state,
    the ``dropped`` figure, a person learned when unscreened, the ``call`` message), timed
    by the engine's clock, as the engine decides it. Unlike a reported drop (the dialplan
    plays the message itself), the person's line is moved here, and again on a later call
    (a dropped person who reached the empty room) while the drop counts once."""
    if call.state is not CallState.DROPPED:
        t = Transition(call.call_id, call.state, CallState.DROPPED, runner.clock(), LEFT)
        call_events.apply(runner, call, t)
    channels = [channel] if channel else _callee_leg(runner.channels(call.call_id))
    for name in channels:
        runner._spawn(_redirect_to_safe_harbor(runner, call.call_id, name))


def _callee_leg(channels: list[str]) -> list[str]:
    """The answered side of the call's Local channel (the one running the hand-off)."""
    return [c for c in channels if c.lower().startswith("local/") and c.endswith(";1")]


async def _redirect_to_safe_harbor(runner: BankRunner, call_id: str, channel: str) -> None:
    if not runner.ami.connected:
        return
    try:
        await actions.redirect(
            runner.ami, channel, actions.ANSWERED_CONTEXT, "s", SAFE_HARBOR_LABEL
        )
    except AmiError as exc:
        log.warning("bank %s: safe harbor for %s: %s", runner.bank_id, call_id, exc)


def _volunteer_there(runner: BankRunner, call: EngineCall) -> bool:
    """The volunteer this call was handed to is still in the bank, on this call."""
    s = runner.pool.sessions.get(call.volunteer_id) if call.volunteer_id is not None else None
    return s is not None and s.state is VState.BUSY and s.call_id == call.call_id


def reachable(conn: sqlite3.Connection, claim: Claim) -> list[int]:
    """Everyone on the call's number, less the people the volunteer marked a wrong number."""
    return contact_store.reachable(conn, [m.contact_id for m in claim.members], claim.e164)


def set_aside_wrong(conn: sqlite3.Connection, claim: Claim, keep: set[int]) -> None:
    """The people the volunteer marked a wrong number on this call are done with this
    number in this bank (not with their other numbers): it is not called again for them."""
    for member in claim.members:
        if member.contact_id not in keep:
            conn.execute(
                "UPDATE queue_members SET finished = 1 WHERE entry_id = ? AND contact_id = ?",
                (claim.entry_id, member.contact_id),
            )


def file_outcome(
    runner: BankRunner,
    volunteer_id: int,
    outcome: str,
    notes: str = "",
    contact_id: int | None = None,
    report: Callable[[sqlite3.Connection], None] | None = None,
) -> list[int]:
    """Store the volunteer's outcome for their last call and make them ready again.

    ``report`` writes what goes with the outcome (the call screen's fields and tags) in the
    same transaction: all of it is stored, or none and the volunteer is still in wrap-up."""
    call = runner.wrapups.get(volunteer_id)
    if call is None:
        raise VolunteerError("nothing_to_report", "this volunteer has no call to report on")
    now = runner.clock()
    with runner.db.write() as conn:
        reach = reachable(conn, call.claim)
        contacts = [contact_id] if contact_id is not None else reach
        set_aside_wrong(conn, call.claim, {*contacts, *reach})
        if report is not None:
            report(conn)
        ids = [
            attempts.record_disposition(conn, call.attempt_id, outcome, c, volunteer_id, notes, now)
            for c in contacts
        ]
    del runner.wrapups[volunteer_id]
    runner.figures.completed += 1
    runner.figures.note_outcome(outcome)
    s = runner.pool.sessions.get(volunteer_id)
    if s is not None and s.state is VState.WRAP_UP:
        runner.estimator.observe_wrap(now - s.since)
    call_events.ready_again(runner, volunteer_id)
    runner.wake.set()
    return ids
