"""A bank's Image in Chromium: an inline data: image, the kind the settings accept, shows on
the volunteer's bank page under the pages' strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page

from controller.model import banks as bank_model
from controller.model.scripts import from_dict
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "volunteer password 123"
DOT = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="  # noqa: E501
SCRIPT = {"name": "S", "blocks": [{"id": "a", "title": "Hi", "text": "Hello",
          "responses": [{"label": "Done", "next": None}]}]}  # fmt: skip


def test_given_a_bank_with_a_data_image_when_a_volunteer_opens_it_then_the_image_is_drawn(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("vera", PASSWORD, role="volunteer")
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        script_id = script_store.save(conn, from_dict(SCRIPT))
        bank = bank_store.create(
            conn, {"title": "T", "description": "D", "list_id": list_id,
                   "script_id": script_id, "image": DOT},
        )  # fmt: skip
        assert bank.id is not None
        bank_store.update(conn, bank.id, lambda b: bank_model.publish(b, "public"))
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "vera")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/banks/{bank.id}")
    image = page.locator("img.bank-image")
    image.wait_for(state="attached")
    page.wait_for_function("() => document.querySelector('img.bank-image').complete")
    assert image.evaluate("i => i.naturalWidth") == 1
