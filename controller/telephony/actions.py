"""Typed AMI actions over an :class:`~controller.telephony.ami.AmiSession`.

Each function checks its arguments (``AmiError(code="invalid_request")`` before anything is
sent), sends one action, and returns a typed result or raises ``AmiError`` with a code:
``not_connected``, ``disconnected``, ``timeout``, or the action's own (``originate_rejected``,
``no_such_channel``, ``no_such_conference``, ``action_failed``).

An ``Async`` Originate resolves only when the call is answered or fails, so
:func:`originate` can take as long as the ring timeout: run each one as its own task
(:func:`originate_task`) and follow the call on the tracker meanwhile.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiError, AmiSession
from controller.telephony.tracker import ORIGINATE_ACTION_PREFIX

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_SAFE = re.compile(r"^[^\r\n]*$")
NO_SUCH_CHANNEL = ("no such channel", "channel specified does not exist")


@dataclass(frozen=True)
class OriginateRequest:
    """Dial ``channel``; on answer run ``context,exten,priority`` or ``application(data)``.

    ``call_id`` names the channel (its Uniqueid); a Local channel's ``;2`` side is named
    ``other_id`` (default ``<call_id>-2``).
    """

    call_id: str
    channel: str
    context: str = ""
    exten: str = "s"
    priority: int = 1
    application: str = ""
    data: str = ""
    other_id: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    caller_id: str = ""
    timeout: float = 30.0

    @property
    def local(self) -> bool:
        return self.channel.lower().startswith("local/")

    @property
    def second_id(self) -> str:
        return self.other_id or (f"{self.call_id}-2" if self.local else "")


@dataclass(frozen=True)
class OriginateResult:
    call_id: str
    answered: bool
    reason: int
    channel: str


@dataclass(frozen=True)
class ConferenceMember:
    conference: str
    channel: str
    uniqueid: str
    caller_id_num: str
    admin: bool
    muted: bool


OUTBOUND_CONTEXT = "phonebank-outbound"
ANSWERED_CONTEXT = "phonebank-answered"


def outbound_call(
    call_id: str,
    number: str,
    *,
    caller_id: str = "",
    ring_timeout: int = 0,
    voicemail: bool = False,
    allowed_pattern: str = "",
) -> OriginateRequest:
    """The dialplan's outbound call: ``Local/<number>@phonebank-outbound/n`` rings the callee
    over the trunk; on answer the call runs AMD and the hand-off in ``phonebank-answered``.

    ``allowed_pattern`` (the trunk's) is checked here: nothing else reaches the trunk.
    """
    if not re.match(r"^\+?[0-9]{3,20}$", number):
        raise AmiError("invalid_request", f"number {number!r} is not a dialable E.164 number")
    if allowed_pattern and not re.match(allowed_pattern, number):
        raise AmiError("number_not_allowed", f"number {number} is outside the allowed pattern")
    variables = {"PB_CALL_ID": call_id}
    if caller_id:
        variables["PB_CALLER_ID"] = caller_id
    if ring_timeout:
        variables["PB_RING_TIMEOUT"] = str(ring_timeout)
    if voicemail:
        variables["PB_VOICEMAIL"] = "1"
    return OriginateRequest(
        call_id=call_id,
        channel=f"Local/{number}@{OUTBOUND_CONTEXT}/n",
        context=ANSWERED_CONTEXT,
        variables=variables,
        timeout=float(ring_timeout or 30) + 5.0,
    )


def _check(**values: str) -> None:
    for name, value in values.items():
        if not _SAFE.match(value):
            raise AmiError("invalid_request", f"{name} must be one line")


def _validate(req: OriginateRequest) -> None:
    if not CALL_ID.match(req.call_id):
        raise AmiError("invalid_request", f"call id {req.call_id!r} must be 1-63 of A-Za-z0-9._-")
    if req.other_id and not CALL_ID.match(req.other_id):
        raise AmiError("invalid_request", f"other id {req.other_id!r} is not a valid call id")
    if not req.channel or "/" not in req.channel:
        raise AmiError("invalid_request", f"channel {req.channel!r} must look like TECH/resource")
    if bool(req.context) == bool(req.application):
        raise AmiError("invalid_request", "give either a context or an application")
    if req.timeout <= 0:
        raise AmiError("invalid_request", "timeout must be positive")
    _check(channel=req.channel, context=req.context, exten=req.exten, data=req.data)
    _check(application=req.application, caller_id=req.caller_id)
    for key, value in req.variables.items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_()]*$", key):
            raise AmiError("invalid_request", f"variable name {key!r} is not valid")
        _check(**{key: value})


def originate_action(req: OriginateRequest) -> dict[str, Any]:
    action: dict[str, Any] = {
        "Action": "Originate",
        "ActionID": ORIGINATE_ACTION_PREFIX + req.call_id,
        "Channel": req.channel,
        "ChannelId": req.call_id,
        "Timeout": str(int(req.timeout * 1000)),
        "Async": "true",
    }
    if req.second_id:
        action["OtherChannelId"] = req.second_id
    if req.context:
        action |= {"Context": req.context, "Exten": req.exten, "Priority": str(req.priority)}
    else:
        action |= {"Application": req.application, "Data": req.data}
    if req.caller_id:
        action["CallerID"] = req.caller_id
    if req.variables:
        action["Variable"] = [f"{k}={v}" for k, v in req.variables.items()]
    return action


async def originate(session: AmiSession, req: OriginateRequest) -> OriginateResult:
    """Place one call; returns when it is answered or has failed. Never retried here."""
    _validate(req)
    if not session.connected:
        raise AmiError("not_connected", "AMI not connected; the call was not placed")
    session.publish(
        {
            "Event": ev.ORIGINATE_REQUESTED,
            "CallId": req.call_id,
            "OtherId": req.second_id,
            "Target": req.channel,
        }
    )
    try:
        reply = await session.send(originate_action(req), timeout=req.timeout + 60.0)
    except AmiError as exc:
        if exc.code == "not_connected":
            session.publish({"Event": ev.ORIGINATE_REJECTED, "CallId": req.call_id})
        raise
    messages = reply if isinstance(reply, list) else [reply]
    final = messages[-1]
    if "Event" not in final:  # only a Response: Asterisk refused the Originate itself
        text = str(final.get("Message", ""))
        session.publish({"Event": ev.ORIGINATE_REJECTED, "CallId": req.call_id, "Message": text})
        raise AmiError("originate_rejected", text, final)
    event = ev.parse_event(final)
    if not isinstance(event, ev.OriginateResponse):
        raise AmiError("action_failed", f"unexpected reply {event.name}", final)
    return OriginateResult(req.call_id, event.success, event.reason, event.channel)


def originate_task(session: AmiSession, req: OriginateRequest) -> asyncio.Task[OriginateResult]:
    """``originate`` as its own task (validated first, so bad input raises here)."""
    _validate(req)
    return asyncio.get_running_loop().create_task(originate(session, req), name=req.call_id)


async def _simple(session: AmiSession, action: dict[str, Any]) -> Any:
    reply = await session.send(action)
    if not reply.success:
        text = str(reply.get("Message", ""))
        code = "no_such_channel" if text.lower().startswith(NO_SUCH_CHANNEL) else "action_failed"
        raise AmiError(code, f"{action['Action']}: {text}", reply)
    return reply


async def hangup(session: AmiSession, channel: str, cause: int = 16) -> None:
    """Hang up ``channel`` with a Q.850 cause (16 normal clearing)."""
    _check(channel=channel)
    if not 0 < cause < 128:
        raise AmiError("invalid_request", "cause must be 1..127")
    await _simple(session, {"Action": "Hangup", "Channel": channel, "Cause": str(cause)})


async def redirect(
    session: AmiSession, channel: str, context: str, exten: str, priority: int | str = 1
) -> None:
    """Send ``channel`` to ``context,exten,priority`` of the dialplan (a priority number or
    a label of that extension)."""
    _check(channel=channel, context=context, exten=exten)
    action = {"Action": "Redirect", "Channel": channel, "Context": context, "Exten": exten}
    await _simple(session, action | {"Priority": str(priority)})


async def set_variable(session: AmiSession, channel: str, name: str, value: str) -> None:
    _check(channel=channel, name=name, value=value)
    action = {"Action": "Setvar", "Channel": channel, "Variable": name, "Value": value}
    await _simple(session, action)


async def get_variable(session: AmiSession, channel: str, name: str) -> str:
    _check(channel=channel, name=name)
    reply = await _simple(session, {"Action": "Getvar", "Channel": channel, "Variable": name})
    return str(reply.get("Value", ""))


PLAYBACK_CONTEXT = "phonebank-playback"


async def playback(session: AmiSession, channel: str, sound: str) -> None:
    """Play the prompt ``sound`` (e.g. ``goodbye``) on ``channel``, then end its call.

    The channel leaves whatever it was doing for the dialplan's ``phonebank-playback``
    context, which reports ``UserEvent PhonebankPlayback`` (``Status``) when done.
    """
    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", sound):
        raise AmiError("invalid_request", f"sound {sound!r} is not a prompt name")
    await set_variable(session, channel, "PB_SOUND", sound)
    await redirect(session, channel, PLAYBACK_CONTEXT, "s")


async def confbridge_kick(session: AmiSession, conference: str, channel: str = "all") -> None:
    _check(conference=conference, channel=channel)
    action = {"Action": "ConfbridgeKick", "Conference": conference, "Channel": channel}
    try:
        await _simple(session, action)
    except AmiError as exc:
        if exc.code == "action_failed" and "no conference" in exc.message.lower():
            raise AmiError("no_such_conference", exc.message, exc.response) from None
        raise


async def confbridge_list(session: AmiSession, conference: str) -> list[ConferenceMember]:
    """Who is in ``conference`` (an empty list if it does not exist)."""
    _check(conference=conference)
    action = {"Action": "ConfbridgeList", "Conference": conference}
    reply = await session.send(action)
    members = []
    for msg in reply if isinstance(reply, list) else [reply]:
        if str(msg.get("Event", "")).lower() == "confbridgelist":
            h = ev.normalize(msg)
            members.append(
                ConferenceMember(
                    conference=h.get("Conference", conference),
                    channel=h.get("Channel", ""),
                    uniqueid=h.get("Uniqueid", ""),
                    caller_id_num=h.get("CallerIDNum", ""),
                    admin=h.get("Admin", "").lower() == "yes",
                    muted=h.get("Muted", "").lower() == "yes",
                )
            )
    return members


async def core_show_channels(session: AmiSession) -> list[ev.CoreShowChannel]:
    reply = await session.send({"Action": "CoreShowChannels"})
    events = [ev.parse_event(m) for m in (reply if isinstance(reply, list) else [reply])]
    return [e for e in events if isinstance(e, ev.CoreShowChannel)]
