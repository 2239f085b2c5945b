"""Refusals on the volunteer's pages, on the real PBX: "call me" to a premium-rate number,
and a second call (or Pause) while their preview call still rings."""

from __future__ import annotations

import re
from collections.abc import Callable

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

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]

POST = """async ([url, body]) => {
  try { await window.phonebankApi.post(url, body); return "ok"; }
  catch (err) { return err.code; }
}"""


def test_given_a_premium_rate_number_when_the_volunteer_asks_to_be_called_then_the_page_says_why_and_nothing_rings(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    uid = make_user("pete", PASSWORD, display_name="Pete Premium")
    bank_id = make_bank(db, 2, "human:1:60", call_server)
    sign_in(page, call_server, "pete", f"/banks/{bank_id}")
    page.locator("#callme-number").fill("1 (900) 555-0142")
    page.get_by_role("button", name="Call me").click()
    expect(page.locator("#join-error")).to_contain_text("not a premium-rate, toll-free")
    expect(page).to_have_url(f"{call_server.url}/banks/{bank_id}")
    assert call_server.carrier.calls_to("+19005550142") == []
    assert uid not in call_server.engine.pool.sessions


def test_given_a_preview_call_ringing_when_next_or_pause_is_asked_then_refused_and_one_call_rings(
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    make_user("rita", PASSWORD, display_name="Rita Ringing")
    bank_id = make_bank(db, 3, "noanswer", call_server)
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"dialing_mode": "preview"}))
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    sign_in(page, call_server, "rita", "/banks")
    join_with_browser(page, call_server, bank_id)
    page.keyboard.press("n")  # Next contact
    expect(page.get_by_test_id("contact-name")).to_have_text(re.compile(r"^First\d+ Last\d+$"))
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Calling First\d+ Last\d+"))).to_be_visible()
    expect(page.locator("#btn-next")).to_be_hidden()  # the page offers no second call
    expect(page.locator("#btn-pause")).to_be_hidden()
    refused = [page.evaluate(POST, [f"/api/call/{step}", {}]) for step in ("next", "pause")]
    assert refused == ["call_ringing", "call_ringing"]  # nor does a second tab get one
    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_role("button", name="Call", exact=True)).to_be_visible(timeout=30_000)
    placed = rows(db, "SELECT e164 FROM call_attempts WHERE bank_id = ?", bank_id)
    assert len(placed) == 1
