"""Pure call state machine: the states a call goes through and the rules that move it.

States only move forward::

    queued -> dialing -> ringing -> answered -> machine | human -> bridged | dropped -> ended

and a call that ends before it was answered ends in ``busy``, ``no_answer``, ``failed`` or
``rejected`` instead, read from the trunk leg's Hangup cause, else ``DIALSTATUS``, else the
OriginateResponse reason (:func:`end_outcome`). A call that ended with reason ``lost`` (none of
its channels was listed after a reconnect) may come back to life (:func:`advance`).

No events and no channels here: :mod:`controller.telephony.tracker` works out which call an
event is about and calls :func:`advance` on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CallState(StrEnum):
    QUEUED = "queued"
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED = "answered"
    MACHINE = "machine"
    HUMAN = "human"
    BRIDGED = "bridged"
    DROPPED = "dropped"
    ENDED = "ended"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    REJECTED = "rejected"


S = CallState
RANK = {S.QUEUED: 0, S.DIALING: 1, S.RINGING: 2, S.ANSWERED: 3, S.MACHINE: 4, S.HUMAN: 4}
RANK |= {S.BRIDGED: 5, S.DROPPED: 5}
TERMINAL = frozenset({S.ENDED, S.BUSY, S.NO_ANSWER, S.FAILED, S.REJECTED})
LOST = "lost"

# Q.850 hangup causes that settle how an unanswered call failed.
CAUSE_OUTCOMES: dict[int, tuple[CallState, str]] = {
    1: (S.REJECTED, "unallocated"),
    21: (S.REJECTED, "call_rejected"),
    22: (S.REJECTED, "number_changed"),
    28: (S.REJECTED, "invalid_number"),
    17: (S.BUSY, "busy"),
    18: (S.NO_ANSWER, "no_user_response"),
    19: (S.NO_ANSWER, "no_answer"),
    20: (S.NO_ANSWER, "subscriber_absent"),
    3: (S.FAILED, "no_route"),  # what a missing or broken trunk gives too: not the number's fault
    27: (S.FAILED, "destination_out_of_order"),
    34: (S.FAILED, "congestion"),
    38: (S.FAILED, "network_out_of_order"),
    41: (S.FAILED, "temporary_failure"),
    42: (S.FAILED, "congestion"),
    102: (S.FAILED, "timeout"),
}
DIAL_STATUS_OUTCOMES: dict[str, tuple[CallState, str]] = {
    "BUSY": (S.BUSY, "busy"),
    "NOANSWER": (S.NO_ANSWER, "no_answer"),
    "CONGESTION": (S.FAILED, "congestion"),
    "CHANUNAVAIL": (S.FAILED, "unavailable"),
    "INVALIDARGS": (S.FAILED, "invalid_args"),
    "CANCEL": (S.ENDED, "cancelled"),
}
# OriginateResponse ``Reason`` (Asterisk control frame numbers).
ORIGINATE_REASON_OUTCOMES: dict[int, tuple[CallState, str]] = {
    0: (S.FAILED, "originate_failed"),
    1: (S.FAILED, "hangup"),
    3: (S.NO_ANSWER, "no_answer"),
    5: (S.BUSY, "busy"),
    8: (S.FAILED, "congestion"),
}
VERDICTS = {"HUMAN": (S.HUMAN, "human"), "NOTSURE": (S.HUMAN, "notsure")}
VERDICTS["MACHINE"] = (S.MACHINE, "machine")


@dataclass(frozen=True)
class Transition:
    call_id: str
    old: CallState | None
    new: CallState
    at: float
    reason: str = ""
    cause: int | None = None


@dataclass
class Call:
    call_id: str
    other_id: str = ""
    target: str = ""
    state: CallState = S.QUEUED
    reason: str = ""
    live: dict[str, str] = field(default_factory=dict)  # uniqueid -> channel name
    trunk_uniqueid: str = ""
    cause: int | None = None
    dial_status: str = ""
    originate_reason: int | None = None
    history: list[Transition] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL

    def at(self, state: CallState) -> float | None:
        """When the call entered ``state`` (the last time), if it did."""
        times = [t.at for t in self.history if t.new is state]
        return times[-1] if times else None


def advance(
    call: Call, new: CallState, at: float, reason: str = "", cause: int | None = None
) -> Transition | None:
    """Move ``call`` to ``new`` if that is forward (or brings a lost call back); the
    transition made, or None when the move is not allowed and nothing changed."""
    old = call.state
    if old in TERMINAL:
        if not (old is S.ENDED and call.reason == LOST) or new in TERMINAL:
            return None
        reason = reason or "reappeared"
    elif new not in TERMINAL and RANK[new] <= RANK[old]:
        return None
    t = Transition(call.call_id, old, new, at, reason, cause)
    call.state, call.reason = new, reason
    call.history.append(t)
    return t


def end_outcome(call: Call) -> tuple[CallState, str]:
    """The state and reason a call ends in once its last channel is gone."""
    if RANK.get(call.state, 9) >= RANK[S.ANSWERED]:
        return S.ENDED, "hangup"
    for outcome in (
        CAUSE_OUTCOMES.get(call.cause if call.cause is not None else -1),
        DIAL_STATUS_OUTCOMES.get(call.dial_status),
        ORIGINATE_REASON_OUTCOMES.get(
            call.originate_reason if call.originate_reason is not None else -1
        ),
    ):
        if outcome is not None:
            return outcome
    return S.FAILED, "hangup_before_answer"
