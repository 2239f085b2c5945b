"""A bank stopped (not "stop now") while a browser volunteer is talking to someone (real
Chromium, the real app, the engine on the real PBX): the conversation goes on until the
volunteer hangs up, then they file the report and the screen says the bank has ended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    CallServer,
    bridged_contact,
    call_server,
    make_bank,
    ready_until_a_call,
    rows,
    volunteer_joined,
)

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_a_conversation_when_the_organizer_stops_the_bank_then_it_goes_on_until_hung_up_and_the_report_is_filed(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 2, "human:1:120", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("stan", "Stan Stopper"), bank_id)
    state = ready_until_a_call(page)
    contact = bridged_contact(db, bank_id, uid)

    with db.write() as conn:  # the organizer stops the bank (not "stop now")
        banks.update(conn, bank_id, bank_model.stop)
    call_server.engine.poke()
    notice = page.locator("#live-notice")
    expect(notice).to_have_text(
        "This phone bank is ending: finish your conversation. No new call will come."
    )
    page.wait_for_timeout(3000)  # the voter is not cut off: still talking
    expect(state).to_have_attribute("data-state", "busy")
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    shoot(page, "bank-ending-in-call")

    page.get_by_role("button", name="Hang up").click()
    expect(state).to_have_attribute("data-state", "wrap_up")
    expect(notice).to_contain_text("This phone bank has ended")
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    filed = rows(db, "SELECT outcome FROM dispositions WHERE attempt_id = ?", contact["attempt_id"])
    assert filed == [{"outcome": "completed"}]
