"""One dialed call as a runner follows it, and how tracker states map to pacing and results."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.model.outcomes import NETWORK_TROUBLE, STOP_CANCELLED
from controller.pacing.estimator import Outcome
from controller.pacing.snapshot import CallState as PacingCall
from controller.pacing.snapshot import CallView
from controller.store.queue import Claim
from controller.telephony.call_states import DIAL_STATUS_OUTCOMES
from controller.telephony.tracker import LOST, CallState, Transition

HUNG_UP_UNANSWERED = DIAL_STATUS_OUTCOMES["CANCEL"]  # how a call we hang up before answer ends
NOT_PLACED_REASON = "originate_rejected"  # the call never left the appliance
# Seconds past the ring timeout after which an unanswered call can no longer be ringing (an
# Originate gives up 5 s after it): a stopping bank ends it, a cancelled preview stops looking.
RING_MARGIN = 10.0


class CallKind(StrEnum):
    AUTO = "auto"  # dialed by the pacer (predictive, power)
    PREVIEW = "preview"  # dialed for one volunteer who pressed Call


@dataclass
class EngineCall:
    call_id: str
    attempt_id: int
    claim: Claim
    dialed_at: float
    kind: CallKind = CallKind.AUTO
    reserved_for: int | None = None  # the volunteer of a preview call
    state: CallState = CallState.QUEUED
    since: float = 0.0
    answered_at: float | None = None
    verdict_at: float | None = None
    verdict: str = ""
    volunteer_id: int | None = None
    connected_at: float | None = None
    callee_channel: str = ""
    ended: bool = False
    ringback_id: str = ""  # preview: the ring tone played into the volunteer's room
    handoff_wait: float | None = None  # seconds the answered callee waited for a volunteer
    released: bool = False  # the volunteer is done with it (the callee's leg went elsewhere)
    stop_cancelled: bool = False  # a stopping bank hung it up while it rang

    @property
    def in_flight(self) -> bool:
        """Still counts for pacing: not ended, not yet with a volunteer, not dropped."""
        return not self.ended and self.state not in (
            CallState.BRIDGED,
            CallState.DROPPED,
            CallState.MACHINE,
        )

    def view(self) -> CallView | None:
        state = PACING_STATES.get(self.state)
        if state is None or not self.in_flight:
            return None
        return CallView(self.call_id, state, self.since, self.dialed_at)


PACING_STATES = {
    CallState.QUEUED: PacingCall.DIALING,
    CallState.DIALING: PacingCall.DIALING,
    CallState.RINGING: PacingCall.RINGING,
    CallState.ANSWERED: PacingCall.AMD,
    CallState.HUMAN: PacingCall.WAITING_VOLUNTEER,
}


GIVEN_UP = (CallState.NO_ANSWER, CallState.ENDED)  # how a ringing call we hung up ends


def result_of(call: EngineCall, t: Transition) -> tuple[str, str]:
    """The attempt's ``(result, cause)`` for a terminal transition: ``failed`` only when the
    number itself is wrong (not in service, invalid), ``rejected`` when the callee's side
    refused the call, ``network_trouble`` when the phone network could not carry it."""
    cause = str(t.cause) if t.cause is not None else t.reason
    if call.stop_cancelled and call.answered_at is None and t.new in GIVEN_UP:
        return STOP_CANCELLED, "bank_stopped"  # nobody had the time to answer: no outcome
    if t.new is CallState.BUSY:
        return "busy", cause
    if t.new is CallState.NO_ANSWER:
        return "no_answer", cause
    if t.new is CallState.REJECTED:  # the number itself is wrong, or the callee refused
        return ("rejected" if t.reason == "call_rejected" else "failed"), cause
    if t.new is CallState.FAILED:
        if t.reason == NOT_PLACED_REASON:
            return NETWORK_TROUBLE, "not_placed"  # nothing reached the number: no outcome
        return NETWORK_TROUBLE, cause  # the phone network could not carry it: not the number
    if call.volunteer_id is not None and call.connected_at is not None:
        return "bridged", cause
    if call.state is CallState.DROPPED:
        return "dropped", cause
    if call.state is CallState.MACHINE:
        return "machine", cause
    if t.reason == LOST and call.answered_at is None:
        return "no_answer", "lost"
    return "no_answer", t.reason or cause


def estimator_outcome(call: EngineCall, t: Transition) -> Outcome | None:
    """What the estimator learns when a call's ringing is settled (None: nothing; a call
    the phone network could not carry, or never placed, says nothing about the list)."""
    if t.new is CallState.HUMAN:
        return Outcome.HUMAN
    if t.new is CallState.MACHINE:
        return Outcome.MACHINE
    if t.new in (CallState.BUSY, CallState.REJECTED):
        return Outcome.BUSY
    if t.new is CallState.NO_ANSWER:
        return Outcome.NO_ANSWER
    return None


def censored_ring(call: EngineCall, t: Transition) -> float | None:
    """Seconds (from the dial) a call rang before it was hung up on our side unanswered: the
    pacer took it back, or the bank stopped (the dialplan's Dial() reports ``CANCEL``).
    None for any other end, and for a call hung up before it rang: that teaches nothing."""
    if (t.new, t.reason) != HUNG_UP_UNANSWERED or call.answered_at is not None:
        return None
    if call.state is not CallState.RINGING:
        return None
    return max(t.at - call.dialed_at, 0.01)
