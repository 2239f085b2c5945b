"""The script page in Chromium: a loop with no way out is shown next to its blocks and not
saved; a saved script no bank uses is deleted with the box ticked and the dialog accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model.scripts import from_dict
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"
SPARE = {"name": "Old spring script", "blocks": [{"id": "a", "title": "Hi", "text": "Hello",
         "responses": [{"label": "Done", "next": None}]}]}  # fmt: skip


def saved_names(db: Database) -> list[str]:
    with db.read() as conn:
        return [str(s["name"]) for s in script_store.list_all(conn)]


def test_given_the_script_page_when_a_loop_traps_then_named_and_when_a_spare_is_deleted_then_gone(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
        script_store.save(conn, from_dict(SPARE))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{bank.id}/script")
    page.select_option('.block[data-block="intro"] select.next', "intro")  # Talk -> itself
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Not saved: fix the problems shown.")
    problems = page.locator('.block[data-block="intro"] [data-testid=block-problems]')
    expect(problems).to_contain_text("block 'intro' never reaches an end")
    assert saved_names(db) == ["Old spring script"]
    page.select_option('.block[data-block="intro"] select.next', "")
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")

    page.reload()
    rows = page.get_by_test_id("saved-script")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="T script")).to_contain_text(f"bank {bank.id} (draft)")
    expect(rows.filter(has_text="T script").get_by_test_id("delete-script")).to_have_count(0)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    spare = rows.filter(has_text="Old spring script")
    spare.get_by_test_id("confirm-delete-script").check()
    page.once("dialog", lambda dialog: dialog.dismiss())
    spare.get_by_test_id("delete-script").click()
    expect(rows).to_have_count(2)
    assert saved_names(db) == ["Old spring script", "T script"]
    page.once("dialog", lambda dialog: dialog.accept())
    spare.get_by_test_id("delete-script").click()
    expect(page.get_by_test_id("notice")).to_have_text("Script 'Old spring script' deleted.")
    expect(page.get_by_test_id("saved-script")).to_have_count(1)
    shoot(page, "script-deleted")
    assert saved_names(db) == ["T script"]
