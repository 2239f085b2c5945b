from __future__ import annotations

import math
import random

import pytest

from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.snapshot import Estimates, PacingError


def test_given_no_observations_when_estimating_then_priors_are_returned() -> None:
    prior = Estimates(p_human=0.12, talk_mean=120.0)
    assert Estimator(prior).estimates() == prior


def test_given_many_calls_when_estimating_then_rates_and_times_are_learned() -> None:
    rng = random.Random(7)
    est = Estimator(Estimates(p_human=0.05, p_machine=0.5, talk_mean=30.0, wrap_mean=40.0))
    for _ in range(3000):
        u = rng.random()
        ring = rng.lognormvariate(2.1, 0.4)
        if u < 0.2:
            est.observe_call(Outcome.HUMAN, ring, 1.8)
        elif u < 0.45:
            est.observe_call(Outcome.MACHINE, ring, 3.0)
        elif u < 0.55:
            est.observe_call(Outcome.BUSY, 2.5)
        else:
            est.observe_call(Outcome.NO_ANSWER)
    for _ in range(600):
        est.observe_talk(rng.expovariate(1 / 90.0))
        est.observe_wrap(15.0)
    got = est.estimates()
    assert got.p_human == pytest.approx(0.2, abs=0.04)
    assert got.p_machine == pytest.approx(0.25, abs=0.05)
    assert got.p_busy == pytest.approx(0.1, abs=0.04)
    assert got.ring_mu == pytest.approx(2.1, abs=0.1)
    assert got.ring_sigma == pytest.approx(0.4, abs=0.1)
    assert got.amd_human == pytest.approx(1.8, abs=0.01)
    assert got.talk_mean == pytest.approx(90.0, rel=0.25)
    assert got.wrap_mean == pytest.approx(15.0, abs=0.5)
    assert got.wrap_sd < 0.5 * Estimates().wrap_sd  # fixed wrap-ups: far tighter than the prior
    assert est.observed_calls == 3000


def test_given_answer_rate_drops_when_observing_then_estimate_follows() -> None:
    est = Estimator(Estimates(p_human=0.3), half_life=100.0)
    for _ in range(1000):
        est.observe_call(Outcome.NO_ANSWER)
    assert est.estimates().p_human < 0.01
    assert not math.isnan(est.estimates().ring_mu)


def test_given_bad_settings_when_building_then_clear_error() -> None:
    with pytest.raises(PacingError) as err:
        Estimator(half_life=0.0)
    assert err.value.code == "bad_estimator"
