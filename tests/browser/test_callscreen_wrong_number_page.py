"""The call screen's Wrong Number mark, taken back on the page (real Chromium, the real app,
the engine on the real PBX): Undo shows the person as reachable again, after a live update
too, and the store follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    CallServer,
    call_server,
    make_bank,
    ready_until_a_call,
    rows,
    volunteer_joined,
)

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def marked(db: Database, contact_id: int) -> int:
    found = rows(db, "SELECT max(wrong_number) AS w FROM phones WHERE contact_id = ?", contact_id)
    return int(found[0]["w"])


def test_given_a_household_member_marked_wrong_by_mistake_when_undo_is_clicked_then_the_page_and_the_store_take_it_back(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 4, "human:1:60", call_server, household_every=2)
    volunteer_joined(page, call_server, make_user, ("una", "Una Undo"), bank_id)
    ready_until_a_call(page)
    members = rows(
        db,
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name FROM contacts c"
        " JOIN phones p ON p.contact_id = c.id"
        " WHERE p.e164 = (SELECT e164 FROM call_attempts WHERE bank_id = ?) ORDER BY c.id",
        bank_id,
    )
    wrong = members[1]
    page.get_by_role("button", name=f"Wrong number for {wrong['name']}").click()
    undo = page.get_by_role("button", name=f"Not a wrong number for {wrong['name']}")
    expect(undo).to_be_visible()
    assert marked(db, wrong["id"]) == 1
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")  # a live update
    expect(page.get_by_role("button", name="Marked as wrong number")).to_be_disabled()
    shoot(page, "wrong-number-marked")

    undo.click()
    expect(page.get_by_role("button", name=f"Wrong number for {wrong['name']}")).to_be_enabled()
    expect(page.get_by_role("button", name="Marked as wrong number")).to_have_count(0)
    assert marked(db, wrong["id"]) == 0
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")
    expect(page.get_by_role("button", name=f"Wrong number for {wrong['name']}")).to_be_visible()
    page.get_by_role("button", name="Hang up").click()
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_visible()
    assert marked(db, wrong["id"]) == 0
