"""The call screen's report on a power bank, refused and filed again (real Chromium, the
real app, the engine on the real PBX): a field value of the wrong kind refuses the whole
report, nothing of it is stored, the volunteer stays in wrap-up with the form as typed, and
files once it is fixed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_callscreen_pbx import (  # noqa: F401 - the shared fixture
    PASSWORD,
    CallServer,
    bridged_contact,
    call_server,
    join_with_browser,
    make_bank,
    ready_until_a_call,
    rows,
    sign_in,
)

from controller.model import banks as bank_model
from controller.model.fields import FieldSpec
from controller.store import banks
from controller.store import fields as field_store
from controller.store.db import Database

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]


def ask_fields(db: Database, server: CallServer, bank_id: int) -> None:
    """The organizer has the bank ask Supporter and Visits (a number) in the report."""
    if field_store.get_field(db, "Visits") is None:
        field_store.add_field(db, FieldSpec("Visits", "number"))
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(
            conn,
            bank_id,
            lambda b: bank_model.edit(b, {"report_fields": ["Supporter", "Visits"]}),
        )
        banks.update(conn, bank_id, bank_model.resume)
    server.engine.poke()


def report_left(db: Database, contact_id: int, attempt_id: int) -> dict[str, Any]:
    values = rows(
        db,
        "SELECT f.name FROM contact_field_values v JOIN custom_fields f ON f.id = v.field_id"
        " WHERE v.contact_id = ? AND f.builtin = 0 ORDER BY f.name",
        contact_id,
    )
    return {
        "fields": [v["name"] for v in values],
        "tags": len(rows(db, "SELECT 1 FROM contact_tags WHERE contact_id = ?", contact_id)),
        "outcomes": len(rows(db, "SELECT 1 FROM dispositions WHERE attempt_id = ?", attempt_id)),
    }


def test_given_a_report_with_a_word_in_a_number_field_when_the_outcome_is_picked_then_nothing_is_stored_and_after_fixing_it_everything_is(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("rita", PASSWORD, display_name="Rita Report")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    ask_fields(db, call_server, bank_id)
    sign_in(page, call_server, "rita", "/banks")
    join_with_browser(page, call_server, bank_id)
    ready_until_a_call(page)
    contact = bridged_contact(db, bank_id, uid)
    page.locator("#report-tags input[value=volunteer]").check()
    page.locator("#report-fields [data-field=Supporter]").select_option("Strong yes")
    page.locator("#report-fields [data-field=Visits]").fill("many")
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up")

    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.locator("#live-notice")).to_contain_text("not a valid number: 'many'")
    nothing = {"fields": [], "tags": 0, "outcomes": 0}
    assert report_left(db, contact["id"], contact["attempt_id"]) == nothing
    expect(page.locator("#live-notice")).to_have_text("Visits: not a valid number: 'many'")
    shoot(page, "report-refused")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up")
    expect(page.locator("#report-fields [data-field=Supporter]")).to_have_value("Strong yes")
    expect(page.locator("#report-tags input[value=volunteer]")).to_be_checked()

    page.locator("#report-fields [data-field=Visits]").fill("2")
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_visible()
    filed = {"fields": ["Supporter", "Visits"], "tags": 1, "outcomes": 1}
    assert report_left(db, contact["id"], contact["attempt_id"]) == filed
    assert field_store.values_for(db, contact["id"])["Visits"] == "2"
