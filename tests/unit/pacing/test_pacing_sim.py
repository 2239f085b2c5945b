from __future__ import annotations

import json

from controller.pacing.decision import Decision
from controller.pacing.predictive import Predictive
from controller.pacing.scenario import Scenario
from controller.pacing.sim import Simulator, simulate
from controller.pacing.strategies import FixedRatio, Progressive

SHORT = Scenario(name="short", volunteers=4, hours=0.25)


def test_given_same_seed_when_simulating_twice_then_identical_results() -> None:
    first = simulate(SHORT, FixedRatio(3.0), seed=11).to_dict()
    assert simulate(SHORT, FixedRatio(3.0), seed=11).to_dict() == first
    assert simulate(SHORT, FixedRatio(3.0), seed=12).to_dict() != first


def test_given_any_strategy_when_simulating_then_every_dial_has_exactly_one_fate() -> None:
    for strategy in (Progressive(), FixedRatio(4.0), Predictive(cancel_min_ring=0.0)):
        result = simulate(SHORT, strategy, seed=3)
        assert result.dials > 0
        assert result.dials == sum(result.fates.values()) + result.in_flight_at_end
        assert result.connections == result.fates.get("connected", 0)
        assert 0.0 < result.talk_share < SHORT.ceiling
        assert result.talk_time + result.wait_time <= result.logged_time


def test_given_progressive_when_simulating_then_nobody_is_ever_dropped() -> None:
    result = simulate(SHORT, Progressive(), seed=5)
    assert result.drops == 0
    assert result.connections > 0


def test_given_aggressive_ratio_when_simulating_then_drops_happen_and_are_counted() -> None:
    result = simulate(SHORT, FixedRatio(12.0), seed=5)
    assert result.drops > 0
    assert result.abandon_rate == result.drops / (result.drops + result.connections)


def test_given_recorded_day_when_replayed_then_every_decision_is_reproduced() -> None:
    recorded: list[Decision] = []
    strategy = Predictive()
    Simulator(Scenario(volunteers=3, hours=0.05), strategy, seed=2, record=recorded).run()
    assert len(recorded) > 50
    for decision in recorded[::7]:
        again = Decision.from_dict(json.loads(json.dumps(decision.to_dict())))
        assert again.inputs is not None
        assert strategy.decide(again.inputs) == decision


def test_given_aggressive_ratio_when_simulating_then_people_who_waited_are_counted() -> None:
    calm = simulate(SHORT, Progressive(), seed=5)
    busy = simulate(Scenario(hours=0.5), FixedRatio(6.0), seed=5)
    assert calm.waited == 0
    assert 0 < busy.waited <= busy.connections
    assert busy.waited_share == busy.waited / busy.connections
    assert busy.to_dict()["waited_share"] == round(busy.waited_share, 4)
