"""What a strategy answers: how many numbers to dial now, which calls to cancel, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from controller.pacing.snapshot import PacingSnapshot


@dataclass(frozen=True)
class Decision:
    """One pacing decision, serializable together with the snapshot it was made from.

    ``dial``: how many new numbers to originate now. ``cancel``: ids of calls in flight to hang
    up (not yet answered). ``ratio``: the resulting dial level, calls in flight (after this
    decision) per volunteer who is not paused. ``reason``: a machine-readable id
    (``no_volunteers``, ``budget_exhausted``, ``risk_limit``, ...). ``figures``: the numbers
    behind the reason (expected humans, expected abandons, allowed risk, ...).
    """

    strategy: str
    dial: int
    cancel: tuple[str, ...] = ()
    ratio: float = 0.0
    reason: str = ""
    figures: dict[str, float] = field(default_factory=dict)
    inputs: PacingSnapshot | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "dial": self.dial,
            "cancel": list(self.cancel),
            "ratio": self.ratio,
            "reason": self.reason,
            "figures": dict(self.figures),
            "inputs": self.inputs.to_dict() if self.inputs is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        inputs = data.get("inputs")
        return cls(
            strategy=str(data["strategy"]),
            dial=int(data["dial"]),
            cancel=tuple(str(c) for c in data.get("cancel", ())),
            ratio=float(data.get("ratio", 0.0)),
            reason=str(data.get("reason", "")),
            figures={str(k): float(v) for k, v in data.get("figures", {}).items()},
            inputs=PacingSnapshot.from_dict(inputs) if inputs is not None else None,
        )


class Strategy(Protocol):
    """A dialing strategy: a pure function of the snapshot (no hidden state)."""

    @property
    def name(self) -> str: ...

    def decide(self, snapshot: PacingSnapshot) -> Decision: ...


def make_decision(
    strategy: str,
    snapshot: PacingSnapshot,
    dial: int,
    reason: str,
    cancel: tuple[str, ...] = (),
    figures: dict[str, float] | None = None,
) -> Decision:
    """Build a Decision with its ratio computed the same way for every strategy."""
    active = snapshot.active_volunteers
    in_flight = len(snapshot.calls) - len(cancel) + dial
    ratio = in_flight / active if active else 0.0
    return Decision(
        strategy=strategy,
        dial=dial,
        cancel=cancel,
        ratio=round(ratio, 4),
        reason=reason,
        figures=dict(figures or {}),
        inputs=snapshot,
    )
