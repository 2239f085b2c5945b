"""A browser volunteer whose line drops (the PBX hangs up their room's leg, as a network
blip does) is back in the bank by themselves within seconds: the browser phone rejoins
their room and the engine takes them back; one who pressed End my session is not (real
Chromium, the real app, the engine on the real PBX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    CallServer,
    call_server,
    make_bank,
    volunteer_joined,
)

from controller.store.db import Database
from controller.telephony import actions

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(300)]


def drop_line(server: CallServer, volunteer_id: int) -> str:
    """Hang up the volunteer's room leg from the PBX side; returns its unique id."""
    leg = server.engine.pool.legs[volunteer_id]
    server.call(actions.hangup(server.engine.ami, leg.channel))
    return leg.uniqueid


def test_given_a_browser_volunteer_waiting_when_their_line_drops_then_they_are_back_in_the_bank_by_themselves(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 2, "noanswer", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("dora", "Dora Drop"), bank_id)
    state = page.locator("#live-state")
    first_leg = drop_line(call_server, uid)

    expect(page.locator("#live-notice")).to_have_text(
        "Your line dropped. Reconnecting your browser phone\u2026"
    )
    expect(state).to_have_attribute("data-state", "idle", timeout=20_000)
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    expect(page.locator("#live-notice")).to_be_hidden()
    session = call_server.engine.pool.sessions[uid]
    assert session.connected and session.bank_id == bank_id and session.via == "browser"
    assert call_server.engine.pool.legs[uid].uniqueid != first_leg
    shoot(page, "line-dropped-back")

    page.get_by_role("button", name="End my session").click()
    expect(state).to_have_attribute("data-state", "disconnected")
    page.wait_for_timeout(4000)  # longer than the browser phone's rejoin delay
    assert call_server.engine.pool.sessions[uid].state.value == "disconnected"
    expect(page.locator("#live-notice")).to_contain_text("You are no longer connected")


def test_given_a_browser_volunteer_when_they_hang_up_the_browser_phone_themselves_then_the_screen_does_not_say_reconnecting(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    bank_id = make_bank(db, 2, "noanswer", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("hugo", "Hugo Hangs"), bank_id)
    page.locator("#phone-hangup").click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "disconnected")
    notice = page.locator("#live-notice")
    expect(notice).to_contain_text("You are no longer connected")
    page.wait_for_timeout(4000)  # longer than the browser phone's rejoin delay
    assert call_server.engine.pool.sessions[uid].state.value == "disconnected"
    expect(notice).to_contain_text("You are no longer connected")
