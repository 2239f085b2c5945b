"""Pure call tracker: typed AMI events in, call state transitions out.

A call is known by our own call id: the session publishes :class:`OriginateRequested` (state
``queued``) before it sends the Originate whose ``ChannelId`` is that id (``OtherChannelId``, the
``;2`` side of a Local channel, is the call's ``other_id``). Every channel whose unique id or
linked id leads back to a call belongs to it, and so does the destination of a ``DialBegin``
from one of its channels (the trunk leg). The states and the rules that move them are in
:mod:`controller.telephony.call_states` (re-exported here). After a reconnect, a
``CoreShowChannels`` listing re-syncs the tracker: a call none of whose channels is listed any
more ends with reason ``lost`` (and comes back to life if events for it show up later).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.telephony import ami_events as ev
from controller.telephony.call_states import (
    CAUSE_OUTCOMES,
    LOST,
    TERMINAL,
    VERDICTS,
    Call,
    CallState,
    S,
    Transition,
    advance,
    end_outcome,
)

__all__ = [
    "LOST",
    "ORIGINATE_ACTION_PREFIX",
    "TERMINAL",
    "Call",
    "CallState",
    "CallTracker",
    "Transition",
]

# The dialplan's events about an outbound call (pbx-extensions.conf.j2): only these may name
# the call by a CallId header (from a Local channel's half); a volunteer's or a caller's
# event carries what they dialed or sent, never trusted to name a call.
CALL_EVENTS = frozenset(
    {"phonebankdialresult", "phonebankanswered", "phonebankamd", "phonebankbridged",
     "phonebankdropped", "phonebankvoicemail"}
)  # fmt: skip

ORIGINATE_ACTION_PREFIX = "originate/"


class CallTracker:
    """Feed it every event from the session; it returns the transitions each one caused."""

    def __init__(self, verdict_variable: str = "AMDSTATUS") -> None:
        self.calls: dict[str, Call] = {}
        self._owner: dict[str, str] = {}
        self._listing: list[ev.CoreShowChannel] = []
        # Between a (re)connect and the end of its listing: channels seen new / hung up.
        self._syncing = False
        self._fresh: set[str] = set()
        self._gone: set[str] = set()
        self._verdict_variable = verdict_variable.upper()
        self._now = 0.0

    def get(self, call_id: str) -> Call | None:
        return self.calls.get(call_id)

    def active(self) -> list[Call]:
        return [c for c in self.calls.values() if not c.finished]

    def expect(self, call_id: str, other_id: str = "", at: float | None = None) -> list[Transition]:
        """Follow a call placed before this tracker existed (e.g. after a controller restart,
        from the store's unfinished attempts); the next re-sync listing settles it."""
        headers = {"Event": ev.ORIGINATE_REQUESTED, "CallId": call_id, "OtherId": other_id}
        return self.feed(ev.parse_event(headers), now=at)

    def forget(self, call_id: str) -> None:
        """Drop a finished call (its channels are forgotten with it)."""
        self.calls.pop(call_id, None)
        for uniqueid in [u for u, c in self._owner.items() if c == call_id]:
            del self._owner[uniqueid]

    def feed(self, event: ev.AmiEvent, now: float | None = None) -> list[Transition]:
        if event.timestamp is not None:
            self._now = event.timestamp
        elif now is not None:
            self._now = now
        out: list[Transition] = []
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event, out)
        return out

    # -- bookkeeping -----------------------------------------------------------------------

    def _advance(
        self,
        call: Call,
        new: CallState,
        out: list[Transition],
        reason: str = "",
        cause: int | None = None,
    ) -> None:
        t = advance(call, new, self._now, reason, cause)
        if t is not None:
            out.append(t)

    def _call_of(self, uniqueid: str, linkedid: str = "") -> Call | None:
        call_id = self._owner.get(uniqueid)
        if call_id is None and linkedid in self.calls:
            call_id = linkedid
        if call_id is None and uniqueid in self.calls:
            call_id = uniqueid
        return self.calls.get(call_id) if call_id else None

    def _adopt(self, call: Call, uniqueid: str, channel: str) -> None:
        if uniqueid:
            self._owner[uniqueid] = call.call_id
            call.live[uniqueid] = channel
            if self._syncing:
                self._fresh.add(uniqueid)

    def _finish(self, call: Call, out: list[Transition]) -> None:
        state, reason = end_outcome(call)
        self._advance(call, state, out, reason=reason, cause=call.cause)

    # -- event handlers --------------------------------------------------------------------

    def _on_requested(self, e: ev.OriginateRequested, out: list[Transition]) -> None:
        if not e.call_id or e.call_id in self.calls:
            return
        call = Call(e.call_id, other_id=e.other_id, target=e.target)
        self.calls[e.call_id] = call
        if e.other_id:
            self._owner[e.other_id] = e.call_id
        t = Transition(e.call_id, None, S.QUEUED, self._now)
        call.history.append(t)
        out.append(t)

    def _on_rejected(self, e: ev.OriginateRejected, out: list[Transition]) -> None:
        call = self.calls.get(e.call_id)
        if call is not None and not call.live:
            self._advance(call, S.FAILED, out, reason="originate_rejected")

    def _on_newchannel(self, e: ev.Newchannel, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid, e.linkedid)
        if call is not None:
            self._adopt(call, e.uniqueid, e.channel)
            self._advance(call, S.DIALING, out)

    def _on_newstate(self, e: ev.Newstate, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid)
        if call is None:
            return
        if e.state == ev.STATE_RINGING:
            self._advance(call, S.RINGING, out)
        elif e.state == ev.STATE_UP:
            self._advance(call, S.ANSWERED, out)

    def _on_dial(self, e: ev.DialBegin, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid) or self._call_of(e.dest_uniqueid, e.dest_linkedid)
        if call is None:
            return
        if e.dest_uniqueid and e.dest_uniqueid != call.call_id:
            call.trunk_uniqueid = e.dest_uniqueid
            self._owner[e.dest_uniqueid] = call.call_id
        if isinstance(e, ev.DialEnd | ev.DialState):
            self._on_dial_status(call, e.dial_status, out)
        else:
            self._advance(call, S.DIALING, out)

    def _on_dial_status(self, call: Call, status: str, out: list[Transition]) -> None:
        status = status.upper()
        if status == "ANSWER":
            self._advance(call, S.ANSWERED, out)
        elif status == "RINGING":
            self._advance(call, S.RINGING, out)
        elif status:
            call.dial_status = status

    def _on_varset(self, e: ev.VarSet, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid)
        if call is not None:
            self._on_variable(call, e.variable.upper(), e.value, out)

    def _on_variable(self, call: Call, name: str, value: str, out: list[Transition]) -> None:
        if name == "DIALSTATUS":
            self._on_dial_status(call, value, out)
        elif name == self._verdict_variable and value.upper() in VERDICTS:
            state, reason = VERDICTS[value.upper()]
            self._advance(call, state, out, reason=reason)

    def _on_user_event(self, e: ev.UserEvent, out: list[Transition]) -> None:
        """The dialplan's UserEvents (``CallId``, ``DialStatus``, ``AmdStatus`` headers) report
        like VarSet; ``PhonebankBridged`` and ``PhonebankDropped`` mark the hand-off."""
        headers = {k.upper(): v for k, v in e.headers.items()}
        call = self._call_of(e.uniqueid)
        if call is None and e.user_event.lower() in CALL_EVENTS:  # never another's event
            call = self.calls.get(headers.get("CALLID", ""))
        if call is None:
            return
        for name in ("DIALSTATUS", self._verdict_variable):
            if name in headers:
                self._on_variable(call, name, headers[name], out)
        kind = e.user_event.lower()
        if kind == "phonebankbridged":
            self._advance(call, S.BRIDGED, out, reason=headers.get("CONFERENCE", ""))
        elif kind == "phonebankdropped":
            self._advance(call, S.DROPPED, out, reason="no_volunteer")

    def _on_confbridge_join(self, e: ev.ConfbridgeJoin, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid)
        if call is not None:
            self._advance(call, S.BRIDGED, out, reason=e.conference)

    def _on_hangup(self, e: ev.Hangup, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid)
        if call is None:
            return
        vague = call.cause is None or (not call.trunk_uniqueid and call.cause not in CAUSE_OUTCOMES)
        if e.uniqueid == call.trunk_uniqueid or vague:
            call.cause = e.cause
        call.live.pop(e.uniqueid, None)
        if self._syncing:
            self._gone.add(e.uniqueid)
        if not call.live:
            self._finish(call, out)

    def _on_originate_response(self, e: ev.OriginateResponse, out: list[Transition]) -> None:
        call = self._call_of(e.uniqueid) if e.uniqueid else None
        if call is None and e.action_id.startswith(ORIGINATE_ACTION_PREFIX):
            call = self.calls.get(e.action_id.removeprefix(ORIGINATE_ACTION_PREFIX))
        if call is None or e.success:
            return
        call.originate_reason = e.reason
        if not call.live:
            self._finish(call, out)

    def _on_listed(self, e: ev.CoreShowChannel, out: list[Transition]) -> None:
        self._listing.append(e)

    def _on_listing_done(self, e: ev.CoreShowChannelsComplete, out: list[Transition]) -> None:
        """Re-sync: a channel is live if listed (and not hung up since) or seen since the
        reconnect; a call with no live channel left ended while we were away."""
        listing, self._listing = self._listing, []
        listed: dict[str, list[ev.CoreShowChannel]] = {}
        for item in listing:
            call = self._call_of(item.uniqueid, item.linkedid)
            if call is not None and item.uniqueid not in self._gone:
                listed.setdefault(call.call_id, []).append(item)
        fresh, self._syncing, self._fresh, self._gone = self._fresh, False, set(), set()
        for call in list(self.calls.values()):
            items = listed.get(call.call_id, [])
            if call.finished and not (items and call.reason == LOST):
                continue
            call.live = {u: name for u, name in call.live.items() if u in fresh}
            for item in items:
                self._adopt(call, item.uniqueid, item.channel)
            if not call.live:
                self._advance(call, S.ENDED, out, reason=LOST)
            elif any(i.state == ev.STATE_UP for i in items):
                self._advance(call, S.ANSWERED, out)
            else:
                self._advance(call, S.DIALING, out)

    def _on_connected(self, e: ev.SessionConnected, out: list[Transition]) -> None:
        self._listing, self._syncing, self._fresh, self._gone = [], True, set(), set()


_Handler = Callable[[CallTracker, Any, list[Transition]], None]
_HANDLERS: dict[type[ev.AmiEvent], _Handler] = {
    ev.OriginateRequested: CallTracker._on_requested,
    ev.OriginateRejected: CallTracker._on_rejected,
    ev.Newchannel: CallTracker._on_newchannel,
    ev.Newstate: CallTracker._on_newstate,
    ev.DialBegin: CallTracker._on_dial,
    ev.DialState: CallTracker._on_dial,
    ev.DialEnd: CallTracker._on_dial,
    ev.VarSet: CallTracker._on_varset,
    ev.UserEvent: CallTracker._on_user_event,
    ev.ConfbridgeJoin: CallTracker._on_confbridge_join,
    ev.Hangup: CallTracker._on_hangup,
    ev.OriginateResponse: CallTracker._on_originate_response,
    ev.CoreShowChannel: CallTracker._on_listed,
    ev.CoreShowChannelsComplete: CallTracker._on_listing_done,
    ev.SessionConnected: CallTracker._on_connected,
}
