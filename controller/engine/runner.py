"""One started bank on the running engine: pace, claim, record, dial, hand off, account.

Per tick (and at once after any event that changes the picture) the runner builds a
:class:`PacingSnapshot` from its calls, the volunteer pool and its estimator, asks the bank's
strategy, claims that many numbers, writes each attempt (durable) and only then sends the
Originate named by our call id. Tracker transitions come back through :meth:`on_transition`
(handled in ``call_events.py``); unbridged ends get their automatic outcome from
:func:`record_end`, bridged calls wait for the volunteer's outcome (:meth:`file_outcome`).
See ``docs/engine.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable

from controller.aio import keep, wait_set
from controller.config import Settings
from controller.engine import call_events, dialing, handoff, previews, stopping
from controller.engine.bus import EventBus
from controller.engine.call_notes import CallNotes
from controller.engine.calls import EngineCall
from controller.engine.decision_log import DecisionLog
from controller.engine.dialing import (
    EngineConfig,
    NetworkBackoff,
    caller_id_pool,
    strategy_for,
)
from controller.engine.figures import Figures, publish_figures
from controller.engine.volunteers import VolunteerPool
from controller.model.banks import BankSettings, DialingMode
from controller.model.volunteers import Session, VState
from controller.pacing.decision import Decision
from controller.pacing.estimator import Estimator
from controller.pacing.snapshot import AbandonLedger, Estimates, PacingSnapshot
from controller.store import attempts, engine_log, queue
from controller.store import banks as bank_store
from controller.store.db import Database
from controller.store.queue import Claim
from controller.telephony import actions
from controller.telephony.ami import AmiError, AmiSession
from controller.telephony.tracker import CallState, Transition

log = logging.getLogger(__name__)


class BankRunner:
    def __init__(
        self,
        bank_id: int,
        db: Database,
        ami: AmiSession,
        pool: VolunteerPool,
        bus: EventBus,
        settings: Settings,
        config: EngineConfig,
        channels: Callable[[str], list[str]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bank_id, self.db, self.ami, self.pool, self.bus = bank_id, db, ami, pool, bus
        self.settings, self.config, self.clock = settings, config, clock
        self.channels = channels  # live channel names of a call id (from the tracker)
        self.calls: dict[str, EngineCall] = {}
        self.wrapups: dict[int, EngineCall] = {}
        self.previews: dict[int, Claim] = {}  # preview mode: claimed, shown, not dialed yet
        self.call_notes = CallNotes()  # calls that never reached a volunteer (unreached.call_ended)
        self.estimator = Estimator(Estimates(ring_timeout=float(config.ring_timeout)))
        self.network = NetworkBackoff.of(config)  # holds dialing while the network fails
        self.figures = Figures(bank_id)
        self.mode = "running"
        self.hard_stop = False
        self.stop_phase: tuple[str, float] = ("", 0.0)
        self.ticks = 0
        self.unstored_ends: list[tuple[int, float, str, str | None]] = []  # call_events
        self._stored: tuple[float, tuple[int, int], int] | None = None
        self._stored_dirty = False
        self.wake = asyncio.Event()
        self.done = asyncio.Event()
        self.decisions = DecisionLog()
        self._tasks: set[asyncio.Task[object]] = set()
        self.bank = self._load()
        self.callers = caller_id_pool(self.bank, settings)
        pool.listen(self._on_volunteer)

    def _load(self) -> BankSettings:
        with self.db.read() as conn:
            return bank_store.get(conn, self.bank_id).settings

    def follow(self, bank: BankSettings) -> None:
        """The bank was edited (mode, machine detection, caller ids, ...): calls placed from
        now on follow the stored settings."""
        if bank != self.bank:
            self.bank, self.callers = bank, caller_id_pool(bank, self.settings)
            self.wake.set()

    # -- the loop --------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while self.mode != "stopped":
                try:
                    await self.tick()
                except Exception:
                    log.exception("bank %s: tick failed", self.bank_id)
                await wait_set(self.wake, self.config.tick)
                self.wake.clear()
        finally:  # stopped, or the engine shut down: held previews go back to the queue
            previews.release_previews(self)
            self.pool.unlisten(self._on_volunteer)
        self.done.set()

    def _on_volunteer(self, session: Session) -> None:
        """A volunteer who leaves (or is now in another bank) gives their preview back."""
        if session.volunteer_id in self.previews and (
            session.state is VState.DISCONNECTED or session.bank_id != self.bank_id
        ):
            previews.release_preview(self, session.volunteer_id)

    async def tick(self) -> None:
        self.ticks += 1
        if self.unstored_ends:
            call_events.retry_ends(self)
        if self.mode == "running" and self.ami.connected:
            self._pace()
        elif self.mode == "stopping":
            await stopping.drain_step(self)
        self._publish_figures()

    def store_figures(self, now: float) -> tuple[AbandonLedger, int]:
        """The abandon ledger and the numbers left. The store's counts (ended calls) are read
        again at most once a second (and at once after a call ended); the calls still on the
        line that already reached a person (with a volunteer, or dropped) are added live, so a
        drop counts from the moment it happens, like the session's ``dropped`` figure."""
        if self._stored is None or self._stored_dirty or now - self._stored[0] >= 1.0:
            with self.db.read() as conn:
                counts = engine_log.abandon_counts(conn, self.bank_id, now)
                left = engine_log.remaining(conn, self.bank_id)
            self._stored, self._stored_dirty = (now, counts, left), False
        (live, dropped), left = self._stored[1], self._stored[2]
        on_line, dropping = self._live_humans_on_line()
        ledger = AbandonLedger(live + on_line, dropped + dropping, self.bank.abandon_cap_pct / 100)
        return ledger, left

    def _live_humans_on_line(self) -> tuple[int, int]:
        """(people reached, of whom dropped) among calls not ended yet."""
        reached = dropped = 0
        for call in self.calls.values():
            if call.ended:
                continue
            if call.state is CallState.DROPPED:
                reached, dropped = reached + 1, dropped + 1
            elif call.volunteer_id is not None or call.state is CallState.BRIDGED:
                reached += 1
        return reached, dropped

    def snapshot(self, now: float) -> PacingSnapshot:
        ledger, _ = self.store_figures(now)
        calls = tuple(v for v in (c.view() for c in self.calls.values()) if v is not None)
        views = self.pool.pacing_views(self.bank_id)
        return PacingSnapshot(now, views, calls, self.estimator.estimates(), ledger)

    def _pace(self) -> None:
        strategy = strategy_for(self.bank.dialing_mode, self.config)
        if strategy is None:
            return
        now = self.clock()
        if self._network_holds(now):
            return
        decision = strategy.decide(self.snapshot(now))
        for call_id in decision.cancel:
            self._spawn(self._hangup_call(call_id, unanswered_only=True))
        n = min(decision.dial, 1) if self.network.suspect else decision.dial
        dialed = self.dial_claims(self._claim(now, n), now) if n else 0
        self._record_decision(decision, now, dialed)

    def _network_holds(self, now: float) -> bool:
        """While the phone network carries none of the bank's calls: no dialing during a
        hold, then one call at a time until one gets through (:class:`NetworkBackoff`)."""
        if self.network.holding(now):
            return True
        return self.network.suspect and any(c.in_flight for c in self.calls.values())

    def _claim(self, now: float, n: int) -> list[Claim]:
        return queue.claim_next(self.db, self.bank_id, now, n)

    def _record_decision(self, decision: Decision, now: float, dialed: int) -> None:
        """Store the decision unless it repeats one already on record (decision_log.py);
        tell the call screens when numbers stop (or start again) being callable."""
        fruitless = bool(decision.dial and not dialed)
        keep = self.decisions.keep(decision, now, dialed, self._newest_ready(fruitless))
        if self.decisions.news and self.bank.dialing_mode is DialingMode.POWER:
            self.bus.publish("pacing", self.bank_id, fruitless=fruitless)
        if not keep:
            return
        with self.db.write() as conn:
            engine_log.record_decision(conn, self.bank_id, now, decision.to_dict(), dialed)

    def _newest_ready(self, fruitless: bool) -> float:
        """When the last of the bank's waiting volunteers became ready (0: none, or the
        decision could dial: only a fruitless one may be news to them)."""
        if not fruitless:
            return 0.0
        sessions = self.pool.of_bank(self.bank_id)
        return max((s.since for s in sessions if s.state is VState.WAITING), default=0.0)

    def dial_claims(self, claims: list[Claim], now: float, reserved_for: int | None = None) -> int:
        """Write each attempt (durable), then originate it (:func:`dialing.dial_claims`)."""
        return dialing.dial_claims(self, claims, now, reserved_for)

    def _record(
        self, claim: Claim, now: float, reserved_for: int | None, caller: str, call_id: str
    ) -> EngineCall:
        with self.db.write() as conn:
            attempt_id = attempts.record_attempt(
                conn, claim, call_id, now, caller or None, reserved_for
            )
        return EngineCall(call_id, attempt_id, claim, now, reserved_for=reserved_for, since=now)

    async def _originate(self, req: actions.OriginateRequest) -> None:
        try:
            await actions.originate(self.ami, req)
        except AmiError as exc:
            log.warning("bank %s: originate %s: %s", self.bank_id, req.call_id, exc)
            if exc.code != "disconnected":  # else the reconnect's listing settles the call
                self.not_placed(req.call_id)

    def not_placed(self, call_id: str) -> None:
        """The Originate failed before the PBX reported the call (:func:`dialing.not_placed`)."""
        dialing.not_placed(self, call_id)

    async def _hangup_call(self, call_id: str, unanswered_only: bool = False) -> None:
        """Hang up the call's lines; ``unanswered_only``: not once the callee answered (a
        ringing call given up may be answered before this task runs: that person is not hung
        up on, they go to the hand-off like any other)."""
        for channel in self.channels(call_id):
            call = self.calls.get(call_id)
            if unanswered_only and call is not None and call.answered_at is not None:
                return
            with contextlib.suppress(AmiError):
                await actions.hangup(self.ami, channel)

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[call-overload]
        keep(self._tasks, task, log)  # a failed hang-up or ring tone is logged

    # -- calls (see call_events.py) ----------------------------------------------------------

    def on_transition(self, t: Transition) -> None:
        """The PBX reported a call's progress: store it, learn from it, free its volunteer."""
        if t.call_id in self.calls:
            dialing.watch_network(self, t)
        call_events.on_transition(self, t)

    def network_status(self) -> dict[str, float | int | None]:
        return dialing.network_status(self)

    # -- hand-off (see handoff.py) ---------------------------------------------------------

    async def handoff(self, call_id: str) -> str | None:
        """The room of the volunteer for this answered person, or None (safe harbor)."""
        return await handoff.handoff(self, call_id)

    def on_callee_joined(self, call_id: str, at: float, channel: str) -> None:
        handoff.callee_joined(self, call_id, at, channel)

    # -- volunteers' outcomes ----------------------------------------------------------------

    def file_outcome(
        self,
        volunteer_id: int,
        outcome: str,
        notes: str = "",
        contact_id: int | None = None,
        report: Callable[[sqlite3.Connection], None] | None = None,
    ) -> list[int]:
        """Store the volunteer's outcome for their last call and make them ready again (with
        ``report`` written in the same transaction: :func:`handoff.file_outcome`)."""
        return handoff.file_outcome(self, volunteer_id, outcome, notes, contact_id, report)

    # -- lifecycle ---------------------------------------------------------------------------

    def pause(self) -> None:
        if self.mode == "running":
            self.mode = "paused"
            self.bus.publish("bank", self.bank_id, state="paused")

    def resume(self) -> None:
        if self.mode == "paused":
            self.mode = "running"
            self.bus.publish("bank", self.bank_id, state="running")
            self.wake.set()

    def stop(self, hard: bool = False) -> None:
        stopping.begin(self, hard)

    def _publish_figures(self) -> None:
        publish_figures(self)
