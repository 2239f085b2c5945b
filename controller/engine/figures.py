"""A runner's live figures for the organizer's page (published on the bus as ``figures``)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from controller.engine.bus import LiveFigures
from controller.model.outcomes import OUTCOMES
from controller.model.volunteers import VState
from controller.pacing.snapshot import AbandonLedger
from controller.store.engine_log import RECENT_HANGTIMES

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

RECENT = RECENT_HANGTIMES  # hangtimes kept for percentiles (as the stored figures)


@dataclass
class Figures:
    """Counters of this runner's session (since the engine started the bank)."""

    bank_id: int
    calls_made: int = 0
    assigned: int = 0
    completed: int = 0
    contacts_made: int = 0
    dropped: int = 0
    # The latest RECENT hangtimes (for percentiles); the averages cover the whole session.
    hangtimes: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT))
    verdict_hangtimes: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT))
    wait_sum: float = 0.0  # volunteer ready -> voter assigned
    wait_count: int = 0
    hangtime_sum: float = 0.0  # callee answer -> connected
    hangtime_count: int = 0

    def add_wait(self, seconds: float) -> None:
        self.wait_sum += seconds
        self.wait_count += 1

    def add_hangtime(self, answer: float | None, verdict: float | None = None) -> None:
        """One connection's hangtimes (callee answer -> connected, machine check verdict ->
        connected); one not measured (no answer time, no machine check) is left out."""
        if answer is not None:
            self.hangtime_sum += answer
            self.hangtime_count += 1
            self.hangtimes.append(answer)
        if verdict is not None:
            self.verdict_hangtimes.append(verdict)

    @property
    def avg_wait(self) -> float | None:
        """The session's average wait between calls (None before the first)."""
        return _mean(self.wait_sum, self.wait_count)

    @property
    def avg_hangtime(self) -> float | None:
        """The session's average hangtime (None before the first)."""
        return _mean(self.hangtime_sum, self.hangtime_count)

    def note_outcome(self, code: str) -> None:
        item = OUTCOMES.get(code)
        if item is not None and item.picked_up:
            self.contacts_made += 1

    def build(self, runner: BankRunner, remaining: int, ledger: AbandonLedger) -> dict[str, Any]:
        sessions = runner.pool.of_bank(self.bank_id)
        on = [s for s in sessions if s.connected]
        figures = LiveFigures(
            bank_id=self.bank_id,
            state=runner.mode,
            calls_remaining=remaining,
            calls_made=self.calls_made,
            assigned=self.assigned,
            completed=self.completed,
            contacts_made=self.contacts_made,
            dropped=self.dropped,
            abandon_rate=round(ledger.rate, 4),
            abandon_budget=round(ledger.budget, 2),
            avg_wait_between=self.avg_wait,
            avg_call_wait=self.avg_hangtime,
            hangtime_last=round(self.hangtimes[-1], 3) if self.hangtimes else None,
            volunteers_on=len(on),
            volunteers_active=sum(1 for s in on if s.state is not VState.IDLE),
            volunteers_idle=sum(1 for s in on if s.state is VState.IDLE),  # on = active + idle
            volunteers_in_call=sum(1 for s in on if s.state is VState.BUSY),
            in_flight=sum(1 for c in runner.calls.values() if c.in_flight),
        )
        return {"topic": "figures", **figures.to_dict()}


def _mean(total: float, n: int) -> float | None:
    return round(total / n, 3) if n else None


def publish_figures(runner: BankRunner) -> None:
    """Publish the runner's figures on the bus when they changed."""
    ledger, remaining = runner.store_figures(runner.clock())
    data = runner.figures.build(runner, remaining, ledger)
    if data != runner.bus.figures(runner.bank_id):
        fields = {k: v for k, v in data.items() if k not in ("topic", "bank_id")}
        runner.bus.publish("figures", runner.bank_id, **fields)
