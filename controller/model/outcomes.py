"""Call outcomes and what each one does to the contact, the number and future calls.

Volunteers pick an outcome after each conversation; the dialer records the automatic ones
(failed / bad number, dropped, and unanswered calls) itself. A call the phone network could
not carry gets no outcome at all (:func:`decide_network_retry`). Each outcome carries a
:class:`Policy`:

- ``retry``: call the number again after the bank's retry delay, until the bank's maximum
  number of attempts is reached; the retry goes to the back of the retry line.
- ``final_contact``: this contact is finished in this bank (other household members stay).
- ``final_number``: this number is never dialed again in this bank.
- ``dnc``: the number goes on the do-not-call list, for every bank.
- ``complete``: the contact is finished in every bank (completed conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.errors import PhonebankError


class Policy(StrEnum):
    RETRY = "retry"
    FINAL_CONTACT = "final_contact"
    FINAL_NUMBER = "final_number"
    DNC = "dnc"
    COMPLETE = "complete"


class OutcomeError(PhonebankError):
    """An unknown outcome or a result with no outcome."""


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    policy: Policy
    automatic: bool = False
    picked_up: bool = False  # a person answered: starts "prevent frequent calling"
    marks_wrong_number: bool = False

    @property
    def ends_contact(self) -> bool:
        return self.policy in (Policy.FINAL_CONTACT, Policy.COMPLETE)

    @property
    def ends_number(self) -> bool:
        return self.policy in (Policy.FINAL_NUMBER, Policy.DNC)


_ALL = (
    Outcome("completed", "Completed", Policy.COMPLETE, picked_up=True),
    Outcome("answering_machine", "Answering Machine", Policy.RETRY),
    Outcome("no_answer", "No Answer", Policy.RETRY),
    Outcome("busy", "Busy", Policy.RETRY),
    Outcome("not_home", "Not Home", Policy.RETRY, picked_up=True),
    Outcome(
        "wrong_number", "Wrong Number", Policy.FINAL_NUMBER, picked_up=True, marks_wrong_number=True
    ),
    Outcome("moved", "Moved", Policy.FINAL_CONTACT, picked_up=True),
    Outcome("deceased", "Deceased", Policy.FINAL_CONTACT, picked_up=True),
    Outcome("refused", "Refused", Policy.FINAL_CONTACT, picked_up=True),
    Outcome("no_common_language", "No language in common", Policy.FINAL_CONTACT, picked_up=True),
    Outcome("do_not_call", "Do Not Call", Policy.DNC, picked_up=True),
    Outcome("failed", "Failed / Bad Number", Policy.FINAL_NUMBER, automatic=True),
    Outcome("dropped", "Dropped", Policy.RETRY, automatic=True, picked_up=True),
    # A conversation whose report never came (the appliance restarted, the volunteer left
    # for another bank or never came back): tried again like a person who was not home.
    Outcome("not_recorded", "Not Recorded", Policy.RETRY, automatic=True, picked_up=True),
)

OUTCOMES: dict[str, Outcome] = {o.code: o for o in _ALL}
VOLUNTEER_OUTCOMES: tuple[Outcome, ...] = tuple(o for o in _ALL if not o.automatic)
# Call results the dialer records without a volunteer, mapped to outcomes.
AUTOMATIC_RESULTS: dict[str, str] = {
    "no_answer": "no_answer",
    "busy": "busy",
    "machine": "answering_machine",
    "failed": "failed",  # the number itself is wrong (not in service, invalid)
    "rejected": "no_answer",  # the callee's side refused the call: tried again later
    "dropped": "dropped",
}
# The call result of a call the phone network could not carry (congestion, trunk down,
# network out of order): no outcome is filed (nothing reached the person); the number goes
# back to the queue and the attempt is given back, up to ``FREE_NETWORK_TRIES`` times.
NETWORK_TROUBLE = "network_trouble"
STOP_CANCELLED = "cancelled"  # a ringing call a stopping bank hung up: no outcome, not counted
FREE_NETWORK_TRIES = 3


def outcome(code_or_label: str) -> Outcome:
    """Look an outcome up by code (``not_home``) or label (``Not Home``), any case."""
    key = code_or_label.strip().lower()
    for item in _ALL:
        if key in (item.code, item.label.lower()):
            return item
    known = ", ".join(o.code for o in _ALL)
    raise OutcomeError("unknown_outcome", f"unknown outcome {code_or_label!r} (known: {known})")


def outcome_for_result(result: str) -> Outcome:
    """The automatic outcome recorded for an unbridged call result (busy, no_answer...)."""
    if result not in AUTOMATIC_RESULTS:
        raise OutcomeError("unknown_result", f"no automatic outcome for call result {result!r}")
    return OUTCOMES[AUTOMATIC_RESULTS[result]]


@dataclass(frozen=True)
class RetryDecision:
    """What happens to a dialed number after an outcome."""

    retry_at: float | None  # epoch seconds, or None when the number is done in this bank
    reason: str
    gives_back: bool = False  # the attempt does not count toward the bank's maximum


def decide_retry(
    item: Outcome,
    attempts_made: int,
    max_attempts: int,
    retry_delay_s: float,
    now: float,
    recall_block_s: float = 0.0,
) -> RetryDecision:
    """When (if ever) the number is dialed again after ``item``.

    ``recall_block_s`` is the "prevent frequent calling" window; it applies only when a
    person picked up.
    """
    if item.policy is not Policy.RETRY:
        return RetryDecision(None, item.policy.value)
    if attempts_made >= max_attempts:
        return RetryDecision(None, "max_attempts")
    delay = retry_delay_s
    if item.picked_up:
        delay = max(delay, recall_block_s)
    return RetryDecision(now + delay, "retry")


def decide_network_retry(
    failures: int, attempts_made: int, max_attempts: int, retry_delay_s: float, now: float
) -> RetryDecision:
    """When a number whose call the phone network could not carry is dialed again.

    ``failures`` counts this number's network failures in this bank, this one included.
    The first ``FREE_NETWORK_TRIES`` give the attempt back (the contact's attempts are not
    used up); after that a network failure counts like any attempt, so a destination the
    network never reaches is not dialed for ever."""
    gives_back = failures <= FREE_NETWORK_TRIES
    if not gives_back and attempts_made >= max_attempts:
        return RetryDecision(None, "max_attempts")
    return RetryDecision(now + retry_delay_s, NETWORK_TROUBLE, gives_back)
