"""Login throttling: too many failed attempts on one account, or many more from one address,
pause it. The address limit is much higher than the account's: a phone-bank room shares one
address (one router, a reverse proxy), and one volunteer who forgot a password must not lock
out everyone else in it, organizer included; it still slows one address trying many accounts."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

MAX_FAILURES = 5  # per account
ADDRESS_MAX_FAILURES = 30  # per client address, whatever the accounts
WINDOW_SECONDS = 300


class LoginLimiter:
    """Counts failed logins per client address and per username over a sliding window."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        address_max_failures: int = ADDRESS_MAX_FAILURES,
    ) -> None:
        self.max_failures = max_failures
        self.address_max_failures = address_max_failures
        self.window_seconds = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _keys(self, address: str, username: str) -> tuple[str, str]:
        return f"ip:{address}", f"user:{username.strip().lower()}"

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        horizon = self.clock() - self.window_seconds
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def retry_after(self, address: str, username: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        wait = 0.0
        limits = (self.address_max_failures, self.max_failures)
        for key, limit in zip(self._keys(address, username), limits, strict=True):
            stamps = self._recent(key)
            if len(stamps) >= limit:
                wait = max(wait, stamps[0] + self.window_seconds - self.clock())
        return int(wait) + (1 if wait > int(wait) else 0)

    def failed(self, address: str, username: str) -> None:
        for key in self._keys(address, username):
            self._recent(key).append(self.clock())

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username.strip().lower()}", None)
