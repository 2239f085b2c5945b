"""Script page: a bank's script downloaded as YAML or JSON, and a script file uploaded."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import csrf_token, login

from controller.store import scripts as script_store
from controller.store.db import Database

Client = TestClient[Any, Any]
DANGLING = {"name": "Bad", "blocks": [{"id": "a", "title": "A", "text": "Hi",
            "responses": [{"label": "Go", "next": "nowhere"}]}]}  # fmt: skip


def script_file(token: str, data: dict[str, Any], name: str = "s.yaml", **extra: str) -> FormData:
    form = FormData()
    form.add_field("_csrf", token)
    for key, value in extra.items():
        form.add_field(key, value)
    text = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data)
    form.add_field("file", text.encode(), filename=name)
    return form


def script_count(db: Database) -> int:
    with db.read() as conn:
        return len(script_store.list_all(conn))


async def test_given_a_yaml_script_when_uploaded_then_the_bank_uses_it_and_downloads_match(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    done = await client.post(
        f"/admin/banks/{bank_id}/script/import", data=script_file(token, GOOD_SCRIPT)
    )
    assert done.status == 200
    assert "Saved script 'Web script' (2 blocks) for this bank." in html.unescape(await done.text())
    script_id = bank_of(db, bank_id).settings.script_id
    assert script_id is not None
    as_yaml = yaml.safe_load(await (await client.get(f"/admin/banks/{bank_id}/script.yaml")).text())
    as_json = await (await client.get(f"/admin/banks/{bank_id}/script.json")).json()
    assert as_yaml == as_json and as_yaml["name"] == "Web script"
    assert [b["id"] for b in as_json["blocks"]] == ["a", "b"]
    assert (await client.get(f"/admin/banks/{bank_id}/script.xml")).status == 404
    again = await client.post(
        f"/admin/banks/{bank_id}/script/import",
        data=script_file(token, as_json, "again.json"),
    )
    assert again.status == 400 and "tick replace" in await again.text()
    replaced = await client.post(
        f"/admin/banks/{bank_id}/script/import",
        data=script_file(token, as_json, "again.json", replace="on"),
    )
    assert replaced.status == 200 and script_count(db) == 1


async def test_given_a_script_with_a_dangling_branch_when_uploaded_then_listed_and_nothing_saved(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    refused = await client.post(
        f"/admin/banks/{bank_id}/script/import", data=script_file(token, DANGLING)
    )
    page = html.unescape(await refused.text())
    assert refused.status == 400 and "The script was not saved:" in page
    assert "block 'a' response 'Go' leads to missing block 'nowhere'." in page
    assert "(block" not in page  # the message names its block once
    broken = FormData()
    broken.add_field("_csrf", token)
    broken.add_field("file", b"blocks: [unclosed", filename="x.yaml")
    unreadable = await client.post(f"/admin/banks/{bank_id}/script/import", data=broken)
    said = html.unescape(await unreadable.text())
    assert unreadable.status == 400 and "x.yaml cannot be read: it is not valid YAML (" in said
    assert not re.search(r"script-[0-9a-f]{16}", said) and "<unicode string>" not in said
    for name, body, why in (
        ("x.json", b"\xff\xfe{", "x.json cannot be read: it is not UTF-8 text"),
        ("y.json", b'{"blocks": [', "y.json cannot be read: it is not valid JSON ("),
    ):
        bad = FormData()
        bad.add_field("_csrf", token)
        bad.add_field("file", body, filename=name)
        answer = await client.post(f"/admin/banks/{bank_id}/script/import", data=bad)
        assert answer.status == 400 and why in html.unescape(await answer.text()), name
    assert bank_of(db, bank_id).settings.script_id is None and script_count(db) == 0
    missing = await client.get(f"/admin/banks/{bank_id}/script.yaml")
    assert missing.status == 404


async def test_given_a_volunteer_or_a_visitor_when_downloading_or_uploading_a_script_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    path = f"/admin/banks/{bank_id}/script"
    assert (await client.get(f"{path}.yaml", allow_redirects=False)).status == 302
    assert (await client.post(f"{path}/import", data=script_file("", GOOD_SCRIPT))).status == 401
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    assert (await client.get(f"{path}.json", allow_redirects=False)).status == 403
    refused = await client.post(f"{path}/import", data=script_file(vol_token, GOOD_SCRIPT))
    assert refused.status == 403 and script_count(db) == 0
