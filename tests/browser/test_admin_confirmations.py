"""Confirmations in Chromium: a dismissed dialog changes nothing; an accepted one acts.

On the users page an organizer deletes a user list (dialog dismissed first, then accepted
with the box ticked); on a private bank's page they make it public, after which the page
offers no way back to private.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Dialog, Page, expect

from controller.model import banks as bank_model
from controller.model.scripts import from_dict
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.store import users as user_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"
SCRIPT = {"name": "S", "blocks": [{"id": "a", "title": "Hi", "text": "Hello",
          "responses": [{"label": "Done", "next": None}]}]}  # fmt: skip


def private_bank(db: Database, list_id: int) -> int:
    with db.write() as conn:
        contacts = bank_store.seed_synthetic_list(conn, "L", 2)
        script_id = script_store.save(conn, from_dict(SCRIPT))
        bank = bank_store.create(
            conn, {"title": "T", "description": "D", "list_id": contacts, "script_id": script_id}
        )
        assert bank.id is not None
        bank_store.update(conn, bank.id, lambda b: bank_model.publish(b, "private", (list_id,)))
        return bank.id


def test_given_confirmations_when_dismissed_then_nothing_changes_and_when_accepted_then_done(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    user_store.create_user_list(db, "Spare crew")
    crew = user_store.create_user_list(db, "Tuesday crew")
    bank_id = private_bank(db, int(crew["id"]))
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(live_server.url + "/admin/users")
    row = page.locator("[data-testid=user-lists] tr", has_text="Spare crew")
    row.locator("input[name=confirm]").check()
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("button.danger").click()
    expect(page.locator("[data-testid=user-lists]")).to_contain_text("Spare crew")
    assert [lst["name"] for lst in user_store.all_user_lists(db)] == ["Spare crew", "Tuesday crew"]
    seen: list[str] = []

    def accept(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    row.locator("button.danger").click()
    expect(page.get_by_test_id("notice")).to_have_text("User list 'Spare crew' deleted.")
    assert seen == ["Delete the user list Spare crew? Its users stay."]
    shoot(page, "users-list-deleted")

    page.goto(f"{live_server.url}/admin/banks/{bank_id}")
    expect(page.get_by_test_id("visibility")).to_contain_text("Private to: Tuesday crew.")
    page.locator("[data-testid=visibility-form] input[name=user_list]").uncheck()
    page.click("[data-testid=save-visibility]")
    expect(page.get_by_test_id("notice")).to_have_text("Visibility saved.")
    expect(page.get_by_test_id("visibility")).to_contain_text("can never become private again")
    expect(page.get_by_test_id("visibility-form")).to_have_count(0)
    shoot(page, "bank-made-public")
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).visibility == "public"
