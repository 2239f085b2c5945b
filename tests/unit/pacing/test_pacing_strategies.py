from __future__ import annotations

import json
from dataclasses import replace

import pytest
from helpers_pacing import EST, calls, snap, vols

from controller.pacing.decision import Decision, Strategy
from controller.pacing.predictive import Predictive
from controller.pacing.snapshot import AbandonLedger, CallState, PacingError, VolunteerState
from controller.pacing.strategies import FixedRatio, Progressive

WAIT, TALK, WRAP, PAUSE = (
    VolunteerState.WAITING,
    VolunteerState.IN_CALL,
    VolunteerState.WRAP_UP,
    VolunteerState.PAUSED,
)
ALL: list[Strategy] = [Progressive(), FixedRatio(3.0), Predictive()]


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_given_no_volunteers_when_deciding_then_nothing_is_dialed(strategy: Strategy) -> None:
    decision = strategy.decide(snap())
    assert decision.dial == 0
    assert decision.reason == "no_volunteers"


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_given_only_paused_volunteers_when_deciding_then_nothing_is_dialed(
    strategy: Strategy,
) -> None:
    assert strategy.decide(snap(vols((PAUSE, 10.0), (PAUSE, 3.0)))).dial == 0


def test_given_three_ready_and_one_call_out_when_progressive_then_dials_two() -> None:
    decision = Progressive().decide(snap(vols(*[(WAIT, 5.0)] * 3), calls(CallState.RINGING, 4.0)))
    assert (decision.dial, decision.cancel) == (2, ())
    assert decision.ratio == 1.0


def test_given_volunteers_left_when_progressive_then_calls_rung_15s_cancelled() -> None:
    out = calls(CallState.RINGING, 20.0, 16.0, 3.0)
    decision = Progressive().decide(snap(vols((WAIT, 1.0)), out))
    assert decision.dial == 0
    # two calls too many: both have rung 15 s, the 3 s one must keep ringing
    assert set(decision.cancel) == {"ringing0", "ringing1"}


def test_given_ratio_when_fixed_ratio_decides_then_tops_up_to_ratio_times_ready() -> None:
    out = calls(CallState.RINGING, 1, 2, 3)
    decision = FixedRatio(2.5).decide(snap(vols(*[(WAIT, 1.0)] * 4), out))
    assert decision.dial == 7  # 2.5 x 4 = 10 in flight
    assert decision.reason == "ratio"


def test_given_bad_ratio_when_building_then_clear_error() -> None:
    with pytest.raises(PacingError) as err:
        FixedRatio(0.5)
    assert err.value.code == "bad_ratio"


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_given_all_logged_out_when_deciding_then_cancels_every_call_not_yet_answered(
    strategy: Strategy,
) -> None:
    out = calls(CallState.RINGING, 2.0, 9.0) + calls(CallState.DIALING, 0.5)
    decision = strategy.decide(snap((), out))
    assert decision.dial == 0
    assert set(decision.cancel) == {"ringing0", "ringing1", "dialing0"}


def test_given_volunteers_leave_when_predictive_then_drains_calls_it_has_no_room_for() -> None:
    # two volunteers just started talking; twelve fresh dials were placed for a bigger team
    out = calls(CallState.DIALING, *[0.5] * 12)
    decision = Predictive(cancel_min_ring=0.0).decide(snap(vols((TALK, 2.0), (TALK, 5.0)), out))
    assert decision.reason == "drain"
    assert decision.dial == 0
    assert 0 < len(decision.cancel) <= 12
    assert decision.figures["expected_abandons"] >= 0.0


def test_given_budget_exhausted_when_predictive_then_falls_back_to_one_per_ready() -> None:
    over_cap = AbandonLedger(live_humans=100, dropped=5, cap=0.03)
    team = vols((WAIT, 3.0), (WAIT, 1.0), (WAIT, 0.5), (TALK, 20.0), (WRAP, 14.0))
    decision = Predictive().decide(snap(team, calls(CallState.RINGING, 2.0), over_cap))
    assert decision.reason == "budget_exhausted"
    assert decision.dial == 2  # three ready, one call already out; nothing for wrap-up/talker


def test_given_wrap_up_volunteers_when_predictive_then_dials_ahead_of_their_return() -> None:
    team = vols((WRAP, 8.0), (WRAP, 6.0), (WRAP, 9.0), (TALK, 30.0))  # free in 6-9 s
    assert Progressive().decide(snap(team)).dial == 0
    decision = Predictive().decide(snap(team))
    assert decision.dial >= 3
    assert decision.figures["expected_abandons"] < 0.2 * decision.figures["expected_humans"]


def test_given_everyone_just_started_talking_when_predictive_then_waits() -> None:
    decision = Predictive().decide(snap(vols(*[(TALK, 1.0)] * 5)))
    assert decision.dial == 0


def test_given_single_ready_volunteer_when_predictive_then_dials_but_keeps_risk_low() -> None:
    decision = Predictive().decide(snap(vols((WAIT, 0.0))))
    assert decision.dial >= 1
    assert decision.figures["expected_abandons"] <= 0.1 * decision.figures["expected_humans"]


def test_given_healthy_budget_when_comparing_risk_then_surplus_allows_more_than_shortage() -> None:
    team = vols((WAIT, 0.0), (WRAP, 8.0), (TALK, 40.0), (TALK, 70.0))
    rich = Predictive().decide(snap(team, ledger=AbandonLedger(2000, 0, 0.03)))
    poor = Predictive().decide(snap(team, ledger=AbandonLedger(1000, 29, 0.03)))
    assert rich.figures["allowed_risk"] > poor.figures["allowed_risk"]
    assert rich.dial >= poor.dial


@pytest.mark.parametrize("strategy", ALL, ids=lambda s: s.name)
def test_given_decision_when_serialized_then_round_trips_with_its_inputs(
    strategy: Strategy,
) -> None:
    team = vols((WAIT, 2.0), (WRAP, 5.0), (TALK, 33.0))
    out = calls(CallState.RINGING, 4.0) + calls(CallState.AMD, 1.0)
    decision = strategy.decide(snap(team, out))
    data = json.loads(json.dumps(decision.to_dict()))
    again = Decision.from_dict(data)
    assert again == decision
    assert again.inputs is not None
    assert strategy.decide(again.inputs) == decision  # replayable: same inputs, same decision


def test_given_young_estimates_when_predictive_then_dials_fewer_than_with_learned_ones() -> None:
    team = vols(*[(WAIT, 0.0)] * 6)
    out = calls(CallState.RINGING, *[3.0] * 16)
    learned = Predictive().decide(snap(team, out))
    young = Predictive().decide(replace(snap(team, out), estimates=replace(EST, confidence=20.0)))
    assert young.dial < learned.dial


def test_given_everyone_ready_when_predictive_then_first_burst_is_one_per_volunteer() -> None:
    decision = Predictive().decide(snap(vols(*[(WAIT, 0.0)] * 4)))
    assert decision.dial <= 4


def test_given_record_with_less_than_one_drop_to_spend_when_predictive_then_more_careful() -> None:
    team = vols((WAIT, 0.0), (WRAP, 8.0), (TALK, 40.0))
    room = Predictive().allowed_risk(snap(team, ledger=AbandonLedger(100, 0, 0.03)))
    short = Predictive().allowed_risk(snap(team, ledger=AbandonLedger(40, 1, 0.03)))
    young = Predictive().allowed_risk(snap(team, ledger=AbandonLedger(0, 0, 0.03)))
    assert 0.0 < young < short < room
