"""A bank's day run offline on a real SQLite file, so its stored pacing decisions can be
replayed: the engine's own runner (``make_runner``) paces every half second on a test clock;
calls progress through the runner's real transition handling (ring, machine check, person or
machine, hand-off to the longest waiting volunteer or a drop after 2 s, talk, report), with
fates drawn from a seeded generator. Nothing is originated (no PBX)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from controller.config import Settings
from controller.engine.calls import EngineCall
from controller.engine.dialing import new_call_id
from controller.engine.runner import BankRunner
from controller.model.volunteers import VState
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.test_runner_pacing import NOW, make_runner

TICK = 0.5
S = CallState


@dataclass
class Clock:
    now: float = NOW

    def __call__(self) -> float:
        return self.now


@dataclass
class Day:
    """The runner and what the callees and volunteers will do."""

    runner: BankRunner
    clock: Clock
    rng: random.Random
    fates: dict[str, tuple[str, float]] = field(default_factory=dict)  # call: fate, ring s
    talk_ends: dict[str, float] = field(default_factory=dict)  # bridged call: hang-up time
    report_ends: dict[int, float] = field(default_factory=dict)  # volunteer: report filed
    hung_up: set[str] = field(default_factory=set)  # calls the pacer took back

    def step(self) -> None:
        now = self.clock.now
        for call in list(self.runner.calls.values()):
            self._progress(call, now)
        for vid, at in list(self.report_ends.items()):
            if now >= at:
                del self.report_ends[vid]
                self.runner.file_outcome(vid, "completed")

    def _move(self, call: EngineCall, new: CallState, reason: str = "") -> None:
        self.runner.on_transition(Transition(call.call_id, call.state, new, self.clock.now, reason))

    def _progress(self, call: EngineCall, now: float) -> None:
        fate, ring = self.fates[call.call_id]
        age, held = now - call.dialed_at, now - call.since
        if call.call_id in self.hung_up:
            self._move(call, S.NO_ANSWER, "cancelled")
        elif call.state is S.QUEUED and age >= 1.0:
            self._move(call, S.BUSY if fate == "busy" else S.RINGING)
        elif call.state is S.RINGING and fate == "no_answer" and age >= 20.0:
            self._move(call, S.NO_ANSWER)
        elif call.state is S.RINGING and fate in ("human", "machine") and age >= ring:
            self._move(call, S.ANSWERED)
        elif call.state is S.ANSWERED and held >= 2.0:
            self._move(call, S.HUMAN if fate == "human" else S.MACHINE, fate.upper())
        elif call.state is S.HUMAN:
            self._hand_off(call, held)
        elif call.state in (S.MACHINE, S.DROPPED) and held >= 3.0:
            self._move(call, S.ENDED)
        elif call.state is S.BRIDGED and now >= self.talk_ends[call.call_id]:
            vid = call.volunteer_id
            self._move(call, S.ENDED)
            if vid is not None:
                self.report_ends[vid] = now + self.rng.uniform(8.0, 16.0)

    def _hand_off(self, call: EngineCall, held: float) -> None:
        free = self.runner.pool.longest_waiting(self.runner.bank_id)
        if free is not None:
            self.runner.pool.assign(free.volunteer_id, call.call_id)
            call.volunteer_id, call.connected_at = free.volunteer_id, self.clock.now
            self.talk_ends[call.call_id] = self.clock.now + self.rng.expovariate(1 / 45.0)
            self._move(call, S.BRIDGED)
        elif held >= 2.0:
            self._move(call, S.DROPPED)

    def channels(self, call_id: str) -> list[str]:
        """The pacer hangs up ``call_id``: it ends at the next step."""
        self.hung_up.add(call_id)
        return []

    def keep(self, claims: list[Any], now: float, reserved_for: int | None = None) -> int:
        """The runner's ``dial_claims`` without the PBX: attempts written, calls followed."""
        for claim in claims:
            call = self.runner._record(
                claim,
                now,
                reserved_for,
                "",
                new_call_id(self.runner.bank_id, "p" if reserved_for is not None else "c"),
            )
            self.runner.calls[call.call_id] = call
            draw = self.rng.random()
            fate = "human" if draw < 0.2 else "machine" if draw < 0.5 else "busy"
            fate = "no_answer" if draw >= 0.6 else fate
            self.fates[call.call_id] = (fate, min(18.0, self.rng.lognormvariate(2.0, 0.5)))
        return len(claims)


async def run_day(
    db: Database,
    settings: Settings,
    mode: str = "predictive",
    volunteers: int = 6,
    seconds: float = 300.0,
    seed: int = 7,
    events: dict[float, Callable[[BankRunner], object]] | None = None,
) -> int:
    """Run a bank for ``seconds``; ``events`` maps seconds from the start to a step on the
    runner (a volunteer pauses, leaves, ...). Returns the bank id."""
    clock = Clock()
    runner = make_runner(db, settings, mode, contacts=2000, seed=seed, clock=clock)
    day = Day(runner, clock, random.Random(seed))
    runner.ami.connected = True
    runner.dial_claims = day.keep  # type: ignore[method-assign]
    runner.channels = day.channels
    for vid in range(1, volunteers + 1):
        runner.pool.enroll(runner.bank_id, vid)
        runner.pool.join_without_leg(vid)
    todo = dict(events or {})
    for _ in range(int(seconds / TICK)):
        clock.now += TICK
        for at in [t for t in todo if clock.now - NOW >= t]:
            todo.pop(at)(runner)
        day.step()
        runner._pace()
        await asyncio.sleep(0)  # the pacer's hang-ups run
    return runner.bank_id


def pause(vid: int) -> Callable[[BankRunner], object]:
    def step(runner: BankRunner) -> None:
        if runner.pool.sessions[vid].state is VState.WAITING:
            runner.pool.pause(vid)

    return step


def ready(vid: int) -> Callable[[BankRunner], object]:
    def step(runner: BankRunner) -> None:
        if runner.pool.sessions[vid].state is VState.IDLE:
            runner.pool.ready(vid)

    return step


def leave(*vids: int) -> Callable[[BankRunner], object]:
    def step(runner: BankRunner) -> None:
        for vid in vids:
            runner.pool.leave(vid)

    return step


# a volunteer pauses and comes back, two leave, at the end everybody leaves at once
BUSY_DAY = {60.0: pause(6), 100.0: ready(6), 150.0: leave(5), 152.0: leave(4)}
BUSY_DAY |= {280.0: leave(1, 2, 3, 6)}
