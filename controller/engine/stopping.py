"""Stopping a bank: cancel ringing calls, let conversations finish (or end them at once),
then play "this phone bank has ended" to every volunteer and let them go.

A stopping runner dials nothing. It hangs up the unanswered calls again at every tick (a
call whose Originate was on its way when the stop began has a line only later) and waits
until no call of the bank is left, ending in its books a call it waited for too long
(:func:`close_overdue`), and no volunteer is still filing a report (bounded by
``disconnect_grace`` from the end of the last call), then redirects each
volunteer's leg to ``phonebank-playback`` with the ``bank-ended`` prompt. It is ``stopped``
when every volunteer has left (or the grace has passed again).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from controller.engine import previews
from controller.engine.calls import NOT_PLACED_REASON, RING_MARGIN
from controller.telephony import actions
from controller.telephony.ami import AmiError
from controller.telephony.tracker import CallState, Transition

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)
ENDED_SOUND = "bank-ended"


def begin(runner: BankRunner, hard: bool) -> None:
    if runner.mode == "stopped":
        return
    first = runner.mode != "stopping"
    runner.mode = "stopping"
    runner.hard_stop = runner.hard_stop or hard
    if first:
        runner.stop_phase = ("calls", runner.clock())
    previews.release_previews(runner)  # contacts shown but not called go back at once
    cancel_calls(runner)
    if first or hard:
        runner.bus.publish("bank", runner.bank_id, state="stopping", hard=runner.hard_stop)
    runner.wake.set()


async def drain_step(runner: BankRunner) -> None:
    phase, since = runner.stop_phase
    now = runner.clock()
    grace = runner.config.disconnect_grace
    if phase == "calls":
        if runner.calls:
            cancel_calls(runner)  # again: a call placed as the stop began has a line only now
            close_overdue(runner, now, now - since)
        if runner.calls:
            return
        phase, since = runner.stop_phase = ("reports", now)  # the grace runs from here
    if phase == "reports":
        if runner.wrapups and now - since < grace:
            return
        runner.stop_phase = ("volunteers", now)
        await disconnect_volunteers(runner)
        return
    connected = [s for s in runner.pool.of_bank(runner.bank_id) if s.connected]
    if connected and now - since < grace:
        return
    for s in runner.pool.of_bank(runner.bank_id):
        runner.pool.leave(s.volunteer_id, now)
    runner.mode = "stopped"
    runner.bus.publish("bank", runner.bank_id, state="stopped")


def cancel_calls(runner: BankRunner) -> None:
    """Hang up every call not answered yet (every call, in a hard stop)."""
    for call in list(runner.calls.values()):
        if call.answered_at is None:
            call.stop_cancelled = True
        if runner.hard_stop or call.answered_at is None:
            hangup = runner._hangup_call(call.call_id, unanswered_only=not runner.hard_stop)
            runner._spawn(hangup)


def close_overdue(runner: BankRunner, now: float, waited: float) -> None:
    """Calls the stop has waited for too long end in the bank's books (their lines are hung
    up once more): an unanswered one after the longest a call can ring (the PBX would have
    reported it by then), a conversation after ``stop_talk_limit`` (``disconnect_grace`` in
    a hard stop). A call never placed ends as not placed, one that rang as cancelled."""
    ring_limit = runner.config.ring_timeout + RING_MARGIN
    talk_limit = (
        runner.config.disconnect_grace if runner.hard_stop else runner.config.stop_talk_limit
    )
    for call in list(runner.calls.values()):
        if waited < (ring_limit if call.answered_at is None else talk_limit):
            continue
        log.warning("bank %s: stop: call %s (%s) ended without word from the PBX",
                    runner.bank_id, call.call_id, call.state.value)  # fmt: skip
        runner._spawn(runner._hangup_call(call.call_id))
        if call.state is CallState.QUEUED:
            end = Transition(call.call_id, call.state, CallState.FAILED, now, NOT_PLACED_REASON)
        else:
            end = Transition(call.call_id, call.state, CallState.ENDED, now, "cancelled")
        runner.on_transition(end)


async def disconnect_volunteers(runner: BankRunner) -> None:
    """Each volunteer hears the bank has ended; their leg then hangs up."""
    for s in runner.pool.of_bank(runner.bank_id):
        leg = runner.pool.legs.get(s.volunteer_id)
        if leg is None:
            runner.pool.leave(s.volunteer_id)
            continue
        try:
            await actions.playback(runner.ami, leg.channel, ENDED_SOUND)
        except AmiError as exc:
            log.warning("bank %s: could not tell volunteer %s: %s", runner.bank_id,
                        s.volunteer_id, exc)  # fmt: skip
            with contextlib.suppress(AmiError):
                await actions.hangup(runner.ami, leg.channel)
