"""What the pacer learns against the truth: the person rate of simulated banks.

Runs the predictive strategy on a ``bench/pacing.py`` scenario and, every ``--every``
simulated seconds after the first hour, compares the estimator's learned person rate with:

- the truth: the share of dials a person answers before the ring timeout;
- the plain share of persons among the settled calls the estimator was told about so far
  (each counted once, no forgetting; calls hung up are left out);
- the same stream learned by an estimator that never forgets (a very long half-life);
- the learned rate as the dialer saw it at each dial (not at evenly spaced times).

It also counts the calls hung up while dialing (taught nothing) and while ringing (taught as
censored), by their true fate, with the persons the censored calls were taught as; and per
simulated hour, the share of persons taught (a censored call by its share) against the share
of persons the simulator drew among that hour's dials. The learned rate at one moment
follows the last thousand or so calls, so it spreads by about one point around the truth:
compare averages, and the draws of the seeds, not single readings.

    .venv/bin/python bench/pacing_learned.py [--only base] [--hours 3] [--seeds 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pacing_scenarios import scenarios

from controller.pacing.estimator import Estimator, Outcome, _ring_tail
from controller.pacing.predictive import Predictive
from controller.pacing.scenario import Scenario
from controller.pacing.sim import Simulator
from controller.pacing.snapshot import Estimates


class Shadowed(Estimator):
    """The estimator the simulator uses, teaching every call also to one that never forgets
    and counting the persons it was told about."""

    def __init__(self, prior: Estimates) -> None:
        super().__init__(prior)
        self.forever = Estimator(prior, half_life=1e9)
        self.humans = 0.0
        self.told = 0.0
        self.censored = 0
        self.imputed = 0.0  # persons the censored calls were counted as
        self.hour = 0  # the simulated hour, set by the probe
        self.hourly: dict[int, list[float]] = {h: [0.0, 0.0] for h in range(24)}

    def observe_call(
        self, outcome: Outcome, ring_s: float | None = None, amd_s: float | None = None
    ) -> None:
        super().observe_call(outcome, ring_s, amd_s)
        self.forever.observe_call(outcome, ring_s, amd_s)
        self.told += 1
        self.humans += outcome is Outcome.HUMAN
        self.hourly[self.hour][0] += outcome is Outcome.HUMAN
        self.hourly[self.hour][1] += 1

    def observe_unanswered(self, ring_s: float) -> None:
        if ring_s > 0:
            est = self.estimates()
            alive = est.p_human * _ring_tail(est, ring_s)[0]
            rest = est.p_machine * _ring_tail(est, ring_s)[0] + est.p_no_answer
            share = alive / (alive + rest + (est.p_busy if ring_s < est.busy_time else 0))
            self.imputed += share
            self.hourly[self.hour][0] += share
            self.hourly[self.hour][1] += 1
        super().observe_unanswered(ring_s)
        self.forever.observe_unanswered(ring_s)
        self.censored += ring_s > 0


def truth(sc: Scenario) -> float:
    z = (math.log(sc.ring_timeout) - sc.ring_mu) / sc.ring_sigma
    return sc.p_human * 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class Probe(Simulator):
    """The simulator, sampling the estimates and counting the calls it hangs up."""

    def __init__(self, sc: Scenario, seed: int, every: float) -> None:
        super().__init__(sc, Predictive(), seed, Shadowed(Estimates(ring_timeout=sc.ring_timeout)))
        self.every = every
        self.samples: list[tuple[float, float, float]] = []
        self.hung_up: Counter[str] = Counter()
        self.at_dials: list[float] = []  # the learned rate at each dial after the first hour
        self._next = 3600.0
        self.drawn = {h: [0, 0] for h in range(24)}  # persons drawn, dials, by hour dialed

    def _dial(self) -> None:
        if self.now >= 3600.0:
            self.at_dials.append(self.estimator.estimates().p_human)
        super()._dial()
        call = self._calls[f"c{self.result.dials}"]
        self.drawn[int(self.now // 3600)][0] += call.fate is Outcome.HUMAN
        self.drawn[int(self.now // 3600)][1] += 1

    def _decide(self) -> None:
        assert isinstance(self.estimator, Shadowed)
        self.estimator.hour = int(self.now // 3600)
        if self.now >= self._next:
            self._next += self.every
            est = self.estimator
            assert isinstance(est, Shadowed)
            self.samples.append(
                (est.estimates().p_human, est.humans / est.told, est.forever.estimates().p_human)
            )
        super()._decide()

    def _end_call(self, call_id: str, fate: str) -> None:
        if fate == "cancelled":
            call = self._calls[call_id]
            self.hung_up[f"{call.view.state.value}:{call.fate.value}"] += 1
        super()._end_call(call_id, fate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="base", help="the scenario (bench/pacing.py names)")
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    args = parser.parse_args()
    sc = next(s for s in scenarios(args.hours) if s.name == args.only)
    learned: list[float] = []
    plain: list[float] = []
    forever: list[float] = []
    hung_up: Counter[str] = Counter()
    at_dials: list[float] = []
    imputed = 0.0
    hourly = {h: [0.0, 0.0] for h in range(24)}
    drawn = {h: [0, 0] for h in range(24)}
    for seed in range(1, args.seeds + 1):
        probe = Probe(sc, seed, args.every)
        probe.run()
        hung_up.update(probe.hung_up)
        at_dials += probe.at_dials
        assert isinstance(probe.estimator, Shadowed)
        imputed += probe.estimator.imputed
        for h, (persons, calls) in probe.estimator.hourly.items():
            hourly[h][0] += persons
            hourly[h][1] += calls
        for h, (persons, calls) in probe.drawn.items():
            drawn[h][0] += persons
            drawn[h][1] += calls
        for a, b, c in probe.samples:
            learned.append(a)
            plain.append(b)
            forever.append(c)
        print(f"seed {seed}: learned at the end {probe.estimator.estimates().p_human:.4f}")
    n = len(learned)
    print(f"{sc.name}: {args.seeds} runs x {args.hours:g} h, {n} samples after the first hour")
    print(f"truth (person before the ring timeout) {truth(sc):.4f}")
    for label, xs in (
        ("learned", learned),
        ("at each dial", at_dials),
        ("never forgets", forever),
        ("plain share", plain),
    ):
        sd = statistics.pstdev(xs)
        print(f"{label:<14} mean {statistics.fmean(xs):.4f}  sd {sd:.4f}")
    print("hung up (state:fate):", dict(sorted(hung_up.items())))
    print(f"censored calls taught as {imputed:.1f} persons")
    for h, (persons, calls) in hourly.items():
        if calls:
            real = drawn[h][0] / max(1, drawn[h][1])
            print(
                f"hour {h + 1}: share of persons taught {persons / calls:.4f} ({calls:.0f} "
                f"calls); drawn among the hour's dials {real:.4f} ({drawn[h][1]} dials)"
            )


if __name__ == "__main__":
    main()
