"""What volunteers are told about numbers dialed for them that never reached them.

A preview call that is busy, not in service or not answered, and the numbers a power bank
dials while its volunteers wait, end without a conversation: the engine records their
automatic outcome, and the call screen says what happened (:class:`CallNote`). Notes are
kept per volunteer (preview: the contact they pressed Call for) and per bank (power: the
last numbers dialed), a few of each. No I/O here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from controller.ids import parse_id
from controller.model.outcomes import NETWORK_TROUBLE, OutcomeError, outcome_for_result
from controller.telephony.call_states import CAUSE_OUTCOMES

KEEP = 3  # notes kept per volunteer and per bank

# The tracker's reason names (controller/telephony/call_states.py) by what the volunteer reads.
NOT_IN_SERVICE = frozenset({"unallocated", "number_changed", "invalid_number"})
NETWORK_BUSY = frozenset(
    {"destination_out_of_order", "congestion", "network_out_of_order", "temporary_failure"}
)
RESULT_LABELS = {
    "busy": "Busy",
    "no_answer": "No answer",
    "machine": "Answering machine",
    "dropped": "Dropped",
    "cancelled": "Hung up as the bank stopped (not counted)",
}


def label_of(result: str, cause: str) -> str:
    """What the volunteer reads about a call's end, from the attempt's result and cause
    (a Q.850 code or the tracker's reason)."""
    if cause == "not_placed":
        return "Could not be placed (it will be tried again)"
    reason = reason_of(cause)
    if result == "failed":
        return "Number not in service" if reason in NOT_IN_SERVICE else "Call failed"
    if result == "rejected":
        return "Call rejected"
    if result == NETWORK_TROUBLE:
        busy = reason in NETWORK_BUSY
        return f"{'Phone network busy' if busy else 'Call failed'} (it will be tried again)"
    return RESULT_LABELS.get(result, result.replace("_", " ").capitalize())


def reason_of(cause: str) -> str:
    """The tracker's reason name for a Q.850 code (as the attempt stores it), else ``cause``."""
    code = parse_id(cause)
    known = CAUSE_OUTCOMES.get(code) if code is not None else None
    return known[1] if known else cause


def recorded_label(result: str) -> str:
    """The automatic outcome recorded for ``result`` ("" when none is)."""
    try:
        return outcome_for_result(result).label
    except OutcomeError:
        return ""


@dataclass(frozen=True)
class CallNote:
    """One number that ended without reaching a volunteer (``name``/``e164``: preview only,
    the contact the volunteer had in front of them)."""

    at: float
    call_id: str
    result: str
    label: str
    outcome: str
    name: str = ""
    e164: str = ""

    @classmethod
    def of(
        cls, at: float, call_id: str, result: str, cause: str, name: str = "", e164: str = ""
    ) -> CallNote:
        label, outcome = label_of(result, cause), recorded_label(result)
        return cls(at, call_id, result, label, outcome, name, e164)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CallNotes:
    """A runner's notes: the last few per volunteer and for the bank, newest first."""

    keep: int = KEEP
    volunteers: dict[int, deque[CallNote]] = field(default_factory=dict)
    bank: deque[CallNote] = field(default_factory=deque)

    def add(self, note: CallNote, volunteer_id: int | None = None) -> None:
        """Note for one volunteer, or (``volunteer_id`` None) for the bank."""
        if volunteer_id is None:
            line = self.bank
        else:
            line = self.volunteers.setdefault(volunteer_id, deque())
        line.appendleft(note)
        while len(line) > self.keep:
            line.pop()

    def recent(self, volunteer_id: int | None = None, since: float = 0.0) -> list[CallNote]:
        """The notes taken at or after ``since``, newest first."""
        line = self.bank if volunteer_id is None else self.volunteers.get(volunteer_id, ())
        return [n for n in line if n.at >= since]

    def forget(self, volunteer_id: int) -> None:
        self.volunteers.pop(volunteer_id, None)
