from __future__ import annotations

import pytest

from controller.model.outcomes import (
    OUTCOMES,
    VOLUNTEER_OUTCOMES,
    OutcomeError,
    Policy,
    decide_retry,
    outcome,
    outcome_for_result,
)


def test_given_catalogue_when_listed_then_every_required_outcome_is_there() -> None:
    labels = {o.label for o in OUTCOMES.values()}
    for label in (
        "Completed", "Answering Machine", "No Answer", "Busy", "Not Home", "Wrong Number",
        "Moved", "Deceased", "Refused", "No language in common", "Do Not Call",
        "Failed / Bad Number", "Dropped",
    ):  # fmt: skip
        assert label in labels
    assert all(not o.automatic for o in VOLUNTEER_OUTCOMES)
    assert {"failed", "dropped"} <= {o.code for o in OUTCOMES.values() if o.automatic}


def test_given_label_or_code_in_any_case_when_looked_up_then_same_outcome() -> None:
    assert outcome("Not Home") is outcome("not_home") is outcome("NOT HOME")


def test_given_unknown_name_when_looked_up_then_error_with_id() -> None:
    with pytest.raises(OutcomeError) as err:
        outcome("maybe later")
    assert err.value.code == "unknown_outcome"


def test_given_call_results_when_mapped_then_automatic_outcomes() -> None:
    assert outcome_for_result("machine").code == "answering_machine"
    assert outcome_for_result("rejected").code == "no_answer"  # the callee refused: retried
    with pytest.raises(OutcomeError):
        outcome_for_result("bridged")


def test_given_policies_when_checked_then_each_outcome_has_the_right_one() -> None:
    assert outcome("completed").policy is Policy.COMPLETE
    assert outcome("do_not_call").policy is Policy.DNC
    assert outcome("wrong_number").policy is Policy.FINAL_NUMBER
    assert outcome("refused").policy is Policy.FINAL_CONTACT
    assert outcome("busy").policy is Policy.RETRY
    assert outcome("completed").ends_contact and outcome("do_not_call").ends_number


def test_given_retry_outcome_below_max_when_decided_then_retry_after_delay() -> None:
    d = decide_retry(outcome("busy"), attempts_made=1, max_attempts=3, retry_delay_s=1800, now=100)
    assert d.retry_at == 1900


def test_given_retry_outcome_at_max_when_decided_then_done() -> None:
    d = decide_retry(outcome("busy"), attempts_made=3, max_attempts=3, retry_delay_s=1800, now=0)
    assert d.retry_at is None and d.reason == "max_attempts"


def test_given_picked_up_retry_when_decided_then_recall_block_wins_over_short_delay() -> None:
    d = decide_retry(outcome("not_home"), 1, 3, 1800, now=0, recall_block_s=6 * 3600)
    assert d.retry_at == 6 * 3600
    machine = decide_retry(outcome("answering_machine"), 1, 3, 1800, now=0, recall_block_s=21600)
    assert machine.retry_at == 1800


def test_given_final_outcome_when_decided_then_never_retried() -> None:
    d = decide_retry(outcome("refused"), attempts_made=1, max_attempts=3, retry_delay_s=60, now=0)
    assert d.retry_at is None and d.reason == "final_contact"
