"""The signed outcome webhook: signature scheme, delivery, retries and refusals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from conftest import FAST

from controller.store import outbox
from controller.store.db import Database
from controller.sync.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    WebhookSender,
    signature,
    verify,
)
from controller.sync.worker import OutboxWorker

SECRET = "whsec-test"


def test_given_signed_body_when_verified_then_only_exact_fresh_body_and_secret_pass() -> None:
    body = b'{"outcome": "Refused"}'
    header = signature(SECRET, body, 1_800_000_000)
    assert verify(SECRET, body, header, now=1_800_000_100)
    assert not verify(SECRET, body + b" ", header, now=1_800_000_100)
    assert not verify("other", body, header, now=1_800_000_100)
    assert not verify(SECRET, body, header, now=1_800_000_000 + 301)  # replayed too late
    assert not verify(SECRET, body, "v1=abc", now=1_800_000_000)
    assert not verify(SECRET, body, None)


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=list)
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append((dict(request.headers), await request.read()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield rec
    await runner.cleanup()


def _queue(db: Database, payload: dict[str, Any], key: str = "disposition:1") -> int:
    with db.write() as conn:
        row_id = outbox.enqueue(
            conn, target="webhook", dedupe_key=key, source_kind="disposition", payload=payload
        )
    assert row_id is not None
    return row_id


async def _run(db: Database, url: str) -> OutboxWorker:
    worker = OutboxWorker(db, WebhookSender(url, SECRET, timeout=5), backoff=FAST)
    await worker.run_until_idle()
    await worker.close()
    return worker


async def test_given_outcome_when_delivered_after_5xx_then_same_signed_delivery_retried(
    db: Database, receiver: Receiver
) -> None:
    payload = {"event": "call.outcome", "outcome": "Refused", "van_id": "1001"}
    row_id = _queue(db, payload)
    receiver.statuses = [503, 200]
    await _run(db, receiver.url)
    assert len(receiver.got) == 2
    for headers, body in receiver.got:
        assert headers[DELIVERY_HEADER] == str(row_id)
        assert verify(SECRET, body, headers[SIGNATURE_HEADER])
        assert json.loads(body) == {**payload, "delivery_id": row_id}
    with db.read() as conn:
        row = outbox.get_row(conn, row_id)
    assert row is not None and (row.status, row.attempts) == ("sent", 2)


async def test_given_receiver_refuses_when_delivered_then_failed_with_status_code(
    db: Database, receiver: Receiver
) -> None:
    row_id = _queue(db, {"event": "call.outcome"})
    receiver.statuses = [410]
    worker = await _run(db, receiver.url)
    with db.read() as conn:
        row = outbox.get_row(conn, row_id)
    assert row is not None and (row.status, row.error_code) == ("failed", "http_410")
    assert worker.stats.failed == 1
    assert len(receiver.got) == 1


def test_given_a_stamp_of_odd_digits_or_a_huge_number_when_verified_then_refused() -> None:
    body = b'{"a": 1}'
    given = signature(SECRET, body, 1_800_000_000).split("v1=", 1)[1]
    for stamp in ("²", "١٨٠٠٠٠٠٠٠٠", "9" * 40):
        assert not verify(SECRET, body, f"t={stamp},v1={given}", now=1_800_000_000), stamp
