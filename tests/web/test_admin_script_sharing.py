"""Script editor and upload over the real app and SQLite file: a bank's script page never
changes another bank's script, and the Fields page keeps a field a script uses."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from test_admin_script_files import script_file

from controller.model.fields import validate_field
from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store import scripts as script_store
from controller.store.db import Database

Client = TestClient[Any, Any]


def text_of(script: dict[str, Any], name: str, text: str) -> dict[str, Any]:
    first = {**script["blocks"][0], "text": text}
    return {**script, "name": name, "blocks": [first, *script["blocks"][1:]]}


def bodies(db: Database) -> dict[int, tuple[str, str]]:
    """Every stored script, byte for byte: id -> (name, body)."""
    with db.read() as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, name, body FROM scripts")}


async def editor_data(client: Client, bank_id: int) -> dict[str, Any]:
    page = await (await client.get(f"/admin/banks/{bank_id}/script")).text()
    match = re.search(r'data-editor="([^"]*)"', page)
    assert match
    return dict(json.loads(html.unescape(match.group(1))))


async def save(client: Client, token: str, bank_id: int, script: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/admin/banks/{bank_id}/script", json=script, headers={"X-CSRF-Token": token}
    )


async def started_then_stopped(client: Client, token: str, bank_id: int) -> None:
    for step in ("publish", "start"):
        assert (await client.post(f"/admin/banks/{bank_id}/{step}", data={"_csrf": token})).ok
    stop = {"_csrf": token, "confirm": "yes"}
    assert (await client.post(f"/admin/banks/{bank_id}/stop", data=stop)).ok


async def test_given_two_banks_titled_alike_when_both_editors_save_then_each_keeps_its_own_script(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    first = await create_bank(client, token, list_id, title="T")
    second = await create_bank(client, token, list_id, title="T")
    suggested = (await editor_data(client, first))["script"]
    assert suggested["name"] == "T script"
    one = await save(client, token, first, text_of(suggested, "T script", "Week 1 script text"))
    assert one.status == 200 and (await one.json())["notice"] == ""
    before = bodies(db)
    assert (await editor_data(client, second))["script"]["name"] == f"T script (bank {second})"
    two = await save(client, token, second, text_of(suggested, "T script", "Week 2 script text"))
    result = await two.json()
    assert two.status == 200 and result["name"] == f"T script (bank {second})"
    assert (
        f"The name 'T script' belongs to another script (used by bank {first})"
        in (result["notice"])
    )
    after = bodies(db)
    assert {k: after[k] for k in before} == before
    assert "Week 1 script text" in after[bank_of(db, first).settings.script_id or 0][1]
    assert "Week 2 script text" in after[bank_of(db, second).settings.script_id or 0][1]


async def test_given_a_script_a_stopped_bank_shares_when_another_banks_editor_saves_then_the_stopped_one_is_untouched(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    stopped = await create_bank(client, token, list_id)
    assert (await save(client, token, stopped, GOOD_SCRIPT)).status == 200
    gotv = bank_of(db, stopped).settings.script_id
    draft = await create_bank(client, token, list_id)
    with db.write() as conn:  # as 'phonebank bank edit ID --script' attaches it
        bank_store.edit(conn, draft, {"script_id": gotv})
    await started_then_stopped(client, token, stopped)
    page = html.unescape(await (await client.get(f"/admin/banks/{draft}/script")).text())
    assert f"This script is also used by bank {stopped}." in page
    before = bodies(db)
    own_refused = await save(client, token, stopped, text_of(GOOD_SCRIPT, "Web script", "New"))
    assert own_refused.status == 400 and (await own_refused.json())["error"] == "bank_stopped"
    assert bodies(db) == before
    done = await save(client, token, draft, text_of(GOOD_SCRIPT, "Web script", "Changed"))
    result = await done.json()
    assert done.status == 200 and result["name"] == f"Web script (bank {draft})"
    assert f"shared with bank {stopped} stays unchanged for them" in result["notice"]
    assert bodies(db)[gotv or 0] == before[gotv or 0]
    assert bank_of(db, stopped).settings.script_id == gotv
    assert bank_of(db, draft).settings.script_id == result["script_id"] != gotv


async def test_given_a_script_a_stopped_bank_uses_when_uploaded_with_replace_then_refused_naming_it(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    stopped = await create_bank(client, token, list_id)
    await save(client, token, stopped, GOOD_SCRIPT)
    await started_then_stopped(client, token, stopped)
    other = await create_bank(client, token, list_id)
    before = bodies(db)
    changed = text_of(GOOD_SCRIPT, "Web script", "Changed")
    refused = await client.post(
        f"/admin/banks/{other}/script/import", data=script_file(token, changed, replace="on")
    )
    page = html.unescape(await refused.text())
    assert refused.status == 400
    assert f"script 'Web script' is used by bank {stopped} (stopped)" in page
    assert bodies(db) == before and bank_of(db, other).settings.script_id is None


async def test_given_a_script_a_draft_shares_when_uploaded_with_replace_then_the_notice_names_it(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    draft = await create_bank(client, token, list_id)
    await save(client, token, draft, GOOD_SCRIPT)
    other = await create_bank(client, token, list_id)
    changed = text_of(GOOD_SCRIPT, "Web script", "Changed")
    done = await client.post(
        f"/admin/banks/{other}/script/import", data=script_file(token, changed, replace="on")
    )
    page = html.unescape(await done.text())
    assert done.status == 200
    assert f"It is also the script of bank {draft}: theirs changed too." in page
    assert bank_of(db, draft).settings.script_id == bank_of(db, other).settings.script_id
    assert "Changed" in next(iter(bodies(db).values()))[1]


async def test_given_a_field_a_script_uses_when_deleted_on_the_fields_page_then_refused_and_kept(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    field_store.add_field(db, validate_field("Support", "choice", ["Strong", "Lean"], False))
    block = {"id": "q", "title": "Support?", "text": "Can we count on you?", "field": "Support"}
    survey = {"name": "Survey", "blocks": [block]}
    assert (await save(client, token, bank_id, survey)).status == 200
    listed = html.unescape(await (await client.get("/admin/fields")).text())
    assert "used by script Survey" in listed
    refused = await client.post(
        "/admin/fields/remove", data={"_csrf": token, "name": "Support", "confirm": "yes"}
    )
    page = html.unescape(await refused.text())
    assert refused.status == 400 and "Field 'Support' is used by script 'Survey'" in page
    field = field_store.get_field(db, "Support")
    assert field is not None and field["options"] == ["Strong", "Lean"]
    with db.read() as conn:
        stored = script_store.get(conn, "Survey")
        assert stored is not None and script_store.check(conn, stored.script) == []
