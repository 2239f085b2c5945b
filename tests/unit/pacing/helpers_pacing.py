"""Builders for crafted pacing snapshots."""

from __future__ import annotations

from controller.pacing.snapshot import (
    AbandonLedger,
    CallState,
    CallView,
    Estimates,
    PacingSnapshot,
    VolunteerState,
    VolunteerView,
)

NOW = 1000.0
EST = Estimates(
    p_human=0.15,
    p_machine=0.30,
    p_busy=0.10,
    ring_mu=2.07,
    ring_sigma=0.5,
    amd_human=1.8,
    amd_machine=3.0,
    talk_mean=90.0,
    wrap_mean=15.0,
    wrap_sd=0.0,
    confidence=1e6,  # a well-learned list
)
HEALTHY = AbandonLedger(live_humans=1000, dropped=10, cap=0.03)  # budget: 20 drops


def vols(*specs: tuple[VolunteerState, float]) -> tuple[VolunteerView, ...]:
    """``(state, seconds in that state)`` per volunteer."""
    return tuple(VolunteerView(f"v{i}", st, NOW - age) for i, (st, age) in enumerate(specs))


def calls(state: CallState, *ages: float) -> tuple[CallView, ...]:
    return tuple(CallView(f"{state.value}{i}", state, NOW - a, NOW - a) for i, a in enumerate(ages))


def snap(
    volunteers: tuple[VolunteerView, ...] = (),
    in_flight: tuple[CallView, ...] = (),
    ledger: AbandonLedger = HEALTHY,
) -> PacingSnapshot:
    return PacingSnapshot(NOW, volunteers, in_flight, EST, ledger)
