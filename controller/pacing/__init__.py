"""Pure dialing strategies and the discrete-event simulator that drives them.

The contract with the dialer engine (no I/O anywhere in this package):

1. Keep an ``Estimator`` per running bank; feed it ``observe_call(Outcome, ring_s, amd_s)``
   when a dial's ringing ends (human, machine, busy/failed, no answer),
   ``observe_unanswered(ring_s)`` when the dialer hangs up a call that has rung ``ring_s``
   seconds (nothing for a call hung up before it rang), and ``observe_talk(s)`` and
   ``observe_wrap(s)`` when volunteers finish those.
2. On every state change (and on a short tick) build a ``PacingSnapshot``: ``now``, one
   ``VolunteerView`` per logged-in volunteer (waiting / in_call / wrap_up / paused, since),
   one ``CallView`` per call not yet bridged (dialing / ringing / amd / waiting_volunteer,
   since, dialed_at), ``estimator.estimates()`` (refresh it every few seconds), and the
   bank's ``AbandonLedger`` (live human answers and drops over the rolling 30 days, cap).
3. ``decision = strategy.decide(snapshot)``: originate ``decision.dial`` new calls, hang up
   ``decision.cancel`` (only calls still dialing/ringing), and store ``decision.to_dict()``
   (it embeds the snapshot) to explain and replay the day: ``Decision.from_dict``, and
   ``replay`` (``phonebank engine replay``).

Strategies: ``Progressive()``, ``FixedRatio(ratio)``, ``Predictive(...)``. ``sim.simulate``
runs a ``Scenario`` through any of them and returns a ``SimResult`` with the metrics.
"""

from controller.pacing.decision import Decision, Strategy
from controller.pacing.estimator import Estimator, Outcome
from controller.pacing.predictive import Predictive
from controller.pacing.snapshot import (
    AbandonLedger,
    CallState,
    CallView,
    Estimates,
    PacingError,
    PacingSnapshot,
    VolunteerState,
    VolunteerView,
)
from controller.pacing.strategies import FixedRatio, Progressive

__all__ = [
    "AbandonLedger",
    "CallState",
    "CallView",
    "Decision",
    "Estimates",
    "Estimator",
    "FixedRatio",
    "Outcome",
    "PacingError",
    "PacingSnapshot",
    "Predictive",
    "Progressive",
    "Strategy",
    "VolunteerState",
    "VolunteerView",
]
