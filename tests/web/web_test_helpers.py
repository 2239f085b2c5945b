"""Helpers for web tests: read a page's CSRF token, sign in through the real form."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

PASSWORD = "correct horse battery staple"


async def csrf_token(client: TestClient[Any, Any], path: str = "/login") -> str:
    """The CSRF token rendered into a page (the session cookie lands in the jar)."""
    response = await client.get(path)
    match = re.search(r'name="csrf-token" content="([^"]+)"', await response.text())
    assert match, "page carries no CSRF token"
    return match.group(1)


async def login(client: TestClient[Any, Any], username: str, password: str = PASSWORD) -> Any:
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"username": username, "password": password, "_csrf": token, "next": "/"},
        allow_redirects=False,
    )
