"""Dial-in PIN guessing, held back: wrong PINs counted per caller, per PIN and for all
callers together (see :class:`PinThrottle`)."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

HOUR = 3600.0


class PinThrottle:
    """At most ``limit`` wrong PINs per caller and per PIN within ``window`` seconds; while
    one of those is reached every PIN it covers is refused, the right one too. A call
    without a caller number (none, "anonymous", "restricted", ...) counts as one caller.

    ``global_limit`` wrong PINs from all callers together within the window mark a guessing
    attack: then callers without a number and callers who already missed in the window are
    refused, but a caller showing a number with no miss still gets their tries (so nobody
    can lock out every dial-in volunteer). Only misses inside the window are kept; once
    ``max_callers`` callers and PINs are counted under attack, new ones are refused too, so
    memory stays bounded.

    ``hour_limit`` wrong PINs from all callers within an hour close the dial-in to every
    caller until the oldest of them is an hour old: a guesser who shows a new number for
    every call gets that many tries an hour, not one per number (volunteers join from the
    browser or by "call me" meanwhile)."""

    def __init__(
        self,
        limit: int = 5,
        window: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        global_limit: int = 20,
        max_callers: int = 10_000,
        hour_limit: int = 150,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.global_limit, self.max_callers, self.hour_limit = global_limit, max_callers, hour_limit
        self._misses: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        misses = self._misses.get(key, deque())  # asking stores nothing
        cutoff = self.clock() - (HOUR if key == "hour" else self.window)
        while misses and misses[0] < cutoff:
            misses.popleft()
        return misses

    @staticmethod
    def _caller(caller: str) -> str:
        number = caller.strip()
        return f"caller:{number if number.lstrip('+').isdigit() else 'anonymous'}"

    def blocked(self, caller: str, pin: str) -> bool:
        if len(self._recent("hour")) >= self.hour_limit:
            return True  # sustained guessing: the dial-in is closed for the hour
        who = self._caller(caller)
        if len(self._recent(who)) >= self.limit or len(self._recent(f"pin:{pin}")) >= self.limit:
            return True
        if len(self._recent("all")) < self.global_limit:
            return False
        suspect = who == "caller:anonymous" or bool(self._recent(who))
        return suspect or len(self._misses) >= self.max_callers

    def miss(self, caller: str, pin: str) -> None:
        for key in (self._caller(caller), f"pin:{pin}", "all", "hour"):
            self._misses.setdefault(key, deque()).append(self.clock())
        if len(self._recent("hour")) == self.hour_limit:
            log.warning("dial-in: %d wrong PINs within an hour; PINs refused", self.hour_limit)
        for key in [k for k in self._misses if not self._recent(k)]:
            del self._misses[key]
