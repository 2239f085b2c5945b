"""Simulated volunteers: many volunteers for tests, benchmarks and the demo, on the real PBX.

A simulated volunteer is a Local channel into their own room
(``Local/<room>@phonebank-room/n``) whose other half plays speech in a loop
(``phonebank-simulated-volunteer``). When a voter is connected to them they "answer the
script" for a talk time drawn from the profile: they walk the bank's script from its first
block, clicking a response drawn at random in each block and saving it as a volunteer's
click is saved (:func:`controller.store.scripts.save_answer`), until the script ends. Then
they hang the call up, and after a drawn wrap-up file an outcome drawn from the profile's
mix, then are ready again (like a real volunteer using the web page).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from controller.aio import keep
from controller.model import scripts as script_model
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.telephony import actions
from controller.telephony.ami import AmiError

if TYPE_CHECKING:
    from controller.engine.engine import Engine

SIM_CONTEXT = "phonebank-simulated-volunteer"
ROOM_CONTEXT = "phonebank-room"
log = logging.getLogger(__name__)
FILED_KEPT = 10_000  # outcomes the simulated volunteers filed, kept for tests and the demo
MAX_CLICKS = 50  # a script that loops ends the walk here
JOINED = {VState.IDLE, VState.WAITING, VState.BUSY, VState.WRAP_UP}  # the leg is in the room


@dataclass(frozen=True)
class SimProfile:
    """Talk and wrap-up times (uniform between the bounds, seconds) and the outcome mix."""

    talk: tuple[float, float] = (2.0, 5.0)
    wrap: tuple[float, float] = (0.3, 1.0)
    outcomes: Mapping[str, float] = field(
        default_factory=lambda: {"completed": 0.4, "not_home": 0.3, "refused": 0.2, "moved": 0.1}
    )
    seed: int = 0


class SimulatedVolunteers:
    def __init__(self, engine: Engine, profile: SimProfile | None = None) -> None:
        self.engine = engine
        self.profile = profile or SimProfile()
        self.rng = random.Random(self.profile.seed)
        self.clicks = random.Random(self.profile.seed + 1)  # script answers: own draws
        self.ids: set[int] = set()
        # (volunteer, call id, outcome), the latest FILED_KEPT (a demo runs for days)
        self.filed: deque[tuple[int, str, str]] = deque(maxlen=FILED_KEPT)
        self._tasks: set[asyncio.Task[object]] = set()
        self._unlisten = engine.bus.listen(self._on_message)

    async def add(self, bank_id: int, volunteer_id: int, timeout: float = 10.0) -> Session:
        """Enroll and dial the volunteer's leg into their room; returns once they wait."""
        session = self.engine.enroll(bank_id, volunteer_id)
        self.ids.add(volunteer_id)
        self.engine.simulated.add(volunteer_id)
        req = actions.OriginateRequest(
            call_id=f"sv{volunteer_id}-{uuid.uuid4().hex[:10]}",
            channel=f"Local/{session.conference}@{ROOM_CONTEXT}/n",
            context=SIM_CONTEXT,
            timeout=timeout,
        )
        await actions.originate(self.engine.ami, req)
        await self.wait_state(volunteer_id, JOINED, timeout)
        if self.engine.pool.report_due(volunteer_id):
            self._file(volunteer_id)  # back with a report owed (they left mid-call): file it
        await self.wait_state(volunteer_id, {VState.WAITING, VState.BUSY}, timeout)
        return self.engine.pool.sessions[volunteer_id]

    async def wait_state(self, volunteer_id: int, states: set[VState], timeout: float) -> None:
        async def reached() -> None:
            while self.engine.pool.sessions[volunteer_id].state not in states:
                await self.engine.pool.changed.wait()

        await asyncio.wait_for(reached(), timeout)

    async def remove(self, volunteer_id: int) -> None:
        """The volunteer's leg drops (as if their phone hung up)."""
        leg = self.engine.pool.legs.get(volunteer_id)
        if leg is not None:
            with contextlib.suppress(AmiError):
                await actions.hangup(self.engine.ami, leg.channel)

    async def close(self) -> None:
        self._unlisten()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _spawn(self, coro: Any) -> None:
        keep(self._tasks, asyncio.ensure_future(coro), log)

    def _on_message(self, message: Mapping[str, Any]) -> None:
        if message["topic"] == "hangtime":
            vid = self._volunteer_of(str(message["call_id"]))
            if vid is not None:
                self._spawn(self._talk(str(message["call_id"])))
        elif message["topic"] == "volunteer" and message["state"] == VState.WRAP_UP.value:
            vid = int(message["volunteer_id"])
            if vid in self.ids:
                self._spawn(self._wrap(vid))

    def _volunteer_of(self, call_id: str) -> int | None:
        for vid in self.ids:
            s = self.engine.pool.sessions.get(vid)
            if s is not None and s.call_id == call_id:
                return vid
        return None

    async def _talk(self, call_id: str) -> None:
        await asyncio.sleep(self.rng.uniform(*self.profile.talk))
        runner = self.engine.runner_of_call(call_id)
        call = runner.calls.get(call_id) if runner else None
        vid = self._volunteer_of(call_id)
        if call is not None and vid is not None and call.connected_at is not None:
            try:
                self._answer_script(vid, call)
            except Exception:  # the call still ends and is reported
                log.exception("simulated volunteer %s: cannot answer the script", vid)
        if call is not None and call.callee_channel:
            with contextlib.suppress(AmiError):
                await actions.hangup(self.engine.ami, call.callee_channel)

    def _answer_script(self, volunteer_id: int, call: Any) -> int:
        """Click through the bank's script for the call's first person; returns the clicks."""
        bank_id, contact_id = call.claim.bank_id, call.claim.members[0].contact_id
        with self.engine.db.write() as conn:
            script_id = bank_store.get(conn, bank_id).settings.script_id
            stored = script_store.get(conn, script_id) if script_id is not None else None
            if stored is None:
                return 0
            options, block, clicks = script_store.field_options(conn), stored.script.start, 0
            while block is not None and clicks < MAX_CLICKS:
                responses = script_model.responses_for(block, options)
                if not responses:
                    break
                chosen = self.clicks.choice(responses)
                script_store.save_answer(
                    conn, bank_id=bank_id, contact_id=contact_id, block_id=block.id,
                    answer=chosen.label, now=self.engine.clock(), attempt_id=call.attempt_id,
                    volunteer_id=volunteer_id,
                )  # fmt: skip
                clicks += 1
                block = stored.script.block(chosen.next) if chosen.next else None
        return clicks

    async def _wrap(self, volunteer_id: int) -> None:
        await asyncio.sleep(self.rng.uniform(*self.profile.wrap))
        self._file(volunteer_id)

    def _file(self, volunteer_id: int) -> None:
        mix = self.profile.outcomes
        outcome = self.rng.choices(list(mix), list(mix.values()))[0]
        owed = (r.wrapups.get(volunteer_id) for r in self.engine.runners.values())
        call_id = next((c.call_id for c in owed if c is not None), "")
        with contextlib.suppress(VolunteerError):
            self.engine.file_outcome(volunteer_id, outcome)
            self.filed.append((volunteer_id, call_id, outcome))
