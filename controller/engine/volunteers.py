"""Volunteer sessions of the running engine: who is in which bank, in which room, doing what.

Each volunteer has one room (``volunteer-<user id>``, the one their browser phone joins).
A session is opened by :meth:`VolunteerPool.enroll` (the web's "join", a PIN dial-in, a
simulated volunteer) and the volunteer is *joined* when their leg enters the room
(``ConfbridgeJoin`` of a channel that is not a dialed call). When that leg leaves
(``ConfbridgeLeave`` or its ``Hangup``) the volunteer leaves the pool at once.
Sessions are durable in ``volunteer_sessions`` (opened on join, totals on leave, and every
half minute in between: :meth:`VolunteerPool.checkpoint`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from controller.model import volunteers as model
from controller.model.volunteers import Session, VolunteerError, VState
from controller.pacing.snapshot import VolunteerState, VolunteerView
from controller.store import engine_log
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.webrtc_users import room_name

Listener = Callable[[Session], None]
REJOIN_GRACE = 60.0  # seconds a browser line that dropped may come back into its bank
CHECKPOINT_SECONDS = 30.0  # how often open sessions' totals are written


@dataclass
class Leg:
    uniqueid: str
    channel: str


class VolunteerPool:
    """Every volunteer session of the engine, keyed by volunteer (user) id."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self.sessions: dict[int, Session] = {}
        self.legs: dict[int, Leg] = {}
        self.auto_ready: dict[int, bool] = {}
        self._rows: dict[int, int] = {}
        self._checkpointed = 0.0
        self._listeners: list[Listener] = []
        self.changed = asyncio.Event()
        # Whether a volunteer still owes the report of a call (set by the engine): they are
        # not made ready on joining until it is filed.
        self.report_due: Callable[[int], bool] = lambda _vid: False
        # After a PBX (re)connect, until its channel listing ends: the lines listed, and the
        # lines that joined since (None: no listing under way).
        self._listed: set[str] | None = None
        self._fresh: set[str] = set()
        # Volunteers whose line dropped (it left by itself, not by "End my session" or the
        # bank's end): the bank and when, so that the line coming back rejoins it.
        self.dropped: dict[int, tuple[int, float]] = {}
        # ... and of those, who was waiting for a voter when it dropped (back as they were)
        self.dropped_waiting: set[int] = set()

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` with every session change (a leave included), as it happens."""
        self._listeners.append(listener)

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _set(self, session: Session) -> Session:
        self.sessions[session.volunteer_id] = session
        old, self.changed = self.changed, asyncio.Event()
        old.set()  # wakes every waiter once; later waiters wait for the next change
        for listener in list(self._listeners):
            listener(session)
        return session

    # -- lifecycle -------------------------------------------------------------------------

    def enroll(self, bank_id: int, volunteer_id: int, auto_ready: bool = True) -> Session:
        """Expect ``volunteer_id`` in ``bank_id``; returns the session (room to join)."""
        current = self.sessions.get(volunteer_id)
        if current is not None and current.connected:
            if current.bank_id != bank_id:
                raise VolunteerError("in_other_bank", f"already calling in bank {current.bank_id}")
            return current
        self.auto_ready[volunteer_id] = auto_ready
        self.dropped.pop(volunteer_id, None)
        # Back in the same bank: still "gone" since their line left (a report due there
        # keeps its grace from then, see Engine.expire_reports), not since the epoch.
        since = current.since if current is not None and current.bank_id == bank_id else 0.0
        return self._set(Session(volunteer_id, bank_id, room_name(volunteer_id), since=since))

    def gone_since(self, bank_id: int, volunteer_id: int, since: float) -> Session:
        """A volunteer the engine has not seen in this run but who owes ``bank_id`` a report
        (restored after a restart): gone from the bank since ``since``, as if their line had
        left then; they file from the call screen, or join again. An existing session is
        kept."""
        current = self.sessions.get(volunteer_id)
        if current is not None:
            return current
        gone = Session(volunteer_id, bank_id, room_name(volunteer_id),
                       state=VState.DISCONNECTED, since=since, left_at=since)  # fmt: skip
        return self._set(gone)

    def by_conference(self, conference: str) -> Session | None:
        for s in self.sessions.values():
            if s.conference == conference and s.state is not VState.DISCONNECTED:
                return s
        return None

    def on_join(self, e: ev.ConfbridgeJoin, via: str) -> Session | None:
        """A volunteer's line entered their room: they join (the session is returned). A
        new line of a volunteer already in the bank (they reloaded the page, rejoined)
        becomes the line followed: its end is theirs (None returned, nothing else changes)."""
        s = self.by_conference(e.conference)
        if s is None:
            return None
        if self._listed is not None:
            self._fresh.add(e.uniqueid)
        leg = self.legs.get(s.volunteer_id)
        if s.connected and leg is not None and leg.uniqueid != e.uniqueid:
            self.legs[s.volunteer_id] = Leg(e.uniqueid, e.channel)
            return None
        if s.state is not VState.NOT_DIALED_IN:
            return None
        self.legs[s.volunteer_id] = Leg(e.uniqueid, e.channel)
        return self._joined(s, max(e.timestamp or self.clock(), s.since), via)

    def on_sync(self, event: ev.AmiEvent) -> None:
        """Follow the PBX's channel listing after a (re)connect: a volunteer whose line is
        not listed (it hung up while the connection was down, or the PBX restarted) leaves
        the pool, unless that line joined after the reconnect."""
        if isinstance(event, ev.SessionConnected):
            self._listed, self._fresh = set(), set()
        elif isinstance(event, ev.CoreShowChannel) and self._listed is not None:
            self._listed.add(event.uniqueid)
        elif isinstance(event, ev.CoreShowChannelsComplete) and self._listed is not None:
            live, self._listed = self._listed | self._fresh, None
            for vid, leg in list(self.legs.items()):
                if leg.uniqueid not in live:
                    self._dropped(self.leave(vid, event.timestamp))

    def join_without_leg(self, volunteer_id: int, via: str = "browser") -> Session:
        """A personal-phone volunteer: in the bank without a room (they dial themselves)."""
        s = self._get(volunteer_id)
        if s.state is not VState.NOT_DIALED_IN:
            return s
        return self._joined(s, self._now(volunteer_id), via)

    def _joined(self, s: Session, now: float, via: str) -> Session:
        s = model.join(s, now, via)
        with self.db.write() as conn:
            self._rows[s.volunteer_id] = engine_log.open_session(
                conn, s.bank_id, s.volunteer_id, s.conference, via, now
            )
        if self.auto_ready.get(s.volunteer_id, True) and not self.report_due(s.volunteer_id):
            s = model.ready(s, now)
        return self._set(s)

    def on_leg_gone(self, uniqueid: str, now: float | None = None) -> Session | None:
        """The volunteer whose leg this was leaves the pool (ConfbridgeLeave / Hangup)."""
        for vid, leg in list(self.legs.items()):
            if leg.uniqueid == uniqueid:
                waiting = self.sessions[vid].state is VState.WAITING
                self.dropped_waiting.discard(vid)
                if waiting:
                    self.dropped_waiting.add(vid)
                return self._dropped(self.leave(vid, now))
        return None

    def _dropped(self, left: Session | None) -> Session | None:
        """Note a line that left by itself (see :meth:`dropped_from`)."""
        if left is not None:
            self.dropped[left.volunteer_id] = (left.bank_id, left.since)
        return left

    def dropped_from(self, volunteer_id: int, now: float) -> int | None:
        """The bank whose line this volunteer lost less than ``REJOIN_GRACE`` ago (None:
        none, or they left on purpose since)."""
        was = self.dropped.get(volunteer_id)
        s = self.sessions.get(volunteer_id)
        if was is None or s is None or s.state is not VState.DISCONNECTED:
            return None
        return was[0] if now - was[1] <= REJOIN_GRACE else None

    def leave(self, volunteer_id: int, now: float | None = None) -> Session | None:
        s = self.sessions.get(volunteer_id)
        if s is None or s.state is VState.DISCONNECTED:
            return None
        now = now or self.clock()
        s = model.leave(s, max(now, s.since))
        self.legs.pop(volunteer_id, None)
        row = self._rows.pop(volunteer_id, None)
        if row is not None:
            with self.db.write() as conn:
                engine_log.close_session(
                    conn, row, now, s.calls_assigned, s.call_time, s.active_time
                )
        return self._set(s)

    def checkpoint(self, every: float = CHECKPOINT_SECONDS) -> int:
        """Write the running totals of the open sessions, at most once per ``every``
        seconds (an engine that stops without closing them loses at most that much); how
        many were written."""
        now = self.clock()
        if now - self._checkpointed < every:
            return 0
        self._checkpointed = now
        rows = []
        for vid, row in self._rows.items():
            s = self.sessions.get(vid)
            if s is not None and s.state is not VState.DISCONNECTED:
                call, active = s.totals(max(now, s.since))
                rows.append((row, s.calls_assigned, call, active))
        if rows:
            with self.db.write() as conn:
                engine_log.checkpoint_sessions(conn, rows, now)
        return len(rows)

    # -- steps -----------------------------------------------------------------------------

    def ready(self, volunteer_id: int) -> Session:
        return self._set(model.ready(self._get(volunteer_id), self._now(volunteer_id)))

    def pause(self, volunteer_id: int) -> Session:
        return self._set(model.pause(self._get(volunteer_id), self._now(volunteer_id)))

    def assign(self, volunteer_id: int, call_id: str) -> Session:
        return self._set(model.assign(self._get(volunteer_id), self._now(volunteer_id), call_id))

    def end_call(self, volunteer_id: int) -> Session:
        return self._set(model.end_call(self._get(volunteer_id), self._now(volunteer_id)))

    def _get(self, volunteer_id: int) -> Session:
        s = self.sessions.get(volunteer_id)
        if s is None:
            raise VolunteerError("not_enrolled", f"volunteer {volunteer_id} has no session")
        return s

    def _now(self, volunteer_id: int) -> float:
        return max(self.clock(), self._get(volunteer_id).since)

    # -- views -----------------------------------------------------------------------------

    def _filed_waiting_for_ready(self, s: Session) -> bool:
        manual = not self.auto_ready.get(s.volunteer_id, True)
        return s.state is VState.WRAP_UP and manual and not self.report_due(s.volunteer_id)

    def of_bank(self, bank_id: int) -> list[Session]:
        return [s for s in self.sessions.values() if s.bank_id == bank_id]

    def longest_waiting(self, bank_id: int) -> Session | None:
        return model.longest_waiting(self.of_bank(bank_id))

    def pacing_views(self, bank_id: int) -> tuple[VolunteerView, ...]:
        """The volunteers the pacer counts on; one who filed their report but takes the next
        call only when they press Ready (the call screen) is not counted until they do: when
        they will is nobody's guess, and dialing for them would drop people."""
        views = []
        for s in self.of_bank(bank_id):
            state = model.pacing_state(s.state)
            if state is not None and not self._filed_waiting_for_ready(s):
                views.append(VolunteerView(str(s.volunteer_id), VolunteerState(state), s.since))
        return tuple(views)
