"""The phone page once the volunteer is signed out elsewhere: the app takes the phone back
and the page says so in words, instead of "reconnecting" for ever."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from test_phone_pbx import PhoneServer, connect_phone, phone_server  # noqa: F401

from controller.store import web_sessions
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser]


def test_given_a_connected_phone_when_signed_out_everywhere_then_the_page_says_signed_out_and_stops(
    page: Page,
    phone_server: PhoneServer,  # noqa: F811
    make_user: Callable[..., int],
    db: Database,
) -> None:
    user_id = connect_phone(page, phone_server, make_user)
    reason = web_sessions.SIGNED_OUT_EVERYWHERE
    assert web_sessions.revoke_user(db, user_id, time.time(), reason) == 1
    status = page.locator("#phone-status")
    expect(status).to_have_attribute("data-state", "signed-out", timeout=15_000)
    expect(status).to_contain_text("You are signed out")
    page.wait_for_timeout(3000)  # no reconnecting afterwards
    expect(status).to_have_attribute("data-state", "signed-out")
    history = page.evaluate("window.phonebankPhone.history")
    assert history[-1] == "signed-out" and "reconnecting" not in history[history.index("in-room") :]
