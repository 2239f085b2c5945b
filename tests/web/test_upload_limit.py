"""An upload over the web pages' size limit gets a page that says so and what to do (the
command line import), not the server's bare "413" text; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from test_admin_pages import admin

from controller.store.db import Database
from web.middleware import MAX_UPLOAD_BYTES

Client = TestClient[Any, Any]


async def test_given_a_contact_file_over_the_limit_when_uploaded_then_a_clear_refusal(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    row = b"Ana,Lopez,617-555-0100\n"
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("list", "Huge")
    body = b"FirstName,LastName,CellPhone\n" + row * (MAX_UPLOAD_BYTES // len(row) + 1)
    form.add_field("file", body, filename="huge.csv", content_type="text/csv")
    response = await client.post("/admin/contacts/upload", data=form, allow_redirects=False)
    assert response.status == 413
    page = await response.text()
    assert "larger than 64 MB" in page and "phonebank contacts import" in page
    assert "<html" in page.lower()  # the site's error page
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM lists").fetchone()[0] == 0


async def test_given_a_do_not_call_file_over_the_limit_when_uploaded_then_the_dnc_command_is_named(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    line = b"617-555-0100\n"
    form = FormData()
    form.add_field("_csrf", token)
    body = line * (MAX_UPLOAD_BYTES // len(line) + 1)
    form.add_field("file", body, filename="dnc.csv", content_type="text/csv")
    response = await client.post("/admin/contacts/dnc/import", data=form)
    page = await response.text()
    assert response.status == 413 and "phonebank dnc import FILE" in page
    assert "contacts import" not in page
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM dnc").fetchone()[0] == 0
