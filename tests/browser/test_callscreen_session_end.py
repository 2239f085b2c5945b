"""The call screen once the volunteer ended their session (real Chromium, the real app, the
engine on the real PBX): no way to connect the browser phone there any more, the way back is
the bank's page, and the phone never says calls will come while the engine has them out of
the bank."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import wait_until
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    CallServer,
    call_server,
    join_with_browser,
    make_bank,
    volunteer_joined,
)

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_a_browser_volunteer_who_ends_their_session_when_the_call_screen_shows_then_no_connect_and_the_way_back_to_the_bank(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 2, "human:1:60", call_server)
    volunteer_joined(page, call_server, make_user, ("eddie", "Eddie Ender"), bank_id)
    status = page.locator("#phone-status")
    expect(status).to_have_text("You are in your call room. Calls will come to you here.")

    page.get_by_role("button", name="End my session").click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "disconnected")
    expect(page.locator("#phone")).to_be_hidden()
    expect(page.get_by_role("button", name="Connect my phone")).to_be_hidden()
    back = page.get_by_role("link", name="Back to the phone bank")
    expect(back).to_have_attribute("href", f"/banks/{bank_id}")
    shoot(page, "session-ended")

    # The browser phone made to join its room anyway: it is not in the bank, and says so.
    before = page.evaluate("() => window.phonebankPhone.history.length")
    page.evaluate("() => document.getElementById('phone-connect').click()")
    wait_until(page, f"() => window.phonebankPhone.history.slice({before}).indexOf('in-room') >= 0")
    expect(status).not_to_contain_text("Calls will come to you here")

    back.click()
    expect(page).to_have_url(f"{call_server.url}/banks/{bank_id}")
    join_with_browser(page, call_server, bank_id)
    expect(page.get_by_role("link", name="Back to the phone bank")).to_be_hidden()
