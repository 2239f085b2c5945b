"""The PBX's WebSocket transport takes a browser phone per volunteer: a big phone bank's
volunteers all connect at once, past Asterisk's default limit of 100 HTTP sessions."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from .conftest import PbxPairInfo

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(120)]
PHONES = 150


async def test_given_150_browser_phones_when_all_connect_at_once_then_each_socket_is_open_and_answered(  # noqa: E501
    pbx_pair: PbxPairInfo,
) -> None:
    url = f"ws://127.0.0.1:{pbx_pair.settings.pbx.http_port}/ws"
    options = "OPTIONS sip:phonebank SIP/2.0\r\nVia: SIP/2.0/WS capacity.invalid;branch=z9hG4bK{n}\r\nMax-Forwards: 70\r\nFrom: <sip:probe@capacity.invalid>;tag={n}\r\nTo: <sip:phonebank>\r\nCall-ID: capacity-{n}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"  # noqa: E501
    async with contextlib.AsyncExitStack() as stack:
        unlimited = aiohttp.TCPConnector(limit=0)  # the client's own default is 100 sockets
        http = await stack.enter_async_context(aiohttp.ClientSession(connector=unlimited))
        sockets = []
        for _ in range(PHONES):  # all held open together
            opening = stack.enter_async_context(http.ws_connect(url, protocols=("sip",)))
            sockets.append(await asyncio.wait_for(opening, timeout=10))
        answers = []
        for n, ws in enumerate(sockets):  # each still talks to the PBX with all the others open
            await ws.send_str(options.format(n=n))
            reply = await asyncio.wait_for(ws.receive(), timeout=10)
            answers.append(
                reply.type == aiohttp.WSMsgType.TEXT and reply.data.startswith("SIP/2.0")
            )
    assert answers == [True] * PHONES
