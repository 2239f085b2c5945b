"""A person sent to the safe-harbor message counts as dropped the same way whether the PBX
reported the drop (nobody was free within the hand-off wait) or the engine sent them there
(their volunteer left): the call's state, the session's ``dropped`` figure, what the
estimator learns and the ``call`` message on the bus. A runner on a real SQLite file; the
AMI session is a stand-in that is never connected (the redirect is not sent)."""

from __future__ import annotations

import copy
from typing import Any

from test_runner_pacing import NOW, dial, make_runner

from controller.config import Settings
from controller.engine import handoff
from controller.engine.runner import BankRunner
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition

LATER = NOW + 2.0


def calls_published(runner: BankRunner) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    runner.bus.listen(lambda m: seen.append(m) if m["topic"] == "call" else None)
    return seen


def without_id(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "call_id"} for m in messages]


async def test_given_an_unscreened_answered_call_when_the_engine_sends_it_to_safe_harbor_then_it_is_dropped_like_a_drop_the_pbx_reports(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, clock=lambda: LATER)
    fresh = copy.deepcopy(runner.estimator)
    seen = calls_published(runner)

    by_pbx = dial(runner, CallState.ANSWERED, answered_at=NOW)
    runner.on_transition(
        Transition(by_pbx.call_id, CallState.ANSWERED, CallState.DROPPED, LATER, "no_volunteer")
    )
    pbx_learned, pbx_messages = runner.estimator, list(seen)

    runner.estimator, seen[:] = copy.deepcopy(fresh), []
    by_engine = dial(runner, CallState.ANSWERED, answered_at=NOW)
    handoff.to_safe_harbor(runner, by_engine)

    for call in (by_pbx, by_engine):
        assert (call.state, call.since, call.ended) == (CallState.DROPPED, LATER, False)
    assert runner.figures.dropped == 2
    assert pbx_learned.observed_calls == runner.estimator.observed_calls == 1
    assert pbx_learned.estimates() == runner.estimator.estimates()  # learned as a person
    assert pbx_messages == [
        {"topic": "call", "bank_id": runner.bank_id, "call_id": by_pbx.call_id,
         "state": "dropped", "at": LATER}
    ]  # fmt: skip
    assert without_id(seen) == without_id(pbx_messages)
    assert seen[0]["call_id"] == by_engine.call_id


async def test_given_a_call_the_engine_sent_to_safe_harbor_when_the_pbx_reports_the_drop_then_it_counts_once(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, clock=lambda: LATER)
    seen = calls_published(runner)
    call = dial(runner, CallState.HUMAN, answered_at=NOW, verdict_at=NOW + 1)
    observed = runner.estimator.observed_calls

    handoff.to_safe_harbor(runner, call)
    handoff.to_safe_harbor(runner, call)  # again (the person reached the empty room)
    runner.wake.clear()
    runner.on_transition(  # the person reached the empty room before the redirect
        Transition(call.call_id, CallState.HUMAN, CallState.BRIDGED, LATER + 0.5, "")
    )
    runner.on_transition(
        Transition(call.call_id, CallState.HUMAN, CallState.DROPPED, LATER + 1, "no_volunteer")
    )
    assert not runner.wake.is_set()  # nothing changed: the pacer is not woken

    assert (call.state, call.since) == (CallState.DROPPED, LATER)  # the engine's drop stays
    assert runner.figures.dropped == 1
    assert runner.estimator.observed_calls == observed  # screened: learned at the verdict
    # the engine's drop is published once; the PBX's later report of it changes nothing
    assert [(m["state"], m["at"]) for m in seen] == [("dropped", LATER)]
