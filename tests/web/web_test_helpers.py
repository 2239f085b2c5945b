"""Helpers for web tests: read a page's CSRF token, sign in through the real form, run a
contact import to its end."""

from __future__ import annotations

import asyncio
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


async def run_import(
    client: TestClient[Any, Any],
    token: str,
    upload_token: str,
    list_name: str = "Web",
    mapping: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Start the import of an upload into ``list_name`` and wait for its final status (with
    the import's ``job`` id added, for its rejected-rows download)."""
    started = await client.post(
        "/api/admin/contacts/import",
        json={"token": upload_token, "list": list_name, "mapping": mapping or {}},
        headers={"X-CSRF-Token": token},
    )
    job = (await started.json())["job"]
    status: dict[str, Any] = {"finished": False}
    for _ in range(100):
        status = await (await client.get(f"/api/admin/imports/{job}")).json()
        if status["finished"]:
            break
        await asyncio.sleep(0.1)
    return {**status, "job": job}
