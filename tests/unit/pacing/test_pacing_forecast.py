from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from helpers_pacing import EST, NOW, calls, snap, vols

from controller.pacing.forecast import outlook, poisson_pmf, ring_cdf, wrap_done_by
from controller.pacing.snapshot import (
    AbandonLedger,
    CallState,
    PacingError,
    PacingSnapshot,
    VolunteerState,
)


def test_given_ring_distribution_when_cdf_then_monotone_from_zero_to_one() -> None:
    points = [ring_cdf(EST, t / 2) for t in range(0, 70)]
    assert points[0] == 0.0
    assert points[-1] == 1.0
    assert all(a <= b for a, b in itertools.pairwise(points))


def test_given_poisson_rate_when_pmf_then_sums_to_one_with_the_right_mean() -> None:
    pmf = poisson_pmf(1.7, shift=2)
    assert sum(pmf) == pytest.approx(1.0, abs=1e-6)
    assert sum(k * p for k, p in enumerate(pmf)) == pytest.approx(3.7, abs=1e-4)


def test_given_human_waiting_and_nobody_free_when_forecast_then_one_abandon_expected() -> None:
    waiting = calls(CallState.WAITING_VOLUNTEER, 0.5)
    look = outlook(snap(vols((VolunteerState.IN_CALL, 1.0)), waiting))
    assert look.expected_abandons(0) == pytest.approx(1.0, abs=0.01)


def test_given_human_waiting_and_ready_volunteer_when_forecast_then_no_abandon() -> None:
    waiting = calls(CallState.WAITING_VOLUNTEER, 0.5)
    look = outlook(snap(vols((VolunteerState.WAITING, 1.0)), waiting))
    assert look.expected_abandons(0) == pytest.approx(0.0, abs=1e-6)


def test_given_more_dials_when_forecast_then_abandons_and_humans_grow() -> None:
    look = outlook(snap(vols((VolunteerState.WAITING, 0.0), (VolunteerState.WRAP_UP, 10.0))))
    losses = [look.expected_abandons(n) for n in range(12)]
    humans = [look.total_humans(n) for n in range(12)]
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(losses))
    assert humans[10] == pytest.approx(10 * EST.p_human, rel=0.05)
    assert losses[0] == 0.0 < losses[11]


def test_given_bad_ledger_when_building_then_clear_error() -> None:
    with pytest.raises(PacingError) as err:
        AbandonLedger(live_humans=3, dropped=4)
    assert err.value.code == "bad_ledger"


def test_given_ledger_when_budget_then_cap_times_humans_minus_drops() -> None:
    ledger = AbandonLedger(live_humans=500, dropped=9, cap=0.03)
    assert ledger.budget == pytest.approx(6.0)
    assert ledger.rate == pytest.approx(0.018)


def test_given_snapshot_when_serialized_then_round_trips() -> None:
    original = snap(vols((VolunteerState.WRAP_UP, 3.0)), calls(CallState.AMD, 1.0))
    assert PacingSnapshot.from_dict(original.to_dict()) == original
    assert original.now == NOW


def test_given_a_wrap_up_long_overdue_when_forecast_then_not_counted_on_soon() -> None:
    est = replace(EST, wrap_mean=15.0, wrap_sd=4.0)
    just_over = wrap_done_by(est, 24.0, 10.0)
    five_minutes_over = wrap_done_by(est, 23.0 + 300.0, 10.0)
    assert just_over > 0.9
    assert five_minutes_over < 0.05
    assert wrap_done_by(est, 23.0 + 300.0, 600.0) > 0.8
