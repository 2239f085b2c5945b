"""The AMI session against the real PBX: reconnect, re-sync, watchdog, no duplicate Originate.

A silent connection is made with a TCP proxy this test controls (it stops forwarding but keeps
both sockets open, like a frozen peer or a cut cable); an Asterisk restart uses the fixture's
own pbx instance. With ``PHONEBANK_RECORD_AMI=1`` the watchdog scenario is recorded to
``tests/fixtures/ami/resync.jsonl``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from controller.telephony import actions as act
from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiConfig, AmiError, AmiSession
from controller.telephony.carrier import Carrier
from controller.telephony.fastagi import FastAgiServer, HandoffRequest
from controller.telephony.replay import Recorder
from controller.telephony.tracker import CallState, CallTracker

pytestmark = pytest.mark.pbx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ami"
NOISE = ("TestEvent", "RTCPSent", "RTCPReceived", "DeviceStateChange", "VarSet", "Newexten")
FAST: dict[str, Any] = {"ping_interval": 0.5, "ping_timeout": 1.0, "action_timeout": 3.0}
FAST |= {"backoff_initial": 0.1, "backoff_max": 0.5, "connect_timeout": 2.0}


class FreezableProxy:
    """Forwards TCP to ``target``; ``freeze()`` stops forwarding without closing anything."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        self._writers += [writer, up_writer]
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await self.flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    async def close(self) -> None:
        self.thaw()
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()


@dataclass
class Watch:
    """Every event and transition of one session, with waits on them."""

    session: AmiSession
    tracker: CallTracker = field(default_factory=CallTracker)
    events: list[ev.AmiEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: ev.AmiEvent) -> None:
        self.events.append(event)
        self.tracker.feed(event)
        self.changed.set()

    async def until(self, check: Any, timeout: float = 30.0) -> Any:
        async def wait() -> Any:
            while not (found := check()):
                self.changed.clear()
                await self.changed.wait()
            return found

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            calls = {c.call_id: (c.state.value, c.reason) for c in self.tracker.calls.values()}
            names = [e.name for e in self.events if e.name.startswith("Phonebank")]
            message = f"not met in {timeout} s; calls {calls}; session {names}"
            raise AssertionError(message) from None

    def state(self, call_id: str) -> CallState | None:
        call = self.tracker.get(call_id)
        return call.state if call else None

    def of(self, kind: type[ev.AmiEvent]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@contextlib.asynccontextmanager
async def watched(port: int, creds: Any, record: str = "", **cfg: Any) -> AsyncIterator[Watch]:
    session = AmiSession(AmiConfig(creds.host, port, creds.username, creds.secret, **cfg))
    watch = Watch(session)
    session.subscribe(watch)
    recorder = None
    if record and os.environ.get("PHONEBANK_RECORD_AMI") == "1":
        recorder = Recorder(FIXTURES / f"{record}.jsonl", keep=lambda e: e.name not in NOISE)
        session.subscribe(recorder)
    session.start()
    try:
        await session.wait_connected(15)
        yield watch
    finally:
        await session.close()
        if recorder is not None:
            recorder.close()


def new_number() -> str:
    return f"+1202557{uuid.uuid4().int % 10000:04d}"


def call_id() -> str:
    return "call-" + uuid.uuid4().hex[:10]


async def poll(check: Any, timeout: float) -> None:
    """Wait for a condition nothing announces (the PBX's own CLI view)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.1)


def live_uniqueids(pbx_pair: Any) -> set[str]:
    lines = pbx_pair.cli("pbx", "core show channels concise").splitlines()
    return {line.split("!")[-1] for line in lines if "!" in line}


async def test_given_a_silent_connection_when_pings_go_unanswered_then_it_reconnects_and_resyncs(
    pbx_pair: Any, carrier: Carrier
) -> None:
    proxy = FreezableProxy(pbx_pair.pbx_ami.port)
    await proxy.start()
    rooms: dict[str, str] = {}

    async def handoff(request: HandoffRequest) -> str | None:
        return rooms.get(request.call_id)

    stays, goes = call_id(), call_id()
    async with (
        FastAgiServer(handoff=handoff, port=pbx_pair.fastagi_port),
        watched(proxy.port, pbx_pair.pbx_ami, "resync", **FAST) as w,
    ):
        for cid in (stays, goes):
            rooms[cid] = "hold-" + cid
            number = new_number()
            await carrier.set_persona(number, "human:1:60")
            act.originate_task(w.session, act.outbound_call(cid, number))
        await w.until(lambda: {w.state(stays), w.state(goes)} == {CallState.BRIDGED}, 40)

        proxy.freeze()
        lost = await w.until(lambda: w.of(ev.SessionLost), 15)
        assert lost[0].reason == "ping_timeout"
        assert not w.session.connected
        pbx_pair.cli("pbx", f"channel request hangup {w.tracker.calls[goes].live[goes]}")
        await poll(lambda: goes not in live_uniqueids(pbx_pair), 10)
        proxy.thaw()

        await w.until(lambda: [e for e in w.of(ev.SessionConnected) if e.generation == 2], 20)
        await w.until(lambda: w.state(goes) is CallState.ENDED, 10)
        assert w.tracker.calls[goes].reason == "lost"
        assert w.state(stays) is CallState.BRIDGED
        assert stays in w.tracker.calls[stays].live

        await act.hangup(w.session, w.tracker.calls[stays].live[stays])
        await w.until(lambda: w.state(stays) is CallState.ENDED, 15)
        assert w.tracker.calls[stays].reason == "hangup"
    await proxy.close()


def crash_and_restart(instance: Any) -> None:
    """Asterisk dies without a goodbye (as in a crash), then its supervisor starts it again."""
    os.kill(instance.pid, signal.SIGKILL)
    instance.restart()


@pytest.mark.parametrize("how", ["crash", "restart"])
async def test_given_an_originate_in_flight_when_asterisk_restarts_then_it_is_not_sent_again(
    pbx_pair: Any, carrier: Carrier, how: str
) -> None:
    ringing, marker = new_number(), new_number()
    await carrier.set_persona(ringing, "noanswer")
    await carrier.set_persona(marker, "busy")
    cid = call_id()
    async with watched(pbx_pair.pbx_ami.port, pbx_pair.pbx_ami, **FAST) as w:
        task = act.originate_task(w.session, act.outbound_call(cid, ringing, ring_timeout=60))
        await w.until(lambda: carrier.calls_to(ringing), 20)
        await w.until(lambda: w.state(cid) is CallState.RINGING, 20)

        restart = crash_and_restart if how == "crash" else type(pbx_pair.pbx).restart
        await asyncio.to_thread(restart, pbx_pair.pbx)
        outcome: AmiError | act.OriginateResult
        try:
            outcome = await asyncio.wait_for(task, 30)
        except AmiError as exc:
            outcome = exc
        await w.session.wait_connected(30)
        assert w.session.generation >= 2
        await w.until(lambda: w.tracker.calls[cid].finished, 10)
        if how == "crash":  # no reply ever came: the caller learns it, the tracker says lost
            assert isinstance(outcome, AmiError) and outcome.code == "disconnected"
            assert (w.state(cid), w.tracker.calls[cid].reason) == (CallState.ENDED, "lost")
        else:  # a clean shutdown hangs the call up first: a plain failure, reported as such
            assert isinstance(outcome, AmiError | act.OriginateResult)
            assert not isinstance(outcome, act.OriginateResult) or not outcome.answered

        # A second call after the reconnect goes through, and the first was not re-sent.
        after = call_id()
        act.originate_task(w.session, act.outbound_call(after, marker))
        await w.until(lambda: w.state(after) is CallState.BUSY, 20)
        await carrier.wait_call_ended(marker, 10)
        assert len(carrier.calls_to(marker)) == 1
        assert len(carrier.calls_to(ringing)) == 1


async def test_given_a_wrong_secret_when_connecting_then_login_failed_is_reported(
    pbx_pair: Any,
) -> None:
    c = pbx_pair.pbx_ami
    session = AmiSession(AmiConfig(c.host, c.port, c.username, "not-the-secret", **FAST))
    session.start()
    try:
        with pytest.raises(AmiError) as raised:
            await session.wait_connected(3)
        assert raised.value.code == "not_connected"
        assert session.last_error is not None and session.last_error.code == "login_failed"
        with pytest.raises(AmiError, match="not_connected"):
            await session.send({"Action": "Ping"})
    finally:
        await session.close()


async def test_given_a_connected_session_when_using_the_typed_actions_then_results_are_typed(
    pbx_pair: Any, carrier: Carrier
) -> None:
    # AstDB: through the simulated carrier's own client (the pbx's account has no such right)
    await carrier.db_put("phonebank-test", "k1", "v1")
    assert await carrier.db_get("phonebank-test", "k1") == "v1"
    assert await carrier.db_get("phonebank-test", "missing") is None
    async with watched(pbx_pair.pbx_ami.port, pbx_pair.pbx_ami, **FAST) as w:
        assert await act.confbridge_list(w.session, "no-such-room") == []
        listed = await act.core_show_channels(w.session)
        assert {c.uniqueid for c in listed} == live_uniqueids(pbx_pair)
        with pytest.raises(AmiError) as gone:
            await act.hangup(w.session, "PJSIP/nobody-00000000")
        assert gone.value.code == "no_such_channel"
        with pytest.raises(AmiError) as refused:
            await act.originate(
                w.session,
                act.OriginateRequest(call_id=call_id(), channel="Bogus/x", context="default"),
            )
        assert refused.value.code == "originate_rejected"
        assert [e.message for e in w.of(ev.OriginateRejected)] == [refused.value.message]


async def test_given_a_channel_in_a_room_when_a_message_is_played_then_the_call_ends_after_it(
    pbx_pair: Any,
) -> None:
    async with watched(pbx_pair.pbx_ami.port, pbx_pair.pbx_ami, **FAST) as w:
        cid, room = call_id(), "room-" + uuid.uuid4().hex[:8]
        holder = act.OriginateRequest(
            call_id=cid, channel=f"Local/{room}@phonebank-room/n", application="Wait", data="60"
        )
        result = await act.originate(w.session, holder)
        assert result.answered and result.channel.endswith(";1")
        in_room = result.channel.removesuffix(";1") + ";2"
        await w.until(lambda: w.state(cid) is CallState.BRIDGED, 10)

        await act.set_variable(w.session, in_room, "PB_CALL_ID", cid)
        assert await act.get_variable(w.session, in_room, "PB_CALL_ID") == cid
        await act.playback(w.session, in_room, "goodbye")
        played = await w.until(
            lambda: [e for e in w.of(ev.UserEvent) if e.user_event == "PhonebankPlayback"], 20
        )
        assert (played[0].headers["CallId"], played[0].headers["Status"]) == (cid, "SUCCESS")
        await w.until(lambda: w.tracker.calls[cid].finished, 20)
        assert w.state(cid) is CallState.ENDED
