"""A preview call's ring tone: while the number rings, the volunteer hears it ring in their
room (a Local channel into ``phonebank-ringback``), until the callee answers or the call
ends."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from controller.engine.calls import EngineCall
from controller.engine.dialing import new_call_id
from controller.telephony import actions
from controller.telephony.ami import AmiError

if TYPE_CHECKING:
    from controller.engine.engine import Engine
    from controller.engine.runner import BankRunner

RINGBACK_CONTEXT = "phonebank-ringback"
RINGBACK_TONE_CONTEXT = "phonebank-ringback-tone"


def start_ringback(engine: Engine, runner: BankRunner, call: EngineCall) -> None:
    """The volunteer hears the number ring: a ring tone joins their room until the callee
    answers or the call ends (:func:`call_events.apply` then calls :func:`stop_ringback`).

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
