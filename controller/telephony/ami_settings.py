"""The AMI session's settings and the pace of its reconnect attempts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from controller.config import Settings
from controller.telephony import render


@dataclass(frozen=True)
class AmiConfig:
    host: str
    port: int
    username: str
    secret: str
    ping_interval: float = 5.0
    ping_timeout: float = 3.0
    connect_timeout: float = 5.0
    boot_timeout: float = 10.0
    action_timeout: float = 10.0
    backoff_initial: float = 0.25
    backoff_max: float = 8.0


def ami_config(settings: Settings, instance: str = "pbx", **tuning: Any) -> AmiConfig:
    """The session settings for the appliance's ``pbx`` (or the simulated ``carrier``)."""
    c = render.ami_credentials(settings, instance)
    return AmiConfig(c.host, c.port, c.username, c.secret, **tuning)


def backoff_delays(initial: float, maximum: float) -> Iterator[float]:
    """0.25, 0.5, 1, 2, 4, 8, 8, ... seconds between reconnect attempts."""
    delay = initial
    while True:
        yield delay
        delay = min(delay * 2, maximum)
