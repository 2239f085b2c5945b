"""A bank's Image: only addresses the volunteer pages show (inline data: images or paths
on the appliance) are saved; another site's address is refused saying what works."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of
from test_admin_bank_settings import settings_form
from test_admin_pages import admin, create_bank, seed_list

from controller.model.bank_settings import image_allowed
from controller.store.db import Database

Client = TestClient[Any, Any]
DOT = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="  # noqa: E501


@pytest.mark.parametrize("address", [DOT, "/static/img/logo.png"])
def test_given_an_inline_or_local_image_when_checked_then_allowed(address: str) -> None:
    assert image_allowed(address)


@pytest.mark.parametrize(
    "address",
    ["https://upload.wikimedia.org/x.png", "//evil.example/x.png", "javascript:alert(1)",
     "data:text/html;base64,PGI+", "http://localhost/x.png", "/a b.png", "data:image/png;base64,"
     + "A" * 200_000],
)  # fmt: skip
def test_given_another_sites_or_a_non_image_address_when_checked_then_refused(
    address: str,
) -> None:
    assert not image_allowed(address)


async def test_given_an_image_address_when_saved_on_the_settings_page_then_only_what_volunteers_see_is_kept(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db, 2)
    bank_id = await create_bank(client, token, list_id)
    before = bank_of(db, bank_id).settings
    form = settings_form(token, list_id, image="https://upload.wikimedia.org/x.png")
    refused = await client.post(f"/admin/banks/{bank_id}/settings", data=form)
    assert refused.status == 400
    assert "the image must be a data: address" in html.unescape(await refused.text())
    assert bank_of(db, bank_id).settings == before
    form = settings_form(token, list_id, image=DOT)
    saved = await client.post(f"/admin/banks/{bank_id}/settings", data=form, allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert bank_of(db, bank_id).settings.image == DOT
