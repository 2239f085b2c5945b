"""The outcome of a call to a number several people share is filed for the person the
volunteer picks, theirs only (real Chromium, the real app, the engine on the real PBX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    CallServer,
    call_server,
    make_bank,
    ready_until_a_call,
    rows,
    volunteer_joined,
)

from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def household_call(db: Database, bank_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The bank's (only) call and the people sharing its number, in id order."""
    call = rows(db, "SELECT id, e164 FROM call_attempts WHERE bank_id = ?", bank_id)[0]
    members = rows(
        db,
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name FROM contacts c"
        " JOIN phones p ON p.contact_id = c.id WHERE p.e164 = ? ORDER BY c.id",
        call["e164"],
    )
    return call, members


def in_household_call(
    page: Page,
    server: CallServer,
    db: Database,
    make_user: Callable[..., int],
    who: tuple[str, str],
) -> tuple[dict[str, Any], list[dict[str, Any]], Locator]:
    """``who`` joined a power bank whose numbers two people share and put through to one:
    the call, the two people (in id order) and the outcome chooser, the top one picked."""
    bank_id = make_bank(db, 4, "human:1:60", server, household_every=2)
    volunteer_joined(page, server, make_user, who, bank_id)
    ready_until_a_call(page)
    call, members = household_call(db, bank_id)
    assert len(members) == 2
    chooser = page.get_by_role("group", name="This outcome is for")
    expect(chooser.get_by_role("radio", name=members[0]["name"])).to_be_checked()
    return call, members, chooser


def test_given_a_household_sharing_a_number_when_the_volunteer_picks_one_person_then_the_outcome_is_theirs_only(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    call, members, chooser = in_household_call(
        page, call_server, db, make_user, ("hana", "Hana House")
    )
    expect(chooser.get_by_role("radio", name="Everyone on this number")).not_to_be_checked()

    chooser.get_by_role("radio", name=members[1]["name"]).check()
    page.get_by_role("button", name="Talking to them").click()  # the script's answer...
    expect(page.get_by_role("button", name="Strong yes")).to_be_visible()
    answers = rows(db, "SELECT contact_id FROM script_answers WHERE attempt_id = ?", call["id"])
    assert answers == [{"contact_id": members[1]["id"]}]  # ...is the chosen person's too
    page.locator("#report-notes").fill("spoke with the second one")
    page.get_by_role("button", name="Hang up").click()
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")  # a live update
    expect(chooser.get_by_role("radio", name=members[1]["name"])).to_be_checked()
    shoot(page, "household-outcome-for")
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    filed = rows(
        db, "SELECT contact_id, outcome, notes FROM dispositions WHERE attempt_id = ?", call["id"]
    )
    assert filed == [
        {
            "contact_id": members[1]["id"],
            "outcome": "completed",
            "notes": "spoke with the second one",
        }
    ]


def test_given_the_person_named_at_top_marked_a_wrong_number_when_an_outcome_is_filed_then_it_is_the_other_persons(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
) -> None:
    call, members, chooser = in_household_call(
        page, call_server, db, make_user, ("wren", "Wren Wrong")
    )
    page.get_by_role("button", name=f"Wrong number for {members[0]['name']}").click()
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")  # a live update
    expect(chooser.get_by_role("radio", name=members[0]["name"])).to_have_count(0)
    expect(chooser.get_by_role("radio", name=members[1]["name"])).to_be_checked()
    page.get_by_role("button", name="Hang up").click()
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    sql = "SELECT contact_id, outcome FROM dispositions WHERE attempt_id = ?"
    assert rows(db, sql, call["id"]) == [{"contact_id": members[1]["id"], "outcome": "completed"}]
