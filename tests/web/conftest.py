"""Web tests: the real app over aiohttp's test server, on the suite's real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from web_test_helpers import PASSWORD

from controller.config import Settings
from controller.store import users as user_store
from controller.store.db import Database
from web.app import init_app


@pytest.fixture
def make_user(db: Database) -> Callable[..., int]:
    def create(
        username: str, role: str = "volunteer", password: str = PASSWORD, **extra: Any
    ) -> int:
        user = user_store.create_user(db, username=username, password=password, role=role, **extra)
        return int(user["id"])

    return create


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(init_app(settings, db))) as test_client:
        yield test_client
