"""The forecast against the model it stands for: a Monte Carlo of the same bank state."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from helpers_pacing import EST, calls, snap, vols

from controller.pacing.forecast import GRACE, HORIZONS, outlook
from controller.pacing.snapshot import CallState, Estimates, PacingSnapshot, VolunteerState

WAIT, TALK, WRAP = VolunteerState.WAITING, VolunteerState.IN_CALL, VolunteerState.WRAP_UP
ONE_SECOND_SPREAD = replace(EST, wrap_sd=1.0, amd_human_sd=0.1)


def _human_after(est: Estimates, age: float, rng: random.Random) -> float | None:
    """Seconds until a call ringing for ``age`` seconds brings a person, or None."""
    while True:  # draw fates until one is consistent with "still ringing at this age"
        u = rng.random()
        if u < est.p_human + est.p_machine:
            ring = rng.lognormvariate(est.ring_mu, est.ring_sigma)
            if ring >= est.ring_timeout:
                end, human = est.ring_timeout, False
            else:
                end, human = ring, u < est.p_human
        elif u < est.p_human + est.p_machine + est.p_busy:
            end, human = est.busy_time, False
        else:
            end, human = est.ring_timeout, False
        if end > age:
            return end - age + est.amd_human if human else None


def _monte_carlo(state: PacingSnapshot, dials: int, runs: int = 20000) -> float:
    """Mean people dropped within the horizon when nobody dials after this decision."""
    est, rng, lost = state.estimates, random.Random(7), 0
    for _ in range(runs):
        ages = [state.now - c.dialed_at for c in state.calls] + [0.0] * dials
        times = (_human_after(est, age, rng) for age in ages)
        humans = sorted(t for t in times if t is not None and t <= HORIZONS[-1])
        free = []
        for vol in state.volunteers:
            if vol.state is WAIT:
                free.append(-1.0)
            elif vol.state is WRAP:
                free.append(vol.since + rng.gauss(est.wrap_mean, est.wrap_sd) - state.now)
            else:
                free.append(rng.expovariate(1.0 / est.talk_mean) + est.wrap_mean)
        free.sort()
        taken = 0
        for t in humans:
            if taken < len(free) and free[taken] <= t + GRACE:
                taken += 1
            else:
                lost += 1
    return lost / runs


def test_given_busy_team_and_calls_ringing_when_forecast_then_abandons_match_monte_carlo() -> None:
    team = vols((WAIT, 3.0), (WRAP, 9.0), (WRAP, 2.0), *[(TALK, 30.0)] * 7)
    ringing = calls(CallState.RINGING, 1.5, 3.0, 4.5, 6.0, 8.0, 10.0, 13.0, 17.0, 22.0)
    state = replace(snap(team, ringing), estimates=ONE_SECOND_SPREAD)
    look = outlook(state)
    for dials in (0, 4, 8):
        assert look.expected_abandons(dials) == pytest.approx(
            _monte_carlo(state, dials), rel=0.3, abs=0.01
        )


def test_given_regular_wrap_up_when_forecast_then_the_volunteer_comes_back_once_for_sure() -> None:
    look = outlook(replace(snap(vols((WRAP, 8.0))), estimates=ONE_SECOND_SPREAD))
    assert sum(look.sure_free) == 1
    assert max(look.free_rate) == 0.0
    overdue = outlook(replace(snap(vols((WRAP, 40.0))), estimates=ONE_SECOND_SPREAD))
    assert sum(overdue.sure_free) == 0  # how long an overdue report takes is a guess
    assert sum(overdue.free_rate) > 0.0


def test_given_machine_check_past_a_persons_verdict_when_forecast_then_no_person_expected() -> None:
    fresh = outlook(
        replace(snap(vols((WAIT, 1.0)), calls(CallState.AMD, 0.5)), estimates=ONE_SECOND_SPREAD)
    )
    late = outlook(
        replace(snap(vols((WAIT, 1.0)), calls(CallState.AMD, 2.5)), estimates=ONE_SECOND_SPREAD)
    )
    share = EST.p_human_careful / (EST.p_human + EST.p_machine)
    assert fresh.total_humans() == pytest.approx(share)
    assert late.total_humans() == 0.0  # a person's verdict comes at 1.8 s: this is a machine
