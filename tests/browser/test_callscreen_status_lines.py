"""The call screen's status line says what the volunteer is to do next, in each dialing
mode (real Chromium, the real app, the engine on the real PBX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    CallServer,
    call_server,
    join_with_browser,
    make_bank,
    ready_until_a_call,
    rows,
    sign_in,
    volunteer_joined,
)

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_a_power_call_ended_when_the_report_is_filed_then_the_status_says_it_is_filed_and_to_press_ready(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 2, "human:1:60", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("fran", "Fran Filer"), bank_id)
    state = ready_until_a_call(page)
    page.get_by_role("button", name="Hang up").click()
    expect(state).to_have_text("Call ended. File the report.")

    page.locator("button.outcome[data-outcome=completed]").click()
    expect(state).to_have_attribute("data-state", "filed")
    expect(state).to_have_text(
        "Report filed. Press \u201cReady for the next call\u201d when you want the next one."
    )
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_visible()
    shoot(page, "report-filed")
    filed = rows(db, "SELECT outcome FROM dispositions WHERE volunteer_id = ?", uid)
    assert filed == [{"outcome": "completed"}]


NEXT = "Press \u201cNext contact\u201d to see who to call."


def to_mode(db: Database, server: CallServer, bank_id: int, mode: str) -> None:
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"dialing_mode": mode}))
        banks.update(conn, bank_id, bank_model.resume)
    server.engine.poke()


def test_given_a_preview_bank_when_the_volunteer_joins_and_asks_for_a_contact_then_the_status_says_to_press_next_then_call(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    make_user("pria", PASSWORD, display_name="Pria Preview")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    to_mode(db, call_server, bank_id, "preview")
    sign_in(page, call_server, "pria", "/banks")
    join_with_browser(page, call_server, bank_id)
    state = page.locator("#live-state")
    expect(state).to_have_text(NEXT)
    expect(page.locator("#phone-status")).to_have_text(
        "You are in your call room. You hear the calls you place here."
    )
    page.get_by_role("button", name="Next contact").click()
    name = page.get_by_test_id("contact-name")
    expect(name).not_to_be_empty()
    expect(state).to_have_text(f"{name.inner_text()} is next: press \u201cCall\u201d.")
    expect(page.locator("#live-wait")).to_contain_text("Here for ")
    shoot(page, "preview-next")


def test_given_a_personal_phone_bank_when_the_volunteer_works_a_contact_then_the_status_says_next_call_from_your_phone_then_next(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("paco", PASSWORD, display_name="Paco Personal")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    to_mode(db, call_server, bank_id, "personal")
    sign_in(page, call_server, "paco", f"/banks/{bank_id}")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(f"{call_server.url}/call")
    state = page.locator("#live-state")
    expect(state).to_have_text(NEXT)
    page.get_by_role("button", name="Next contact").click()
    name = page.get_by_test_id("contact-name")
    expect(name).not_to_be_empty()
    expect(state).to_have_text(f"Call {name.inner_text()} from your phone, then pick the outcome.")
    page.locator("button.outcome[data-outcome=refused]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    expect(state).to_contain_text(NEXT)
