"""A "Call me" the volunteer does not answer (real Chromium, the real app, the engine on the
real PBX and its simulated carrier): the call screen says we are calling them, then that we
could not reach them, and offers Call me again, which rings them again and joins them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    CallServer,
    call_server,
    make_bank,
    rows,
    sign_in,
)

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def test_given_call_me_not_answered_when_the_call_screen_shows_then_calling_then_not_reached_and_call_me_again_joins(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("nora", PASSWORD, display_name="Nora Noanswer")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    own_phone = "+12025580124"
    call_server.call(call_server.carrier.set_personas({own_phone: "noanswer"}))
    sign_in(page, call_server, "nora", f"/banks/{bank_id}")
    page.locator("#callme-number").fill("(202) 558-0124")
    page.get_by_role("button", name="Call me").click()
    expect(page).to_have_url(f"{call_server.url}/call")
    state = page.locator("#live-state")
    expect(state).to_have_text("We are calling you at (202) 558-0124: answer and press 1.")
    expect(page.get_by_role("button", name="Connect my phone")).to_be_hidden()

    expect(state).to_contain_text(
        "We could not reach you at (202) 558-0124. Nobody answered.", timeout=60_000
    )
    again = page.get_by_role("button", name="Call me again")
    expect(again).to_be_visible()
    shoot(page, "call-me-not-reached")
    page.goto(f"{call_server.url}/banks/{bank_id}")  # the bank's page offers it too
    expect(page.get_by_role("button", name="Call me", exact=True)).to_be_visible()
    page.goto(f"{call_server.url}/call")
    expect(again).to_be_visible()

    call_server.call(call_server.carrier.set_personas({own_phone: "accept:1:90"}))
    again.click()
    expect(state).to_have_attribute("data-state", "busy", timeout=60_000)  # joined, a voter
    expect(again).to_be_hidden()
    sessions = rows(db, "SELECT via FROM volunteer_sessions WHERE volunteer_id = ?", uid)
    assert sessions == [{"via": "callme"}]
