"""Online estimates of answer rates and durations, from observed call and volunteer events.

Each figure is a weighted mean that starts from a prior worth ``prior_weight`` observations and
forgets old observations with a half-life of ``half_life`` observations, so a cold bank paces
on sane defaults and a running bank follows its list (answer rates drift over a day).

A call hung up while it still rang is a censored observation: all it tells is that nobody
answered in its first ``a`` seconds. :meth:`Estimator.observe_unanswered` counts it as the
fates' expected shares given that (an EM step under the current estimates), so the rates stay
unbiased when many calls are hung up while they ring (a team leaving or pausing).
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

    def add(self, value: float, decay: float, weight: float = 1.0, spread: float = 0.0) -> None:
        """Add ``weight`` observations (a fraction for an expected one) of mean ``value`` and
        variance ``spread`` among themselves; older ones fade by ``decay`` per observation."""
        self.weight = self.weight * decay**weight + weight
        step = weight / self.weight
        delta = value - self.mean
        self.mean += step * delta
        self.var = (1.0 - step) * (self.var + step * delta * delta) + step * spread


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

    def observe_unanswered(self, ring_s: float) -> None:
        """A call hung up after ringing ``ring_s`` seconds (from the dial), nobody having
        answered: each fate is added as its share given "not settled by ``ring_s``" (person
        and machine: the ring time's survival; busy: only before the busy time; no answer:
        always), and the ring time of the answered share as its expected value past
        ``ring_s``. A call hung up before it rang (``ring_s <= 0``) teaches nothing."""
        if ring_s <= 0.0:
            return
        est = self.estimates()
        tail = _ring_tail(est, ring_s)
        alive = {
            Outcome.HUMAN: est.p_human * tail[0],
            Outcome.MACHINE: est.p_machine * tail[0],
            Outcome.BUSY: est.p_busy if ring_s < est.busy_time else 0.0,
        }
        total = sum(alive.values()) + est.p_no_answer
        if total <= 1e-12:
            return
        self.observed_calls += 1
        for fate, stat in self._fates.items():
            stat.add(alive[fate] / total, self._decay)
        answered = (alive[Outcome.HUMAN] + alive[Outcome.MACHINE]) / total
        if answered > 1e-6:
            self._ring.add(tail[1], self._decay, answered, tail[2])

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


def _phi(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _ring_tail(est: Estimates, ring_s: float) -> tuple[float, float, float]:
    """For a call that will be answered (before the ring timeout): P(ring > ``ring_s``), and
    the mean and variance of ln(ring) given that. The learned ring figures are the moments of
    answered calls' ln(ring), all under the timeout: the lognormal behind them is found first,
    so a censored call adds what the answered calls it stands for would have added."""
    top = math.log(est.ring_timeout)
    mu, sigma = _untruncated(est.ring_mu, est.ring_sigma, top)
    a, b = (math.log(ring_s) - mu) / sigma, (top - mu) / sigma
    under, mass = _cdf(b), _cdf(b) - _cdf(a)
    if a >= b or mass <= 1e-12 or under <= 1e-12:
        return 0.0, mu, 0.0
    lam = (_phi(a) - _phi(b)) / mass
    var = 1.0 + (a * _phi(a) - b * _phi(b)) / mass - lam * lam
    return mass / under, mu + sigma * lam, sigma * sigma * max(0.0, var)


def _untruncated(mean: float, sd: float, top: float) -> tuple[float, float]:
    """The normal whose part under ``top`` has this mean and sd (fixed-point iteration; the
    figures as given when they fit no such normal)."""
    mu, sigma = mean, sd
    for _ in range(40):
        b = (top - mu) / sigma
        lam = _phi(b) / max(_cdf(b), 1e-12)
        shrink = 1.0 - b * lam - lam * lam
        if shrink <= 0.05:
            return mean, sd
        sigma_next = sd / math.sqrt(shrink)
        mu_next = mean + sigma_next * lam
        done = abs(mu_next - mu) + abs(sigma_next - sigma) < 1e-7
        mu, sigma = mu_next, sigma_next
        if done:
            break
    return mu, sigma
