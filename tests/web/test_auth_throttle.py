"""The sign-in throttle through the real routes: an admin's password reset lets a paused
user in at once, and behind a trusted reverse proxy each client is counted on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from web_test_helpers import PASSWORD, csrf_token, login

from controller.config import Settings
from controller.store.db import Database
from web.app import init_app

Client = TestClient[Any, Any]


async def test_given_a_paused_volunteer_when_an_admin_sets_their_password_then_they_sign_in_at_once(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    make_user("boss", role="admin")
    for _ in range(5):
        assert (await login(client, "ana", "nope")).status == 401
    assert (await login(client, "ana")).status == 429
    assert (await login(client, "boss")).status == 303
    token = await csrf_token(client, "/admin/users")
    reset = {"_csrf": token, "username": "ana", "password": "a new long password 42"}
    page = await client.post("/admin/users/password", data=reset)
    assert "Password set for ana." in await page.text()
    await client.post("/logout", data={"_csrf": token}, allow_redirects=False)
    assert (await login(client, "ana", "a new long password 42")).status == 303


async def forwarded_login(client: Client, username: str, password: str, via: str) -> int:
    token = await csrf_token(client)
    form = {"username": username, "password": password, "_csrf": token, "next": "/"}
    answer = await client.post(
        "/login", data=form, headers={"X-Forwarded-For": via}, allow_redirects=False
    )
    return answer.status


async def test_given_a_trusted_proxy_when_one_client_is_paused_then_another_behind_it_signs_in(
    settings: Settings, db: Database, make_user: Callable[..., int]
) -> None:
    proxied = replace(settings, web=replace(settings.web, trusted_proxies=("127.0.0.1",)))
    make_user("org")
    async with TestClient(TestServer(init_app(proxied, db))) as client:
        for _ in range(5):
            assert await forwarded_login(client, "org", "nope", "203.0.113.9") == 401
        assert await forwarded_login(client, "org", PASSWORD, "203.0.113.9") == 429
        assert await forwarded_login(client, "org", PASSWORD, "198.51.100.4") == 303
    async with TestClient(TestServer(init_app(settings, db))) as direct:  # no proxy trusted
        for _ in range(5):
            assert await forwarded_login(direct, "org", "nope", "203.0.113.9") == 401
        assert await forwarded_login(direct, "org", PASSWORD, "198.51.100.4") == 429


async def test_given_many_sign_ins_sent_at_once_when_the_passwords_are_wrong_then_only_five_are_checked(  # noqa: E501
    client: Client, make_user: Callable[..., int]
) -> None:
    """Guesses sent in parallel are counted as they come in, not once each password check
    has ended: the sixth is paused like a sixth sent after the others."""
    make_user("ana")
    token = await csrf_token(client)
    form = {"username": "ana", "password": "nope", "_csrf": token, "next": "/"}

    async def guess() -> int:
        return (await client.post("/login", data=form, allow_redirects=False)).status

    statuses = await asyncio.gather(*(guess() for _ in range(12)))
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert (await login(client, "ana")).status == 429  # the right one waits too
