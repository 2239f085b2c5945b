"""A volunteer who reloads the call screen (or it reloads by itself) is back in their call
room and in the bank without pressing anything: the tab remembers that its browser phone was
on. One who left their call room on purpose stays out after a reload. Real Chromium, the real
app and engine on the real PBX pair."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    CallServer,
    call_server,
    make_bank,
    sign_in,
    volunteer_joined,
)

from controller.engine import volunteer_ops as ops
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


async def _live_state(server: CallServer, uid: int) -> dict[str, Any]:
    return ops.live_state(server.engine, uid)


def _eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"still false after {timeout} s"
        time.sleep(0.2)


def _legs(server: CallServer, uid: int) -> str | None:
    async def leg() -> str | None:
        found = server.engine.pool.legs.get(uid)
        return found.uniqueid if found is not None else None

    return server.call(leg())


def test_given_a_volunteer_in_the_bank_when_the_call_screen_reloads_then_they_are_back_without_a_click(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    bank_id = make_bank(db, 4, "human:1:60", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("vera", "Vera Caller"), bank_id)
    first_leg = _legs(call_server, uid)

    page.reload()

    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room", timeout=20_000)
    expect(page.locator("#phone-connect")).to_be_hidden()

    def back_in_bank() -> bool:
        live = call_server.call(_live_state(call_server, uid))
        leg = _legs(call_server, uid)
        return live["state"] in ("idle", "waiting") and leg is not None and leg != first_leg

    _eventually(back_in_bank)
    live = call_server.call(_live_state(call_server, uid))
    assert live["bank_id"] == bank_id and live["via"] == "browser"


def test_given_a_volunteer_who_left_their_call_room_when_the_page_reloads_then_the_phone_stays_off(
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    bank_id = make_bank(db, 4, "human:1:60", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("walt", "Walt Caller"), bank_id)
    page.get_by_role("button", name="Leave my call room").click()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "left")
    _eventually(lambda: _legs(call_server, uid) is None)

    page.reload()

    call_server.call(asyncio.sleep(3))  # time enough for a phone that would connect by itself
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "idle")
    assert _legs(call_server, uid) is None


def test_given_the_phone_page_connected_when_the_volunteer_opens_the_call_screen_then_no_second_phone_starts(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    make_user: Callable[..., int],
) -> None:
    """What the tab remembers is the page whose phone was in the room: the call screen of a
    volunteer in no bank (or on another line) does not start a browser phone by itself."""
    make_user("nora", PASSWORD, display_name="Nora Caller")
    sign_in(page, call_server, "nora", "/phone")
    page.get_by_role("button", name="Connect my phone").click()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")

    page.goto(f"{call_server.url}/call")
    call_server.call(asyncio.sleep(3))
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "idle")

    page.goto(f"{call_server.url}/phone")  # its own page: back in the room by itself
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
