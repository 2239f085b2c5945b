"""A script whose blocks loop with no way out is refused by the editor and by the upload
(with or without replace), each trapped block named; the bank keeps its script."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from test_admin_script_files import script_file

from controller.store import scripts as script_store
from controller.store.db import Database

Client = TestClient[Any, Any]
TRAP = {"name": "Web script", "blocks": [
    {"id": "a", "title": "Hello", "text": "Hi", "responses": [{"label": "Yes", "next": "b"}]},
    {"id": "b", "title": "Again", "text": "Once more?", "responses": [
        {"label": "Again", "next": "b"}, {"label": "Back", "next": "a"}]},
]}  # fmt: skip


def stored_body(db: Database, script_id: int) -> str:
    with db.read() as conn:
        row = conn.execute("SELECT body FROM scripts WHERE id = ?", (script_id,)).fetchone()
        return str(row["body"])


async def test_given_the_editor_when_saving_a_script_that_never_ends_then_each_block_is_named(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db))
    api, headers = f"/api/admin/banks/{bank_id}/script", {"X-CSRF-Token": token}
    refused = await client.post(api, json=TRAP, headers=headers)
    assert refused.status == 400
    body = await refused.json()
    assert body["error"] == "script_no_end"
    assert [(p["code"], p["block"]) for p in body["problems"]] == [
        ("script_no_end", "a"),
        ("script_no_end", "b"),
    ]
    assert "only lead to 'a' and 'b'" in body["problems"][0]["message"]
    assert bank_of(db, bank_id).settings.script_id is None
    saved = await client.post(api, json=GOOD_SCRIPT, headers=headers)
    script_id = (await saved.json())["script_id"]
    before = stored_body(db, script_id)
    again = await client.post(api, json=TRAP, headers=headers)
    assert again.status == 400 and (await again.json())["error"] == "script_no_end"
    assert stored_body(db, script_id) == before
    way_out = {**TRAP, "blocks": [TRAP["blocks"][0], {**TRAP["blocks"][1], "responses": [
        {"label": "Again", "next": "b"}, {"label": "Done", "next": None}]}]}  # fmt: skip
    fixed = await client.post(api, json=way_out, headers=headers)
    assert fixed.status == 200 and (await fixed.json())["script_id"] == script_id


async def test_given_an_upload_that_never_ends_when_sent_with_or_without_replace_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    upload = f"/admin/banks/{bank_id}/script/import"
    refused = await client.post(upload, data=script_file(token, TRAP))
    page = html.unescape(await refused.text())
    assert refused.status == 400 and "The script was not saved:" in page
    assert "block 'a' never reaches an end" in page and "block 'b' never reaches an end" in page
    assert "(block" not in page  # each message names its block once
    assert bank_of(db, bank_id).settings.script_id is None
    assert (await client.post(upload, data=script_file(token, GOOD_SCRIPT))).status == 200
    script_id = bank_of(db, bank_id).settings.script_id
    assert script_id is not None
    before = stored_body(db, script_id)
    replaced = await client.post(upload, data=script_file(token, TRAP, replace="on"))
    assert replaced.status == 400 and "never reaches an end" in html.unescape(await replaced.text())
    assert stored_body(db, script_id) == before
    with db.read() as conn:
        assert [s["name"] for s in script_store.list_all(conn)] == ["Web script"]
