"""Closing many sockets at shutdown: each close is started before any has to finish."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import WSCloseCode, web

from web.phones import close_all


class HalfOpenSocket:
    """Its close() finishes only once every socket's close has begun, as a peer that never
    answers the close frame holds each one until the close timeout."""

    def __init__(self, started: list[HalfOpenSocket], everyone: int, all_started: asyncio.Event):
        self.started, self.everyone, self.all_started = started, everyone, all_started
        self.closed_with: tuple[int, bytes] | None = None

    async def close(self, *, code: int, message: bytes) -> bool:
        self.started.append(self)
        if len(self.started) == self.everyone:
            self.all_started.set()
        await self.all_started.wait()
        self.closed_with = (code, message)
        return True


async def test_given_three_half_open_sockets_when_closed_all_then_every_close_starts_at_once() -> (
    None
):
    started: list[HalfOpenSocket] = []
    event = asyncio.Event()
    sockets = [HalfOpenSocket(started, 3, event) for _ in range(3)]
    one_by_one_would_hang = close_all(cast(list[web.WebSocketResponse], sockets), b"bye")
    closed = await asyncio.wait_for(one_by_one_would_hang, timeout=30)
    assert closed == 3 and len(started) == 3
    assert all(s.closed_with == (WSCloseCode.GOING_AWAY, b"bye") for s in sockets)


async def test_given_no_sockets_when_closed_all_then_nothing_is_closed() -> None:
    assert await close_all(cast(list[Any], []), b"bye") == 0
