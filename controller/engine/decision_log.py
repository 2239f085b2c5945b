"""Which pacing decisions a runner stores, so a bank's day can be replayed without a row per
tick while nothing can be dialed.

Stored at once: every decision that dials or takes calls back, and every change of what the
pacer wants. A *fruitless* decision asks for numbers but none could be claimed (every number
left is outside calling hours, waits for its retry, ...). A run of identical fruitless
decisions (same strategy, same numbers wanted, same reason) is stored when it starts and
then at most once every :data:`REPEAT_EVERY` seconds; the decision that ends the run is
stored whatever it is. A decision that asks for nothing is stored only when its reason
differs from the last stored one's (or it ends a fruitless run).

The latest decision made (stored or not) is kept in memory for the call screen
(:attr:`DecisionLog.latest`), and :attr:`DecisionLog.news` says whether the last one is news
to the call screens of a power bank's waiting volunteers ("no number can be called right
now" appears or goes): it started or ended a fruitless run, or it is the first fruitless
decision since a volunteer became ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.pacing.decision import Decision

REPEAT_EVERY = 30.0


@dataclass(frozen=True)
class Made:
    """The latest decision: when, numbers wanted, numbers dialed."""

    at: float
    dial: int
    dialed: int

    @property
    def fruitless(self) -> bool:
        return self.dial > 0 and self.dialed == 0


class DecisionLog:
    def __init__(self, every: float = REPEAT_EVERY) -> None:
        self.every = every
        self.latest: Made | None = None
        self._reason = ""  # of the last stored decision
        self._run: tuple[str, int, str] | None = None  # the fruitless run going on
        self._run_stored = 0.0  # when that run was last stored
        self.news = False  # the latest decision is news to waiting volunteers' screens

    def keep(self, decision: Decision, now: float, dialed: int, newest_ready: float = 0.0) -> bool:
        """Note a decision just made (``newest_ready``: when the last of the bank's waiting
        volunteers became ready); True when it is to be stored."""
        before = self.latest.at if self.latest is not None else float("-inf")
        self.latest = Made(now, decision.dial, dialed)
        in_run = self._run is not None
        if decision.dial and not dialed and not decision.cancel:
            key = (decision.strategy, decision.dial, decision.reason)
            self.news = key != self._run or newest_ready > before
            keep = key != self._run or now - self._run_stored >= self.every
            self._run = key
            if keep:
                self._run_stored = now
        else:
            self._run, self.news = None, in_run
            keep = bool(dialed or decision.cancel) or in_run or decision.reason != self._reason
        if keep:
            self._reason = decision.reason
        return keep
