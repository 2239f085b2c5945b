"""Discrete-event simulator of a phone bank that drives a pacing strategy.

A heap of timed events on a simulated clock and a seeded RNG. Each dial's fate is drawn from
the scenario's rates; humans answer after a lognormal ring, AMD decides after a fixed delay, an
answered human waits at most ``grace`` seconds for a free volunteer (else the call is dropped),
talk is exponential, wrap-up fixed, unanswered calls ring out at the timeout. After every event
(and on each tick) the strategy gets a ``PacingSnapshot`` built exactly as the engine builds it,
with estimates learned online by an ``Estimator``, and its ``Decision`` is applied.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass

from controller.pacing.decision import Decision, Strategy
from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.scenario import Scenario, SimResult
from controller.pacing.snapshot import (
    AbandonLedger,
    CallState,
    CallView,
    Estimates,
    PacingSnapshot,
    VolunteerState,
    VolunteerView,
)

WAITED = 0.3  # a person connected later than this after answering waited for a volunteer


@dataclass
class SimCall:
    id: str
    fate: Outcome
    dialed_at: float
    ring: float  # dial to answer (answered fates) or to the end (busy, no answer)
    view: CallView


class Simulator:
    def __init__(
        self,
        scenario: Scenario,
        strategy: Strategy,
        seed: int = 0,
        estimator: Estimator | None = None,
        record: list[Decision] | None = None,
    ) -> None:
        self.sc = scenario
        self.strategy = strategy
        self.rng = random.Random(seed)
        self.estimator = estimator or Estimator(Estimates(ring_timeout=scenario.ring_timeout))
        self.record = record
        self.result = SimResult(scenario, strategy.name, seed, fates=Counter())
        self.now = 0.0
        self._heap: list[tuple[float, int, str, str]] = []
        self._seq = 0
        self._calls: dict[str, SimCall] = {}
        self._vols = {
            f"v{i}": VolunteerView(f"v{i}", VolunteerState.WAITING, 0.0)
            for i in range(scenario.volunteers)
        }
        self._estimates: Estimates | None = None
        self._estimates_due = 0.0
        self.refresh = 30.0  # seconds between refreshes of the learned estimates

    # -- running -----------------------------------------------------------------------------

    def run(self) -> SimResult:
        end = self.sc.hours * 3600.0
        self._push(0.0, "tick", "")
        while self._heap and self._heap[0][0] <= end:
            when, _, kind, ref = heapq.heappop(self._heap)
            self.now = when
            getattr(self, f"_on_{kind}")(ref)
            if kind != "ringing":  # the forecast reads a call's age, not this transition
                self._decide()
        self.now = end
        self._close()
        return self.result

    def _push(self, when: float, kind: str, ref: str) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, kind, ref))

    def snapshot(self) -> PacingSnapshot:
        if self._estimates is None or self.now >= self._estimates_due:
            self._estimates = self.estimator.estimates()
            self._estimates_due = self.now + self.refresh
        humans = self.result.connections + self.result.drops
        return PacingSnapshot(
            now=self.now,
            volunteers=tuple(self._vols.values()),
            calls=tuple(c.view for c in self._calls.values()),
            estimates=self._estimates,
            ledger=AbandonLedger(humans, self.result.drops, self.sc.cap),
        )

    def _decide(self) -> None:
        decision = self.strategy.decide(self.snapshot())
        self.result.decisions += 1
        if self.record is not None:
            self.record.append(decision)
        for call_id in decision.cancel:
            call = self._calls.get(call_id)
            if call is not None and call.view.state in (CallState.DIALING, CallState.RINGING):
                if call.view.state is CallState.RINGING:  # unanswered so far: censored
                    self.estimator.observe_unanswered(self.now - call.dialed_at)
                self._end_call(call_id, "cancelled")
        for _ in range(decision.dial):
            self._dial()

    # -- calls -------------------------------------------------------------------------------

    def _dial(self) -> None:
        sc, rng = self.sc, self.rng
        self.result.dials += 1
        call_id = f"c{self.result.dials}"
        u = rng.random()
        ring = sc.ring_timeout
        if u < sc.p_human + sc.p_machine:
            fate = Outcome.HUMAN if u < sc.p_human else Outcome.MACHINE
            ring = max(sc.setup_time, rng.lognormvariate(sc.ring_mu, sc.ring_sigma))
            if ring >= sc.ring_timeout:
                fate, ring = Outcome.NO_ANSWER, sc.ring_timeout
        elif u < sc.p_human + sc.p_machine + sc.p_busy:
            fate, ring = Outcome.BUSY, sc.busy_time
        else:
            fate = Outcome.NO_ANSWER
        view = CallView(call_id, CallState.DIALING, self.now, self.now)
        self._calls[call_id] = SimCall(call_id, fate, self.now, ring, view)
        if fate is not Outcome.BUSY:
            self._push(self.now + min(sc.setup_time, ring), "ringing", call_id)
        end_kind = {Outcome.BUSY: "busy", Outcome.NO_ANSWER: "ring_out"}.get(fate, "answer")
        self._push(self.now + ring, end_kind, call_id)

    def _set_call(self, call: SimCall, state: CallState) -> None:
        call.view = CallView(call.id, state, self.now, call.dialed_at)

    def _end_call(self, call_id: str, fate: str) -> None:
        del self._calls[call_id]
        self.result.fates[fate] += 1

    def _on_tick(self, _: str) -> None:
        self._push(self.now + self.sc.tick, "tick", "")

    def _on_ringing(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is not None and call.view.state is CallState.DIALING:
            self._set_call(call, CallState.RINGING)

    def _on_busy(self, call_id: str) -> None:
        if call_id in self._calls:
            self._observe(Outcome.BUSY, self.sc.busy_time)
            self._end_call(call_id, "busy")

    def _on_ring_out(self, call_id: str) -> None:
        if call_id in self._calls:
            self._observe(Outcome.NO_ANSWER)
            self._end_call(call_id, "no_answer")

    def _on_answer(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        self._set_call(call, CallState.AMD)
        amd = self.sc.amd_human if call.fate is Outcome.HUMAN else self.sc.amd_machine
        self._push(self.now + amd, "amd", call_id)

    def _on_amd(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        amd = self.sc.amd_human if call.fate is Outcome.HUMAN else self.sc.amd_machine
        self._observe(call.fate, call.ring, amd)
        if call.fate is Outcome.MACHINE:
            self._end_call(call_id, "machine")
            return
        self._set_call(call, CallState.WAITING_VOLUNTEER)
        self._push(self.now + self.sc.grace, "grace_over", call_id)
        self._match()

    def _on_grace_over(self, call_id: str) -> None:
        if call_id in self._calls:
            self._end_call(call_id, "dropped")

    def _observe(self, fate: Outcome, ring: float | None = None, amd: float | None = None) -> None:
        self.estimator.observe_call(fate, ring, amd)

    # -- volunteers --------------------------------------------------------------------------

    def _set_vol(self, vol_id: str, state: VolunteerState) -> None:
        old = self._vols[vol_id]
        if old.state is VolunteerState.WAITING:
            self.result.wait_time += self.now - old.since
        self._vols[vol_id] = VolunteerView(vol_id, state, self.now)

    def _match(self) -> None:
        """Longest-waiting human goes to the longest-waiting volunteer, while both exist."""
        while True:
            calls = self._calls.values()
            humans = [c for c in calls if c.view.state is CallState.WAITING_VOLUNTEER]
            ready = [v for v in self._vols.values() if v.state is VolunteerState.WAITING]
            if not humans or not ready:
                return
            human = min(humans, key=lambda c: c.view.since)
            vol = min(ready, key=lambda v: v.since)
            self._end_call(human.id, "connected")
            self.result.connections += 1
            if self.now - human.view.since > WAITED:
                self.result.waited += 1
            self._set_vol(vol.id, VolunteerState.IN_CALL)
            self._push(self.now + self.rng.expovariate(1.0 / self.sc.talk_mean), "talk_end", vol.id)

    def _on_talk_end(self, vol_id: str) -> None:
        talk = self.now - self._vols[vol_id].since
        self.result.talk_time += talk
        self.estimator.observe_talk(talk)
        self._set_vol(vol_id, VolunteerState.WRAP_UP)
        self._push(self.now + self.sc.wrap, "wrap_end", vol_id)

    def _on_wrap_end(self, vol_id: str) -> None:
        self.estimator.observe_wrap(self.now - self._vols[vol_id].since)
        self._set_vol(vol_id, VolunteerState.WAITING)
        self._match()

    def _close(self) -> None:
        """Count partial talk and wait time at the end of the run; calls still out stay out."""
        for vol in self._vols.values():
            if vol.state is VolunteerState.IN_CALL:
                self.result.talk_time += self.now - vol.since
            elif vol.state is VolunteerState.WAITING:
                self.result.wait_time += self.now - vol.since
        self.result.in_flight_at_end = len(self._calls)
        self.result.fates = dict(self.result.fates)


def simulate(scenario: Scenario, strategy: Strategy, seed: int = 0) -> SimResult:
    return Simulator(scenario, strategy, seed).run()
