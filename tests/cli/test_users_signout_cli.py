"""``phonebank users signout`` and ``users passwd`` against browsers signed in to the real app
on the same database file."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner, Result

from cli import main
from controller.config import Settings
from controller.store import users
from controller.store.db import Database
from web.app import init_app

PASSWORD = "correct horse battery staple"
Client = TestClient[Any, Any]


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


@pytest.fixture
async def browser(settings: Settings, db: Database) -> AsyncIterator[Client]:
    async with TestClient(TestServer(init_app(settings, db))) as client:
        yield client


async def sign_in(client: Client, username: str) -> None:
    page = await (await client.get("/login")).text()
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match
    form = {"username": username, "password": PASSWORD, "_csrf": match.group(1), "next": "/"}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303


async def signed_in(client: Client) -> bool:
    return (await client.get("/account", allow_redirects=False)).status == 200


async def test_given_a_signed_in_user_when_signout_is_run_then_their_browser_is_signed_out(
    home: Path, db: Database, browser: Client
) -> None:
    users.create_user(db, "ana", password=PASSWORD)
    users.create_user(db, "bob", password=PASSWORD)
    await sign_in(browser, "ana")
    result = run(home, "users", "signout", "ANA", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"username": "ana", "signed_out": 1}
    assert not await signed_in(browser)
    assert "bob signed out of 0 browser(s)." in run(home, "users", "signout", "bob").output


async def test_given_an_unknown_user_when_signout_is_run_then_a_clear_error_and_no_change(
    home: Path, db: Database, browser: Client
) -> None:
    users.create_user(db, "ana", password=PASSWORD)
    await sign_in(browser, "ana")
    result = run(home, "users", "signout", "ghost", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stderr) == {
        "error": "no_such_user",
        "message": "no user called 'ghost'",
    }
    assert "Error: no user called 'ghost'" in run(home, "users", "signout", "ghost").stderr
    assert await signed_in(browser)


async def test_given_a_signed_in_user_when_passwd_is_run_then_every_browser_is_signed_out(
    home: Path, db: Database, browser: Client
) -> None:
    users.create_user(db, "ana", password=PASSWORD)
    await sign_in(browser, "ana")
    short = run(home, "users", "passwd", "ana", "--password", "short")
    assert short.exit_code == 1 and await signed_in(browser)  # refused: nothing changes
    result = run(home, "users", "passwd", "ana", "--password", "another passphrase", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["signed_out"] == 1
    assert not await signed_in(browser)
