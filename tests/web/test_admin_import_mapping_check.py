"""Web upload: the mapping page checks its own guesses, and a mapping the importer refuses
is told before anything starts, leaving the upload for another try."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_contact_import import contact_count, upload
from test_admin_pages import admin
from web_test_helpers import run_import

from controller.store.db import Database

Client = TestClient[Any, Any]
TWO_CELLS = b"FirstName,Cell Phone,CellPhone\nA,617-555-0201,617-555-0202\n"


def selected(page: str, column: str) -> str:
    start = page.index(f'data-column="{column}"')
    end = page.index("</select>", start)
    chosen = [part for part in page[start:end].split("<option")[1:] if "selected" in part]
    assert len(chosen) == 1, chosen
    return chosen[0].split('value="')[1].split('"')[0]


async def start(client: Client, token: str, upload_token: str, mapping: dict[str, str]) -> Any:
    return await client.post(
        "/api/admin/contacts/import",
        json={"token": upload_token, "list": "Web", "mapping": mapping},
        headers={"X-CSRF-Token": token},
    )


async def test_given_two_cell_columns_when_mapped_then_one_is_guessed_and_a_refused_mapping_can_be_fixed(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, page = await upload(client, token, TWO_CELLS)
    assert selected(page, "Cell Phone") == "cell_phone"
    assert selected(page, "CellPhone") == "extra:CellPhone"
    assert "Column 'CellPhone' looks like cell_phone" in page and "flash-bad" not in page
    both = {"FirstName": "first_name", "Cell Phone": "cell_phone", "CellPhone": "cell_phone"}
    refused = await start(client, token, upload_token, both)
    assert refused.status == 400
    assert (await refused.json())["message"] == "Two columns are mapped to 'cell_phone'."
    assert contact_count(db) == 0
    again = await client.get(f"/admin/contacts/map/{upload_token}?list=Web")
    assert again.status == 200
    fixed = await run_import(
        client, token, upload_token, mapping={**both, "CellPhone": "home_phone"}
    )
    assert fixed["report"]["imported"] == 1 and fixed["report"]["phones"] == 2


async def test_given_no_phone_column_when_mapped_then_the_page_says_so_in_its_own_words(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, page = await upload(client, token, b"FirstName,Number\nA,617-555-0201\n")
    assert "No column is a phone number: choose phone" in page and "--map" not in page
    refused = await start(client, token, upload_token, {})
    message = (await refused.json())["message"]
    assert refused.status == 400 and "--map" not in message and "choose phone" in message
    fixed = await run_import(client, token, upload_token, mapping={"Number": "phone"})
    assert fixed["report"]["imported"] == 1


async def test_given_a_column_named_twice_when_uploaded_then_refused_on_the_mapping_step(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, page = await upload(client, token, b"FirstName,Phone,Phone\nA,1,617-555-0201\n")
    assert "column 'Phone' appears twice in the header" in html.unescape(page)
    assert "map-import" not in page and contact_count(db) == 0
    gone = await client.get(f"/admin/contacts/map/{upload_token}?list=Web")
    assert gone.status == 404  # refused: the contacts' data is not kept


async def test_given_a_list_that_is_not_a_name_when_importing_then_refused_and_no_list_is_made(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    upload_token, _ = await upload(client, token, b"FirstName,Phone\nA,617-555-0201\n")
    for odd in (True, 5, {"name": "Web"}, ["Web"]):
        refused = await client.post(
            "/api/admin/contacts/import",
            json={"token": upload_token, "list": odd, "mapping": {}},
            headers={"X-CSRF-Token": token},
        )
        assert refused.status == 400 and (await refused.json())["error"] == "bad_list", odd
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM lists").fetchone()[0] == 0
    assert contact_count(db) == 0
    fixed = await run_import(client, token, upload_token, mapping={})
    assert fixed["report"]["imported"] == 1
