"""Predictive pacing: dial as much as the abandon budget allows, thinking in probabilities.

For the current state and ``n`` new dials, ``forecast.Outlook`` gives the expected humans the
plan will produce and the expected abandons (humans with no free volunteer within 2 s), counting
volunteers in wrap-up (free at a predictable time) and talkers (by their hazard of finishing).
We dial the largest ``n`` whose expected abandons stay within ``allowed risk x expected humans``.

The allowed risk follows the bank's remaining drop budget (``AbandonLedger.budget``): it is
``aim x cap`` when the budget holds ``reserve`` drops, less when it runs low, more (bounded)
when there is a surplus. With no budget left it falls back to 1:1 dialing, which cannot drop.
That feedback keeps the rolling 30-day abandon rate under the cap even when the estimates are
off. When volunteers leave, ringing calls it no longer has room for are cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.pacing.decision import Decision, make_decision
from controller.pacing.forecast import Outlook, outlook
from controller.pacing.snapshot import PacingError, PacingSnapshot, VolunteerState
from controller.pacing.strategies import TSR_MIN_RING, cancellable, one_to_one


@dataclass(frozen=True)
class Predictive:
    """Tunables (see docs/pacing.md): ``aim`` (share of the cap to spend), ``reserve`` (drops
    kept in the budget for full speed), ``max_boost`` (risk multiplier when the budget has a
    surplus), ``max_per_volunteer`` (calls in flight per active volunteer), ``cancel_min_ring``."""

    aim: float = 0.9
    reserve: float = 2.0
    max_boost: float = 2.0
    min_boost: float = 0.25
    max_per_volunteer: float = 12.0
    cancel_min_ring: float = TSR_MIN_RING
    name: str = "predictive"

    def __post_init__(self) -> None:
        if not 0.0 < self.aim <= 1.0:
            raise PacingError("bad_aim", "aim must be in (0, 1]")
        if self.reserve <= 0.0 or self.max_boost < self.min_boost or self.min_boost <= 0.0:
            raise PacingError("bad_tuning", "need reserve > 0 and 0 < min_boost <= max_boost")

    def allowed_risk(self, snapshot: PacingSnapshot) -> float:
        """Abandons allowed per expected human for this decision (0: budget exhausted)."""
        ledger = snapshot.ledger
        budget = ledger.budget
        if budget <= 0.0 or ledger.cap <= 0.0:
            return 0.0
        boost = min(self.max_boost, max(self.min_boost, budget / self.reserve))
        return self.aim * ledger.cap * boost

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        if snapshot.active_volunteers == 0:
            return one_to_one(self.name, snapshot, 0.0, "no_volunteers")
        risk = self.allowed_risk(snapshot)
        if risk <= 0.0:
            return one_to_one(self.name, snapshot, self.cancel_min_ring, "budget_exhausted")
        look = outlook(snapshot)
        cancel = self._drain(snapshot, look, risk)
        if cancel:
            return make_decision(
                self.name, snapshot, 0, "drain", cancel, self._figures(look, 0, risk)
            )
        limit = int(self.max_per_volunteer * snapshot.active_volunteers) - len(snapshot.calls)
        dial, pmfs = 0, look.humans
        while dial < limit:
            pmfs = look.add_dial(pmfs)
            if look.expected_abandons(pmfs=pmfs) > risk * look.total_humans(dial + 1):
                break
            dial += 1
        dial = max(dial, self._ready_floor(snapshot))
        reason = "risk_limit" if dial < limit else "line_limit"
        return make_decision(self.name, snapshot, dial, reason, (), self._figures(look, dial, risk))

    @staticmethod
    def _ready_floor(snapshot: PacingSnapshot) -> int:
        """Never dial less than 1:1 for ready volunteers: 1:1 cannot cause an abandon."""
        ready = snapshot.count(VolunteerState.WAITING)
        return max(0, ready - len(snapshot.calls))

    def _drain(self, snapshot: PacingSnapshot, look: Outlook, risk: float) -> tuple[str, ...]:
        """Cancel calls in flight (youngest first) while the calls already out overshoot.

        Only when the overshoot is clear (twice the allowance and at least half an abandon),
        so ordinary fluctuations never hang up on callees.
        """
        cancel: list[str] = []
        for call in cancellable(snapshot, self.cancel_min_ring):
            excess = look.expected_abandons(0)
            if excess <= max(0.5, 2.0 * risk * look.total_humans(0)):
                break
            look.drop(call.id)
            cancel.append(call.id)
        return tuple(cancel)

    @staticmethod
    def _figures(look: Outlook, dials: int, risk: float) -> dict[str, float]:
        return {
            "allowed_risk": round(risk, 5),
            "expected_humans": round(look.total_humans(dials), 4),
            "expected_abandons": round(look.expected_abandons(dials), 4),
        }
