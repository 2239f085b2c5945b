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
    rows,
    sign_in,
)

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_a_power_call_ended_when_the_report_is_filed_then_the_status_says_it_is_filed_and_to_press_ready(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("fran", PASSWORD, display_name="Fran Filer")
    bank_id = make_bank(db, 2, "human:1:60", call_server)
    sign_in(page, call_server, "fran", "/banks")
    join_with_browser(page, call_server, bank_id)
    page.get_by_role("button", name="Ready for the next call").click()
    state = page.locator("#live-state")
    expect(state).to_have_attribute("data-state", "busy", timeout=60_000)
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
