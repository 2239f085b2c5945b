"""Sign-in throttling: failed sign-ins are counted per account *from one address*, per
address whatever the accounts, and per account from all addresses, each over a sliding
window; a count at its limit pauses what it counts.

- Five failures on one account from one address pause that account *from that address*.
  Someone who types wrong passwords on an organizer's account from elsewhere does not lock
  the organizer out.
- Thirty failures from one address pause that address, whatever the accounts: it slows one
  address trying many accounts, and stays well above what a phone-bank room behind one
  router does when a few volunteers forget their passwords.
- Fifty failures on one account from all addresses together pause the account everywhere:
  it slows guessing spread over many addresses.

A successful sign-in clears its own account-and-address count; an admin who sets a user's
password lifts every pause of that account (:meth:`LoginLimiter.forget`), and so does a
password set anywhere else (``phonebank users passwd``, another process): each count of an
account remembers a stamp of the password it was counted against, and a different stamp at
the next attempt lifts the account's pauses (:meth:`LoginLimiter.check_stamp`).

Behind a reverse proxy every request comes from the proxy's address: list the proxy in
``[web] trusted_proxies`` and the client's address is read from its ``X-Forwarded-For``
(:func:`client_address`).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable

from aiohttp import web

MAX_FAILURES = 5  # per account, from one address
ADDRESS_MAX_FAILURES = 30  # per client address, whatever the accounts
ACCOUNT_MAX_FAILURES = 50  # per account, from all addresses
WINDOW_SECONDS = 300
MAX_KEYS = 20_000  # counts kept at most (the memory stays bounded)


class LoginLimiter:
    """Counts failed sign-ins per account and address, per address and per account."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        address_max_failures: int = ADDRESS_MAX_FAILURES,
        account_max_failures: int = ACCOUNT_MAX_FAILURES,
    ) -> None:
        self.limits = (max_failures, address_max_failures, account_max_failures)
        self.window_seconds = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._stamps: dict[str, str] = {}  # account -> stamp of the password its counts are for

    @staticmethod
    def _keys(address: str, username: str) -> tuple[str, str, str]:
        user = username.strip().lower()
        return f"pair:{address}|{user}", f"ip:{address}", f"user:{user}"

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        horizon = self.clock() - self.window_seconds
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def retry_after(self, address: str, username: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        wait = 0.0
        for key, limit in zip(self._keys(address, username), self.limits, strict=True):
            stamps = self._recent(key)
            if len(stamps) >= limit:
                wait = max(wait, stamps[-limit] + self.window_seconds - self.clock())
        return int(wait) + (1 if wait > int(wait) else 0)

    def begin(self, address: str, username: str) -> tuple[int, float]:
        """Before a password is checked: (seconds to wait, 0 to go on; when it goes on, the
        attempt's mark). The attempt counts as a failure from now until :meth:`settle`, so
        guesses sent in parallel are paused like guesses sent one after the other."""
        wait = self.retry_after(address, username)
        if wait:
            return wait, 0.0
        at = self.clock()
        if len(self._failures) >= MAX_KEYS:
            self._prune()
        for key in self._keys(address, username):
            self._recent(key).append(at)
        return 0, at

    def settle(
        self, address: str, username: str, at: float, right: bool, stamp: str | None = None
    ) -> None:
        """After the check begun at ``at``: a wrong password stays counted (against
        ``stamp``); a right one is taken off the counts and clears the account's count from
        this address."""
        if not right:
            if stamp is not None:
                self._stamps[username.strip().lower()] = stamp
            return
        pair, *others = self._keys(address, username)
        self._failures.pop(pair, None)
        for key in others:
            if at in self._failures.get(key, ()):
                self._failures[key].remove(at)

    def check_stamp(self, username: str, stamp: str | None) -> None:
        """Before an attempt: ``stamp`` is the account's password as stored now (None: no
        such account). A password set since its failures were counted lifts its pauses."""
        known = self._stamps.get(username.strip().lower())
        if stamp is not None and known is not None and known != stamp:
            self.forget(username)

    def failed(self, address: str, username: str, stamp: str | None = None) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._prune()
        for key in self._keys(address, username):
            self._recent(key).append(self.clock())
        if stamp is not None:
            self._stamps[username.strip().lower()] = stamp

    def succeeded(self, address: str, username: str) -> None:
        """A right password from ``address``: its count for the account starts again."""
        self._failures.pop(self._keys(address, username)[0], None)

    def forget(self, username: str) -> None:
        """Lift every pause of the account (an admin set its password)."""
        user = username.strip().lower()
        for key in [k for k in self._failures if k == f"user:{user}" or k.endswith(f"|{user}")]:
            del self._failures[key]
        self._stamps.pop(user, None)

    def _prune(self) -> None:
        """Drop the counts with nothing left in the window; then, if still too many, the
        oldest half (the memory used stays bounded under a flood of made-up names)."""
        for key in [k for k in self._failures if not self._recent(k)]:
            del self._failures[key]
        if len(self._failures) >= MAX_KEYS:
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: len(oldest) // 2]:
                del self._failures[key]
        counted = {k.removeprefix("user:") for k in self._failures if k.startswith("user:")}
        self._stamps = {user: s for user, s in self._stamps.items() if user in counted}


def client_address(request: web.Request, trusted_proxies: Iterable[str]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest
    address in ``X-Forwarded-For`` that is not one of the trusted proxies."""
    trusted = set(trusted_proxies)
    peer = request.remote or "unknown"
    if peer not in trusted:
        return peer
    # every X-Forwarded-For line, in order: a proxy may add its own line after the client's
    lines = ",".join(request.headers.getall("X-Forwarded-For", []))
    hops = [h.strip() for h in lines.split(",")]
    for hop in reversed([h for h in hops if h]):
        if hop not in trusted:
            return hop
    return peer
