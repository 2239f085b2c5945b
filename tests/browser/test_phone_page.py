"""The browser phone page without a PBX: the microphone check and its messages."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from browser_harness import LiveServer, wait_until
from playwright.sync_api import BrowserContext, Page, expect

from web.keys import PHONES

PASSWORD = "a long volunteer password"


def open_phone(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/login?next=/phone")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/phone")


def test_given_a_blocked_microphone_when_connecting_then_the_volunteer_is_told_how_to_allow_it(
    blocked_mic_context: BrowserContext,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("vera", PASSWORD)
    page = blocked_mic_context.pages[0]
    open_phone(page, live_server)
    page.get_by_role("button", name="Connect my phone").click()
    status = page.locator("#phone-status")
    expect(status).to_have_attribute("data-state", "mic-blocked")
    expect(status).to_contain_text("Your browser is blocking the microphone")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.get_by_role("button", name="Connect my phone")).to_be_hidden()
    shoot(page, "mic-blocked")
    # Once the volunteer allows the microphone, "Try again" gets past the check.
    blocked_mic_context.grant_permissions(["microphone"], origin=live_server.url)
    page.get_by_role("button", name="Try again").click()
    wait_until(page, "() => window.phonebankPhone.micLevel > 0")
    assert "connecting" in page.evaluate("() => window.phonebankPhone.history")


def test_given_an_allowed_microphone_when_connecting_then_the_level_meter_moves(
    page: Page, live_server: LiveServer, make_user: Callable[..., int]
) -> None:
    make_user("vera", PASSWORD)
    open_phone(page, live_server)
    page.get_by_role("button", name="Connect my phone").click()
    wait_until(page, "() => window.phonebankPhone.micLevel > 0.01")
    assert page.evaluate("() => window.phonebankPhone.history").index("mic-check") == 1


def test_given_the_phone_system_is_down_when_connecting_then_the_volunteer_is_told_it_retries(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    with socket.socket() as s:  # a port with nothing listening: the PBX is down
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    live_server.app[PHONES].upstream_url = f"ws://127.0.0.1:{closed_port}/ws"
    make_user("vera", PASSWORD)
    open_phone(page, live_server)
    page.get_by_role("button", name="Connect my phone").click()
    status = page.locator("#phone-status")
    expect(status).to_have_attribute("data-state", "unreachable")
    expect(status).to_contain_text("Cannot reach the phone system yet")
    wait_until(page, "() => window.phonebankPhone.reconnects >= 2")  # it keeps trying
    shoot(page, "unreachable")
    page.get_by_role("button", name="Leave my call room").click()
    expect(status).to_have_attribute("data-state", "left")
    expect(page.get_by_role("button", name="Connect my phone")).to_be_visible()
