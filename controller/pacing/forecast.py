"""Probabilities over a short horizon: when calls in flight become humans, when volunteers free up.

A human who answers must have a free volunteer within the grace period (2 s) or the call is an
abandon. For each horizon ``h`` (seconds from now) we add up, as independent Bernoulli trials:

- ``A(h)``: humans arriving by ``h`` (calls in flight, plus new dials when we plan them);
- ``F(h + grace)``: volunteers free to take a call by ``h + grace``.

The expected number of abandons of a dialing plan is approximated by the largest expected
excess ``E[(A(h) - F(h + grace))+]`` over the horizons (computed exactly from the two count
distributions), and compared with the humans the plan is expected to produce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from controller.pacing.snapshot import (
    CallState,
    CallView,
    Estimates,
    PacingSnapshot,
    VolunteerState,
    VolunteerView,
)

GRACE = 2.0  # seconds an answered human waits for a volunteer before the call is dropped
HORIZONS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 17.0, 20.0, 24.0, 28.0, 33.0)
_SQRT2 = math.sqrt(2.0)


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / _SQRT2))


def ring_cdf(est: Estimates, t: float) -> float:
    """P(ring time <= t) for a call that will be answered (answers come before the timeout)."""
    if t <= 0.0:
        return 0.0
    if t >= est.ring_timeout:
        return 1.0
    top = normal_cdf((math.log(est.ring_timeout) - est.ring_mu) / est.ring_sigma)
    return normal_cdf((math.log(t) - est.ring_mu) / est.ring_sigma) / top


def call_human_by(est: Estimates, call: CallView, now: float, horizon: float) -> float:
    """P(this call is a human waiting for a volunteer at or before ``now + horizon``)."""
    if call.state is CallState.WAITING_VOLUNTEER:
        return 1.0
    if call.state is CallState.AMD:
        elapsed = now - call.since
        share = est.p_human / max(est.p_human + est.p_machine, 1e-9)
        if elapsed > est.amd_human * 1.5 + 0.5:
            return 0.0  # too long for a human greeting: almost surely a machine
        return share if horizon >= est.amd_human - elapsed else 0.0
    age = now - call.dialed_at
    return new_call_human_by(est, age, horizon)


def new_call_human_by(est: Estimates, age: float, horizon: float) -> float:
    """P(human by ``age + horizon``) for a call still unanswered at ``age`` (0 for a new dial)."""
    answered = est.p_human + est.p_machine
    gone = ring_cdf(est, age)
    alive = answered * (1.0 - gone) + (est.p_no_answer if age < est.ring_timeout else 0.0)
    if age < est.busy_time:
        alive += est.p_busy
    if alive <= 1e-12:
        return 0.0
    gained = ring_cdf(est, age + horizon - est.amd_human) - gone
    return max(0.0, est.p_human * gained / alive)


def volunteer_free_by(est: Estimates, vol: VolunteerView, now: float, t: float) -> float:
    """P(this volunteer can take a new call by ``now + t``)."""
    elapsed = now - vol.since
    if vol.state is VolunteerState.WAITING:
        return 1.0
    if vol.state is VolunteerState.WRAP_UP:
        return wrap_done_by(est, elapsed, t)
    if vol.state is VolunteerState.IN_CALL:
        talk_left = t - est.wrap_mean
        return 1.0 - math.exp(-talk_left / est.talk_mean) if talk_left > 0.0 else 0.0
    return 0.0


def wrap_done_by(est: Estimates, elapsed: float, t: float) -> float:
    """P(a wrap-up running for ``elapsed`` seconds is over within ``t`` more seconds)."""
    mean, sd = est.wrap_mean, est.wrap_sd
    left = 1.0 if sd < 0.5 else 1.0 - normal_cdf((elapsed - mean) / sd)
    if elapsed >= mean + 2.0 * sd or left < 1e-3:
        # overdue: free at some point soon, spread over a few seconds
        return 1.0 - math.exp(-t / max(3.0, 0.25 * mean))
    if sd < 0.5:
        return 1.0 if elapsed + t >= mean else 0.0
    done = normal_cdf((elapsed + t - mean) / sd) - normal_cdf((elapsed - mean) / sd)
    return max(0.0, done / left)


def add_bernoulli(pmf: list[float], p: float) -> list[float]:
    """The distribution of ``X + B`` for ``X ~ pmf`` and an independent ``B ~ Bernoulli(p)``."""
    if p <= 1e-9:
        return pmf
    q = 1.0 - p
    out = [x * q for x in pmf]
    out.append(0.0)
    for k, x in enumerate(pmf):
        out[k + 1] += x * p
    return out


def remove_bernoulli(pmf: list[float], p: float) -> list[float]:
    """Inverse of ``add_bernoulli`` (stable for the small ``p`` of calls still ringing)."""
    if p <= 1e-9:
        return pmf
    if p >= 1.0 - 1e-9:
        return pmf[1:] or [1.0]
    q = 1.0 - p
    out: list[float] = []
    prev = 0.0
    for x in pmf[:-1]:
        prev = max(0.0, (x - prev * p) / q)
        out.append(prev)
    return out or [1.0]


@dataclass
class Outlook:
    """Per horizon: the distribution of humans arriving (no new dials yet) and of free
    volunteers, the latter as ``shortfall[a] = E[max(0, a - F)]``."""

    humans: list[list[float]]
    free: list[list[float]]
    new_dial: list[float]  # P(a dial placed now is a human by each horizon)
    call_rows: dict[str, list[float]] = field(default_factory=dict)
    _shortfall: list[list[float]] = field(default_factory=list)

    def drop(self, call_id: str) -> None:
        """Remove one call in flight (the plan cancels it)."""
        row = self.call_rows.pop(call_id)
        self.humans = [remove_bernoulli(pmf, p) for pmf, p in zip(self.humans, row, strict=True)]

    def total_humans(self, dials: int) -> float:
        pmf = self.humans[-1]
        return sum(k * x for k, x in enumerate(pmf)) + dials * self.new_dial[-1]

    def with_dials(self, dials: int) -> list[list[float]]:
        pmfs = self.humans
        for _ in range(dials):
            pmfs = self.add_dial(pmfs)
        return pmfs

    def add_dial(self, pmfs: list[list[float]]) -> list[list[float]]:
        return [add_bernoulli(pmf, q) for pmf, q in zip(pmfs, self.new_dial, strict=True)]

    def expected_abandons(self, dials: int = 0, pmfs: list[list[float]] | None = None) -> float:
        """max over horizons of E[max(0, A(h) - F(h + grace))]."""
        pmfs = self.with_dials(dials) if pmfs is None else pmfs
        worst = 0.0
        for i, pmf in enumerate(pmfs):
            short = self._shortfall_row(i, len(pmf))
            worst = max(worst, sum(x * short[k] for k, x in enumerate(pmf) if x > 1e-12))
        return worst

    def _shortfall_row(self, i: int, size: int) -> list[float]:
        if not self._shortfall:
            self._shortfall = [[] for _ in self.free]
        row, free = self._shortfall[i], self.free[i]
        for a in range(len(row), size):
            row.append(sum(x * (a - f) for f, x in enumerate(free) if f < a))
        return row


def outlook(snapshot: PacingSnapshot) -> Outlook:
    est, now = snapshot.estimates, snapshot.now
    humans: list[list[float]] = [[1.0] for _ in HORIZONS]
    free: list[list[float]] = [[1.0] for _ in HORIZONS]
    rows: dict[str, list[float]] = {}
    for call in snapshot.calls:
        row = [call_human_by(est, call, now, h) for h in HORIZONS]
        if call.state in (CallState.DIALING, CallState.RINGING):
            rows[call.id] = row
        humans = [add_bernoulli(pmf, p) for pmf, p in zip(humans, row, strict=True)]
    for vol in snapshot.volunteers:
        row = [volunteer_free_by(est, vol, now, h + GRACE) for h in HORIZONS]
        free = [add_bernoulli(pmf, p) for pmf, p in zip(free, row, strict=True)]
    new_dial = [new_call_human_by(est, 0.0, h) for h in HORIZONS]
    return Outlook(humans, free, new_dial, rows)
