"""Users page: an admin cannot lock or demote their own account, however the username is
written (usernames are not case sensitive)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin

from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]
GUARD = "You cannot lock or demote your own account here: another admin can."


async def test_given_an_admin_when_changing_their_own_username_in_capitals_then_refused_and_unchanged(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)  # signed in as "boss"
    before = user_store.get_user(db, "boss")
    for change in ({"role": "manager"}, {"disabled": "yes", "confirm": "yes"}):
        for written in ("BOSS", " Boss "):
            form = {"_csrf": token, "username": written, **change}
            refused = await client.post("/admin/users/set", data=form)
            assert refused.status == 400, (written, change)
            assert GUARD in html.unescape(await refused.text())
    assert user_store.get_user(db, "boss") == before
    page = await client.get("/admin/users")
    assert page.status == 200  # still signed in: the account was not locked
