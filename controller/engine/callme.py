""" "Call me": the PBX rings a volunteer's own phone; pressing 1 puts them in their room.

The number is the volunteer's to give, so the engine checks it before the trunk rings it:
a valid number of a phone a person answers (not premium-rate, shared-cost, toll-free or
personal-number services, not a North American 900 number or 976 exchange), inside the
trunk's allowed pattern and not on the Do Not Call list. A volunteer has at most one
"call me" ringing at a time and :data:`PER_HOUR` in an hour (:class:`CallMeGuard`); one
already in the bank's room is not called again. The engine's guard
(``engine.callme_guard``) holds the call as pending, which makes the volunteer's room join
count as "call me", only while that call is on its way: it goes when they join, or when
the call ends or fails first. The follow-up task is the engine's; closing the engine
cancels it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import phonenumbers
from phonenumbers import PhoneNumberType

from controller.aio import keep
from controller.engine.dialing import new_call_id
from controller.model.volunteers import VolunteerError, VState
from controller.store import dnc as dnc_store
from controller.telephony import actions
from controller.telephony.ami import AmiError
from controller.telephony.call_states import ORIGINATE_REASON_OUTCOMES

if TYPE_CHECKING:
    from controller.engine.engine import Engine

log = logging.getLogger(__name__)

CALLME_CONTEXT = "phonebank-callme"
PER_HOUR = 5  # "call me" calls one volunteer may have placed within an hour
WATCH_LIMIT = 300.0  # seconds a "call me" call is followed at most (ring, press 1)

# Numbers that cost the caller extra or reach a service rather than a person's phone.
_NOT_A_PHONE = {
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.UAN,
    PhoneNumberType.PAGER,
    PhoneNumberType.VOICEMAIL,
}
_NANP_PREMIUM = re.compile(r"^\+1(900\d{7}|[2-9]\d{2}976\d{4})$")


def check_number(number: str, allowed_pattern: str, on_dnc: Callable[[str], bool]) -> str:
    """The number in E.164 if "call me" may ring it, else :class:`VolunteerError`."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise VolunteerError("bad_number", "That is not a valid phone number.")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if _NANP_PREMIUM.match(e164) or phonenumbers.number_type(parsed) in _NOT_A_PHONE:
        raise VolunteerError(
            "not_a_personal_phone",
            "We can only call a regular phone number: not a premium-rate, toll-free or"
            " other service number.",
        )
    if allowed_pattern and not re.match(allowed_pattern, e164):
        raise VolunteerError(
            "number_not_allowed", "This phone system cannot call that number. Use another one."
        )
    if on_dnc(e164):
        raise VolunteerError(
            "number_on_dnc", "That number is on the Do Not Call list, so we cannot call it."
        )
    return e164


class CallMeGuard:
    """One "call me" on its way per volunteer, at most ``per_hour`` placed in an hour."""

    def __init__(self, per_hour: int = PER_HOUR, clock: Callable[[], float] = time.monotonic):
        self.per_hour, self.clock = per_hour, clock
        self.pending: dict[int, str] = {}  # volunteer id -> the call on its way
        # volunteer id -> the last "callme" bus message while their session waits for a line
        self.last: dict[int, dict[str, Any]] = {}
        self.ends: dict[str, str] = {}  # a call on its way -> how the PBX said it ended
        self._placed: dict[int, deque[float]] = {}

    def _recent(self, volunteer_id: int) -> deque[float]:
        placed = self._placed.get(volunteer_id, deque())
        cutoff = self.clock() - 3600.0
        while placed and placed[0] <= cutoff:
            placed.popleft()
        return placed

    def check(self, volunteer_id: int) -> None:
        if volunteer_id in self.pending:
            raise VolunteerError(
                "callme_pending", "We are calling you already: answer it and press 1."
            )
        if len(self._recent(volunteer_id)) >= self.per_hour:
            raise VolunteerError(
                "callme_limit",
                f"We called you {self.per_hour} times in the last hour; join with the"
                " browser phone or dial in instead, or try again later.",
            )

    def start(self, volunteer_id: int, call_id: str) -> None:
        """Note a call placed (after :meth:`check`, with no await between)."""
        for vid in [v for v in self._placed if not self._recent(v)]:
            del self._placed[vid]  # memory stays bounded by the volunteers of the last hour
        self._placed.setdefault(volunteer_id, deque()).append(self.clock())
        self.pending[volunteer_id] = call_id

    def ended(self, call_id: str, state: str) -> None:
        """The PBX ended ``call_id`` in ``state`` (noted only for a call on its way)."""
        if call_id in self.pending.values():
            self.ends[call_id] = state

    def finish(self, volunteer_id: int) -> None:
        call_id = self.pending.pop(volunteer_id, None)
        self.ends.pop(call_id or "", None)


async def call_me(engine: Engine, bank_id: int, volunteer_id: int, number: str) -> str:
    """Ring the volunteer's own phone; they press 1 to join their room (a voicemail box
    never does). Returns the call id of that leg; refusals raise :class:`VolunteerError`
    (the number, the limits, the bank) or :class:`AmiError` (the PBX is not reachable)."""
    on_dnc = lambda e164: dnc_store.contains(engine.db, e164)  # noqa: E731
    e164 = check_number(number, engine.settings.trunk.allowed_pattern, on_dnc)
    engine.callme_guard.check(volunteer_id)
    current = engine.pool.sessions.get(volunteer_id)
    if current is not None and current.connected and current.bank_id == bank_id:
        raise VolunteerError("already_joined", "You are already in this phone bank's room.")
    if not engine.ami.connected:
        raise AmiError("not_connected", "the phone system is not reachable")
    session = engine.enroll(bank_id, volunteer_id)
    call_id = new_call_id(bank_id, "v")
    req = actions.outbound_call(
        call_id, e164, ring_timeout=engine.config.ring_timeout,
        allowed_pattern=engine.settings.trunk.allowed_pattern,
    )  # fmt: skip
    variables = {**req.variables, "PB_CONFERENCE": session.conference}
    req = replace(req, context=CALLME_CONTEXT, variables=variables)
    engine.callme_guard.start(volunteer_id, call_id)
    ring = Ring(bank_id, volunteer_id, e164, req)
    publish(engine, ring, "ringing")
    task = asyncio.get_running_loop().create_task(_follow(engine, ring))
    keep(engine.background, task, log)
    return call_id


def call_off(engine: Engine, conference: str) -> None:
    """The volunteer of ``conference`` joined another way (their browser phone) while their
    "call me" still rings: that call is hung up, so a press of 1 later cannot bring a second
    line into the room."""
    session = engine.pool.by_conference(conference)
    call_id = engine.callme_guard.pending.get(session.volunteer_id) if session else None
    if call_id is None:
        return
    task = asyncio.get_running_loop().create_task(_hang_up(engine, call_id))
    keep(engine.background, task, log)


@dataclass(frozen=True)
class Ring:
    """One "call me" call: whose, for which bank, to which number."""

    bank_id: int
    volunteer_id: int
    number: str
    req: actions.OriginateRequest


def publish(engine: Engine, ring: Ring, state: str, reason: str = "") -> None:
    """Tell the volunteer's screen how their "call me" goes (topic ``callme``): ``ringing``,
    ``answered`` (asked to press 1), ``joined`` or ``unreached`` with a ``reason``
    (``no_answer``, ``busy``, ``failed``, ``not_accepted``: answered but 1 never pressed,
    ``not_placed``). The last one is kept for the screen while the session waits."""
    vid = ring.volunteer_id
    message = {"volunteer_id": vid, "call_id": ring.req.call_id, "number": ring.number,
               "state": state, "reason": reason, "at": engine.clock()}  # fmt: skip
    if state == "joined":
        engine.callme_guard.last.pop(vid, None)
    else:
        engine.callme_guard.last[vid] = {"topic": "callme", "bank_id": ring.bank_id, **message}
    engine.bus.publish("callme", ring.bank_id, **message)


async def _not_answered(engine: Engine, call_id: str, reason: int) -> str:
    """Why the call was not answered: as the PBX ended it (``no_answer``, ``busy``, else
    ``failed``), waited for a moment, else from the Originate's reason."""
    for _ in range(20):
        if call_id in engine.callme_guard.ends:
            break
        await asyncio.sleep(0.1)
    code = engine.callme_guard.ends.get(call_id)
    if code is None:
        code = ORIGINATE_REASON_OUTCOMES.get(reason, (None, "failed"))[1]
    return code if code in ("no_answer", "busy") else "failed"


async def _follow(engine: Engine, ring: Ring) -> None:
    """Place the call, then wait until the volunteer joined or the call ended; the
    volunteer's "call me" note goes either way, then their screen is told what happened
    (nothing when they left the bank or joined it another way meanwhile)."""
    vid, req = ring.volunteer_id, ring.req
    outcome: tuple[str, str] | None = None
    try:
        result = await actions.originate(engine.ami, req)
        if not result.answered:
            outcome = ("unreached", await _not_answered(engine, req.call_id, result.reason))
        else:
            publish(engine, ring, "answered")
            outcome = await _watch(engine, vid, req.call_id)
            if outcome is None:  # they left (End my session) or never pressed 1 in time
                await _hang_up(engine, req.call_id)
    except AmiError as exc:
        log.warning("call me %s for volunteer %s not placed: %s", req.call_id, vid, exc)
        outcome = ("unreached", "not_placed")
    except Exception:
        log.exception("call me %s for volunteer %s", req.call_id, vid)
        outcome = ("unreached", "failed")
    finally:
        if engine.callme_guard.pending.get(vid) == req.call_id:
            engine.callme_guard.finish(vid)
    session = engine.pool.sessions.get(vid)
    waiting = session is not None and session.bank_id == ring.bank_id
    waiting = waiting and session is not None and session.state is VState.NOT_DIALED_IN
    if outcome is not None and (outcome[0] == "joined" or waiting):
        publish(engine, ring, *outcome)


async def _hang_up(engine: Engine, call_id: str) -> None:
    for channel in engine.channels_of(call_id):
        try:
            await actions.hangup(engine.ami, channel)
        except AmiError as exc:
            log.info("call me %s: not hung up: %s", call_id, exc)


async def _watch(engine: Engine, volunteer_id: int, call_id: str) -> tuple[str, str] | None:
    """After the answer: ``joined`` once their line is in the room, ``unreached`` when the
    call ended first (1 never pressed), None when they left or it took too long."""
    deadline = time.monotonic() + WATCH_LIMIT
    while time.monotonic() < deadline:
        session = engine.pool.sessions.get(volunteer_id)
        if session is None or session.state is VState.DISCONNECTED:
            return None
        if session.state is not VState.NOT_DIALED_IN:
            return ("joined", "")
        if engine.tracker.get(call_id) is None:
            return ("unreached", "not_accepted")
        await asyncio.sleep(0.5)
    return None
