"""The call screen tells the volunteer what became of their "Leave voicemail message" (real
Chromium, the real app, the engine on the real PBX and its simulated carrier's machine)."""

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
    sign_in,
)

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_a_machine_answered_when_the_volunteer_leaves_the_voicemail_then_the_screen_says_it_waits_for_the_beep_then_it_was_left(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    make_user("vick", PASSWORD, display_name="Vick Voicemail")
    bank_id = make_bank(db, 3, "machine:2", call_server)
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        edit = {"dialing_mode": "preview", "voicemail_message": "Sorry we missed you."}
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, edit))
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    sign_in(page, call_server, "vick", "/banks")
    join_with_browser(page, call_server, bank_id)
    page.get_by_role("button", name="Next contact").click()
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "busy", timeout=60_000)
    page.get_by_role("button", name="Leave voicemail message").click()
    said = page.get_by_test_id("voicemail")
    expect(said).to_have_text("Leaving your message after the machine\u2019s beep\u2026")
    expect(said).to_have_text("Your voicemail message was left.", timeout=60_000)
    shoot(page, "voicemail-left")
    page.locator("button.outcome[data-outcome=answering_machine]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    expect(said).to_have_text("Your voicemail message was left.")
