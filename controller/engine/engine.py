"""The running engine: one AMI session, the call tracker, the FastAGI server, the volunteer
pool, the event bus, and one :class:`BankRunner` per started bank.

The CLI and the web change banks only in the store; :meth:`Engine.reconcile` (every
``reconcile_every`` seconds, or at once through :meth:`Engine.poke`) makes the runners
follow: a running bank gets a runner, a paused one stops dialing and drains, a stopped
one stops (and never comes back, even if its row said otherwise).

What the PBX reports (AMI events, FastAGI questions) is handled in ``engine_events.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

from controller.aio import wait_set
from controller.config import Settings
from controller.engine import engine_events, volunteer_ops
from controller.engine.bus import EventBus
from controller.engine.callme import CallMeGuard
from controller.engine.dialing import EngineConfig
from controller.engine.pin_throttle import PinThrottle
from controller.engine.recovery import hang_up_left_calls, recover, recover_all, restore_owed
from controller.engine.runner import BankRunner
from controller.engine.voicemail import Ask
from controller.engine.volunteers import VolunteerPool
from controller.errors import PhonebankError
from controller.model import banks as bank_model
from controller.model.banks import Bank, BankError, DialingMode, State
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import banks as bank_store
from controller.store import engine_log, lists, pacing_log
from controller.store import users as user_store
from controller.store.db import Database
from controller.store.queue_build_steps import start_due
from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiSession
from controller.telephony.ami import ami_config as ami_config  # the pbx session's settings
from controller.telephony.fastagi import FastAgiServer
from controller.telephony.tracker import CallTracker

log = logging.getLogger(__name__)
REPORT_GRACE = 900.0  # seconds a volunteer who left may come back to file their last report
DECISIONS_KEPT = 30 * 86400.0  # seconds pacing decisions are kept (decision log, replay)
PRUNE_BATCH = 2000  # older decisions deleted per reconcile, so no write holds the store long
PRUNE_EVERY = 3600.0  # seconds between looks for decisions to delete, once none is left


class Engine:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        config: EngineConfig | None = None,
        clock_offset: float = 0.0,
    ) -> None:
        """``clock_offset`` shifts the engine's wall clock (and the PBX's event times with it):
        the demo and tests use it to run a bank at a chosen time of day."""
        self.settings, self.db, self.offset = settings, db, clock_offset
        self._next_prune = 0.0  # see prune_decisions
        clock: Callable[[], float] = lambda: time.time() + clock_offset  # noqa: E731
        self.clock = clock
        self.config = config or EngineConfig.from_settings(settings)
        self.bus = EventBus()
        self.pool = VolunteerPool(db, clock)
        self.pool.listen(functools.partial(engine_events.on_volunteer, self))
        self.pool.report_due = functools.partial(engine_events.report_due, self)
        self.tracker = CallTracker()
        self.ami = AmiSession(ami_config(settings))
        self.fastagi = FastAgiServer(
            functools.partial(engine_events.on_handoff, self),
            functools.partial(engine_events.on_pin, self),
            port=settings.pbx.fastagi_port,
            timeout=5.0,
        )
        self.runners: dict[int, BankRunner] = {}
        self.simulated: set[int] = set()  # volunteer ids whose leg is a simulated one
        self.callme_guard = CallMeGuard()  # "call me" calls on their way, and per hour
        self.voicemails: dict[str, Ask] = {}  # "Leave voicemail message" legs followed
        self.voicemail_listed: set[str] | None = None  # channels listed after a reconnect
        self.background: set[asyncio.Task[object]] = set()  # follow-ups ("call me")
        self.pin_throttle = PinThrottle()  # wrong PINs per caller, per PIN and in all
        self._stopped_banks: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._poke = asyncio.Event()

    # -- start / stop ------------------------------------------------------------------------

    async def start(self, connect_timeout: float = 20.0) -> None:
        self.ami.subscribe(self._on_event)
        self.ami.start()
        await self.ami.wait_connected(connect_timeout)
        await hang_up_left_calls(self.ami)
        await self.fastagi.start()
        recovered = recover_all(self.db, self.clock(), owed_grace=REPORT_GRACE)
        if recovered:
            log.info("engine: closed %s calls a previous run left open", recovered)
        self.reconcile()
        self._loop_task = asyncio.get_running_loop().create_task(self._loop(), name="engine")

    async def close(self) -> None:
        """Stop the process's engine (banks keep their state in the store)."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        tasks = [*self._tasks.values(), *self.background]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.fastagi.stop()
        await self.ami.close()

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _loop(self) -> None:
        while True:
            await wait_set(self._poke, self.config.reconcile_every)
            self._poke.clear()
            try:
                await self._start_due()
                self.reconcile()
                await self._drop_not_calling()
                self.expire_reports()
                self.prune_decisions()
                self.pool.checkpoint()
            except Exception:
                log.exception("engine: reconcile failed")

    async def _start_due(self) -> None:
        """Start the banks whose scheduled start has come (off the event loop: a first start
        builds the queue)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        await asyncio.get_running_loop().run_in_executor(None, start_due, self.db, now)

    async def _drop_not_calling(self) -> None:
        """Volunteers whose account was locked, or whose calling was turned off, since they
        joined (by phone as well as in a browser, or with their "call me" still ringing) leave
        their bank, line closed."""
        joined = [v for v, s in self.pool.sessions.items() if s.state is not VState.DISCONNECTED]
        for volunteer_id in user_store.not_calling(self.db, joined):
            log.info("engine: volunteer %s may no longer call: leaving the bank", volunteer_id)
            await volunteer_ops.end_session(self, volunteer_id)

    def expire_reports(self) -> None:
        """Reports due from volunteers whose line has been gone for more than
        ``REPORT_GRACE`` (they left, or joined again but never dialed in), or who are now in
        another bank, will not come: their calls get *Not Recorded*, so the numbers move on."""
        cutoff = self.clock() - REPORT_GRACE
        for runner in self.runners.values():
            for volunteer_id, call in list(runner.wrapups.items()):
                s = self.pool.sessions.get(volunteer_id)
                # gone since their line left, or (a report from before a restart: joined
                # again or not) since the call ended
                left = call.since if s is None else max(s.since, call.since)
                other_bank = s is not None and s.bank_id != runner.bank_id
                gone = other_bank or ((s is None or not s.connected) and left < cutoff)
                if gone:
                    engine_events.close_report(runner, volunteer_id)

    def prune_decisions(self) -> int:
        """Delete a batch of the pacing decisions older than :data:`DECISIONS_KEPT` (the
        store does not grow for ever; a bank's day can be explained and replayed for that
        long): a batch per reconcile while there are some, then a look once an hour. Returns
        how many went."""
        now = self.clock()
        if now < self._next_prune:
            return 0
        with self.db.write() as conn:
            gone = pacing_log.prune_decisions(conn, now - DECISIONS_KEPT, PRUNE_BATCH)
        self._next_prune = now if gone == PRUNE_BATCH else now + PRUNE_EVERY
        return gone

    def poke(self) -> None:
        """Reconcile now (the web calls this after it changed a bank)."""
        self._poke.set()

    # -- reconcile -------------------------------------------------------------------------

    def reconcile(self) -> None:
        with self.db.read() as conn:
            banks = [b for b in bank_store.list_all(conn) if b.id is not None]
            hard = set(engine_log.stop_now_requests(conn))
        banks = [self._hold_made_up(b) for b in banks]
        for bank in banks:
            assert bank.id is not None
            runner = self.runners.get(bank.id)
            if runner is None:
                if bank.state is State.RUNNING and bank.id not in self._stopped_banks:
                    self._start_runner(bank.id)
                continue
            runner.follow(bank.settings)
            if bank.state is State.PAUSED:
                runner.pause()
            elif bank.state is State.RUNNING:
                runner.resume()
            elif bank.state is State.STOPPED and (
                bank.id in hard or runner.mode == "running" or runner.mode == "paused"
            ):
                self.stop_bank(bank.id, hard=bank.id in hard)
        for bank_id in hard:
            with self.db.write() as conn:
                engine_log.clear_stop_now(conn, bank_id)

    def _hold_made_up(self, bank: Bank) -> Bank:
        """Off the simulated network (carrier off, or the trunk elsewhere), a running bank of
        made-up contacts (the demo's, resumed by hand or set up by another process) is
        paused, never dialed: its numbers would go out on the real trunk. The demo resumes it
        once the simulated network is in use again."""
        if self.settings.simulated_network or bank.state is not State.RUNNING or bank.id is None:
            return bank
        list_id = bank.settings.list_id
        with self.db.read() as conn:  # one row by the (list, key) index
            if list_id is None or not lists.made_up(conn, list_id):
                return bank
        log.warning("engine: bank %s: %s; pausing it", bank.id, lists.MADE_UP)
        try:
            with self.db.write() as conn:
                held = bank_store.update(conn, bank.id, bank_model.pause, "demo")
        except BankError:  # paused or stopped meanwhile: as the store now says
            with self.db.read() as conn:
                held = bank_store.get(conn, bank.id)
        if bank.id not in self.runners:  # reports kept for a runner that will not come
            self._close_kept_reports(bank.id)
        return held

    def _close_kept_reports(self, bank_id: int) -> None:
        try:
            recover(self.db, bank_id, self.clock())
        except (sqlite3.Error, PhonebankError):
            log.exception("engine: bank %s: reports kept at the start not closed", bank_id)

    def _start_runner(self, bank_id: int) -> BankRunner:
        runner = BankRunner(
            bank_id, self.db, self.ami, self.pool, self.bus, self.settings, self.config,
            self.channels_of, self.clock,
        )  # fmt: skip
        try:
            restore_owed(runner)  # reports a previous run left owed: still theirs to file
        except (sqlite3.Error, PhonebankError):  # left for the next start to close
            log.exception("engine: bank %s: owed reports not restored", bank_id)
        self.runners[bank_id] = runner
        self._tasks[bank_id] = asyncio.get_running_loop().create_task(
            runner.run(), name=f"bank-{bank_id}"
        )
        self.bus.publish("bank", bank_id, state="running")
        return runner

    def stop_bank(self, bank_id: int, hard: bool = False) -> None:
        """Stop the runner of a bank the store says is stopped (``hard``: end calls now)."""
        self._stopped_banks.add(bank_id)
        runner = self.runners.get(bank_id)
        if runner is not None and runner.mode != "stopped":
            runner.stop(hard)

    async def wait_stopped(self, bank_id: int, timeout: float = 120.0) -> None:
        runner = self.runners.get(bank_id)
        if runner is not None:
            await asyncio.wait_for(runner.done.wait(), timeout)

    def channels_of(self, call_id: str) -> list[str]:
        """The live channels of a call (from the tracker)."""
        call = self.tracker.get(call_id)
        return list(call.live.values()) if call is not None else []

    def runner_of_call(self, call_id: str) -> BankRunner | None:
        for runner in self.runners.values():
            if call_id in runner.calls:
                return runner
        return None

    # -- the PBX (see engine_events.py) ---------------------------------------------------

    def _on_event(self, event: ev.AmiEvent) -> None:
        engine_events.on_event(self, event)

    # -- the volunteer-facing API (web, CLI, simulated volunteers) ------------------------

    def enroll(self, bank_id: int, volunteer_id: int, auto_ready: bool = True) -> Session:
        """Open a session: the volunteer's room is ``session.conference``."""
        runner = self.runners.get(bank_id)
        if runner is None or runner.mode not in ("running", "paused"):
            raise VolunteerError("bank_not_running", f"bank {bank_id} is not running")
        session = self.pool.enroll(bank_id, volunteer_id, auto_ready)
        if runner.bank.dialing_mode is DialingMode.PERSONAL:
            session = self.pool.join_without_leg(volunteer_id)
        return session

    def file_outcome(
        self, volunteer_id: int, outcome: str, notes: str = "", contact_id: int | None = None
    ) -> list[int]:
        session = self.pool.sessions.get(volunteer_id)
        runner = self.runners.get(session.bank_id) if session else None
        if runner is None:
            raise VolunteerError("not_enrolled", f"volunteer {volunteer_id} has no session")
        return runner.file_outcome(volunteer_id, outcome, notes, contact_id)
