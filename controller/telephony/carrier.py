"""The simulated phone network, from the outside: personas in, what each callee heard out.

Personas (see ``asterisk/dialplan/carrier-extensions.conf.j2``) are written to the
carrier's AstDB (``persona/<number>``) over its AMI, one by one or from a seeded
distribution. While connected, :class:`Carrier` follows every call the carrier receives:
the persona that answered, the in-band markers the appliance sends before its messages
(RFC 4733 ``A`` before the voicemail message, ``B`` before the safe-harbor message), the
hang-up cause, and the answering machines' recordings of what was left on them.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import hashlib
import random
import re
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from panoramisk import Manager

from controller.config import Settings
from controller.errors import PhonebankError
from controller.telephony import render

MARKERS = {"A": "voicemail", "B": "safe_harbor"}
PERSONA = re.compile(
    r"^(human|talker|slow|machine|deadair|accept|busy|noanswer|congestion|disconnected)"
    r"(:\d{1,4}){0,2}$"
)
NUMBER = re.compile(r"^\+?[0-9]{3,20}$")


class CarrierError(PhonebankError):
    """A persona or simulated-network request that is refused."""


@dataclass
class CalleeCall:
    """One call the simulated network received for ``number``."""

    number: str
    persona: str
    uniqueid: str
    channel: str
    heard: list[str] = field(default_factory=list)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    cause: str = ""
    hung_up_by_callee: bool = False


def assign_personas(
    numbers: Sequence[str], mix: Mapping[str, float], seed: int = 0
) -> dict[str, str]:
    """A persona per number drawn from ``mix`` (persona -> weight), reproducible by ``seed``."""
    for persona in mix:
        _check_persona(persona)
    rng = random.Random(seed)
    personas, weights = list(mix), list(mix.values())
    return {n: rng.choices(personas, weights)[0] for n in numbers}


def mix_thresholds(mix: Mapping[str, float]) -> list[tuple[int, str]]:
    """Cumulative percentages (to 1 %) for a persona mix; the last one is always 100."""
    total = sum(mix.values())
    if not mix or total <= 0 or any(w < 0 for w in mix.values()):
        raise CarrierError("invalid_mix", "a mix needs personas with positive weights")
    thresholds, running = [], 0.0
    for persona, weight in mix.items():
        _check_persona(persona)
        running += weight
        thresholds.append((round(100 * running / total), persona))
    thresholds[-1] = (100, thresholds[-1][1])
    return thresholds


def mix_persona(number: str, mix: Mapping[str, float], seed: int = 0) -> str:
    """The persona the carrier's dialplan draws for ``number`` from ``mix`` and ``seed``."""
    digest = hashlib.sha1(f"{seed}:{number}".encode(), usedforsecurity=False).hexdigest()
    roll = int(("".join(c for c in digest if c.isdigit()) + "00")[:2])
    for threshold, persona in mix_thresholds(mix):
        if roll < threshold:
            return persona
    raise AssertionError("the last threshold is 100")


def voiced_seconds(path: Path, threshold: int = 500, frame_ms: int = 20) -> float:
    """Seconds of sound (20 ms frames whose mean amplitude passes ``threshold``) in a
    16-bit mono wav: how much of a message a recording really holds."""
    with wave.open(str(path), "rb") as wav:
        rate, width = wav.getframerate(), wav.getsampwidth()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if width != 2 or rate <= 0:
        raise CarrierError("bad_recording", f"{path.name}: not 16-bit audio")
    step = rate * frame_ms // 1000
    loud = 0
    for i in range(0, len(samples) - step + 1, step):
        frame = samples[i : i + step]
        if sum(abs(s) for s in frame) / step > threshold:
            loud += 1
    return loud * frame_ms / 1000


def _check_persona(persona: str) -> str:
    if not PERSONA.match(persona):
        raise CarrierError("invalid_persona", f"unknown persona {persona!r}")
    return persona


def _check_number(number: str) -> str:
    if not NUMBER.match(number):
        raise CarrierError("invalid_number", f"not a phone number: {number!r}")
    return number


class Carrier:
    """An AMI client of the simulated carrier (demo and tests)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.credentials = render.ami_credentials(settings, "carrier")
        self.recordings_dir = render.instance_dir(settings, "carrier") / "recordings"
        self.calls: list[CalleeCall] = []
        self._by_uniqueid: dict[str, CalleeCall] = {}
        self._manager: Any = None

    async def connect(self) -> None:
        c = self.credentials
        manager = Manager(host=c.host, port=c.port, username=c.username, secret=c.secret,
                          ping_delay=0, reconnect_timeout=1)  # fmt: skip
        manager.register_event("UserEvent", self._on_user_event)
        manager.register_event("DTMFEnd", self._on_dtmf)
        manager.register_event("Hangup", self._on_hangup)
        await asyncio.wait_for(manager.connect(), timeout=10)
        self._manager = manager

    async def close(self) -> None:
        if self._manager is not None:
            self._manager.close()
            self._manager = None

    async def __aenter__(self) -> Carrier:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _send(self, action: dict[str, str]) -> Any:
        if self._manager is None:
            raise CarrierError("not_connected", "the carrier's AMI is not connected")
        return await asyncio.wait_for(self._manager.send_action(action), timeout=10)

    async def _action(self, action: dict[str, str]) -> Any:
        response = await self._send(action)
        if isinstance(response, list):
            response = response[0]
        if str(response.get("Response", "")).lower() != "success":
            raise CarrierError("action_failed", f"{action['Action']}: {response.get('Message')}")
        return response

    async def set_persona(self, number: str, persona: str) -> None:
        _check_number(number)
        _check_persona(persona)
        await self._action({"Action": "DBPut", "Family": "persona", "Key": number, "Val": persona})

    async def set_personas(self, personas: Mapping[str, str]) -> None:
        for number, persona in personas.items():
            await self.set_persona(number, persona)

    async def set_mix(self, mix: Mapping[str, float], seed: int = 0) -> None:
        """Numbers without their own persona draw one from ``mix`` (see :func:`mix_persona`)."""
        thresholds = mix_thresholds(mix)
        await self.clear_mix()
        await self.db_put("mix", "seed", str(int(seed)))
        for i, (threshold, persona) in enumerate(thresholds, start=1):
            await self.db_put("mix", str(i), f"{threshold}={persona}")
        await self.db_put("mix", "count", str(len(thresholds)))

    async def clear_mix(self) -> None:
        with contextlib.suppress(CarrierError):
            await self._action({"Action": "DBDelTree", "Family": "mix"})

    async def db_put(self, family: str, key: str, value: str) -> None:
        """Set a key in the carrier's AstDB."""
        await self._action({"Action": "DBPut", "Family": family, "Key": key, "Val": value})

    async def db_get(self, family: str, key: str) -> str | None:
        """The carrier's AstDB value, or None when the key does not exist."""
        reply = await self._send({"Action": "DBGet", "Family": family, "Key": key})
        for msg in reply if isinstance(reply, list) else [reply]:
            if str(msg.get("Event", "")).lower() == "dbgetresponse":
                return str(msg.get("Val", ""))
        return None

    async def clear_persona(self, number: str) -> None:
        _check_number(number)
        with contextlib.suppress(CarrierError):
            await self._action({"Action": "DBDel", "Family": "persona", "Key": number})

    def calls_to(self, number: str) -> list[CalleeCall]:
        return [c for c in self.calls if c.number == number]

    async def wait_call_ended(self, number: str, timeout: float = 60.0) -> CalleeCall:
        """The first call to ``number`` once it has ended (what the callee heard is final)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.calls_to(number):
            if loop.time() > deadline:
                raise TimeoutError(f"the carrier received no call for {number}")
            await asyncio.sleep(0.05)
        call = self.calls_to(number)[0]
        await asyncio.wait_for(call.ended.wait(), max(0.1, deadline - loop.time()))
        return call

    def recordings(self, number: str) -> list[Path]:
        """Recordings an answering machine made for ``number`` (what was left on it)."""
        return sorted(self.recordings_dir.glob(f"{number}-*.wav"))

    async def call_pbx(self, did: str, dtmf: str = "", wait: int = 3, stay: int = 20) -> None:
        """A phone on the network calls the appliance's ``did``: once answered it waits
        ``wait`` s, sends ``dtmf`` (RFC 4733), then stays ``stay`` s on the line."""
        _check_number(did)
        if not re.match(r"^[0-9*#w]{0,40}$", dtmf):
            raise CarrierError("invalid_dtmf", f"not DTMF digits: {dtmf!r}")
        variables = f"CALLER_DTMF={dtmf},CALLER_WAIT={int(wait)},CALLER_STAY={int(stay)}"
        await self._action({
            "Action": "Originate", "Channel": f"PJSIP/{did}@pbx", "Context": "carrier-caller",
            "Exten": "s", "Priority": "1", "Async": "true", "Timeout": "30000",
            "Variable": variables,
        })  # fmt: skip

    def _on_user_event(self, manager: Any, message: Any) -> None:
        if message.get("UserEvent") == "CarrierHangup":
            known = self._by_uniqueid.get(str(message.get("Uniqueid", "")))
            if known is not None:
                known.hung_up_by_callee = True
            return
        if message.get("UserEvent") != "CarrierCall":
            return
        call = CalleeCall(
            number=str(message.get("Number", "")),
            persona=str(message.get("Persona", "")),
            uniqueid=str(message.get("Uniqueid", "")),
            channel=str(message.get("Channel", "")),
        )
        self.calls.append(call)
        self._by_uniqueid[call.uniqueid] = call

    def _on_dtmf(self, manager: Any, message: Any) -> None:
        call = self._by_uniqueid.get(str(message.get("Uniqueid", "")))
        if call is None or message.get("Direction") != "Received":
            return
        marker = MARKERS.get(str(message.get("Digit", "")))
        if marker:
            call.heard.append(marker)

    def _on_hangup(self, manager: Any, message: Any) -> None:
        call = self._by_uniqueid.get(str(message.get("Uniqueid", "")))
        if call is not None:
            call.cause = str(message.get("Cause", ""))
            call.ended.set()
