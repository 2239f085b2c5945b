"""The cold-start ramp: decisions that follow each other quickly (the engine decides again
after every call event) add up to at most one burst per volunteer per ``burst_window``."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers_pacing import EST, NOW, snap, vols

from controller.pacing.predictive import Predictive
from controller.pacing.snapshot import CallState, CallView, PacingError, VolunteerState

WAIT = VolunteerState.WAITING
COLD = replace(EST, p_human=0.10, confidence=20.0)  # a new bank: prior estimates


def storm(strategy: Predictive, decisions: int, gap: float) -> list[int]:
    """Decide ``decisions`` times ``gap`` seconds apart, each seeing the calls the earlier
    ones placed (state dialing, dialed when placed), as the engine's runner feeds it."""
    team = vols(*[(WAIT, 0.0)] * 5)
    placed: list[CallView] = []
    dials = []
    for k in range(decisions):
        now = NOW + k * gap
        s = replace(snap(team, tuple(placed)), now=now, estimates=COLD)
        d = strategy.decide(s)
        placed += [CallView(f"c{k}-{i}", CallState.DIALING, now, now) for i in range(d.dial)]
        dials.append(d.dial)
    return dials


def test_given_5_ready_and_a_new_bank_when_decisions_come_every_20_ms_then_at_most_5_dials_in_the_first_second() -> (  # noqa: E501
    None
):
    dials = storm(Predictive(), decisions=40, gap=0.02)  # 0.8 s of decisions
    assert sum(dials) <= 5, dials
    assert dials[0] == 5


def test_given_decisions_a_second_apart_when_ramping_then_a_new_burst_each_second() -> None:
    dials = storm(Predictive(), decisions=3, gap=1.0)
    assert dials[0] == 5 and sum(dials) > 5


def test_given_a_bad_ramp_when_building_then_clear_error() -> None:
    with pytest.raises(PacingError) as err:
        Predictive(burst_window=-1.0)
    assert err.value.code == "bad_tuning"


def test_given_calls_dialed_long_ago_when_deciding_then_they_do_not_hold_back_the_ramp() -> None:
    team = vols(*[(WAIT, 0.0)] * 5)
    old = tuple(CallView(f"o{i}", CallState.RINGING, NOW - 5.0, NOW - 6.0) for i in range(2))
    assert Predictive().ramp_left(snap(team, old)) == 5
    fresh = tuple(CallView(f"f{i}", CallState.DIALING, NOW - 0.1, NOW - 0.1) for i in range(2))
    assert Predictive().ramp_left(snap(team, fresh)) == 3
