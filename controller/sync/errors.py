"""Errors raised while sending to a CRM, sorted into "try again later" and "refused"."""

from __future__ import annotations


class SyncError(Exception):
    """A failed send. ``code`` is machine-readable (VAN's own code for VAN refusals).

    ``retryable``: a temporary failure (network, timeout, 429, 5xx, bad credentials) that
    the worker retries with backoff; otherwise the target refused this message for good.
    ``retry_after``: seconds the target asked us to wait (Retry-After), if any.
    ``reached``: the message may have reached the target all the same (a post that timed
    out or lost its connection after it was sent, an unexpected 2xx): its row is flagged
    in doubt, since sending it again may record it twice.
    """

    def __init__(
        self,
        code: str,
        text: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
        reached: bool = False,
    ) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.reached = reached
