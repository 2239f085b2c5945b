"""Calls that never reach the volunteer, on the real PBX and the real Chromium: in a preview
bank the screen says what happened to the contact just called (busy, not in service, no
answer), the automatic outcome is stored, and the next contact is offered; in a power bank
the waiting volunteer sees the dialer at work and what happened to the last numbers."""

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
    rows,
    sign_in,
    volunteer_joined,
)

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def to_preview(db: Database, server: CallServer, bank_id: int) -> None:
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"dialing_mode": "preview"}))
        banks.update(conn, bank_id, bank_model.resume)
    server.engine.poke()


def outcomes_by_name(db: Database, bank_id: int) -> dict[str, list[str]]:
    found = rows(
        db,
        "SELECT c.first_name || ' ' || c.last_name AS name, d.outcome, d.volunteer_id"
        " FROM call_attempts a JOIN dispositions d ON d.attempt_id = a.id"
        " JOIN contacts c ON c.id = d.contact_id WHERE a.bank_id = ? ORDER BY d.id",
        bank_id,
    )
    out: dict[str, list[str]] = {}
    for row in found:
        assert row["volunteer_id"] is None  # the dialer's own outcome, not a volunteer's
        out.setdefault(row["name"], []).append(row["outcome"])
    return out


def offered(page: Page, server: CallServer, persona: str) -> tuple[str, str]:
    """The contact on screen (name, number), whose number is given ``persona``."""
    expect(page.get_by_role("button", name="Call", exact=True)).to_be_visible()
    name = page.get_by_test_id("contact-name").inner_text()
    number = page.get_by_test_id("contact-number").inner_text()
    server.call(server.carrier.set_personas({number: persona}))
    return name, number


def test_given_a_preview_bank_when_the_numbers_called_are_busy_not_in_service_or_hung_up_then_each_outcome_shows_is_stored_and_the_next_contact_comes(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    make_user("pete", PASSWORD, display_name="Pete Preview")
    bank_id = make_bank(db, 6, "busy", call_server)  # some are outside calling hours
    to_preview(db, call_server, bank_id)
    sign_in(page, call_server, "pete", "/banks")
    join_with_browser(page, call_server, bank_id)
    page.get_by_role("button", name="Next contact").click()
    result = page.get_by_test_id("call-result")

    first, first_number = offered(page, call_server, "busy")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(result).to_have_text(
        f"Busy: {first} ({first_number}). Recorded as \u201cBusy\u201d."
        " Your next contact is below.",
        timeout=60_000,
    )
    expect(result).to_have_attribute("data-result", "busy")
    second, _ = offered(page, call_server, "disconnected")
    assert second != first
    assert outcomes_by_name(db, bank_id) == {first: ["busy"]}
    shoot(page, "busy-then-next")

    page.keyboard.press("c")  # Call
    expect(result).to_contain_text(f"Number not in service: {second}", timeout=60_000)
    expect(result).to_contain_text("Recorded as \u201cFailed / Bad Number\u201d.")
    third, _ = offered(page, call_server, "noanswer")
    assert third not in (first, second)
    assert outcomes_by_name(db, bank_id) == {first: ["busy"], second: ["failed"]}

    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#live-state")).to_have_text(f"Calling {third}\u2026", timeout=30_000)
    expect(page.get_by_test_id("contact-name")).to_have_text(third)
    expect(result).to_be_hidden()
    shoot(page, "calling")
    page.get_by_role("button", name="Hang up").click()  # they give up before an answer
    expect(result).to_contain_text(f"No answer: {third}", timeout=60_000)
    expect(result).to_contain_text("Recorded as \u201cNo Answer\u201d.")
    fourth, _ = offered(page, call_server, "busy")
    assert fourth not in (first, second, third)
    assert outcomes_by_name(db, bank_id) == {
        first: ["busy"], second: ["failed"], third: ["no_answer"]
    }  # fmt: skip


def test_given_a_power_bank_when_the_numbers_are_not_in_service_then_the_volunteer_sees_the_dialer_and_the_last_numbers(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 4, "disconnected", call_server)
    volunteer_joined(page, call_server, make_user, ("paula", "Paula Power"), bank_id)
    page.get_by_role("button", name="Ready for the next call").click()
    state = page.locator("#live-state")
    expect(state).to_have_text("Dialing for you\u2026")
    expect(state).to_have_text(
        "No number can be called right now. Stay here: the dialer keeps trying.", timeout=60_000
    )  # every number tried was out of service; any others are outside calling hours
    expect(state).to_have_attribute("data-state", "waiting")
    stored = [o for outcomes in outcomes_by_name(db, bank_id).values() for o in outcomes]
    assert stored and set(stored) == {"failed"}
    recent = page.get_by_test_id("recent-calls")
    lines = " \u00b7 ".join(["Number not in service"] * min(len(stored), 3))
    expect(recent).to_have_text(f"Last numbers: {lines}")
    shoot(page, "power-last-numbers")
