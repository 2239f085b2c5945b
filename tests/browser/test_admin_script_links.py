"""The script editor in Chromium: where each response leads, as the saved script says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model import scripts as script_model
from controller.model.fields import validate_field
from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store import scripts as script_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"
GOTV: dict[str, Any] = {
    "name": "GOTV",
    "blocks": [
        {"id": "support", "title": "Support", "text": "Can we count on your vote?",
         "field": "Support", "next": "thanks", "branches": {"Against": None}},
        {"id": "thanks", "title": "Thanks", "text": "Thank you!"},
    ],
}  # fmt: skip


def _editor(live_server: LiveServer, page: Page, db: Database, script: dict[str, Any]) -> int:
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
        script_id = script_store.save(conn, script_model.from_dict(script))
        bank = bank_store.create(
            conn, {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id}
        )
    assert bank.id is not None
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{bank.id}/script")
    return bank.id


def _chosen(page: Page, block: str) -> list[str]:
    selects = page.locator(f'.block[data-block="{block}"] .response select.next')
    return [
        selects.nth(i).evaluate("s => s.options[s.selectedIndex].text")
        for i in range(selects.count())
    ]


def test_given_a_field_option_whose_branch_ends_the_script_when_the_editor_opens_then_it_shows_end_of_script(  # noqa: E501
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    field_store.add_field(db, validate_field("Support", "choice", ["Strong", "Lean", "Against"]))
    _editor(live_server, page, db, GOTV)
    expect(page.locator('.block[data-block="support"] .response')).to_have_count(3)
    shoot(page, "field-branch-ends-script")
    assert _chosen(page, "support") == ["thanks: Thanks", "thanks: Thanks", "(end of script)"]


LINKED: dict[str, Any] = {
    "name": "Linked",
    "blocks": [
        {"id": "intro", "title": "Intro", "text": "Hi", "responses": [
            {"label": "Talk", "next": "b2"}]},
        {"id": "b2", "title": "Ask", "text": "Q", "responses": [
            {"label": "Response 1", "next": "intro"}, {"label": "Response 2", "next": "b3"}]},
        {"id": "b3", "title": "Bye", "text": "Bye"},
    ],
}  # fmt: skip


def _saved(db: Database, bank_id: int) -> script_model.Script:
    with db.read() as conn:
        saved = script_store.get(conn, bank_store.get(conn, bank_id).settings.script_id or 0)
    assert saved is not None
    return saved.script


def test_given_a_block_others_lead_to_when_it_is_renamed_then_the_links_follow_and_it_saves(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("olga", PASSWORD, role="admin")
    bank_id = _editor(live_server, page, db, LINKED)
    page.fill('.block[data-block="b2"] input.block-id', "ask")
    page.press('.block[data-block="b2"] input.block-id', "Tab")
    assert _chosen(page, "intro") == ["ask: Ask"]
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    saved = _saved(db, bank_id)
    assert [r.next for r in saved.block("intro").responses] == ["ask"]
    assert [r.next for r in saved.block("ask").responses] == ["intro", "b3"]


def test_given_a_block_in_use_when_it_is_deleted_then_its_links_show_missing_until_changed(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    bank_id = _editor(live_server, page, db, LINKED)
    page.click('.block[data-block="b3"] button:has-text("Delete block")')
    assert _chosen(page, "b2") == ["intro: Intro", "(missing: b3)"]
    dangling = page.locator('.block[data-block="b2"] .response >> nth=1 >> select.next')
    expect(dangling).to_have_class("next missing-link")
    shoot(page, "deleted-block-link-missing")
    dangling.select_option("")
    assert _chosen(page, "b2") == ["intro: Intro", "(end of script)"]
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    assert [r.next for r in _saved(db, bank_id).block("b2").responses] == ["intro", None]


def test_given_a_field_block_whose_options_all_have_their_own_branch_when_its_next_block_is_deleted_then_the_missing_link_shows(  # noqa: E501
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    field_store.add_field(db, validate_field("Support", "choice", ["Strong", "Against"]))
    every = {**GOTV["blocks"][0], "branches": {"Strong": "support", "Against": None}}
    bank_id = _editor(live_server, page, db, {**GOTV, "blocks": [every, GOTV["blocks"][1]]})
    default = page.locator('.block[data-block="support"] .default-next select.next')
    expect(default).to_have_value("thanks")  # where other answers go: the block's own next
    page.click('.block[data-block="thanks"] button:has-text("Delete block")')
    expect(default).to_have_class("next missing-link")
    expect(default.locator("option:checked")).to_have_text("(missing: thanks)")
    default.select_option("")
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    saved = _saved(db, bank_id).block("support")
    assert saved.next is None and dict(saved.branches) == {"Strong": "support", "Against": None}
