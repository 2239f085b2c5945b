"""A volunteer's session in one running bank: a pure state machine with timestamps.

States::

    not_dialed_in -> idle <-> waiting -> busy -> wrap_up -> waiting | idle
          any state except disconnected -> disconnected   (final: the leg dropped)

- ``idle``: in their conference, not ready (just joined, or paused themselves).
- ``waiting``: pressed "Ready": waiting for a voter; the longest-waiting gets the next one.
- ``busy``: talking to a voter. ``wrap_up``: the call ended, filing the report.

Every step takes ``now`` (seconds on the caller's clock) and returns a new session, or raises
:class:`VolunteerError` with a machine-readable ``code``. Totals: ``call_time`` (time busy),
``active_time`` (time waiting, busy or in wrap-up) and ``calls_assigned``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from controller.errors import PhonebankError


class VolunteerError(PhonebankError):
    """A volunteer state change that is not allowed."""


class VState(StrEnum):
    NOT_DIALED_IN = "not_dialed_in"
    IDLE = "idle"
    WAITING = "waiting"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    DISCONNECTED = "disconnected"


ACTIVE = frozenset({VState.WAITING, VState.BUSY, VState.WRAP_UP})
CONNECTED = frozenset({VState.IDLE, VState.WAITING, VState.BUSY, VState.WRAP_UP})
JOIN_VIA = ("browser", "dialin", "callme", "local", "simulated")


@dataclass(frozen=True)
class Session:
    """One volunteer in one bank; ``conference`` is their own ConfBridge room."""

    volunteer_id: int
    bank_id: int
    conference: str
    state: VState = VState.NOT_DIALED_IN
    since: float = 0.0
    via: str = ""
    joined_at: float | None = None
    left_at: float | None = None
    call_id: str | None = None
    calls_assigned: int = 0
    call_time: float = 0.0
    active_time: float = 0.0

    @property
    def connected(self) -> bool:
        return self.state in CONNECTED

    def totals(self, now: float) -> tuple[float, float]:
        """(call time, active time) including the time spent in the current state."""
        spent = max(0.0, now - self.since)
        call = self.call_time + (spent if self.state is VState.BUSY else 0.0)
        active = self.active_time + (spent if self.state in ACTIVE else 0.0)
        return call, active


def _move(s: Session, new: VState, now: float, **changes: object) -> Session:
    if now < s.since:
        raise VolunteerError("time_backwards", "a session step cannot happen before the last one")
    spent = now - s.since
    call = s.call_time + (spent if s.state is VState.BUSY else 0.0)
    active = s.active_time + (spent if s.state in ACTIVE else 0.0)
    return replace(s, state=new, since=now, call_time=call, active_time=active, **changes)  # type: ignore[arg-type]


def _require(s: Session, allowed: set[VState] | frozenset[VState], step: str) -> None:
    if s.state not in allowed:
        raise VolunteerError(
            "bad_state" if s.state is not VState.DISCONNECTED else "disconnected",
            f"cannot {step} a volunteer who is {s.state.value}",
        )


def join(s: Session, now: float, via: str) -> Session:
    """The volunteer's leg entered their conference."""
    if via not in JOIN_VIA:
        raise VolunteerError("bad_via", f"unknown way to join {via!r} (known: {JOIN_VIA})")
    _require(s, {VState.NOT_DIALED_IN}, "join")
    return _move(s, VState.IDLE, now, via=via, joined_at=now)


def ready(s: Session, now: float) -> Session:
    """Pressed "Ready": waiting for a voter."""
    _require(s, {VState.IDLE, VState.WRAP_UP}, "ready")
    return _move(s, VState.WAITING, now, call_id=None)


def pause(s: Session, now: float) -> Session:
    """Not ready any more (stays in the conference, never dialed for)."""
    _require(s, {VState.IDLE, VState.WAITING, VState.WRAP_UP}, "pause")
    return _move(s, VState.IDLE, now, call_id=None)


def assign(s: Session, now: float, call_id: str) -> Session:
    """A voter was handed to this (waiting) volunteer."""
    _require(s, {VState.WAITING}, "assign a call to")
    return _move(s, VState.BUSY, now, call_id=call_id, calls_assigned=s.calls_assigned + 1)


def end_call(s: Session, now: float) -> Session:
    """The voter hung up (or the volunteer did): filing the report."""
    _require(s, {VState.BUSY}, "end the call of")
    return _move(s, VState.WRAP_UP, now)


def leave(s: Session, now: float) -> Session:
    """The volunteer's leg dropped or they signed off: out of the pool at once, for good."""
    if s.state is VState.DISCONNECTED:
        return s
    return _move(s, VState.DISCONNECTED, now, left_at=now)


def longest_waiting(sessions: list[Session] | tuple[Session, ...]) -> Session | None:
    """The waiting volunteer who has waited longest (ties: lowest volunteer id)."""
    waiting = [s for s in sessions if s.state is VState.WAITING]
    if not waiting:
        return None
    return min(waiting, key=lambda s: (s.since, s.volunteer_id))


def pacing_state(state: VState) -> str | None:
    """The pacing view of a state (``controller.pacing.snapshot.VolunteerState`` values);
    None for volunteers who are not in the pool."""
    return {
        VState.WAITING: "waiting",
        VState.BUSY: "in_call",
        VState.WRAP_UP: "wrap_up",
        VState.IDLE: "paused",
    }.get(state)
