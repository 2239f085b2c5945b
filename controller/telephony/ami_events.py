"""Typed AMI events, parsed from the raw header mappings Asterisk sends.

Pure: no sockets, no asyncio. ``parse_event`` accepts any mapping of header name to value (a
panoramisk ``Message``, a dict read back from a recording) and returns the most specific event
class it knows, or :class:`AmiEvent` itself for events it does not know (never raises on an
unknown or malformed event: a header that is missing reads as "" or its number as the default).

The event classes and header constants live in :mod:`controller.telephony.ami_event_types`
and are re-exported here, so ``ev.Hangup``, ``ev.STATE_UP`` ... read as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from controller.telephony.ami_event_types import (
    ORIGINATE_REJECTED,
    ORIGINATE_REQUESTED,
    SESSION_CONNECTED,
    SESSION_LOST,
    STATE_BUSY,
    STATE_DOWN,
    STATE_RING,
    STATE_RINGING,
    STATE_UP,
    AmiEvent,
    BridgeEnter,
    BridgeLeave,
    ChannelEvent,
    ConfbridgeEvent,
    ConfbridgeJoin,
    ConfbridgeLeave,
    ConfbridgeTalking,
    CoreShowChannel,
    CoreShowChannelsComplete,
    DialBegin,
    DialEnd,
    DialState,
    FullyBooted,
    Hangup,
    Newchannel,
    Newstate,
    OriginateRejected,
    OriginateRequested,
    OriginateResponse,
    SessionConnected,
    SessionLost,
    Shutdown,
    UserEvent,
    VarSet,
)

__all__ = [
    "ORIGINATE_REJECTED",
    "ORIGINATE_REQUESTED",
    "SESSION_CONNECTED",
    "SESSION_LOST",
    "STATE_BUSY",
    "STATE_DOWN",
    "STATE_RING",
    "STATE_RINGING",
    "STATE_UP",
    "AmiEvent",
    "BridgeEnter",
    "BridgeLeave",
    "ChannelEvent",
    "ConfbridgeEvent",
    "ConfbridgeJoin",
    "ConfbridgeLeave",
    "ConfbridgeTalking",
    "CoreShowChannel",
    "CoreShowChannelsComplete",
    "DialBegin",
    "DialEnd",
    "DialState",
    "FullyBooted",
    "Hangup",
    "Newchannel",
    "Newstate",
    "OriginateRejected",
    "OriginateRequested",
    "OriginateResponse",
    "SessionConnected",
    "SessionLost",
    "Shutdown",
    "UserEvent",
    "VarSet",
    "normalize",
    "parse_event",
]


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
