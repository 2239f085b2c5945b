"""The live inputs of one pacing decision: volunteers, calls in flight, estimates, budget.

Everything here is a frozen value with ``to_dict``/``from_dict`` so the engine can record the
exact inputs of every decision and replay a bank's day. Times are seconds on one clock chosen by
the caller (the simulator's clock, or the engine's monotonic clock): only differences matter.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class PacingError(ValueError):
    """Invalid pacing input; ``code`` is a machine-readable id."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class VolunteerState(StrEnum):
    WAITING = "waiting"  # ready: pressed "Ready", waiting for a voter
    IN_CALL = "in_call"  # talking to a voter
    WRAP_UP = "wrap_up"  # call over, filing the report
    PAUSED = "paused"  # connected but not ready: never dialed for


class CallState(StrEnum):
    DIALING = "dialing"  # originated, callee's phone not ringing yet
    RINGING = "ringing"  # ringing at the callee
    AMD = "amd"  # answered, machine detection running
    WAITING_VOLUNTEER = "waiting_volunteer"  # a human is on the line, no volunteer yet


@dataclass(frozen=True)
class VolunteerView:
    id: str
    state: VolunteerState
    since: float  # when the volunteer entered ``state``

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state.value, "since": self.since}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VolunteerView:
        return cls(str(data["id"]), VolunteerState(data["state"]), float(data["since"]))


@dataclass(frozen=True)
class CallView:
    id: str
    state: CallState
    since: float  # when the call entered ``state``
    dialed_at: float  # when the call was originated

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state.value,
            "since": self.since,
            "dialed_at": self.dialed_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallView:
        return cls(
            str(data["id"]),
            CallState(data["state"]),
            float(data["since"]),
            float(data["dialed_at"]),
        )


@dataclass(frozen=True)
class Estimates:
    """What a dial will probably do and how long people take; see ``Estimator``.

    Ring time (dial to answer) is lognormal: ``ln(ring) ~ Normal(ring_mu, ring_sigma)``.
    Talk time is exponential with mean ``talk_mean``; wrap-up is about ``wrap_mean``.
    """

    p_human: float = 0.10
    p_machine: float = 0.30
    p_busy: float = 0.10
    ring_mu: float = 2.07  # median ring about 8 s
    ring_sigma: float = 0.5
    amd_human: float = 2.0
    amd_machine: float = 3.0
    talk_mean: float = 90.0
    wrap_mean: float = 20.0
    wrap_sd: float = 5.0
    ring_timeout: float = 30.0
    busy_time: float = 3.0
    confidence: float = 20.0  # effective number of observed dials behind the rates

    @property
    def p_human_careful(self) -> float:
        """The human-answer rate plus one standard error: a young estimate paces carefully."""
        p = self.p_human
        return min(1.0, p + math.sqrt(p * (1.0 - p) / max(self.confidence, 1.0)))

    def __post_init__(self) -> None:
        total = self.p_human + self.p_machine + self.p_busy
        if min(self.p_human, self.p_machine, self.p_busy) < 0 or total > 1.0 + 1e-9:
            raise PacingError("bad_probabilities", "answer probabilities must be >= 0, sum <= 1")
        if self.ring_sigma <= 0 or self.talk_mean <= 0 or self.ring_timeout <= 0:
            raise PacingError("bad_estimate", "ring sigma, talk mean, ring timeout must be > 0")

    @property
    def p_no_answer(self) -> float:
        return max(0.0, 1.0 - self.p_human - self.p_machine - self.p_busy)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Estimates:
        return cls(**{k: float(v) for k, v in data.items()})


@dataclass(frozen=True)
class AbandonLedger:
    """The bank's abandon accounting over the rolling 30-day window.

    ``live_humans`` counts answered calls that reached a live person (connected or dropped);
    ``dropped`` counts those no volunteer took within 2 s. The budget is how many more drops
    the bank can afford right now while staying at or under ``cap``.
    """

    live_humans: int = 0
    dropped: int = 0
    cap: float = 0.03

    def __post_init__(self) -> None:
        if self.live_humans < 0 or self.dropped < 0 or self.dropped > self.live_humans:
            raise PacingError("bad_ledger", "need 0 <= dropped <= live_humans")
        if not 0.0 <= self.cap < 1.0:
            raise PacingError("bad_cap", "abandon cap must be in [0, 1)")

    @property
    def rate(self) -> float:
        return self.dropped / self.live_humans if self.live_humans else 0.0

    @property
    def budget(self) -> float:
        return self.cap * self.live_humans - self.dropped

    def to_dict(self) -> dict[str, Any]:
        return {"live_humans": self.live_humans, "dropped": self.dropped, "cap": self.cap}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AbandonLedger:
        return cls(int(data["live_humans"]), int(data["dropped"]), float(data["cap"]))


@dataclass(frozen=True)
class PacingSnapshot:
    now: float
    volunteers: tuple[VolunteerView, ...] = ()
    calls: tuple[CallView, ...] = ()
    estimates: Estimates = field(default_factory=Estimates)
    ledger: AbandonLedger = field(default_factory=AbandonLedger)

    def count(self, state: VolunteerState) -> int:
        return sum(1 for v in self.volunteers if v.state is state)

    @property
    def active_volunteers(self) -> int:
        """Volunteers who will take calls (everyone not paused)."""
        return sum(1 for v in self.volunteers if v.state is not VolunteerState.PAUSED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "volunteers": [v.to_dict() for v in self.volunteers],
            "calls": [c.to_dict() for c in self.calls],
            "estimates": self.estimates.to_dict(),
            "ledger": self.ledger.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PacingSnapshot:
        return cls(
            now=float(data["now"]),
            volunteers=tuple(VolunteerView.from_dict(v) for v in data["volunteers"]),
            calls=tuple(CallView.from_dict(c) for c in data["calls"]),
            estimates=Estimates.from_dict(data["estimates"]),
            ledger=AbandonLedger.from_dict(data["ledger"]),
        )
