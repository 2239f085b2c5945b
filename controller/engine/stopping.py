"""Stopping a bank: cancel ringing calls, let conversations finish (or end them at once),
then play "this phone bank has ended" to every volunteer and let them go.

A stopping runner dials nothing. It waits until no call of the bank is left and no
volunteer is still filing a report (bounded by ``disconnect_grace``), then redirects each
volunteer's leg to ``phonebank-playback`` with the ``bank-ended`` prompt. It is ``stopped``
when every volunteer has left (or the grace has passed again).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from controller.engine import modes
from controller.telephony import actions
from controller.telephony.ami import AmiError

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
    modes.release_previews(runner)  # contacts shown but not called go back at once
    for call in list(runner.calls.values()):
        if runner.hard_stop or call.answered_at is None:
            runner._spawn(runner._hangup_call(call.call_id))
    if first or hard:
        runner.bus.publish("bank", runner.bank_id, state="stopping", hard=runner.hard_stop)
    runner.wake.set()


async def drain_step(runner: BankRunner) -> None:
    phase, since = runner.stop_phase
    now = runner.clock()
    grace = runner.config.disconnect_grace
    if phase == "calls":
        if runner.calls:
            return
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
