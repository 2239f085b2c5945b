"""Engine settings, the strategy of each dialing mode, the Originate of one claimed number,
and how a runner places its calls: refusing numbers the trunk may not dial, ending calls
that were never placed, holding its dialing while the phone network fails."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from controller.config import Settings
from controller.engine.calls import NOT_PLACED_REASON
from controller.model.banks import BankSettings, DialingMode
from controller.model.callerid import CallerIdPool
from controller.model.volunteers import VolunteerError
from controller.pacing.predictive import Predictive
from controller.pacing.strategies import TSR_MIN_RING, Progressive
from controller.store import dial_check, queue
from controller.store.attempts import AttemptError
from controller.store.queue import Claim
from controller.telephony.actions import OriginateRequest, outbound_call
from controller.telephony.ami import AmiError
from controller.telephony.tracker import CallState, Transition

if TYPE_CHECKING:
    from controller.engine.runner import BankRunner

log = logging.getLogger(__name__)

MIN_RING_TIMEOUT = 15  # seconds a number rings before "no answer", in production


@dataclass(frozen=True)
class EngineConfig:
    """``ring_timeout``: seconds a callee's phone rings; ``cancel_min_ring``: a ringing call
    the pacer wants back must have rung that long; ``handoff_wait``: how long an answered
    person may wait for a volunteer before the safe-harbor message (2 s by the rules);
    ``tick``: seconds between pacing decisions when nothing happens; ``network_*``: when a
    bank holds its dialing because calls keep failing in the phone network
    (:class:`NetworkBackoff`); ``stop_talk_limit``: how long a (soft) stop waits for the
    conversations on the line before it ends them in its books."""

    ring_timeout: int = 20
    cancel_min_ring: float = TSR_MIN_RING
    handoff_wait: float = 2.0
    tick: float = 0.5
    reconcile_every: float = 1.0
    disconnect_grace: float = 15.0
    max_per_volunteer: float = 12.0
    network_failures_hold: int = 5  # calls in a row the phone network could not carry
    network_hold: float = 30.0  # first hold of the bank's dialing, doubling up to ...
    network_hold_max: float = 300.0
    stop_talk_limit: float = 3600.0  # a stopping bank waits this long for conversations

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        """Production values: never less than 15 s of ringing."""
        return cls(ring_timeout=max(MIN_RING_TIMEOUT, settings.pbx.ring_timeout))


def strategy_for(mode: DialingMode, config: EngineConfig) -> Predictive | Progressive | None:
    """The pacer of a mode; None for modes where a volunteer asks for each number."""
    if mode is DialingMode.PREDICTIVE:
        return Predictive(
            cancel_min_ring=config.cancel_min_ring, max_per_volunteer=config.max_per_volunteer
        )
    if mode is DialingMode.POWER:
        return Progressive(cancel_min_ring=config.cancel_min_ring)
    return None


def new_call_id(bank_id: int, kind: str = "c") -> str:
    return f"pb{bank_id}{kind}-{uuid.uuid4().hex[:16]}"


def caller_id_pool(bank: BankSettings, settings: Settings) -> CallerIdPool | None:
    """The bank's caller IDs that the trunk lets the organization show (its list may have
    changed since the bank was saved; empty: any); with none left, the trunk's own."""
    allowed = settings.trunk.caller_ids
    numbers = [n for n in bank.caller_ids if not allowed or n in allowed] or allowed
    if not numbers:
        return None
    return CallerIdPool(tuple(numbers), bank.preferred_area_codes)


def originate_request(
    call_id: str,
    number: str,
    caller_id: str,
    bank: BankSettings,
    settings: Settings,
    config: EngineConfig,
    amd: bool | None = None,
) -> OriginateRequest:
    """The outbound call of the dialplan, with the bank's AMD and voicemail choices."""
    req = outbound_call(
        call_id,
        number,
        caller_id=caller_id,
        ring_timeout=config.ring_timeout,
        voicemail=bool(bank.voicemail_message.strip()),
        allowed_pattern=settings.trunk.allowed_pattern,
    )
    use_amd = bank.amd if amd is None else amd
    if use_amd:
        return req
    return replace(req, variables={**req.variables, "PB_AMD": "0"})


@dataclass
class NetworkBackoff:
    """A bank's dialing hold while the phone network carries none of its calls.

    After ``after`` calls in a row end in network trouble (congestion, trunk down; none rang
    or was answered in between), dialing is held for ``first`` seconds; while the trouble
    lasts the bank then places one call at a time, and each further failure holds it again
    for twice as long (at most ``longest``). A call that rings, is answered or reaches the
    number (busy, not in service) ends it. No I/O."""

    after: int = 5
    first: float = 30.0
    longest: float = 300.0
    in_row: int = 0
    held_until: float = 0.0
    _next: float = field(default=0.0, repr=False)

    @classmethod
    def of(cls, config: EngineConfig) -> NetworkBackoff:
        return cls(config.network_failures_hold, config.network_hold, config.network_hold_max)

    @property
    def suspect(self) -> bool:
        """The network failed the bank's last calls: one call at a time."""
        return self.in_row >= self.after

    def holding(self, now: float) -> bool:
        return now < self.held_until

    def failed(self, now: float) -> float | None:
        """One more call the network could not carry; the seconds of a hold that starts now."""
        self.in_row += 1
        if not self.suspect or self.holding(now):
            return None
        hold = self._next or self.first
        self.held_until, self._next = now + hold, min(hold * 2, self.longest)
        return hold

    def carried(self) -> bool:
        """A call got through; True when that ends a spell of network trouble."""
        was = self.suspect
        self.in_row, self.held_until, self._next = 0, 0.0, 0.0
        return was


# -- placing the calls of a runner ----------------------------------------------------------

# A call in one of these states got through the phone network (it rang, or reached the number).
CARRIED = frozenset(
    {CallState.RINGING, CallState.ANSWERED, CallState.BUSY, CallState.NO_ANSWER, CallState.REJECTED}
)
DONE_REASONS = {"number_not_allowed": "not_allowed", "number_not_dialable": "not_dialable"}
REFUSED = {
    "number_not_allowed": "this number may not be dialed from this phone system (it is outside"
    " the numbers the trunk allows); it was taken out of the list: ask for the next contact",
    "number_not_dialable": "this is not a phone number that can be dialed; it was taken out of"
    " the list: ask for the next contact",
}


def dial_claims(
    runner: BankRunner, claims: list[Claim], now: float, reserved_for: int | None = None
) -> int:
    """Write each attempt (durable), then originate it; returns the calls placed. A number
    the trunk may not dial is refused before anything is written (its entry closed: a
    preview volunteer is told), and a claim that cannot be dialed never strands the rest
    of the batch: if anything else fails, the failing claim (unless its attempt was
    written) and what is left of the batch go back to the queue."""
    placed = 0
    for i, claim in enumerate(claims):
        try:
            placed += _dial_one(runner, claim, now, reserved_for)
        except BaseException:
            _give_back(runner, claims[i:])  # only entries still claimed are released
            raise
    return placed


def _dial_one(runner: BankRunner, claim: Claim, now: float, reserved_for: int | None) -> int:
    if reserved_for is None and _held_back(runner, claim, now):
        return 0
    caller = runner.callers.pick(claim.e164) if runner.callers else ""
    call_id = new_call_id(runner.bank_id, "p" if reserved_for is not None else "c")
    amd = False if reserved_for is not None else None
    try:
        req = originate_request(
            call_id, claim.e164, caller, runner.bank, runner.settings, runner.config, amd
        )
    except AmiError as exc:  # outside the trunk's allowed pattern, or not a phone number
        code = _refuse(runner, claim, exc)
        if reserved_for is not None:
            raise VolunteerError(code, REFUSED[code]) from None
        return 0
    try:
        call = runner._record(claim, now, reserved_for, caller, call_id)
    except AttemptError as exc:  # no longer claimed (closed meanwhile), or the row refused
        log.warning("bank %s: %s not dialed: %s", runner.bank_id, claim.e164, exc)
        _give_back(runner, [claim])  # nothing dialed: a claim still held goes back
        return 0
    runner.calls[call.call_id] = call
    runner.figures.calls_made += 1
    runner._spawn(runner._originate(req))
    return 1


def _held_back(runner: BankRunner, claim: Claim, now: float) -> bool:
    """The calling rules checked once more at the last moment (:mod:`dial_check`): the claim
    query knows the holds placed when a call ended, not a pickup in a bank built since, a
    household member of the same bank, or a bank with the protection off reaching the
    person. A number that may not be called now goes back to the queue, due when its hold
    ends. (A preview volunteer's call was checked when they pressed Call, with the reason
    shown to them.)"""
    with runner.db.write() as conn:
        reasons = dial_check.check_before_dial(conn, claim, now)
    if reasons:
        log.info("bank %s: %s not dialed now: %s", runner.bank_id, claim.e164, reasons[0])
    return bool(reasons)


def _refuse(runner: BankRunner, claim: Claim, exc: AmiError) -> str:
    """Close the entry of a number the appliance may not dial; no attempt is written."""
    code = "number_not_allowed" if exc.code == "number_not_allowed" else "number_not_dialable"
    log.warning("bank %s: %s not dialed (%s): %s", runner.bank_id, claim.e164, code, exc)
    with runner.db.write() as conn:
        queue.close(conn, claim.entry_id, DONE_REASONS[code])
    return code


def _give_back(runner: BankRunner, claims: list[Claim]) -> None:
    if claims:
        with runner.db.write() as conn:
            for claim in claims:
                queue.release(conn, claim.entry_id)


def not_placed(runner: BankRunner, call_id: str) -> None:
    """An Originate failed before the PBX reported anything of the call (the connection
    was down, the request refused): the call ends here as not placed (no outcome, tried
    again) instead of staying queued for ever. Refused while the PBX connection is up, it
    counts toward the bank's network hold (a PBX refusing every call must not be dialed
    at full speed); with the connection down it does not (the runner does not dial then)."""
    call = runner.calls.get(call_id)
    if call is None or call.state is not CallState.QUEUED or runner.channels(call_id):
        return  # the tracker ended it already (the session's own rejected-Originate event)
    now = runner.clock()
    runner.on_transition(Transition(call_id, call.state, CallState.FAILED, now, NOT_PLACED_REASON))


def _paces(runner: BankRunner) -> bool:
    """Only the paced modes hold their dialing: in preview or personal-phone mode each
    number is asked for by a volunteer, who is told when a call fails."""
    return runner.bank.dialing_mode in (DialingMode.PREDICTIVE, DialingMode.POWER)


def watch_network(runner: BankRunner, t: Transition) -> None:
    """Count the calls in a row the phone network could not carry; one that got through
    ends the count (and any hold). A call not placed counts when the PBX refused it with its
    connection up (however the end reached us: the tracker or :func:`not_placed`), not when
    the connection was down."""
    if not _paces(runner):
        return
    if t.new is CallState.FAILED and t.reason != NOT_PLACED_REASON:
        _network_failed(runner, str(t.reason or t.cause))
    elif t.new is CallState.FAILED and runner.ami.connected:
        _network_failed(runner, "refused by the PBX")
    elif t.new in CARRIED and runner.network.carried():
        log.info("bank %s: a call got through the phone network: dialing resumes", runner.bank_id)
        _publish_network(runner)


def _network_failed(runner: BankRunner, why: str) -> None:
    hold = runner.network.failed(runner.clock())
    if hold is not None:
        log.warning(
            "bank %s: %d calls in a row failed in the phone network (last: %s):"
            " dialing held for %.0f s", runner.bank_id, runner.network.in_row, why, hold,
        )  # fmt: skip
        _publish_network(runner)


def network_status(runner: BankRunner) -> dict[str, float | int | None]:
    """``dialing_held_until`` (epoch seconds, None when dialing) and the calls in a row
    the phone network could not carry (``network_failures``)."""
    held = runner.network.held_until if runner.network.holding(runner.clock()) else None
    return {"dialing_held_until": held, "network_failures": runner.network.in_row}


def _publish_network(runner: BankRunner) -> None:
    runner.bus.publish("bank", runner.bank_id, state=runner.mode, **network_status(runner))
