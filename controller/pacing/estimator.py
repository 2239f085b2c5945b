"""Online estimates of answer rates and durations, from observed call and volunteer events.

Each figure is a weighted mean that starts from a prior worth ``prior_weight`` observations and
forgets old observations with a half-life of ``half_life`` observations, so a cold bank paces
on sane defaults and a running bank follows its list (answer rates drift over a day).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from controller.pacing.snapshot import Estimates, PacingError


class Outcome(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    BUSY = "busy"  # busy, invalid, failed, rejected: ends quickly without an answer
    NO_ANSWER = "no_answer"


@dataclass
class Running:
    """A decayed weighted mean and variance."""

    weight: float
    mean: float
    var: float = 0.0

    def add(self, value: float, decay: float) -> None:
        self.weight = self.weight * decay + 1.0
        step = 1.0 / self.weight
        delta = value - self.mean
        self.mean += step * delta
        self.var = (1.0 - step) * (self.var + step * delta * delta)


class Estimator:
    def __init__(
        self, prior: Estimates | None = None, prior_weight: float = 20.0, half_life: float = 400.0
    ) -> None:
        if prior_weight <= 0.0 or half_life <= 0.0:
            raise PacingError("bad_estimator", "prior weight and half-life must be > 0")
        self.prior = prior or Estimates()
        self._decay = 0.5 ** (1.0 / half_life)
        p, w = self.prior, prior_weight
        self._fates = {
            Outcome.HUMAN: Running(w, p.p_human),
            Outcome.MACHINE: Running(w, p.p_machine),
            Outcome.BUSY: Running(w, p.p_busy),
        }
        self._ring = Running(w / 4, p.ring_mu, p.ring_sigma**2)
        self._amd_human = Running(w / 4, p.amd_human)
        self._amd_machine = Running(w / 4, p.amd_machine)
        self._talk = Running(w / 4, p.talk_mean)
        self._wrap = Running(w / 4, p.wrap_mean, p.wrap_sd**2)
        self._busy_time = Running(w / 4, p.busy_time)
        self.observed_calls = 0

    def observe_call(
        self, outcome: Outcome, ring_s: float | None = None, amd_s: float | None = None
    ) -> None:
        """One dial ended its ringing: ``ring_s`` dial-to-answer (or to busy), ``amd_s``."""
        self.observed_calls += 1
        for fate, stat in self._fates.items():
            stat.add(1.0 if outcome is fate else 0.0, self._decay)
        if outcome in (Outcome.HUMAN, Outcome.MACHINE) and ring_s is not None and ring_s > 0:
            self._ring.add(math.log(ring_s), self._decay)
        if outcome is Outcome.HUMAN and amd_s is not None:
            self._amd_human.add(amd_s, self._decay)
        if outcome is Outcome.MACHINE and amd_s is not None:
            self._amd_machine.add(amd_s, self._decay)
        if outcome is Outcome.BUSY and ring_s is not None:
            self._busy_time.add(ring_s, self._decay)

    def observe_talk(self, seconds: float) -> None:
        self._talk.add(max(0.0, seconds), self._decay)

    def observe_wrap(self, seconds: float) -> None:
        self._wrap.add(max(0.0, seconds), self._decay)

    def estimates(self) -> Estimates:
        fates = {k: min(1.0, max(0.0, v.mean)) for k, v in self._fates.items()}
        total = sum(fates.values())
        if total > 1.0:
            fates = {k: v / total for k, v in fates.items()}
        return replace(
            self.prior,
            p_human=fates[Outcome.HUMAN],
            p_machine=fates[Outcome.MACHINE],
            p_busy=fates[Outcome.BUSY],
            ring_mu=self._ring.mean,
            ring_sigma=max(0.1, math.sqrt(self._ring.var)),
            amd_human=self._amd_human.mean,
            amd_machine=self._amd_machine.mean,
            talk_mean=max(1.0, self._talk.mean),
            wrap_mean=max(0.0, self._wrap.mean),
            wrap_sd=math.sqrt(self._wrap.var),
            busy_time=self._busy_time.mean,
            confidence=self._fates[Outcome.HUMAN].weight,
        )
