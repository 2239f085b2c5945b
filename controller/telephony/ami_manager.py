"""panoramisk 1.4 adapted to :class:`~controller.telephony.ami.AmiSession`: one Manager per
connection, with panoramisk's own reconnect, ping and re-send of unanswered actions switched
off (the session does each on its own terms), and every event handed to the session."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol

if TYPE_CHECKING:
    from controller.telephony.ami import AmiSession


class SessionProtocol(AMIProtocol):
    """Also publishes OriginateResponse events, which panoramisk hands only to the action."""

    def handle_message(self, message: Any) -> None:
        if str(message.get("Event", "")).lower() == "originateresponse":
            self.factory._session._on_event(message)
        super().handle_message(message)


class SessionManager(Manager):
    """panoramisk's Manager with its own reconnect, ping and re-send switched off."""

    def __init__(self, session: AmiSession, **config: Any) -> None:
        super().__init__(**config)
        self._session = session
        self.established = False

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if f.cancelled() or f.exception() is not None:
            return  # the session's connect step sees the error and backs off
        super().connection_made(f)

    def connection_lost(self, exc: Any) -> None:
        self._connected = False
        self._session._connection_lost(self, "connection_lost")

    def ping(self) -> None:
        """Replaced by the session's watchdog, which checks the replies."""

    async def send_awaiting_actions(self, *_: Any) -> None:
        self.awaiting_actions.clear()

    def dispatch(self, event: Any) -> list[str]:
        if str(event.get("Event", "")).lower() != "originateresponse":  # published already
            self._session._on_event(event)
        return []
