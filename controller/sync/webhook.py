"""Signed webhooks: one POST per call outcome, for CRMs other than VAN.

Each delivery is a JSON body with headers:

- ``X-Phonebank-Delivery``: the outbox row id (stable across retries: receivers dedupe on it);
- ``X-Phonebank-Signature``: ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` where the HMAC key
  is the appliance's ``webhook`` secret and the message is ``"<t>." + raw body``.

Receivers recompute the HMAC over the raw body, compare in constant time, and reject
timestamps older than a few minutes (replays). :func:`verify` does exactly that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp

from controller.ids import parse_id
from controller.store.outbox import OutboxRow
from controller.sync.backoff import parse_retry_after
from controller.sync.errors import SyncError

SIGNATURE_HEADER = "X-Phonebank-Signature"
DELIVERY_HEADER = "X-Phonebank-Delivery"
DEFAULT_TOLERANCE = 300.0


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> bool:
    """True when ``header`` is a valid, fresh signature of ``body``."""
    parts = dict(p.split("=", 1) for p in (header or "").split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    when = parse_id(stamp)
    if when is None or not given:
        return False
    now = time.time() if now is None else now
    if abs(now - when) > tolerance:
        return False
    expected = signature(secret, body, when).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def delivery_body(row: OutboxRow) -> bytes:
    return json.dumps({**row.payload, "delivery_id": row.id}, sort_keys=True).encode()


class WebhookSender:
    """Posts outbox rows of target ``webhook``; any 2xx is success."""

    target = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = 15.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def send(self, row: OutboxRow) -> None:
        body = delivery_body(row)
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: str(row.id),
            SIGNATURE_HEADER: signature(self.secret, body, int(time.time())),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            async with self._session.post(self.url, data=body, headers=headers) as resp:
                text = await resp.text()
                if 200 <= resp.status < 300:
                    return
                raise _http_error(resp.status, text, resp.headers.get("Retry-After"))
        except TimeoutError as exc:
            text = "the webhook did not answer in time"
            raise SyncError("timeout", text, retryable=True, reached=True) from exc
        except aiohttp.ClientError as exc:
            sent = not isinstance(exc, aiohttp.ClientConnectorError)
            text = f"cannot reach the webhook: {exc}"
            raise SyncError("network", text, retryable=True, reached=sent) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _http_error(status: int, text: str, retry_after: str | None) -> SyncError:
    retryable = status in (408, 429) or status >= 500
    wait = parse_retry_after(retry_after, time.time())
    detail: Any = text.strip()[:300] or f"HTTP {status}"
    return SyncError(
        f"http_{status}", str(detail), retryable=retryable, status=status, retry_after=wait
    )
