"""An open call screen and its sign-in, on the real PBX.

- Taken back (signed out everywhere): its live socket closes (4401), the page reloads onto
  the sign-in page instead of reopening the socket, and the volunteer, left with no sign-in
  at all, leaves the bank.
- Left open past the idle time with no request but its socket: the socket keeps the sign-in
  alive, so the volunteer stays in the bank and signed in.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import wait_until
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

from controller.store import users as user_store
from controller.store import web_sessions
from controller.store.db import Database
from web.keys import SESSIONS

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def vera_in_a_bank(
    page: Page, server: CallServer, db: Database, make_user: Callable[..., int]
) -> tuple[int, int]:
    """Vera signed in and calling in a power bank from this browser: (her id, the bank)."""
    uid = make_user("vera", PASSWORD, display_name="Vera Caller")
    bank_id = make_bank(db, 2, "human:1:60", server)
    sign_in(page, server, "vera", "/banks")
    join_with_browser(page, server, bank_id)
    return uid, bank_id


def left_at(db: Database, uid: int, bank_id: int) -> Any:
    """When the volunteer's session in the bank ended (None while they are in it)."""
    left = "SELECT left_at FROM volunteer_sessions WHERE volunteer_id = ? AND bank_id = ?"
    return rows(db, left, uid, bank_id)[0]["left_at"]


def wait_left(db: Database, uid: int, bank_id: int) -> None:
    deadline = time.monotonic() + 20
    while left_at(db, uid, bank_id) is None:
        assert time.monotonic() < deadline, "the volunteer is still in the bank"
        time.sleep(0.1)


def test_given_an_open_call_screen_when_its_sign_in_is_revoked_then_it_lands_on_the_sign_in_page(
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    uid, bank_id = vera_in_a_bank(page, call_server, db, make_user)
    wait_until(page, "() => window.phonebankCallscreen.ws.readyState === 1")
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    revoked = web_sessions.SIGNED_OUT_EVERYWHERE
    assert web_sessions.revoke_user(db, uid, time.time(), revoked) == 1
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_timeout(3000)  # a retry loop would have reopened the socket by now
    assert sockets == []
    assert page.evaluate("() => window.phonebankCallscreen === undefined")
    wait_left(db, uid, bank_id)


def test_given_a_call_screen_left_open_past_the_idle_time_then_it_stays_signed_in_and_in_the_bank(
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    idle = 12  # seconds (2 hours in service); the socket pushes the sign-in every idle / 4
    call_server.app[SESSIONS].idle_seconds = idle
    uid, bank_id = vera_in_a_bank(page, call_server, db, make_user)
    page.wait_for_timeout(int(2.5 * idle * 1000))  # no request but the open sockets
    assert page.url == f"{call_server.url}/call"
    assert page.evaluate("() => window.phonebankCallscreen.ws.readyState") == 1
    assert left_at(db, uid, bank_id) is None
    answer = page.evaluate(
        "async () => { const r = await fetch('/account'); return [r.status, r.url]; }"
    )
    assert answer == [200, f"{call_server.url}/account"]  # not sent to the sign-in page


def test_given_an_open_call_screen_when_calling_is_turned_off_then_the_volunteer_leaves_the_bank(
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    uid, bank_id = vera_in_a_bank(page, call_server, db, make_user)
    wait_until(page, "() => window.phonebankCallscreen.ws.readyState === 1")
    user_store.update_user(db, "vera", can_make_calls=False)  # an organizer pauses Vera
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")
    expect(page.get_by_text("Your account does not have access to this page.")).to_be_visible()
    wait_left(db, uid, bank_id)
