"""The real PBX harness: an isolated pbx + simulated carrier pair for the whole test run.

``pbx_pair`` (session) renders and starts both Asterisk instances in their own home under
the session's tmp dir, on ports chosen free at run time (never colliding with ``make run``
or another checkout's run), and stops them at the end. It exposes the settings, the AMI
credentials of both instances and a ``cli()`` per instance.

``ami`` (function) is an AMI probe on the pbx that records every event; ``carrier`` is a
connected :class:`controller.telephony.carrier.Carrier`; ``sip_phone`` starts real baresip
phones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from panoramisk import Manager

from controller.config import Settings, load_settings
from controller.telephony import render
from controller.telephony.carrier import Carrier
from controller.telephony.runtime import AsteriskInstance, PbxPair, RuntimeError_

pytestmark = pytest.mark.pbx


# Ports for the test PBXs come from below the kernel's ephemeral range (32768-60999 here):
# a port the kernel handed out (bind to 0) could be handed again, to any other process's
# connection, in the second before Asterisk binds it; and Asterisk boots even when its HTTP
# port is taken, leaving every browser phone of that PBX unable to connect.
_PORTS = (20000, 32700)


_GIVEN: set[int] = set()  # never the same port twice in one test process


def _free_port(kind: int) -> int:
    rng = random.Random()
    for _ in range(500):
        port = rng.randrange(*_PORTS)
        if port in _GIVEN:
            continue
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _GIVEN.add(port)
            return port
    raise RuntimeError("no free port")


def free_tcp_port() -> int:
    return _free_port(socket.SOCK_STREAM)


def free_udp_port() -> int:
    return _free_port(socket.SOCK_DGRAM)


def free_udp_range(size: int) -> int:
    """The first port of ``size`` consecutive free UDP ports (an RTP range)."""
    rng = random.Random()
    for _ in range(200):
        start = rng.randrange(_PORTS[1] + 300, 60000 - size, 2)  # apart from single ports
        socks = []
        try:
            for port in range(start, start + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return start
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free UDP range")


def isolated_overrides(ring_timeout: int = 8) -> dict[str, Any]:
    carrier_sip = free_udp_port()
    pbx_rtp, carrier_rtp = free_udp_range(100), free_udp_range(100)
    return {
        "web": {"port": free_tcp_port()},
        "pbx": {
            "ami_port": free_tcp_port(), "sip_port": free_udp_port(),
            "http_port": free_tcp_port(), "fastagi_port": free_tcp_port(),
            "rtp_start": pbx_rtp, "rtp_end": pbx_rtp + 99, "ring_timeout": ring_timeout,
        },
        "carrier": {
            "ami_port": free_tcp_port(), "sip_port": carrier_sip,
            "rtp_start": carrier_rtp, "rtp_end": carrier_rtp + 99,
        },
        "trunk": {"host": "127.0.0.1", "port": carrier_sip},
    }  # fmt: skip


@dataclass
class PbxPairInfo:
    settings: Settings
    pair: PbxPair

    @property
    def pbx(self) -> AsteriskInstance:
        return self.pair.pbx

    @property
    def carrier(self) -> AsteriskInstance:
        assert self.pair.carrier is not None
        return self.pair.carrier

    @property
    def pbx_ami(self) -> render.AmiCredentials:
        return render.ami_credentials(self.settings, "pbx")

    @property
    def fastagi_port(self) -> int:
        return self.settings.pbx.fastagi_port

    @property
    def did(self) -> str:
        return self.settings.trunk.dids[0]

    def cli(self, instance: str, command: str) -> str:
        return (self.pbx if instance == "pbx" else self.carrier).cli(command)


@pytest.fixture(scope="session")
def pbx_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PbxPairInfo]:
    for attempt in range(3):  # a port taken meanwhile by another program: other ports
        home = tmp_path_factory.mktemp("pbx-home")
        settings = load_settings(home, isolated_overrides())
        pair = PbxPair(settings)
        try:
            pair.start()
            break
        except RuntimeError_ as exc:
            if exc.code != "port_unbound" or attempt == 2:
                raise
            print(f"pbx pair: {exc}; starting again on other ports")
    try:
        yield PbxPairInfo(settings, pair)
    finally:
        pair.stop()


class AmiProbe:
    """An AMI connection that records every event and waits for the ones a test expects."""

    def __init__(self, creds: render.AmiCredentials) -> None:
        self.creds = creds
        self.events: list[dict[str, str]] = []
        self._changed = asyncio.Event()
        self.manager: Any = None

    async def connect(self) -> None:
        c = self.creds
        self.manager = Manager(host=c.host, port=c.port, username=c.username, secret=c.secret,
                               ping_delay=0, reconnect_timeout=1)  # fmt: skip
        self.manager.register_event("*", self._on_event)
        await asyncio.wait_for(self.manager.connect(), timeout=10)

    def _on_event(self, manager: Any, message: Any) -> None:
        self.events.append({str(k): str(v) for k, v in dict(message).items()})
        self._changed.set()

    async def channels(self) -> list[str]:
        """The channels up on the PBX now."""
        action = {"Action": "CoreShowChannels"}
        reply = await asyncio.wait_for(self.manager.send_action(action), timeout=15)
        items = reply if isinstance(reply, list) else [reply]
        return [str(m.get("Channel")) for m in items if m.get("Event") == "CoreShowChannel"]

    async def start_quiet(self, wait: float = 5.0) -> None:
        """Begin on a PBX with no calls left by the test before (a worker's tests share its
        PBX, and no fixture places a call before this one): hang them up, give them ``wait``
        seconds to go, and forget their events, which would otherwise read as this test's."""
        left = await self.channels()
        if left:
            print(f"hanging up {len(left)} channel(s) left by an earlier test: {left}")
            await self.action({"Action": "Hangup", "Channel": "/.*/"})
            deadline = asyncio.get_running_loop().time() + wait
            while (left := await self.channels()) and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.2)  # their last events come before the list says they are gone
        self.events.clear()

    def find(self, event: str, **match: str) -> list[dict[str, str]]:
        return [
            e for e in self.events
            if e.get("Event") == event and all(e.get(k) == v for k, v in match.items())
        ]  # fmt: skip

    async def wait_for(self, event: str, timeout: float = 30.0, **match: str) -> dict[str, str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.find(event, **match)
            if found:
                return found[0]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {event} {match} within {timeout} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def user_event(self, name: str, timeout: float = 30.0, **match: str) -> dict[str, str]:
        return await self.wait_for("UserEvent", timeout, UserEvent=name, **match)

    async def action(self, action: dict[str, Any]) -> Any:
        response = await asyncio.wait_for(self.manager.send_action(action), timeout=15)
        return response[0] if isinstance(response, list) else response

    def originate(self, action: dict[str, Any]) -> asyncio.Future[Any]:
        """Send an async Originate; its reply comes when the call is answered or fails."""
        return asyncio.ensure_future(self.manager.send_action({**action, "Async": "true"}))

    def dial(self, number: str, **variables: str) -> tuple[str, asyncio.Future[Any]]:
        """Originate the dialer leg to ``number``, as the controller does; returns the call id."""
        call_id = uuid.uuid4().hex[:12]
        pairs = {"PB_CALL_ID": call_id, **variables}
        return call_id, self.originate({
            "Action": "Originate", "Channel": f"Local/{number}@phonebank-outbound/n",
            "Context": "phonebank-answered", "Exten": "s", "Priority": "1",
            "Timeout": "60000", "Variable": [f"{k}={v}" for k, v in pairs.items()],
        })  # fmt: skip

    def close(self) -> None:
        if self.manager is not None:
            self.manager.close()


@pytest.fixture
async def ami(pbx_pair: PbxPairInfo) -> AsyncIterator[AmiProbe]:
    probe = AmiProbe(pbx_pair.pbx_ami)
    await probe.connect()
    await probe.start_quiet()
    yield probe
    probe.close()


@pytest.fixture
async def carrier(pbx_pair: PbxPairInfo) -> AsyncIterator[Carrier]:
    async with Carrier(pbx_pair.settings) as client:
        yield client


_numbers = iter(range(1000, 10000))


@pytest.fixture
def number() -> Callable[[], str]:
    """Fresh callee numbers (personas persist in the carrier for the whole session)."""
    return lambda: f"+1202555{next(_numbers):04d}"


class SipPhone:
    """A real baresip phone, headless, sending a 440 Hz tone, driven over ctrl_tcp."""

    def __init__(self, workdir: Path, account: str) -> None:
        self.workdir = workdir
        self.ctrl_port = free_tcp_port()
        rtp = free_udp_range(20)
        workdir.mkdir(parents=True, exist_ok=True)
        self.account = account
        (workdir / "accounts").write_text("")  # added once the control socket listens
        (workdir / "contacts").write_text("")
        (workdir / "config").write_text(
            "\n".join([
                f"sip_listen 127.0.0.1:{free_udp_port()}", "net_interface 127.0.0.1",
                "audio_player aubridge,nil", "audio_source ausine,440", "audio_alert aubridge,nil",
                "ausrc_srate 48000", "ausrc_channels 2", f"rtp_ports {rtp}-{rtp + 19}",
                "module_path /usr/lib/baresip/modules", "module g711.so", "module ausine.so",
                "module aubridge.so", "module_app account.so", "module_app menu.so",
                "module_app ctrl_tcp.so", f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}", "",
            ])
        )  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None
        self.events: list[dict[str, Any]] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        log = open(self.workdir / "baresip.log", "wb")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            ["baresip", "-f", str(self.workdir)], stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                self._reader, self._writer = await asyncio.open_connection(
                    "127.0.0.1", self.ctrl_port
                )
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        self._task = asyncio.ensure_future(self._read())
        await self.command("uanew", self.account)

    async def _read(self) -> None:
        assert self._reader is not None
        while True:
            length = await self._reader.readuntil(b":")
            body = await self._reader.readexactly(int(length[:-1]) + 1)
            self.events.append(json.loads(body[:-1]))

    async def command(self, command: str, params: str = "") -> None:
        assert self._writer is not None
        data = json.dumps({"command": command, "params": params, "token": "t"}).encode()
        self._writer.write(str(len(data)).encode() + b":" + data + b",")
        await self._writer.drain()

    async def wait_event(self, kind: str, timeout: float = 20.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for e in self.events:
                if e.get("type") == kind:
                    return e
            await asyncio.sleep(0.05)
        raise TimeoutError(f"baresip: no {kind} within {timeout} s; got {self.events}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
async def sip_phone(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """``await sip_phone(user, password, port)``: a started baresip registered there
    (``password=""``: a stranger with no account, that does not register)."""
    phones: list[SipPhone] = []

    async def make(user: str, password: str, port: int) -> SipPhone:
        auth = f"auth_pass={password};regint=60" if password else "regint=0"
        account = (
            f"<sip:{user}@127.0.0.1:{port};transport=udp>;{auth};"
            "audio_codecs=PCMU;answermode=manual"
        )
        phone = SipPhone(tmp_path / f"baresip-{user}-{len(phones)}", account)
        phones.append(phone)
        await phone.start()
        if password:
            await phone.wait_event("REGISTER_OK")
        return phone

    yield make
    for phone in phones:
        await phone.stop()
