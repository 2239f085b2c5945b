"""The script editor in Chromium: a block linked to a custom field takes its options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model.fields import validate_field
from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store import scripts as script_store
from controller.store import users as user_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"


def test_given_a_choice_field_when_a_block_is_linked_to_it_then_its_options_become_the_responses_and_save(  # noqa: E501
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"]))
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{bank.id}/script")
    page.fill("[data-testid=script-name]", "Field script")
    page.click("[data-testid=add-block]")
    page.select_option('.block[data-block="intro"] select.next', "b2")
    page.select_option('.block[data-block="b2"] select.field', "Support")
    options = page.locator('.block[data-block="b2"] .response input')
    expect(options).to_have_count(2)
    expect(options.first).to_have_value("Yes")
    expect(options.first).to_be_disabled()
    page.select_option('.block[data-block="b2"] .response >> nth=1 >> select.next', "intro")
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    shoot(page, "field-linked-block")
    with db.read() as conn:
        saved = script_store.get(conn, bank_store.get(conn, bank.id).settings.script_id or 0)
    assert saved is not None
    block = saved.script.block("b2")
    assert block.field == "Support" and dict(block.branches) == {"No": "intro"}


ADMIN_PAGES = (
    "/admin",
    "/admin/banks",
    "/admin/banks/new",
    "/admin/contacts",
    "/admin/users",
    "/admin/fields",
    "/admin/banks/{id}",
    "/admin/banks/{id}/settings",
    "/admin/banks/{id}/script",
    "/admin/banks/{id}/live",
    "/admin/banks/{id}/results",
    "/admin/contacts/browse",
    "/admin/contacts/{contact}",
)


def test_given_a_phone_sized_screen_when_each_admin_page_shows_then_nothing_overflows_sideways(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("olga", PASSWORD, role="admin")
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
        contact = conn.execute("SELECT min(id) FROM contacts").fetchone()[0]
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"]))
    field_store.tag_contact(db, contact, "Needs ride")
    user_store.create_user_list(db, "Tuesday crew")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    for path in ADMIN_PAGES:
        response = page.goto(live_server.url + path.format(id=bank.id, contact=contact))
        assert response is not None and response.ok, path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (path, width)


def test_given_a_name_another_banks_script_has_when_typed_and_saved_then_the_editor_shows_its_own_copy(  # noqa: E501
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("olga", PASSWORD, role="admin")
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        first = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
        second = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{first.id}/script")
    expect(page.get_by_test_id("script-name")).to_have_value("T script")
    page.fill('.block[data-block="intro"] textarea', "Week 1 script text")
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    page.goto(f"{live_server.url}/admin/banks/{second.id}/script")
    expect(page.get_by_test_id("script-name")).to_have_value(f"T script (bank {second.id})")
    page.fill("[data-testid=script-name]", "T script")
    page.fill('.block[data-block="intro"] textarea', "Week 2 script text")
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_contain_text(
        f"Saved. The name 'T script' belongs to another script (used by bank {first.id})"
    )
    expect(page.get_by_test_id("script-name")).to_have_value(f"T script (bank {second.id})")
    with db.read() as conn:
        texts = [
            script_store.get(conn, bank_store.get(conn, b.id or 0).settings.script_id or 0)
            for b in (first, second)
        ]
    assert [s.script.blocks[0].text if s else "" for s in texts] == [
        "Week 1 script text",
        "Week 2 script text",
    ]
