"""Calls hung up while they still ring: censored observations of the fates and ring times."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from controller.pacing.decision import Decision
from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.scenario import Scenario
from controller.pacing.sim import Simulator
from controller.pacing.snapshot import CallState, Estimates, PacingSnapshot

P_HUMAN, P_MACHINE, P_BUSY = 0.15, 0.30, 0.10
RING_MU, RING_SIGMA, TIMEOUT, HANG_UP_AT = 2.1, 0.5, 30.0, 12.0


def learn_stream(unsettled: str, calls: int = 20000, seed: int = 5) -> Estimates:
    """Simulated dials where every call still ringing at 12 s is hung up; ``unsettled`` says
    how those are taught: ``censored``, ``ignored`` (the old way) or ``no_answer``."""
    rng = random.Random(seed)
    est = Estimator(half_life=1000.0)
    for _ in range(calls):
        u, ring = rng.random(), rng.lognormvariate(RING_MU, RING_SIGMA)
        answered = u < P_HUMAN + P_MACHINE and ring < TIMEOUT
        if answered and ring < HANG_UP_AT:
            est.observe_call(Outcome.HUMAN if u < P_HUMAN else Outcome.MACHINE, ring, 2.0)
        elif P_HUMAN + P_MACHINE <= u < P_HUMAN + P_MACHINE + P_BUSY:
            est.observe_call(Outcome.BUSY, 3.0)
        elif unsettled == "censored":
            est.observe_unanswered(HANG_UP_AT)
        elif unsettled == "no_answer":
            est.observe_call(Outcome.NO_ANSWER, HANG_UP_AT)
    return est.estimates()


def true_person_rate() -> float:
    """A person who would answer after the ring timeout counts as no answer."""
    rng = random.Random(1)
    rings = [rng.lognormvariate(RING_MU, RING_SIGMA) for _ in range(200000)]
    return P_HUMAN * sum(r < TIMEOUT for r in rings) / len(rings)


def test_given_calls_hung_up_at_12s_of_ringing_when_learned_as_censored_then_the_person_rate_is_the_truth_and_the_old_ways_are_biased() -> (  # noqa: E501
    None
):
    truth, tolerance = true_person_rate(), 0.015

    censored = learn_stream("censored")
    ignored = learn_stream("ignored")
    no_answer = learn_stream("no_answer")

    assert censored.p_human == pytest.approx(truth, abs=tolerance)
    assert censored.p_busy == pytest.approx(P_BUSY, abs=tolerance)
    assert censored.ring_mu == pytest.approx(RING_MU, abs=0.05)  # answers after 12 s imputed
    assert ignored.p_human > truth + 4 * tolerance  # only quick answers and busies are seen
    assert no_answer.p_human < truth - tolerance  # slow answers counted as nobody answering
    assert ignored.ring_mu < RING_MU - 0.1  # rings seen only up to 12 s


def test_given_a_call_hung_up_before_it_rang_when_observed_then_nothing_changes() -> None:
    est = Estimator(Estimates(p_human=0.2))
    before = est.estimates()

    est.observe_unanswered(0.0)

    assert est.estimates() == before
    assert est.observed_calls == 0


def test_given_a_call_hung_up_past_the_ring_timeout_when_observed_then_it_counts_as_no_answer() -> (
    None
):
    est = Estimator(Estimates(ring_timeout=30.0))
    late, timed_out = Estimator(Estimates(ring_timeout=30.0)), Estimator(Estimates())

    late.observe_unanswered(31.0)
    timed_out.observe_call(Outcome.NO_ANSWER)

    assert late.estimates() == timed_out.estimates()
    assert est.estimates().p_no_answer < late.estimates().p_no_answer


@dataclass(frozen=True)
class TakeBack:
    """Dials one number at the start, then hangs it up once it is ``state`` and ``after``
    seconds old."""

    state: CallState
    after: float
    name: str = "take back"

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        dial = 1 if snapshot.now == 0.0 and not snapshot.calls else 0
        due = tuple(
            c.id
            for c in snapshot.calls
            if c.state is self.state and snapshot.now - c.dialed_at >= self.after
        )
        return Decision(self.name, dial, cancel=due)


NOBODY_ANSWERS = Scenario(p_human=0.0, p_machine=0.0, p_busy=0.0, hours=60 / 3600, volunteers=1)


def test_given_the_simulator_when_a_dialing_call_is_cancelled_then_nothing_is_learned() -> None:
    sim = Simulator(NOBODY_ANSWERS, TakeBack(CallState.DIALING, 0.0))
    before = sim.estimator.estimates()

    result = sim.run()

    assert result.fates == {"cancelled": 1}
    assert sim.estimator.observed_calls == 0
    assert sim.estimator.estimates() == before


def test_given_the_simulator_when_a_call_ringing_15s_is_cancelled_then_it_is_learned_as_unanswered_by_then() -> (  # noqa: E501
    None
):
    sim = Simulator(NOBODY_ANSWERS, TakeBack(CallState.RINGING, 15.0))
    before = sim.estimator.estimates()

    result = sim.run()

    assert result.fates == {"cancelled": 1}
    assert sim.estimator.observed_calls == 1
    after = sim.estimator.estimates()
    assert after.p_no_answer > before.p_no_answer
    assert after.p_human < before.p_human
    assert after.ring_mu > before.ring_mu  # its share of answered calls would ring past 15 s
