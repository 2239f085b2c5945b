"""The CRM sync admin page refuses what the commands refuse (clear-text URLs, values a field
never takes) and its connection test names VAN's lookups."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from web_test_helpers import csrf_token, login

from controller.model.fields import validate_field
from controller.store import fields as field_store
from controller.store.db import Database
from controller.store.sync_settings import get_van_settings, list_instructions, save_van_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from van_server import API_KEY, APP_NAME, VanServer

Client = TestClient[Any, Any]


async def admin_token(client: Client, make_user: Callable[..., int]) -> str:
    make_user("chief", role="admin")
    await login(client, "chief")
    return await csrf_token(client, "/admin")


async def test_given_http_base_url_when_saving_van_settings_then_refused_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin_token(client, make_user)
    form = {"_csrf": token, "application_name": "acme", "api_key": "k",
            "base_url": "http://van.example.org/v4"}  # fmt: skip
    bad = await client.post("/admin/sync/settings", data=form)
    html = await bad.text()
    assert bad.status == 400
    assert "must start with https://" in html and "API key would travel in clear text" in html
    with db.read() as conn:
        van = get_van_settings(conn)
    assert (van.application_name, van.api_key, van.base_url) == (
        "", "", "https://api.securevan.com/v4",
    )  # fmt: skip


async def test_given_yesno_field_when_mapping_perhaps_then_refused_and_yes_saved_as_yes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    field_store.add_field(db, validate_field("Needs ride", "yesno"))
    token = await admin_token(client, make_user)
    with db.read() as conn:
        before = list_instructions(conn)
    form = {"_csrf": token, "field": "Needs ride", "van_kind": "activist_code",
            "activist_code_id": "4242"}  # fmt: skip
    bad = await client.post("/admin/sync/map", data={**form, "value": "perhaps"})
    assert bad.status == 400 and "Needs ride is a yes/no field" in await bad.text()
    with db.read() as conn:
        assert list_instructions(conn) == before
    good = await client.post("/admin/sync/map", data={**form, "value": "yes"})
    assert good.status == 200 and "Needs ride = Yes saved." in await good.text()


async def test_given_local_van_when_testing_connection_then_lookup_names_shown(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin_token(client, make_user)
    async with VanServer() as van:
        with db.write() as conn:
            save_van_settings(conn, application_name=APP_NAME, api_key=API_KEY, base_url=van.url)
        tested = await client.post("/admin/sync/test", data={"_csrf": token})
        html = await tested.text()
    assert tested.status == 200
    assert "Contact types (3): Auto Dial, Phone, Walk" in html
    assert "Result codes (7): Canvassed, Deceased, Moved, Not Home" in html
