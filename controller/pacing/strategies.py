"""Simple strategies: progressive (power 1:1) and a fixed dial ratio; shared helpers."""

from __future__ import annotations

from dataclasses import dataclass

from controller.pacing.decision import Decision, make_decision
from controller.pacing.snapshot import (
    CallState,
    CallView,
    PacingError,
    PacingSnapshot,
    VolunteerState,
)

TSR_MIN_RING = 15.0  # seconds an unanswered call must ring before we may hang it up


def cancellable(snapshot: PacingSnapshot, min_ring: float) -> list[CallView]:
    """Calls we may hang up, youngest first: not yet ringing, or rung at least ``min_ring``."""
    now = snapshot.now
    found = [
        c
        for c in snapshot.calls
        if c.state is CallState.DIALING
        or (c.state is CallState.RINGING and now - c.since >= min_ring)
    ]
    return sorted(found, key=lambda c: (-c.dialed_at, c.id))


def one_to_one(
    name: str, snapshot: PacingSnapshot, min_ring: float, reason: str = "one_per_ready"
) -> Decision:
    """Never more calls in flight than ready volunteers: no call can find nobody.

    With nobody left at all, every call not yet answered is hung up at once, whatever its
    ring time: a person answering it would certainly be dropped."""
    ready = snapshot.count(VolunteerState.WAITING)
    in_flight = len(snapshot.calls)
    if snapshot.active_volunteers == 0:
        reason, min_ring = "no_volunteers", 0.0
    if in_flight > ready:
        extra = cancellable(snapshot, min_ring)[: in_flight - ready]
        return make_decision(name, snapshot, 0, reason, tuple(c.id for c in extra))
    return make_decision(name, snapshot, ready - in_flight, reason)


@dataclass(frozen=True)
class Progressive:
    """Power dialing 1:1: one call per ready volunteer, never more. No abandon while the
    volunteers stay ready (one who pauses while their call rings under 15 s can leave it)."""

    cancel_min_ring: float = TSR_MIN_RING
    name: str = "progressive"

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        return one_to_one(self.name, snapshot, self.cancel_min_ring)


@dataclass(frozen=True)
class FixedRatio:
    """VICIdial-style RATIO: keep ``ratio`` calls in flight per ready volunteer.

    Ignores the abandon budget on purpose: it is the classic baseline.
    """

    ratio: float
    cancel_min_ring: float = TSR_MIN_RING
    name: str = "fixed_ratio"

    def __post_init__(self) -> None:
        if not 1.0 <= self.ratio <= 50.0:
            raise PacingError("bad_ratio", "dial ratio must be between 1 and 50")

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        ready = snapshot.count(VolunteerState.WAITING)
        if snapshot.active_volunteers == 0:
            return one_to_one(self.name, snapshot, self.cancel_min_ring, "no_volunteers")
        target = int(self.ratio * ready + 0.5)
        in_flight = len(snapshot.calls)
        return make_decision(self.name, snapshot, max(0, target - in_flight), "ratio")
