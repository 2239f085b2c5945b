"""In Chromium: an organizer's open live dashboard whose sign-in is taken back (signed out
everywhere from elsewhere) closes its socket (4401) and lands on the sign-in page, instead
of reconnecting forever."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect
from test_admin_bank_starting import PASSWORD, published_bank

from controller.store import web_sessions
from controller.store.db import Database

pytestmark = pytest.mark.browser


def test_given_an_open_dashboard_when_its_sign_in_is_revoked_then_it_lands_on_the_sign_in_page(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int]
) -> None:
    uid = make_user("olga", PASSWORD, role="admin")
    bank_id = published_bank(db, 3)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{bank_id}/live")
    expect(page.get_by_test_id("live-conn")).to_have_text("live")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    revoked = web_sessions.SIGNED_OUT_EVERYWHERE
    assert web_sessions.revoke_user(db, uid, time.time(), revoked) == 1
    expect(page).to_have_url(re.compile(r"/login\?next=.*live"), timeout=15_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_timeout(3000)  # a retry loop would have reopened the socket by now
    assert sockets == []
