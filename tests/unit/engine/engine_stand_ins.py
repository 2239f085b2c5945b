"""A stand-in AMI session for runner tests: connected (or not), it records every action the
runner sends; an Originate stays on its way (no reply) until the test settles the call by
feeding the tracker's transitions to the runner, as the PBX would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from controller.config import Settings
from controller.engine.bus import EventBus
from controller.engine.dialing import EngineConfig
from controller.engine.runner import BankRunner
from controller.engine.volunteers import VolunteerPool
from controller.store.db import Database
from tests.unit.engine.test_runner_pacing import running_bank


class Reply(dict[str, Any]):
    success = True


class StandInAmi:
    def __init__(self, connected: bool = True) -> None:
        self.connected = connected
        self.sent: list[dict[str, Any]] = []
        self.published: list[dict[str, Any]] = []

    def publish(self, headers: Mapping[str, Any]) -> None:
        self.published.append(dict(headers))

    async def send(self, action: Mapping[str, Any], **_: Any) -> Reply:
        self.sent.append(dict(action))
        if action["Action"] == "Originate":
            await asyncio.Event().wait()  # the call is on its way: the tracker reports it
        return Reply(Response="Success")

    def actions(self, name: str) -> list[dict[str, Any]]:
        return [a for a in self.sent if a["Action"] == name]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def runner_on(
    db: Database,
    settings: Settings,
    ami: Any,
    clock: Callable[[], float],
    mode: str = "power",
    contacts: int = 40,
    config: EngineConfig | None = None,
    channels: Callable[[str], list[str]] = lambda _: [],
) -> BankRunner:
    """The runner of a new running bank on ``ami``, with its own pool and bus."""
    bank_id = running_bank(db, mode, contacts)
    return BankRunner(
        bank_id, db, ami, VolunteerPool(db, clock), EventBus(), settings,
        config or EngineConfig(), channels, clock,
    )  # fmt: skip


def volunteers_waiting(runner: BankRunner, n: int) -> None:
    for vid in range(1, n + 1):
        runner.pool.enroll(runner.bank_id, vid)
        runner.pool.join_without_leg(vid)


async def settle() -> None:
    """Let the runner's spawned tasks (Originate, Hangup) run."""
    for _ in range(5):
        await asyncio.sleep(0)
