"""The Contacts page's upload names its list as the CLI's ``--list`` does: an existing
list's id or name, or a new name that is not digits only."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from test_admin_pages import admin
from web_test_helpers import run_import

from controller.config import Settings
from controller.store import contacts as contact_store
from controller.store.db import Database

Client = TestClient[Any, Any]
CSV = b"FirstName,LastName,CellPhone\nAna,Smith,617-555-0101\nBen,Ode,617-555-0102\n"


def token_of(uploaded: Any) -> str:
    """The upload's token, from the mapping page it was sent on to."""
    return str(uploaded.headers["Location"].split("/")[-1].split("?")[0])


async def post_upload(client: Client, token: str, list_ref: str) -> Any:
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("list", list_ref)
    form.add_field("file", CSV, filename="people.csv", content_type="text/csv")
    return await client.post("/admin/contacts/upload", data=form, allow_redirects=False)


def uploads(settings: Settings) -> list[Path]:
    folder = settings.runtime_dir / "uploads"
    return sorted(folder.glob("*.csv")) if folder.exists() else []


async def test_given_a_new_list_name_of_digits_only_when_uploading_then_refused_and_nothing_kept(
    client: Client, make_user: Callable[..., int], db: Database, settings: Settings
) -> None:
    token = await admin(client, make_user)
    refused = await post_upload(client, token, "2024")
    assert refused.status == 400
    page = html.unescape(await refused.text())
    assert "a new list cannot be called '2024'" in page and "add a word" in page
    assert uploads(settings) == [] and contact_store.all_lists(db) == []


async def test_given_the_mapping_step_when_the_list_is_renamed_to_digits_then_the_import_is_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    uploaded = await post_upload(client, token, "Web")
    upload_token = token_of(uploaded)
    started = await client.post(
        "/api/admin/contacts/import",
        json={"token": upload_token, "list": "31", "mapping": {}},
        headers={"X-CSRF-Token": token},
    )
    assert started.status == 400
    assert (await started.json())["error"] == "list_name_digits"
    assert contact_store.all_lists(db) == []
    status = await run_import(client, token, upload_token, "Web")
    assert status["report"]["imported"] == 2  # the same upload, under a name with a word


async def test_given_an_existing_list_when_uploading_into_its_id_then_its_contacts_join_it(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    first = await post_upload(client, token, "Ward 4")
    await run_import(client, token, token_of(first), "Ward 4")
    [ward] = contact_store.all_lists(db)
    again = await post_upload(client, token, str(ward["id"]))
    assert again.status == 303
    status = await run_import(client, token, token_of(again), str(ward["id"]))
    assert status["summary"].startswith("Imported 0 contacts (0 phones) into “Ward 4”; 2 dup")
    assert [(r["name"], r["contacts"]) for r in contact_store.all_lists(db)] == [("Ward 4", 2)]
