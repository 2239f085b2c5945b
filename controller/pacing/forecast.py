"""Probabilities over a short horizon: when calls in flight become humans, when volunteers free up.

A human who answers must have a free volunteer within the grace period (2 s) or the call is an
abandon. We cut the next ~half minute into short intervals and, for each, add up:

- humans arriving (calls in flight by their age and state, plus the new dials we plan);
- volunteers becoming free by the end of the interval plus the grace (ready now, wrap-ups
  ending at a predictable time, talkers by their hazard of finishing).

A small dynamic program over the number of free, unused volunteers then gives the expected
number of abandons of a plan and the humans it is expected to produce. Arrivals and talkers'
releases within an interval are Poisson (sums of small probabilities); ready volunteers,
humans already on the line and wrap-ups that surely end within the interval are exact counts.
"""

from __future__ import annotations

import functools
import itertools
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

_TINY = 1e-4
GRACE = 2.0  # seconds an answered human waits for a volunteer before the call is dropped
HORIZONS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0, 25.0, 33.0)
_SQRT2 = math.sqrt(2.0)


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / _SQRT2))


def ring_cdf(est: Estimates, t: float) -> float:
    """P(ring time <= t) for a call that will be answered (answers come before the timeout)."""
    if t <= 0.0:
        return 0.0
    if t >= est.ring_timeout:
        return 1.0
    table = _ring_table(est.ring_mu, est.ring_sigma, est.ring_timeout)
    pos = t / _STEP
    i = int(pos)
    if i + 1 >= len(table):
        return 1.0
    return table[i] + (table[i + 1] - table[i]) * (pos - i)


_STEP = 0.25


@functools.lru_cache(maxsize=8)
def _ring_table(mu: float, sigma: float, timeout: float) -> tuple[float, ...]:
    top = normal_cdf((math.log(timeout) - mu) / sigma)
    points = [0.0]
    for i in range(1, int(timeout / _STEP) + 1):
        points.append(normal_cdf((math.log(i * _STEP) - mu) / sigma) / top)
    return (*points, 1.0)


def call_human_by(est: Estimates, call: CallView, now: float, horizon: float) -> float:
    """P(this call is a human waiting for a volunteer at or before ``now + horizon``)."""
    if call.state is CallState.WAITING_VOLUNTEER:
        return 1.0
    if call.state is CallState.AMD:
        elapsed = now - call.since
        share = min(1.0, est.p_human_careful / max(est.p_human + est.p_machine, 1e-9))
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
    return max(0.0, est.p_human_careful * gained / alive)


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
    overdue = elapsed - (mean + 2.0 * sd)
    if overdue >= 0.0 or left < 1e-3:
        # overdue: free at some point, the later the longer it has run over (a volunteer
        # who walked away from the report is not counted on every few seconds for good)
        return 1.0 - math.exp(-t / max(3.0, 0.25 * mean, overdue))
    if sd < 0.5:
        return 1.0 if elapsed + t >= mean else 0.0
    done = normal_cdf((elapsed + t - mean) / sd) - normal_cdf((elapsed - mean) / sd)
    return max(0.0, done / left)


def poisson_pmf(rate: float, shift: int = 0) -> list[float]:
    """P(K = k) for ``K = shift + Poisson(rate)``, truncated once the tail is negligible."""
    pmf = [0.0] * shift
    term, total, k = math.exp(-rate), 0.0, 0
    while True:
        pmf.append(term)
        total += term
        k += 1
        if total > 1.0 - 1e-7 or k > 40:
            return pmf
        term *= rate / k


def binomial_pmf(trials: int, mean: float, shift: int = 0) -> list[float]:
    """P(K = k) for ``K = shift + Binomial(trials, mean / trials)``, truncated like Poisson.

    Used for the humans arriving in an interval from ``trials`` calls that can each bring
    at most one: same mean as the sum of their chances, never more humans than calls."""
    if trials <= 0 or mean <= 1e-12:
        return [0.0] * shift + [1.0]
    p = min(mean / trials, 1.0 - 1e-9)
    pmf = [0.0] * shift
    term, total, odds = (1.0 - p) ** trials, 0.0, p / (1.0 - p)
    for k in range(trials + 1):
        pmf.append(term)
        total += term
        if total > 1.0 - 1e-7:
            break
        term *= (trials - k) / (k + 1) * odds
    return pmf


def _add_pool(dist: list[float], sure: int, gain: list[float]) -> list[float]:
    if sure:
        dist = [0.0] * sure + dist
    if len(gain) == 1:
        return dist
    out = [0.0] * (len(dist) + len(gain) - 1)
    for x, px in enumerate(dist):
        if px > 1e-12:
            for g, pg in enumerate(gain):
                out[x + g] += px * pg
    return out


@dataclass
class Outlook:
    """The state's future per interval: humans arriving and volunteers freeing up."""

    sure_humans: int  # humans on the line now, waiting for a volunteer
    arrivals: list[float]  # expected humans arriving from calls in flight, per interval
    callers: list[int]  # calls in flight that may bring a human in each interval
    pool: int  # volunteers ready now
    sure_free: list[int]  # volunteers surely free by each interval's end (not before)
    free_rate: list[float]  # expected volunteers freeing up in each interval otherwise
    new_dial: list[float]  # P(a dial placed now becomes a human in each interval)
    call_rows: dict[str, tuple[float, ...]] = field(default_factory=dict)
    _gains: list[list[float]] = field(default_factory=list)

    def drop(self, call_id: str) -> tuple[float, ...]:
        """Remove one call in flight (the plan cancels it); returns its row."""
        row = self.call_rows.pop(call_id)
        self.arrivals = [max(0.0, a - p) for a, p in zip(self.arrivals, row, strict=True)]
        self.callers = [n - (p > _TINY) for n, p in zip(self.callers, row, strict=True)]
        return row

    def restore(self, call_id: str, row: tuple[float, ...]) -> None:
        self.call_rows[call_id] = row
        self._add_row(row)

    def _add_row(self, row: tuple[float, ...]) -> None:
        self.arrivals = [a + p for a, p in zip(self.arrivals, row, strict=True)]
        self.callers = [n + (p > _TINY) for n, p in zip(self.callers, row, strict=True)]

    def total_humans(self, dials: int = 0) -> float:
        return self.sure_humans + sum(self.arrivals) + dials * sum(self.new_dial)

    def expected_abandons(self, dials: int = 0) -> float:
        """Expected humans who find no free volunteer, with ``dials`` new calls placed now."""
        if not self._gains:
            self._gains = [poisson_pmf(r) if r > 1e-4 else [1.0] for r in self.free_rate]
        dist = [0.0] * self.pool + [1.0]
        lost = 0.0
        for j, rate in enumerate(self.arrivals):
            dist = _add_pool(dist, self.sure_free[j], self._gains[j])
            trials = self.callers[j] + (dials if self.new_dial[j] > _TINY else 0)
            mean = rate + dials * self.new_dial[j]
            came = binomial_pmf(trials, mean, self.sure_humans if j == 0 else 0)
            dist, gone = _serve(dist, came)
            lost += gone
        return lost


def _serve(pool: list[float], came: list[float]) -> tuple[list[float], float]:
    """Humans ``came`` take free volunteers from ``pool``; returns the new pool and E[lost]."""
    size = len(came)
    tail, moment = [0.0] * (size + 1), [0.0] * (size + 1)
    for k in range(size - 1, -1, -1):
        tail[k] = tail[k + 1] + came[k]
        moment[k] = moment[k + 1] + k * came[k]
    new = [0.0] * len(pool)
    lost = 0.0
    for x, px in enumerate(pool):
        if px <= 1e-12:
            continue
        if x < size:
            lost += px * (moment[x] - x * tail[x])
            new[0] += px * tail[x]
        for k in range(min(x, size)):
            new[x - k] += px * came[k]
    while len(new) > 1 and new[-1] < 1e-9:
        new.pop()
    return new, lost


def _increments(row: list[float]) -> list[float]:
    return [row[0]] + [max(0.0, b - a) for a, b in itertools.pairwise(row)]


def outlook(snapshot: PacingSnapshot) -> Outlook:
    est, now = snapshot.estimates, snapshot.now
    size = len(HORIZONS)
    out = Outlook(0, [0.0] * size, [0] * size, 0, [0] * size, [0.0] * size, [])
    for call in snapshot.calls:
        if call.state is CallState.WAITING_VOLUNTEER:
            out.sure_humans += 1
            continue
        row = _call_row(est, call, now)
        if call.state in (CallState.DIALING, CallState.RINGING):
            out.call_rows[call.id] = row
        out._add_row(row)
    for vol in snapshot.volunteers:
        if vol.state is VolunteerState.WAITING:
            out.pool += 1
            continue
        frees = _increments([volunteer_free_by(est, vol, now, h + GRACE) for h in HORIZONS])
        for j, p in enumerate(frees):
            if p >= 0.999:
                out.sure_free[j] += 1
            else:
                out.free_rate[j] += p
    out.new_dial = list(_age_rows(est)[0])
    return out


_AGE_STEP = 0.5


def _call_row(est: Estimates, call: CallView, now: float) -> tuple[float, ...]:
    """Per-interval arrival probabilities of one call (ringing calls: from a table by age)."""
    if call.state is CallState.AMD:
        return tuple(_increments([call_human_by(est, call, now, h) for h in HORIZONS]))
    rows = _age_rows(est)
    return rows[min(len(rows) - 1, int((now - call.dialed_at) / _AGE_STEP + 0.5))]


@functools.lru_cache(maxsize=16)
def _age_rows(est: Estimates) -> tuple[tuple[float, ...], ...]:
    """Rows for unanswered calls by age, every ``_AGE_STEP`` s until the ring timeout."""
    ages = [i * _AGE_STEP for i in range(int(est.ring_timeout / _AGE_STEP) + 2)]
    return tuple(
        tuple(_increments([new_call_human_by(est, age, h) for h in HORIZONS])) for age in ages
    )
