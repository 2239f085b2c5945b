"""Browser phones, as the web app serves them: credentials and the SIP WebSocket relay.

The browser never talks to the PBX's HTTP port: it opens ``/phone/ws`` on this app (same
origin, behind the login), and the app relays the frames to the PBX's WebSocket transport
on loopback. Media flows directly between the browser and the PBX (ICE, DTLS-SRTP).

``apply`` is the hook that pushes changed accounts into the PBX (write the config includes
and reload); whoever runs the PBX sets it. Without it accounts are still issued, and reach
the PBX at its next configuration render.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable

import aiohttp
from aiohttp import web

from controller.telephony.webrtc_users import REALM, ROOM_EXTEN, WebrtcAccount, WebrtcAccounts
from web.sessions import SIGNED_OUT_CLOSE

log = logging.getLogger(__name__)
Apply = Callable[[], Awaitable[None]]
StillAllowed = Callable[[], bool]
WS_PATH = "/phone/ws"
FORBIDDEN = 4403  # WebSocket close code: this socket may not carry that message
_REQUEST = re.compile(r"([A-Za-z]+)[ \t]+\S+[ \t]+SIP/2\.0[ \t]*")
_RESPONSE = re.compile(r"SIP/2\.0[ \t]+\d{3}\b.*")
_HEADER = re.compile(r"([A-Za-z-]+)[ \t]*:(.*)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_USER = re.compile(r"sips?:([^@;>\s]+)@", re.IGNORECASE)
# What a browser phone sends: registering, its call into its room, and that call's own
# requests. Anything else (MESSAGE, SUBSCRIBE, PUBLISH, REFER ...) is refused.
RELAYED = frozenset({"REGISTER", "INVITE", "ACK", "BYE", "CANCEL", "PRACK", "OPTIONS", "INFO",
                     "UPDATE"})  # fmt: skip
ENDING = frozenset({"ACK", "BYE", "CANCEL", "PRACK"})  # always let a call end (or complete)
RECHECKED = RELAYED - ENDING
NOT_SIP = ("", None)  # neither a request nor a response: refused


def _from_user(value: str) -> str | None:
    """The user of a From header's address: inside <...> when there is one (what comes
    before is a display name, whatever it looks like: a quoted one may hold < > and \"),
    else the bare address."""
    rest = value.strip()
    if rest.startswith('"'):
        end = _QUOTED.match(rest)
        if end is None:
            return None  # a quote never closed
        rest = rest[end.end() :]
    inside = rest.split("<", 1)[1].split(">", 1)[0] if "<" in rest else rest.split(";", 1)[0]
    match = _USER.match(inside.strip())
    return match.group(1) if match else None


def sip_request(message: str) -> tuple[str, str | None] | None:
    """``(method, From user)`` of a SIP request; None for a response (or a keep-alive);
    :data:`NOT_SIP` for anything else, or a request with more than one From header."""
    head = message.lstrip("\r\n").split("\r\n\r\n", 1)[0].split("\n\n", 1)[0]
    if not head.strip():
        return None  # blank lines: a keep-alive
    first, *lines = [line.rstrip("\r") for line in head.split("\n")]
    if _RESPONSE.fullmatch(first):
        return None
    request = _REQUEST.fullmatch(first)
    if request is None:
        return NOT_SIP
    senders = [
        _from_user(m.group(2))
        for m in (_HEADER.match(line) for line in lines)
        if m and m.group(1).lower() in ("from", "f")
    ]
    if len(senders) > 1:
        return NOT_SIP
    return request.group(1).upper(), senders[0] if senders else None


class SipGate:
    """What a volunteer's socket may send: a browser phone's requests (:data:`RELAYED`) from
    their own account only, and (re-checked at each but those that end a call) only while
    they may still make calls."""

    def __init__(self, username: str, still_allowed: StillAllowed) -> None:
        self.username = username
        self.still_allowed = still_allowed

    def allows(self, message: str) -> bool:
        request = sip_request(message)
        if request is None:
            return True  # responses to the PBX's own requests
        method, sender = request
        if request == NOT_SIP or sender != self.username or method not in RELAYED:
            return False
        return method not in RECHECKED or self.still_allowed()


async def close_all(sockets: Iterable[web.WebSocketResponse], message: bytes) -> int:
    """Close the sockets together, not one by one: closing waits up to its timeout for a
    half-open peer, and each such socket would add that wait. Return how many."""
    open_now = list(sockets)
    await asyncio.gather(
        *(ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=message) for ws in open_now)
    )
    return len(open_now)


class BrowserPhones:
    def __init__(self, accounts: WebrtcAccounts, upstream_url: str, apply: Apply | None = None):
        self.accounts = accounts
        self.upstream_url = upstream_url
        self.apply = apply
        self.sockets: dict[web.WebSocketResponse, int] = {}  # each relayed socket's user
        self._lock = asyncio.Lock()

    async def account_for(self, user_id: int, display_name: str) -> WebrtcAccount:
        """The volunteer's account; a new or renamed one is pushed to the PBX first."""
        async with self._lock:
            account, changed = self.accounts.ensure(user_id, display_name)
            if changed and self.apply is not None:
                await self.apply()
            return account

    async def revoke(self, user_ids: Iterable[int]) -> list[int]:
        """Take back the accounts of these users (they may no longer make calls, or are not
        signed in any more): their relayed sockets close and the PBX forgets the account, so
        the password they were given is worthless; a new one is issued when they are back.
        Returns the users whose account was taken back."""
        async with self._lock:
            gone = [uid for uid in user_ids if self.accounts.revoke(uid)]
            if gone and self.apply is not None:
                await self.apply()
        theirs = [ws for ws, uid in self.sockets.items() if uid in gone]
        await asyncio.gather(
            *(ws.close(code=SIGNED_OUT_CLOSE, message=b"signed out") for ws in theirs)
        )
        return gone

    async def drop_all(self) -> int:
        """Close every relayed socket (browsers reconnect by themselves); return how many."""
        return await close_all(self.sockets, b"relay restarting")

    async def relay(
        self, request: web.Request, gate: SipGate, user_id: int
    ) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("sip",), heartbeat=25)
        await ws.prepare(request)
        self.sockets[ws] = user_id
        try:
            async with (
                aiohttp.ClientSession() as client,
                client.ws_connect(self.upstream_url, protocols=("sip",), heartbeat=25) as up,
            ):
                await _pump_both(ws, up, gate)
        except (aiohttp.ClientError, OSError) as exc:  # closing tells the browser to retry
            log.warning("browser phone: the PBX's WebSocket %s is unreachable: %r",
                        self.upstream_url, exc)  # fmt: skip
        finally:
            self.sockets.pop(ws, None)
            if not ws.closed:
                await ws.close(code=aiohttp.WSCloseCode.TRY_AGAIN_LATER)
        return ws


async def _pump_both(
    browser: web.WebSocketResponse, pbx: aiohttp.ClientWebSocketResponse, gate: SipGate
) -> None:
    async def to_pbx() -> None:
        async for msg in browser:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue  # SIP over WebSocket is text; nothing else is relayed
            if not gate.allows(msg.data):
                await browser.close(code=FORBIDDEN, message=b"not allowed")
                return
            await pbx.send_str(msg.data)

    async def to_browser() -> None:
        async for msg in pbx:
            if msg.type == aiohttp.WSMsgType.TEXT:
                await browser.send_str(msg.data)
            elif msg.type == aiohttp.WSMsgType.BINARY:
                await browser.send_bytes(msg.data)

    tasks = [asyncio.ensure_future(to_pbx()), asyncio.ensure_future(to_browser())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await pbx.close()


def credentials_payload(account: WebrtcAccount) -> dict[str, str]:
    """What the volunteer's browser needs to register and join its room."""
    return {
        "username": account.username,
        "password": account.password,
        "display_name": account.display_name or account.username,
        "uri": f"sip:{account.username}@{REALM}",
        "room_uri": f"sip:{ROOM_EXTEN}@{REALM}",
        "room": account.room,
        "ws_path": WS_PATH,
    }
