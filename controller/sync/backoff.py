"""Retry timing: capped exponential backoff with jitter, honoring Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from controller.ids import parse_id


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt ``n + 1`` after ``n`` failed attempts.

    The delay is drawn in ``[d/2, d]`` with ``d = min(cap, base * 2**(n-1))`` ("equal
    jitter": many rows failing together do not retry together). A Retry-After from the
    target is a floor: we never come back earlier than asked.
    """

    base: float = 2.0
    cap: float = 900.0
    max_attempts: int = 20

    def delay(
        self,
        attempts: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        chosen = ceiling / 2 + rand() * ceiling / 2
        if retry_after is not None:
            chosen = max(chosen, retry_after)
        return chosen

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    seconds = parse_id(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
