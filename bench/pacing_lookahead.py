"""Experiment: a Monte Carlo lookahead (rollout) on top of the predictive strategy.

Run: ``nice -n 10 .venv/bin/python bench/pacing_lookahead.py --lambdas 60,120 --hours 1
--seeds 2``. On each 1 s tick it takes the shipped strategy's dial count ``d`` and tries the
counts ``d-1 .. d+3``; for each it samples ``futures`` futures of the next ``horizon`` seconds:
the fate and answer time of every call in flight (conditional on its state and age), of the new
dials and of the later dials made by a cheap base rule; when each talker finishes (exponential,
mean from the estimates); wrap-ups end at known times. The same random numbers serve every
count (common random numbers). Score = volunteer idle seconds + ``lambda`` x drops; the count
with the lowest mean score is dialed. Between ticks it dials nothing, and it never cancels. The
base rule dials, each second of a future, until the people expected within 12 s from the calls
out (by their age) reach ``FILL`` per volunteer free within 12 s: bolder base rules drown the
difference between the counts in the drops they make themselves. It prints talk share,
abandon rate and the cost per lookahead decision. Fixed lambda: no budget feedback.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from controller.pacing.decision import Decision, make_decision
from controller.pacing.predictive import Predictive
from controller.pacing.scenario import Scenario
from controller.pacing.sim import Simulator
from controller.pacing.snapshot import CallState, Estimates, PacingSnapshot, VolunteerState

NORMAL = NormalDist()
GRACE = 2.0
SOON = 12.0  # the base rule covers the volunteers free within this many seconds
FILL = 0.3  # ... expecting this many people per such volunteer


@dataclass
class Model:
    """Per-decision constants drawn from the estimates."""

    est: Estimates

    def __post_init__(self) -> None:
        e = self.est
        self.cdf_t = NORMAL.cdf((math.log(e.ring_timeout) - e.ring_mu) / e.ring_sigma)
        self.p_h_amd = e.p_human / max(1e-9, e.p_human + e.p_machine)

    def ring_cdf(self, t: float) -> float:
        if t <= 0:
            return 0.0
        return NORMAL.cdf((math.log(t) - self.est.ring_mu) / self.est.ring_sigma)

    def ring_draw(self, lo_cdf: float, u: float) -> float:
        """A ring time drawn by inverse CDF between probabilities lo_cdf and cdf(timeout)."""
        p = lo_cdf + u * (self.cdf_t - lo_cdf)
        p = min(max(p, 1e-12), 1 - 1e-12)
        return math.exp(self.est.ring_mu + self.est.ring_sigma * NORMAL.inv_cdf(p))

    def human_soon(self) -> list[float]:
        """Chance that an unresolved call of age a (whole seconds) brings a person within
        ``SOON`` s: the base rule's expected humans in flight."""
        e = self.est
        out = []
        for a in range(int(e.ring_timeout) + 2):
            alive = (e.p_human + e.p_machine) * (self.cdf_t - self.ring_cdf(a))
            alive += e.p_no_answer + (e.p_human + e.p_machine) * (1 - self.cdf_t)
            alive += e.p_busy if a < e.busy_time else 0.0
            hit = self.ring_cdf(min(a + SOON - e.amd_human, e.ring_timeout)) - self.ring_cdf(a)
            out.append(e.p_human * max(0.0, hit) / alive if alive > 0 else 0.0)
        return out


def sample_call(m: Model, rng: random.Random, age: float) -> tuple[float, bool]:
    """(seconds from now until the call resolves, a person comes on the line then?) for an
    unanswered call of ``age`` seconds."""
    e = m.est
    lo = m.ring_cdf(age)
    w_h = e.p_human * max(0.0, m.cdf_t - lo)
    w_m = e.p_machine * max(0.0, m.cdf_t - lo)
    w_n = e.p_no_answer + (e.p_human + e.p_machine) * (1 - m.cdf_t)
    w_b = e.p_busy if age < e.busy_time else 0.0
    u = rng.random() * (w_h + w_m + w_n + w_b)
    if u < w_h + w_m:
        ring = m.ring_draw(lo, rng.random())
        human = u < w_h
        return max(0.0, ring - age) + (e.amd_human if human else e.amd_machine), human
    if u < w_h + w_m + w_n:
        return max(0.0, e.ring_timeout - age), False
    return max(0.0, e.busy_time - age), False


@dataclass
class Future:
    """The random numbers of one sampled future, shared by every candidate count."""

    calls: list[tuple[float, bool]]  # calls in flight: (resolve in, human?)
    ages: list[float]  # calls in flight: seconds since dialed
    free: list[tuple[float, float]]  # volunteers: (talk ends in, free in)
    dials: list[tuple[float, bool]] = field(default_factory=list)  # next dials, in order
    talks: list[float] = field(default_factory=list)  # talk times of new conversations


def draw_future(snap: PacingSnapshot, m: Model, rng: random.Random, n_dials: int) -> Future:
    e, now = m.est, snap.now
    calls = []
    for c in snap.calls:
        if c.state is CallState.WAITING_VOLUNTEER:
            calls.append((0.0, True))
        elif c.state is CallState.AMD:
            human = now - c.since < e.amd_human and rng.random() < m.p_h_amd
            amd = e.amd_human if human else e.amd_machine
            calls.append((max(0.0, c.since + amd - now), human))
        else:
            calls.append(sample_call(m, rng, now - c.dialed_at))
    free = []
    for v in snap.volunteers:
        if v.state is VolunteerState.WAITING:
            free.append((0.0, 0.0))
        elif v.state is VolunteerState.WRAP_UP:
            free.append((0.0, max(0.0, v.since + e.wrap_mean - now)))
        elif v.state is VolunteerState.IN_CALL:
            talk = rng.expovariate(1.0 / e.talk_mean)
            free.append((talk, talk + e.wrap_mean))
    dials = [sample_call(m, rng, 0.0) for _ in range(n_dials)]
    talks = [rng.expovariate(1.0 / e.talk_mean) for _ in range(40)]
    ages = [now - c.dialed_at for c in snap.calls]
    return Future(calls, ages, free, dials, talks)


def rollout(f: Future, m: Model, soon: list[float], n: int, horizon: float, lam: float) -> float:
    """Idle volunteer seconds + lam x drops over the horizon when ``n`` numbers are dialed now
    and the base rule dials later (on a 1 s grid)."""
    wrap = m.est.wrap_mean
    arrivals = [t for t, h in f.calls if h and t < horizon]
    top = len(soon) - 1
    # unresolved calls per dial second, shifted by ``top``: calls in flight sit at -age
    bucket = [0] * (int(horizon) + 2 + top)
    resolve = []
    for (t, _), age in zip(f.calls, f.ages, strict=True):
        b = top - min(top, int(age))
        resolve.append((t, b))
        bucket[b] += 1
    k = 0
    for _ in range(n):
        t, h = f.dials[k]
        k += 1
        resolve.append((t, top))
        bucket[top] += 1
        if h and t < horizon:
            arrivals.append(t)
    heapq.heapify(resolve)
    heapq.heapify(arrivals)
    vols = [fr for _, fr in f.free]
    heapq.heapify(vols)
    talk_i, idle, drops = 0, 0.0, 0
    for step in range(int(horizon) + 1):
        now = float(step)
        while arrivals and arrivals[0] < now + 1.0:  # people coming on the line this second
            a = heapq.heappop(arrivals)
            fr = vols[0]
            if fr <= a + GRACE:
                start = max(a, fr)
                idle += start - fr
                talk = f.talks[talk_i % len(f.talks)]
                talk_i += 1
                heapq.heapreplace(vols, start + talk + wrap)
            else:
                drops += 1
        if step == 0 or step > horizon - 4:
            continue  # dials now are the candidate's; late dials bring nobody in time
        while resolve and resolve[0][0] <= now:
            _, b = heapq.heappop(resolve)
            bucket[b] -= 1
        ready = sum(1 for fr in vols if fr <= now + SOON)
        here = step + top
        expected = sum(bucket[b] * soon[min(top, here - b)] for b in range(here) if bucket[b])
        extra = int((FILL * ready - expected) / max(soon[0], 0.01))
        for _ in range(max(0, extra)):
            if k < len(f.dials):
                t, h = f.dials[k]
            else:
                t, h = f.dials[k % len(f.dials)]
            k += 1
            heapq.heappush(resolve, (now + t, here))
            bucket[here] += 1
            if h and now + t < horizon:
                heapq.heappush(arrivals, now + t)
    for fr in vols:
        idle += max(0.0, horizon - fr)
    return idle + lam * drops


@dataclass
class Lookahead:
    lam: float = 60.0
    futures: int = 24
    horizon: float = 25.0
    offsets: tuple[int, ...] = (-1, 0, 1, 2, 3)
    seed: int = 7
    base: Predictive = field(default_factory=Predictive)
    name: str = "lookahead"
    spent: float = 0.0
    runs: int = 0
    last: float = -1.0

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        if abs(snapshot.now - round(snapshot.now)) > 1e-9 or snapshot.now == self.last:
            return make_decision(self.name, snapshot, 0, "between_ticks")
        self.last = snapshot.now  # once per tick (other events can fall on a whole second)
        started = time.perf_counter()
        shipped = self.base.decide(snapshot)
        if snapshot.active_volunteers == 0:
            return shipped
        # the rollout decides alone: the shipped rule's cancels (its drain) would hang up the
        # calls the rollout just dialed, so they are not applied
        floor = self.base._ready_floor(snapshot)
        cap = self.base.ramp_left(snapshot)
        wanted = [floor] + [shipped.dial + o for o in self.offsets]  # holding is a choice
        counts = sorted({min(cap, max(floor, n)) for n in wanted})
        if len(counts) == 1:
            return shipped
        m = Model(snapshot.estimates)
        soon = m.human_soon()
        rng = random.Random(self.seed * 1_000_003 + int(snapshot.now))
        scores = dict.fromkeys(counts, 0.0)
        for _ in range(self.futures):
            f = draw_future(snapshot, m, rng, 60)
            for n in counts:
                scores[n] += rollout(f, m, soon, n, self.horizon, self.lam)
        best = min(counts, key=lambda n: scores[n])
        self.spent += time.perf_counter() - started
        self.runs += 1
        return make_decision(self.name, snapshot, best, "rollout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lambdas", default="60", help="comma-separated drop penalties (s)")
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--futures", type=int, default=24)
    parser.add_argument("--horizon", type=float, default=25.0)
    args = parser.parse_args()
    scenario = replace(Scenario(name="base"), hours=args.hours)
    for lam in (float(x) for x in args.lambdas.split(",")):
        talk = humans = drops = 0.0
        worst, spent, runs = 0.0, 0.0, 0
        for seed in range(1, args.seeds + 1):
            strat = Lookahead(lam=lam, futures=args.futures, horizon=args.horizon, seed=seed)
            r = Simulator(scenario, strat, seed).run()
            talk += r.talk_share
            humans += r.connections + r.drops
            drops += r.drops
            worst = max(worst, r.abandon_rate)
            spent, runs = spent + strat.spent, runs + strat.runs
            print(
                f"  lambda {lam:g} seed {seed}: talk {r.talk_share:.1%} "
                f"abandon {r.abandon_rate:.2%}",
                flush=True,
            )
        print(
            f"lambda {lam:g}: talk {talk / args.seeds:.1%} abandon {drops / max(humans, 1):.2%} "
            f"(worst {worst:.2%}), {1000 * spent / max(runs, 1):.1f} ms per lookahead decision "
            f"({runs} decisions)",
            flush=True,
        )


if __name__ == "__main__":
    main()
