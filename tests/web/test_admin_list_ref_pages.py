"""Find contacts and a list's Delete read the list as the CLI's LIST does (an existing
list's id, else its name) and the Contacts page names each list by its id, so an old list
named with digits only is the one shown and deleted."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin

from controller.store import contact_import
from controller.store import contacts as contact_store
from controller.store.db import Database

Client = TestClient[Any, Any]
WARD = "FirstName,LastName,CellPhone\nAnn,Lee,212-555-0101\nBo,Lee,212-555-0102\n"
OLD = "FirstName,LastName,CellPhone\nCy,Ray,212-555-0103\n"


async def shown(response: Any) -> str:
    return html.unescape(await response.text())


def lists_with_old_digit_name(db: Database, tmp_path: Path) -> tuple[int, int]:
    """List 1 "Ward list", and list 2 named "1" as a database made before digit-only names
    were refused could hold it (its name is the other list's id)."""
    path = tmp_path / "people.csv"
    path.write_text(WARD)
    ward = contact_import.import_csv(db, path, "Ward list", {}).list_id
    with db.write() as conn:
        old = int(conn.execute("INSERT INTO lists (name) VALUES ('1')").lastrowid or 0)
    path.write_text(OLD)
    contact_import.import_csv(db, path, str(old), {})
    return ward, old


def remaining(db: Database) -> list[tuple[int, str, int]]:
    return [(r["id"], r["name"], r["contacts"]) for r in contact_store.all_lists(db)]


async def test_given_an_old_digit_named_list_when_browsing_by_id_then_its_contacts_only(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Path
) -> None:
    await admin(client, make_user)
    ward, old = lists_with_old_digit_name(db, tmp_path)
    listing = await shown(await client.get("/admin/contacts"))
    assert f'href="/admin/contacts/browse?list={old}">1</a>' in listing
    by_id = await shown(await client.get(f"/admin/contacts/browse?list={old}"))
    assert "Cy Ray" in by_id and "Ann Lee" not in by_id
    assert f'<option value="{old}" selected>1</option>' in by_id
    digits = await shown(await client.get("/admin/contacts/browse?list=1"))  # list 1's id
    assert "Ann Lee" in digits and "Bo Lee" in digits and "Cy Ray" not in digits
    by_name = await shown(await client.get("/admin/contacts/browse?list=ward+list"))
    assert f'<option value="{ward}" selected>Ward list</option>' in by_name
    assert "Ann Lee" in by_name and "Cy Ray" not in by_name
    unknown = await client.get("/admin/contacts/browse?list=9")
    assert unknown.status == 400 and "No list called '9'." in await shown(unknown)


async def test_given_an_old_digit_named_list_when_deleted_from_its_row_then_only_it_goes(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Path
) -> None:
    token = await admin(client, make_user)
    ward, old = lists_with_old_digit_name(db, tmp_path)
    listing = await shown(await client.get("/admin/contacts"))
    assert f'<input type="hidden" name="list" value="{old}">' in listing
    form = {"_csrf": token, "confirm": "yes"}
    unknown = await client.post("/admin/contacts/lists/delete", data={**form, "list": "9"})
    assert unknown.status == 400 and "No list called '9'." in await shown(unknown)
    assert remaining(db) == [(old, "1", 1), (ward, "Ward list", 2)]
    deleted = await client.post("/admin/contacts/lists/delete", data={**form, "list": str(old)})
    assert "List '1' deleted with its 1 contact." in await shown(deleted)
    assert remaining(db) == [(ward, "Ward list", 2)]


async def test_given_a_contact_of_an_old_digit_named_list_when_opened_then_its_back_link_names_the_list_by_id(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Path
) -> None:
    await admin(client, make_user)
    _, old = lists_with_old_digit_name(db, tmp_path)
    (cy,) = contact_store.contact_rows(db, old)
    page = await shown(await client.get(f"/admin/contacts/{cy['id']}"))
    assert f'href="/admin/contacts/browse?list={old}">← 1</a>' in page
