"""Bank, engine and tag pages: numbers beyond the store's range or digits like "²" in URLs
and forms get a clear 404/400 (or the default), never a 500, and change nothing."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, create_bank, seed_list

from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store.db import Database

Client = TestClient[Any, Any]
HUGE = "99999999999999999999"


async def test_given_odd_digits_or_huge_numbers_in_bank_urls_when_opened_then_404_or_default(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    for bank in (HUGE, "²", "٣"):
        for path in (f"/admin/banks/{bank}", f"/admin/banks/{bank}/engine"):
            assert (await client.get(path)).status == 404, path
        posted = await client.post(f"/admin/banks/{bank}/pause", data={"_csrf": token})
        assert posted.status == 404, bank
    for limit in ("²", HUGE):
        page = await client.get(f"/admin/banks/{bank_id}/engine?limit={limit}")
        assert page.status == 200, limit


async def test_given_odd_digits_or_huge_numbers_in_bank_and_tag_forms_when_sent_then_400_and_nothing_changes(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    for raw in ("²", HUGE):
        form = {"_csrf": token, "user_list": raw}
        refused = await client.post(f"/admin/banks/{bank_id}/publish", data=form)
        assert refused.status == 400, raw
        assert "Pick user lists from the list shown." in html.unescape(await refused.text())
        tag = {"_csrf": token, "contact_id": raw, "name": "Needs ride"}
        untagged = await client.post("/admin/fields/tags/apply", data=tag)
        assert untagged.status == 400, raw
        assert f"Contact id '{raw}' is not a number." in html.unescape(await untagged.text())
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).state.value == "draft"
    assert field_store.all_tags(db) == []
