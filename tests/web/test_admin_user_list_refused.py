"""Users page: a refused user-list form changes nothing (no empty list left behind)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin

from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]


async def test_given_an_unknown_member_when_creating_a_user_list_then_refused_and_no_list_is_created(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    make_user("vol1")
    form = {"_csrf": token, "name": "Wednesday crew", "members": "vol1, ghost"}
    refused = await client.post("/admin/users/lists", data=form)
    assert refused.status == 400 and "No user called 'ghost'." in html.unescape(
        await refused.text()
    )
    assert user_store.all_user_lists(db) == []
    fixed = await client.post("/admin/users/lists", data={**form, "members": "vol1, VOL1"})
    assert "User list Wednesday crew: 1 member added." in html.unescape(await fixed.text())
    lists = user_store.all_user_lists(db)
    assert [(lst["name"], lst["members"]) for lst in lists] == [("Wednesday crew", ["vol1"])]
