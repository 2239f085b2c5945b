"""An engine that starts while the PBX still carries calls of the process before it (the
controller restarted, the PBX did not) hangs up the outbound calls nobody follows any more
(a person answering one would reach no volunteer and count nowhere), and leaves every other
channel alone (a volunteer's own line, anything not the appliance's). Real PBX; the calls
are Local channels waiting in a room."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from controller.engine.recovery import hang_up_left_calls
from controller.telephony import actions as act
from controller.telephony.ami import AmiError
from tests.asterisk.test_ami_session import FAST, watched


def holder(cid: str) -> act.OriginateRequest:
    room = "room-" + uuid.uuid4().hex[:8]
    return act.OriginateRequest(
        call_id=cid, channel=f"Local/{room}@phonebank-room/n", application="Wait", data="60"
    )


async def test_given_calls_left_by_a_previous_run_when_the_engine_starts_then_only_those_end(
    pbx_pair: Any,
) -> None:
    left, ringback = f"pb7c-{uuid.uuid4().hex[:16]}", f"pb7r-{uuid.uuid4().hex[:16]}"
    volunteer, other = f"pb7v-{uuid.uuid4().hex[:16]}", f"call-{uuid.uuid4().hex[:10]}"
    async with watched(pbx_pair.pbx_ami.port, pbx_pair.pbx_ami, **FAST) as w:
        for cid in (left, ringback, volunteer, other):
            assert (await act.originate(w.session, holder(cid))).answered

        hung = await hang_up_left_calls(w.session)

        assert hung == 4  # both Local halves of the call and of its ring tone
        await w.until(lambda: w.tracker.calls[left].finished, 10)
        await w.until(lambda: w.tracker.calls[ringback].finished, 10)
        linked = {c.linkedid for c in await act.core_show_channels(w.session)}
        assert {volunteer, other} <= linked and not {left, ringback} & linked
        for cid in (volunteer, other):
            for channel in list(w.tracker.calls[cid].live.values()):
                with contextlib.suppress(AmiError):  # one half's hang-up ends the other
                    await act.hangup(w.session, channel)
