"""Engine settings, the strategy of each dialing mode, and the Originate of one claimed number."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from controller.config import Settings
from controller.model.banks import BankSettings, DialingMode
from controller.model.callerid import CallerIdPool
from controller.pacing.predictive import Predictive
from controller.pacing.strategies import TSR_MIN_RING, Progressive
from controller.telephony.actions import OriginateRequest, outbound_call

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
    numbers = bank.caller_ids or settings.trunk.caller_ids
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
