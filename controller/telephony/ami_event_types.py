"""Typed AMI events: what each event Asterisk (or the session) sends carries.

Pure: plain frozen dataclasses, no parsing and no I/O. :mod:`controller.telephony.ami_events`
builds them from the raw headers (``parse_event``) and re-exports them.

Besides Asterisk's own events, the session publishes a few of its own on the same stream, all
named ``Phonebank*``: :class:`OriginateRequested` before an Originate leaves, and
:class:`OriginateRejected` when Asterisk refuses it outright, :class:`SessionConnected` and
:class:`SessionLost` around each connection. A re-sync listing after a reconnect is published as
the ``CoreShowChannel`` events followed by ``CoreShowChannelsComplete``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Header values the session adds to the events it makes up itself.
ORIGINATE_REQUESTED = "PhonebankOriginate"
ORIGINATE_REJECTED = "PhonebankOriginateRejected"
SESSION_CONNECTED = "PhonebankConnected"
SESSION_LOST = "PhonebankLost"

# Channel states (``ChannelState`` header), from Asterisk's ``ast_channel_state``.
STATE_DOWN = 0
STATE_RING = 4
STATE_RINGING = 5
STATE_UP = 6
STATE_BUSY = 7


@dataclass(frozen=True, kw_only=True, eq=True)
class AmiEvent:
    """Any event; ``headers`` keeps what Asterisk sent, ``timestamp`` its server time (epoch)."""

    name: str
    timestamp: float | None = None
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class ChannelEvent(AmiEvent):
    channel: str = ""
    uniqueid: str = ""
    linkedid: str = ""
    state: int = STATE_DOWN
    state_desc: str = ""
    caller_id_num: str = ""
    context: str = ""
    exten: str = ""


@dataclass(frozen=True, kw_only=True)
class Newchannel(ChannelEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class Newstate(ChannelEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class Hangup(ChannelEvent):
    cause: int = 0
    cause_txt: str = ""


@dataclass(frozen=True, kw_only=True)
class DialBegin(ChannelEvent):
    """``channel``/``uniqueid`` are the caller side (empty for a bare Originate)."""

    dest_channel: str = ""
    dest_uniqueid: str = ""
    dest_linkedid: str = ""
    dial_string: str = ""


@dataclass(frozen=True, kw_only=True)
class DialEnd(DialBegin):
    dial_status: str = ""


@dataclass(frozen=True, kw_only=True)
class DialState(DialBegin):
    dial_status: str = ""


@dataclass(frozen=True, kw_only=True)
class VarSet(ChannelEvent):
    variable: str = ""
    value: str = ""


@dataclass(frozen=True, kw_only=True)
class UserEvent(ChannelEvent):
    user_event: str = ""


@dataclass(frozen=True, kw_only=True)
class OriginateResponse(AmiEvent):
    action_id: str = ""
    response: str = ""
    channel: str = ""
    uniqueid: str = ""
    reason: int = 0

    @property
    def success(self) -> bool:
        return self.response.lower() == "success"


@dataclass(frozen=True, kw_only=True)
class ConfbridgeEvent(ChannelEvent):
    conference: str = ""
    admin: bool = False


@dataclass(frozen=True, kw_only=True)
class ConfbridgeJoin(ConfbridgeEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ConfbridgeLeave(ConfbridgeEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ConfbridgeTalking(ConfbridgeEvent):
    talking: bool = False


@dataclass(frozen=True, kw_only=True)
class BridgeEnter(ChannelEvent):
    bridge_uniqueid: str = ""
    bridge_type: str = ""


@dataclass(frozen=True, kw_only=True)
class BridgeLeave(BridgeEnter):
    pass


@dataclass(frozen=True, kw_only=True)
class CoreShowChannel(ChannelEvent):
    application: str = ""
    application_data: str = ""
    duration: str = ""
    bridge_id: str = ""


@dataclass(frozen=True, kw_only=True)
class CoreShowChannelsComplete(AmiEvent):
    list_items: int = 0


@dataclass(frozen=True, kw_only=True)
class FullyBooted(AmiEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class Shutdown(AmiEvent):
    restart: bool = False


@dataclass(frozen=True, kw_only=True)
class OriginateRequested(AmiEvent):
    """Published by the session just before an Originate is sent (the call is queued)."""

    call_id: str = ""
    other_id: str = ""
    target: str = ""


@dataclass(frozen=True, kw_only=True)
class OriginateRejected(AmiEvent):
    """Published when Asterisk answers an Originate with an error (no channel was made)."""

    call_id: str = ""
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class SessionConnected(AmiEvent):
    generation: int = 0


@dataclass(frozen=True, kw_only=True)
class SessionLost(AmiEvent):
    generation: int = 0
    reason: str = ""
