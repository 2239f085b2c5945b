"""Contacts and CRM sync pages: numbers beyond the store's range or digits like "²" in
URLs and forms get a clear 404/400 (or the first page), never a 500, and change nothing."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, seed_list

from controller.store.db import Database
from controller.store.sync_settings import list_instructions

Client = TestClient[Any, Any]
HUGE = "99999999999999999999"


def contact_state(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        return [tuple(r) for r in conn.execute("SELECT * FROM phones ORDER BY id")]


async def test_given_odd_digits_or_huge_numbers_in_contact_urls_when_opened_then_404_or_first_page(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 3)
    before = contact_state(db)
    for query in ("dnc_offset=²", f"dnc_offset={HUGE}", "dnc_offset=٣"):
        page = await client.get(f"/admin/contacts?{query}")
        assert page.status == 200, query
    for offset in ("²", HUGE, "٣"):
        browse = await client.get(f"/admin/contacts/browse?list={list_id}&offset={offset}")
        assert browse.status == 200 and "Seeded" in html.unescape(await browse.text()), offset
    for contact in (HUGE, "٣"):
        assert (await client.get(f"/admin/contacts/{contact}")).status == 404, contact
        form = {"_csrf": token, "number": "617-555-0100"}
        marked = await client.post(f"/admin/contacts/{contact}/wrong-number", data=form)
        assert marked.status == 404, contact
    assert contact_state(db) == before


async def test_given_odd_digits_or_huge_numbers_in_sync_forms_when_sent_then_400_and_nothing_changes(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    for raw in ("²", HUGE):
        retry = await client.post("/admin/sync/retry", data={"_csrf": token, "id": raw})
        text = html.unescape(await retry.text())
        assert retry.status == 400 and f"Not an outbox row number: '{raw}'." in text
    with db.read() as conn:
        before = list_instructions(conn)
    for raw in ("²", HUGE):
        form = {"_csrf": token, "field": "Call Outcome", "value": "Busy",
                "van_kind": "survey_response", "survey_question_id": raw,
                "survey_response_id": "7"}  # fmt: skip
        mapped = await client.post("/admin/sync/map", data=form)
        text = html.unescape(await mapped.text())
        assert mapped.status == 400 and f"Survey question id must be a number (got '{raw}')" in text
    with db.read() as conn:
        assert list_instructions(conn) == before
