"""Typed AMI events, parsed from the raw header mappings Asterisk sends.

Pure: no sockets, no asyncio. ``parse_event`` accepts any mapping of header name to value (a
panoramisk ``Message``, a dict read back from a recording) and returns the most specific event
class it knows, or :class:`AmiEvent` itself for events it does not know (never raises on an
unknown or malformed event: a header that is missing reads as "" or its number as the default).

Besides Asterisk's own events, the session publishes a few of its own on the same stream, all
named ``Phonebank*``: :class:`OriginateRequested` before an Originate leaves, and
:class:`OriginateRejected` when Asterisk refuses it outright, :class:`SessionConnected` and
:class:`SessionLost` around each connection. A re-sync listing after a reconnect is published as
the ``CoreShowChannel`` events followed by ``CoreShowChannelsComplete``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def normalize(headers: Mapping[str, Any]) -> dict[str, str]:
    """A plain ``{name: value}`` copy: repeated headers joined by newlines, empty body dropped."""
    out: dict[str, str] = {}
    for key, value in headers.items():
        if key == "content" and not value:
            continue
        if isinstance(value, (list, tuple)):
            out[key] = "\n".join(str(v) for v in value)
        else:
            out[key] = "" if value is None else str(value)
    return out


class _Headers:
    """Case-insensitive read access with forgiving conversions."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._lower = {k.lower(): v for k, v in headers.items()}

    def text(self, name: str) -> str:
        value = self._lower.get(name.lower(), "")
        return "" if value in ("<unknown>", "<null>") else value

    def number(self, name: str, default: int = 0) -> int:
        try:
            return int(self.text(name).strip())
        except ValueError:
            return default

    def real(self, name: str) -> float | None:
        try:
            return float(self.text(name).strip())
        except ValueError:
            return None

    def flag(self, name: str) -> bool:
        return self.text(name).strip().lower() in ("yes", "true", "on", "1")


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


def _channel_fields(h: _Headers) -> dict[str, Any]:
    return {
        "channel": h.text("Channel"),
        "uniqueid": h.text("Uniqueid"),
        "linkedid": h.text("Linkedid"),
        "state": h.number("ChannelState"),
        "state_desc": h.text("ChannelStateDesc"),
        "caller_id_num": h.text("CallerIDNum"),
        "context": h.text("Context"),
        "exten": h.text("Exten"),
    }


def _dial_fields(h: _Headers) -> dict[str, Any]:
    return _channel_fields(h) | {
        "dest_channel": h.text("DestChannel"),
        "dest_uniqueid": h.text("DestUniqueid"),
        "dest_linkedid": h.text("DestLinkedid"),
        "dial_string": h.text("DialString"),
    }


def _confbridge_fields(h: _Headers) -> dict[str, Any]:
    return _channel_fields(h) | {"conference": h.text("Conference"), "admin": h.flag("Admin")}


def _bridge_fields(h: _Headers) -> dict[str, Any]:
    return _channel_fields(h) | {
        "bridge_uniqueid": h.text("BridgeUniqueid"),
        "bridge_type": h.text("BridgeType"),
    }


_Builder = Callable[[_Headers], tuple[type[AmiEvent], dict[str, Any]]]

_BUILDERS: dict[str, _Builder] = {
    "newchannel": lambda h: (Newchannel, _channel_fields(h)),
    "newstate": lambda h: (Newstate, _channel_fields(h)),
    "hangup": lambda h: (
        Hangup,
        _channel_fields(h) | {"cause": h.number("Cause"), "cause_txt": h.text("Cause-txt")},
    ),
    "dialbegin": lambda h: (DialBegin, _dial_fields(h)),
    "dialstate": lambda h: (DialState, _dial_fields(h) | {"dial_status": h.text("DialStatus")}),
    "dialend": lambda h: (DialEnd, _dial_fields(h) | {"dial_status": h.text("DialStatus")}),
    "varset": lambda h: (
        VarSet,
        _channel_fields(h) | {"variable": h.text("Variable"), "value": h.text("Value")},
    ),
    "userevent": lambda h: (UserEvent, _channel_fields(h) | {"user_event": h.text("UserEvent")}),
    "originateresponse": lambda h: (
        OriginateResponse,
        {
            "action_id": h.text("ActionID"),
            "response": h.text("Response"),
            "channel": h.text("Channel"),
            "uniqueid": h.text("Uniqueid"),
            "reason": h.number("Reason"),
        },
    ),
    "confbridgejoin": lambda h: (ConfbridgeJoin, _confbridge_fields(h)),
    "confbridgeleave": lambda h: (ConfbridgeLeave, _confbridge_fields(h)),
    "confbridgetalking": lambda h: (
        ConfbridgeTalking,
        _confbridge_fields(h) | {"talking": h.flag("TalkingStatus")},
    ),
    "bridgeenter": lambda h: (BridgeEnter, _bridge_fields(h)),
    "bridgeleave": lambda h: (BridgeLeave, _bridge_fields(h)),
    "coreshowchannel": lambda h: (
        CoreShowChannel,
        _channel_fields(h)
        | {
            "application": h.text("Application"),
            "application_data": h.text("ApplicationData"),
            "duration": h.text("Duration"),
            "bridge_id": h.text("BridgeId"),
        },
    ),
    "coreshowchannelscomplete": lambda h: (
        CoreShowChannelsComplete,
        {"list_items": h.number("ListItems")},
    ),
    "fullybooted": lambda h: (FullyBooted, {}),
    "shutdown": lambda h: (Shutdown, {"restart": h.flag("Restart")}),
    ORIGINATE_REQUESTED.lower(): lambda h: (
        OriginateRequested,
        {"call_id": h.text("CallId"), "other_id": h.text("OtherId"), "target": h.text("Target")},
    ),
    ORIGINATE_REJECTED.lower(): lambda h: (
        OriginateRejected,
        {"call_id": h.text("CallId"), "message": h.text("Message")},
    ),
    SESSION_CONNECTED.lower(): lambda h: (SessionConnected, {"generation": h.number("Generation")}),
    SESSION_LOST.lower(): lambda h: (
        SessionLost,
        {"generation": h.number("Generation"), "reason": h.text("Reason")},
    ),
}


def parse_event(headers: Mapping[str, Any]) -> AmiEvent:
    """The typed event for one AMI message's headers (``AmiEvent`` if the name is unknown)."""
    raw = normalize(headers)
    h = _Headers(raw)
    name = h.text("Event")
    builder = _BUILDERS.get(name.lower())
    timestamp = h.real("Timestamp")
    if builder is None:
        return AmiEvent(name=name, timestamp=timestamp, headers=raw)
    cls, values = builder(h)
    return cls(name=name, timestamp=timestamp, headers=raw, **values)
