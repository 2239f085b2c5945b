"""A volunteer's "Leave voicemail message": what happened to it, told on the bus.

When a volunteer presses the button, the machine's leg leaves their room for the dialplan's
``phonebank-leave-voicemail`` context, which waits for the greeting to end and then plays
the bank's message. The engine follows that leg and publishes (topic ``voicemail``, the
bank's id, ``volunteer_id``, ``call_id``, ``state``, ``at``): ``waiting_for_beep`` when
asked, then ``left`` when the message was played to the end, or ``not_left`` when the line
ended first (the machine hung up during its greeting); ``unknown`` when the leg ended while
the connection to the PBX was down (the call screen then shows nothing about it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from controller.telephony import ami_events as ev

if TYPE_CHECKING:
    from controller.engine.engine import Engine

LEFT_EVENT = "PhonebankVoicemail"


@dataclass(frozen=True)
class Ask:
    bank_id: int
    volunteer_id: int
    call_id: str
    channel: str


def asked(engine: Engine, ask: Ask) -> None:
    """The machine's leg is on its way to the message: followed until it is left or gone."""
    engine.voicemails[ask.call_id] = ask
    _publish(engine, ask, "waiting_for_beep")


def on_event(engine: Engine, event: ev.AmiEvent) -> None:
    """The dialplan's word that the message was left, or the leg's hangup before it; after
    a reconnect, the PBX's channel listing (a leg not listed ended while the connection was
    down: what became of its message is not known)."""
    _follow_listing(engine, event)
    if not engine.voicemails:
        return
    if isinstance(event, ev.UserEvent) and event.user_event == LEFT_EVENT:
        ask = engine.voicemails.pop(event.headers.get("CallId", ""), None)
        if ask is not None:
            _publish(engine, ask, "left" if event.headers.get("Status") == "left" else "not_left")
    elif isinstance(event, ev.Hangup):
        for ask in [a for a in engine.voicemails.values() if a.channel == event.channel]:
            del engine.voicemails[ask.call_id]
            _publish(engine, ask, "not_left")


def _follow_listing(engine: Engine, event: ev.AmiEvent) -> None:
    if isinstance(event, ev.SessionConnected):
        engine.voicemail_listed = set()
    elif isinstance(event, ev.CoreShowChannel) and engine.voicemail_listed is not None:
        engine.voicemail_listed.add(event.channel)
    elif isinstance(event, ev.CoreShowChannelsComplete) and engine.voicemail_listed is not None:
        listed, engine.voicemail_listed = engine.voicemail_listed, None
        for ask in [a for a in engine.voicemails.values() if a.channel not in listed]:
            del engine.voicemails[ask.call_id]
            _publish(engine, ask, "unknown")


def _publish(engine: Engine, ask: Ask, state: str) -> None:
    engine.bus.publish(
        "voicemail", ask.bank_id, volunteer_id=ask.volunteer_id, call_id=ask.call_id,
        state=state, at=engine.clock(),
    )  # fmt: skip
