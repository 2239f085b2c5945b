"""What the organizer's pages need from a running engine.

- :func:`volunteer_rows`: the volunteers table of a bank (state, last active, last
  disposition, total call and active time, calls assigned), from the engine's pool.
- :class:`SimSwitch`: simulated volunteers switched on and off per bank from a page button
  (the demo turns them on at start). They are users ``sim-volunteer-N`` (created on first
  use, no password: nobody can sign in as them).
- :func:`live_snapshot`: the last live figures of a bank plus the table, for a page's first
  paint before the websocket delivers updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from controller.engine.simvol import SimProfile, SimulatedVolunteers
from controller.model.volunteers import ACTIVE, Session, VolunteerError, VState
from controller.store import admin_stats, engine_log
from controller.store import users as user_store
from controller.store.db import Database
from controller.store.engine_log import quantile
from controller.telephony.ami import AmiError

if TYPE_CHECKING:
    from controller.engine.engine import Engine

log = logging.getLogger(__name__)

GONE = VState.DISCONNECTED
SIM_PREFIX = "sim-volunteer-"
DEMO_PROFILE = SimProfile(talk=(4.0, 12.0), wrap=(1.0, 3.0), seed=11)


def volunteer_rows(engine: Engine, bank_id: int) -> list[dict[str, Any]]:
    """One row per volunteer who joined ``bank_id`` in this engine's life; their totals are
    the bank's: every line they had in it (a line that dropped, then the new one)."""
    now = engine.clock()
    with engine.db.read() as conn:
        last = admin_stats.last_outcomes(conn, bank_id)
        earlier = engine_log.closed_totals(conn, bank_id)
    rows = []
    for s in engine.pool.of_bank(bank_id):
        calls, call_time, active_time = _bank_totals(s, now, earlier.get(s.volunteer_id))
        rows.append(
            {
                "volunteer_id": s.volunteer_id,
                "name": _names(engine.db).get(s.volunteer_id, str(s.volunteer_id)),
                "state": s.state.value,
                "via": s.via,
                "idle_for": round(max(0.0, now - _last_active(s)), 1),
                "disposition": last.get(s.volunteer_id, ""),
                "call_time": round(call_time, 1),
                "active_time": round(active_time, 1),
                "calls_assigned": calls,
                "simulated": s.volunteer_id in engine.simulated,
            }
        )
    rows.sort(key=lambda r: str(r["name"]))
    return rows


def _bank_totals(
    s: Session, now: float, ended: tuple[int, float, float] | None
) -> tuple[int, float, float]:
    """(calls assigned, call time, active time): the ended sessions' stored totals plus the
    open one's (a disconnected session is among the ended ones already)."""
    calls, call_time, active_time = ended or (0, 0.0, 0.0)
    if s.connected:
        live_call, live_active = s.totals(now)
        return calls + s.calls_assigned, call_time + live_call, active_time + live_active
    return calls, call_time, active_time


def _last_active(s: Session) -> float:
    """When the volunteer was last active (now, while active; else when they stopped)."""
    if s.state in ACTIVE:
        return s.since
    return s.left_at or s.since


def _names(db: Database) -> dict[int, str]:
    return {int(u["id"]): str(u["display_name"] or u["username"]) for u in user_store.all_users(db)}


def ensure_sim_users(db: Database, count: int) -> list[int]:
    """Ids of ``count`` simulated volunteer users, created when missing."""
    ids = []
    for i in range(1, count + 1):
        name = f"{SIM_PREFIX}{i}"
        user = user_store.get_user(db, name)
        if user is None:
            user = user_store.create_user(db, name, "volunteer", f"Simulated {i}")
        ids.append(int(user["id"]))
    return ids


@dataclass
class SimSwitch:
    """Simulated volunteers per bank, on one engine."""

    engine: Engine
    profile: SimProfile = DEMO_PROFILE
    sims: SimulatedVolunteers | None = None
    on: dict[int, list[int]] = field(default_factory=dict)
    # one Add or Remove at a time: two at once could pick the same simulated user
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def running(self, bank_id: int) -> int:
        return len(self.on.get(bank_id, []))

    async def switch_on(self, bank_id: int, count: int = 5) -> int:
        """Enroll ``count`` simulated volunteers in ``bank_id``; returns how many joined."""
        async with self.lock:
            if self.sims is None:
                self.sims = SimulatedVolunteers(self.engine, self.profile)
            busy = {v for ids in self.on.values() for v in ids}
            users = ensure_sim_users(self.engine.db, count + len(busy))
            chosen = [v for v in users if v not in busy][:count]
            sims = self.sims
            done = await asyncio.gather(
                *(sims.add(bank_id, v, timeout=15.0) for v in chosen), return_exceptions=True
            )  # together: the pacer sees the whole team at once, not one volunteer
            outcome = list(zip(chosen, done, strict=True))
            joined = [v for v, r in outcome if not isinstance(r, BaseException)]
            self.on.setdefault(bank_id, []).extend(joined)
            for volunteer_id, result in outcome:
                if isinstance(result, BaseException):
                    log.warning("simulated volunteer %s did not join: %r", volunteer_id, result)
                    await self._undo_join(bank_id, volunteer_id)
            return len(joined)

    async def switch_off(self, bank_id: int) -> int:
        """Hang up every simulated volunteer of ``bank_id``; returns how many left."""
        async with self.lock:
            ids = self.on.pop(bank_id, [])
            for volunteer_id in ids:
                await self._drop(volunteer_id)
            return len(ids)

    async def _undo_join(self, bank_id: int, volunteer_id: int) -> None:
        """A join that failed half way (enrolled, the line never reached 'waiting') leaves
        the bank again; one refused before enrolling here is left as it is."""
        session = self.engine.pool.sessions.get(volunteer_id)
        if session is not None and session.bank_id == bank_id and session.state is not GONE:
            with contextlib.suppress(AmiError, VolunteerError, sqlite3.Error):
                await self._drop(volunteer_id)
        elif self.sims is not None and session is None:
            self.sims.ids.discard(volunteer_id)

    async def _drop(self, volunteer_id: int) -> None:
        if self.sims is not None:
            await self.sims.remove(volunteer_id)
            self.sims.ids.discard(volunteer_id)
        with contextlib.suppress(VolunteerError):
            self.engine.pool.leave(volunteer_id)

    async def close(self) -> None:
        """Stop driving the simulated volunteers (the engine's shutdown drops their legs)."""
        self.on.clear()
        if self.sims is not None:
            await self.sims.close()


_SWITCHES: dict[int, SimSwitch] = {}


def sim_switch(engine: Engine) -> SimSwitch:
    """The engine's simulated-volunteer switch (one per engine)."""
    switch = _SWITCHES.get(id(engine))
    if switch is None or switch.engine is not engine:
        switch = _SWITCHES[id(engine)] = SimSwitch(engine)
    return switch


def live_snapshot(engine: Engine | None, bank_id: int) -> dict[str, Any]:
    """Figures and volunteers of ``bank_id`` now (empty figures without an engine)."""
    if engine is None:
        return {"figures": None, "volunteers": [], "simulated": 0, "engine": False}
    figures = engine.bus.figures(bank_id)
    runner = engine.runners.get(bank_id)
    if figures is not None and runner is not None:
        answer, verdict = sorted(runner.figures.hangtimes), sorted(runner.figures.verdict_hangtimes)
        figures = {
            **figures,
            "dial_level": dial_level(engine, bank_id),
            "hangtime_p50": quantile(answer, 0.5),
            "hangtime_p95": quantile(answer, 0.95),
            "verdict_hangtime_p50": quantile(verdict, 0.5),
            "verdict_hangtime_p95": quantile(verdict, 0.95),
            **runner.network_status(),  # dialing held while the phone network fails
        }
    return {
        "figures": figures,
        "volunteers": volunteer_rows(engine, bank_id),
        "simulated": sim_switch(engine).running(bank_id),
        "engine": True,
    }


def dial_level(engine: Engine, bank_id: int) -> float | None:
    """Calls in flight per volunteer on (the pacer's current dial level); None with nobody
    on (calls still ringing then are being wound down, not a level)."""
    runner = engine.runners.get(bank_id)
    if runner is None:
        return 0.0
    flying = sum(1 for c in runner.calls.values() if c.in_flight)
    on = sum(1 for s in engine.pool.of_bank(bank_id) if s.connected)
    return round(flying / on, 2) if on else None
