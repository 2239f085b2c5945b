"""Predictive pacing: dial as much as the abandon budget allows, thinking in probabilities.

For the current state and ``n`` new dials, ``forecast.Outlook`` gives the expected humans the
plan will produce and the expected abandons (humans with no free volunteer within 2 s), counting
volunteers in wrap-up (free at a predictable time) and talkers (by their hazard of finishing).
We add dials while each extra dial adds at most ``allowed risk x its expected humans`` to the
expected abandons (a marginal rule: the last dial is the riskiest one).

The allowed risk follows the bank's abandon record (``AbandonLedger``): proportional to the
headroom of the rolling 30-day rate under the cap. With the rate over the cap (negative
budget) it falls back to 1:1 dialing, which cannot drop a call. That feedback keeps the rate
under the cap even when the estimates are off. Calls in flight it no longer has room for
(volunteers left) are cancelled, youngest first, within the ringing rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.pacing.decision import Decision, make_decision
from controller.pacing.forecast import Outlook, outlook
from controller.pacing.snapshot import PacingError, PacingSnapshot, VolunteerState
from controller.pacing.strategies import TSR_MIN_RING, cancellable, one_to_one


@dataclass(frozen=True)
class Predictive:
    """Tunables (see docs/pacing.md):

    - ``marginal``: a new dial may add at most ``marginal x cap x boost`` expected abandons
      per expected human it brings (the last dial of a plan is riskier than the average one);
    - ``boost`` = ``gain`` x (1 - abandon rate / cap), between ``min_boost`` and
      ``max_boost``: bolder with a surplus, careful near the cap; ``prior_humans`` smooths
      the rate of a young bank;
    - ``max_per_volunteer``: calls in flight per active volunteer (trunk protection);
      ``max_burst``: new dials per active volunteer within ``burst_window`` seconds (a ramp,
      not a flood): calls dialed that recently count against it, so decisions that follow
      each other within the window (the engine decides again after every call event) cannot
      add up to more than one burst;
    - ``cancel_min_ring``: a ringing call is hung up only after ringing this long (15 s:
      the telemarketing rules' minimum); ``cancel_margin``: how much riskier than a new dial
      a call in flight must be before it is cancelled.
    """

    marginal: float = 2.0
    gain: float = 6.0
    prior_humans: float = 100.0
    min_boost: float = 0.1
    max_boost: float = 2.0
    max_per_volunteer: float = 12.0
    max_burst: float = 1.0
    burst_window: float = 1.0
    cancel_min_ring: float = TSR_MIN_RING
    cancel_margin: float = 2.0
    drain_at: float = 0.5
    name: str = "predictive"

    def __post_init__(self) -> None:
        if self.marginal <= 0.0 or self.prior_humans <= 0.0 or self.cancel_margin < 1.0:
            raise PacingError("bad_tuning", "need marginal, prior_humans > 0, cancel_margin >= 1")
        if not 0.0 < self.min_boost <= self.max_boost:
            raise PacingError("bad_tuning", "need 0 < min_boost <= max_boost")
        if self.burst_window < 0.0 or self.max_burst <= 0.0:
            raise PacingError("bad_tuning", "need burst_window >= 0 and max_burst > 0")

    def allowed_risk(self, snapshot: PacingSnapshot) -> float:
        """Expected abandons a new dial may add per expected human (0: budget exhausted).

        Proportional to the headroom of the window's abandon rate under the cap,
        smoothed by ``prior_humans`` answers assumed at half the cap (so a new bank neither
        stalls nor over-reacts to its first drop). While the record's real budget is under one
        drop (a young or small bank: one drop would put it over the cap) the risk shrinks in
        proportion, down to ``min_boost``. At or over the cap the budget is exhausted."""
        ledger = snapshot.ledger
        if ledger.cap <= 0.0:
            return 0.0
        prior = self.prior_humans
        rate = (ledger.dropped + 0.5 * ledger.cap * prior) / (ledger.live_humans + prior)
        headroom = 1.0 - rate / ledger.cap
        if headroom <= 0.0:
            return 0.0
        boost = min(self.max_boost, max(self.min_boost, self.gain * headroom))
        spare = min(1.0, max(self.min_boost, ledger.budget))  # less than one drop to spend
        return self.marginal * ledger.cap * boost * spare

    def decide(self, snapshot: PacingSnapshot) -> Decision:
        if snapshot.active_volunteers == 0:
            return one_to_one(self.name, snapshot, self.cancel_min_ring, "no_volunteers")
        risk = self.allowed_risk(snapshot)
        if risk <= 0.0:
            return one_to_one(self.name, snapshot, self.cancel_min_ring, "budget_exhausted")
        look = outlook(snapshot)
        cancel = self._drain(snapshot, look, risk)
        if cancel:
            return make_decision(
                self.name, snapshot, 0, "drain", cancel, self._figures(look, 0, risk)
            )
        active = snapshot.active_volunteers
        limit = int(self.max_per_volunteer * active) - len(snapshot.calls)
        ramp = self.ramp_left(snapshot)
        limit = min(limit, ramp)
        dial, lost = 0, look.expected_abandons(0)
        per_dial = sum(look.new_dial)
        while dial < limit:
            more = look.expected_abandons(dial + 1)
            if more - lost > risk * per_dial:
                break
            dial, lost = dial + 1, more
        dial = max(dial, self._ready_floor(snapshot))
        reason = "risk_limit" if dial < limit else "ramp_limit" if limit == ramp else "line_limit"
        return make_decision(self.name, snapshot, dial, reason, (), self._figures(look, dial, risk))

    def ramp_left(self, snapshot: PacingSnapshot) -> int:
        """New dials the ramp still allows: one burst per ``burst_window``, less the calls in
        flight dialed within that window."""
        burst = max(1, int(self.max_burst * snapshot.active_volunteers))
        recent = sum(1 for c in snapshot.calls if snapshot.now - c.dialed_at < self.burst_window)
        return max(0, burst - recent)

    @staticmethod
    def _ready_floor(snapshot: PacingSnapshot) -> int:
        """Never dial less than 1:1 for ready volunteers: 1:1 cannot cause an abandon."""
        ready = snapshot.count(VolunteerState.WAITING)
        return max(0, ready - len(snapshot.calls))

    def _drain(self, snapshot: PacingSnapshot, look: Outlook, risk: float) -> tuple[str, ...]:
        """Cancel calls in flight (youngest first) when those already out are expected to drop
        at least ``drain_at`` people (volunteers left or paused), while each cancelled call
        saves more than ``cancel_margin`` times the risk a new dial may carry."""
        cancel: list[str] = []
        lost = look.expected_abandons(0)
        spare = len(snapshot.calls) - snapshot.count(VolunteerState.WAITING)
        if lost < self.drain_at or spare <= 0:
            return ()  # never below one call per ready volunteer
        for call in cancellable(snapshot, self.cancel_min_ring)[:spare]:
            row = look.drop(call.id)
            without = look.expected_abandons(0)
            if lost - without <= self.cancel_margin * risk * sum(row):
                look.restore(call.id, row)
                break
            cancel.append(call.id)
            lost = without
        return tuple(cancel)

    @staticmethod
    def _figures(look: Outlook, dials: int, risk: float) -> dict[str, float]:
        return {
            "allowed_risk": round(risk, 5),
            "expected_humans": round(look.total_humans(dials), 4),
            "expected_abandons": round(look.expected_abandons(dials), 4),
        }
