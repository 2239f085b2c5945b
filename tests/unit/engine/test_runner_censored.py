"""A call the bank hangs up while it rings teaches the estimator only that nobody answered by
then (tracker transitions fed to an offline runner; the end is the one the PBX reports when the
dialplan's Dial() is cancelled: ``ended``, reason ``cancelled``, cause 16)."""

from __future__ import annotations

from controller.config import Settings
from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.snapshot import Estimates
from controller.store.db import Database
from controller.telephony.tracker import CallState, Transition
from tests.unit.engine.test_runner_pacing import NOW, dial, make_runner


def stored_end(db: Database, attempt_id: int) -> tuple[str, str]:
    with db.read() as conn:
        row = conn.execute("SELECT result, cause FROM call_attempts WHERE id = ?", (attempt_id,))
        result, cause = row.fetchone()
    return str(result), str(cause)


async def test_given_a_call_ringing_when_the_bank_hangs_it_up_at_16s_then_it_is_learned_as_censored(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)  # rings 20 s at most; the pacer waits 15 s to hang up
    call = dial(runner, CallState.RINGING, since=NOW + 2.0)
    prior = Estimates(ring_timeout=float(runner.config.ring_timeout))
    censored, no_answer = Estimator(prior), Estimator(prior)
    censored.observe_unanswered(16.0)
    no_answer.observe_call(Outcome.NO_ANSWER, 16.0)

    runner.on_transition(
        Transition(call.call_id, CallState.RINGING, CallState.ENDED, NOW + 16.0, "cancelled", 16)
    )

    learned = runner.estimator.estimates()
    assert runner.estimator.observed_calls == 1
    assert learned == censored.estimates()
    assert learned.p_human > no_answer.estimates().p_human  # it might still have answered
    assert stored_end(db, call.attempt_id) == ("no_answer", "cancelled")
    assert call.call_id not in runner.calls


async def test_given_a_call_still_dialing_when_the_bank_hangs_it_up_then_nothing_is_learned(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    call = dial(runner, CallState.DIALING, since=NOW)
    before = runner.estimator.estimates()

    runner.on_transition(
        Transition(call.call_id, CallState.DIALING, CallState.ENDED, NOW + 1.0, "cancelled", 16)
    )

    assert runner.estimator.observed_calls == 0
    assert runner.estimator.estimates() == before
    assert stored_end(db, call.attempt_id) == ("no_answer", "cancelled")


async def test_given_a_call_ringing_when_it_rings_out_then_it_is_learned_as_no_answer(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings)
    call = dial(runner, CallState.RINGING, since=NOW + 2.0)
    expected = Estimator(Estimates(ring_timeout=float(runner.config.ring_timeout)))
    expected.observe_call(Outcome.NO_ANSWER, 20.0)

    runner.on_transition(
        Transition(call.call_id, CallState.RINGING, CallState.NO_ANSWER, NOW + 20.0, "no_answer")
    )

    assert runner.estimator.estimates() == expected.estimates()
