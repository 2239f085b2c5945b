"""FastAGI server: the dialplan asks the controller two questions during a call.

- ``handoff`` (an answered callee judged a person): which volunteer's conference to join?
  The handler returns a conference name, or ``None`` for the safe-harbor message (dropped).
- ``pin`` (a volunteer dialing in): whose PIN is this? The handler returns a
  :class:`PinDecision`: the conference to join, or why not.

Handlers are injectable ``async`` callables, so the engine plugs in its own. A handler that
fails or takes longer than ``timeout`` gets the safe answer (no conference), never a stuck
call. Built on panoramisk's FastAGI ``Application`` (async routes only).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from panoramisk.fast_agi import Application, Request

from controller.ids import parse_id

log = logging.getLogger(__name__)

_ROOM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
PIN_RESULTS = ("ok", "wrong_pin", "bank_ended", "bank_not_running")


@dataclass(frozen=True)
class HandoffRequest:
    call_id: str
    amd_status: str
    channel: str
    uniqueid: str


@dataclass(frozen=True)
class PinRequest:
    pin: str
    attempt: int
    caller_id: str
    channel: str
    uniqueid: str


@dataclass(frozen=True)
class PinDecision:
    """``conference`` when the PIN is accepted; otherwise ``result`` says why not."""

    result: str = "wrong_pin"
    conference: str | None = None

    @classmethod
    def accept(cls, conference: str) -> PinDecision:
        return cls("ok", conference)


HandoffHandler = Callable[[HandoffRequest], Awaitable[str | None]]
PinHandler = Callable[[PinRequest], Awaitable[PinDecision]]


async def no_volunteer(request: HandoffRequest) -> str | None:
    """Default hand-off: nobody is free (the callee hears the safe-harbor message)."""
    return None


async def refuse_pin(request: PinRequest) -> PinDecision:
    """Default PIN check: no PIN is valid."""
    return PinDecision("wrong_pin")


class _App(Application):
    """panoramisk's Application, with a bounded, EOF-safe read of the request headers."""

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\n\n"), timeout=5)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        lines = head.decode(self.default_encoding, errors="replace").splitlines()
        headers = dict(line.split(": ", 1) for line in lines if ": " in line)
        route = self._route.get(headers.get("agi_network_script", ""))
        if route is None:
            log.error("FastAGI: no route for %r", headers.get("agi_network_script"))
        else:
            request = Request(self, headers, reader, writer, self.default_encoding)
            try:
                await route(request)
            except Exception:
                log.exception("FastAGI route %s failed", headers.get("agi_network_script"))
        writer.close()


def _arg(headers: dict[str, Any], n: int) -> str:
    return str(headers.get(f"agi_arg_{n}", "")).strip()


class FastAgiServer:
    """Serve ``handoff`` and ``pin`` on ``host:port`` (loopback by default)."""

    def __init__(
        self,
        handoff: HandoffHandler = no_volunteer,
        check_pin: PinHandler = refuse_pin,
        host: str = "127.0.0.1",
        port: int = 4573,
        timeout: float = 5.0,
    ) -> None:
        self.handoff = handoff
        self.check_pin = check_pin
        self.host = host
        self.port = port
        self.timeout = timeout
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        app = _App()
        app.add_route("handoff", self._handoff)
        app.add_route("pin", self._pin)
        self._server = await asyncio.start_server(
            app.handler, self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FastAgiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handoff(self, request: Request) -> None:
        h = request.headers
        req = HandoffRequest(
            _arg(h, 1), _arg(h, 2), h.get("agi_channel", ""), h.get("agi_uniqueid", "")
        )
        conference: str | None = None
        try:
            conference = await asyncio.wait_for(self.handoff(req), self.timeout)
        except Exception:
            log.exception("hand-off handler failed for call %s", req.call_id)
        if conference and not _ROOM.match(conference):
            log.error("hand-off handler returned an unusable conference %r", conference)
            conference = None
        await _set(request, "PB_CONFERENCE", conference or "")

    async def _pin(self, request: Request) -> None:
        h = request.headers
        attempt = parse_id(_arg(h, 2), maximum=1000) or 0
        req = PinRequest(
            _arg(h, 1), attempt, _arg(h, 3), h.get("agi_channel", ""), h.get("agi_uniqueid", "")
        )
        decision = PinDecision("wrong_pin")
        try:
            decision = await asyncio.wait_for(self.check_pin(req), self.timeout)
        except Exception:
            log.exception("PIN handler failed")
        conference = decision.conference if decision.result == "ok" else None
        if conference and not _ROOM.match(conference):
            conference = None
        result = decision.result if decision.result in PIN_RESULTS else "wrong_pin"
        if result == "ok" and not conference:
            result = "wrong_pin"
        await _set(request, "PB_PIN_RESULT", result)
        await _set(request, "PB_CONFERENCE", conference or "")


async def _set(request: Request, name: str, value: str) -> None:
    await request.send_command(f'SET VARIABLE {name} "{value}"')
