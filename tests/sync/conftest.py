"""Fixtures for CRM sync tests: the local VAN server, configured settings, contacts."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from van_server import API_KEY, APP_NAME, VanServer

from controller.store.db import Database
from controller.store.outbox_enqueue import enqueue_field_value
from controller.store.sync_settings import VanSettings, save_van_settings
from controller.sync.backoff import Backoff
from controller.sync.van import VanClient
from controller.sync.worker import OutboxWorker, VanSender

FAST = Backoff(base=0.01, cap=0.05, max_attempts=6)


@pytest.fixture
async def van() -> AsyncIterator[VanServer]:
    async with VanServer() as server:
        yield server


@pytest.fixture
def van_settings(db: Database, van: VanServer) -> VanSettings:
    with db.write() as conn:
        return save_van_settings(
            conn, application_name=APP_NAME, api_key=API_KEY, mode=1, base_url=van.url
        )


def add_contact(
    db: Database, van_id: str | None, van_phone_id: str | None = None
) -> tuple[int, int]:
    """A contact (with one phone) in list 'sync test'; returns (contact_id, phone_id)."""
    with db.write() as conn:
        conn.execute("INSERT OR IGNORE INTO lists (name) VALUES ('sync test')")
        list_id = conn.execute("SELECT id FROM lists WHERE name = 'sync test'").fetchone()[0]
        key = f"van:{van_id}" if van_id else f"np:{_count(conn)}"
        contact_id = conn.execute(
            "INSERT INTO contacts (list_id, van_id, first_name, dedupe_key) VALUES (?, ?, 'A', ?)",
            (list_id, van_id, key),
        ).lastrowid
        phone_id = conn.execute(
            "INSERT INTO phones (contact_id, e164, van_phone_id) VALUES (?, ?, ?)",
            (contact_id, f"+1202555{contact_id:04d}", van_phone_id),
        ).lastrowid
    assert contact_id is not None and phone_id is not None
    return contact_id, phone_id


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM contacts").fetchone()[0])


def queue_outcome(
    db: Database, contact_id: int, value: str, source_id: int, **kw: Any
) -> list[int]:
    """Queue a Call Outcome value through the outbox's own API."""
    with db.write() as conn:
        return enqueue_field_value(
            conn,
            contact_id=contact_id,
            field_name="Call Outcome",
            value=value,
            source_kind="manual",
            source_id=source_id,
            at="2026-11-03T17:05:00Z",
            **kw,
        )


def van_worker(
    db: Database, settings: VanSettings, timeout: float = 5.0, **kw: Any
) -> OutboxWorker:
    kw.setdefault("backoff", FAST)
    worker = OutboxWorker(db, VanSender(VanClient(settings, timeout=timeout)), **kw)
    _OPEN.append(worker)
    return worker


_OPEN: list[OutboxWorker] = []


@pytest.fixture(autouse=True)
async def _close_workers() -> AsyncIterator[None]:
    yield
    while _OPEN:
        await _OPEN.pop().close()
