"""Contacts pages in Chromium: a long name (as long as the import allows) wraps inside the
tables and the contact's page instead of pushing the other columns off screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model.csv_import import TEXT_MAX
from controller.store import contact_import
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"


def test_given_a_name_as_long_as_allowed_when_the_contact_pages_show_then_nothing_overflows_sideways(  # noqa: E501
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    tmp_path: Path,
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    csv_file = tmp_path / "long.csv"
    rows = [f"Ann{i},Short,617-555-01{i:02d}" for i in range(5)]
    csv_file.write_text("\n".join(["FirstName,LastName,CellPhone", *rows,
                                   f"{'X' * TEXT_MAX},Huge,617-555-0199"]) + "\n")  # fmt: skip
    report = contact_import.import_csv(db, csv_file, "QA list 1")
    assert report.imported == 6 and report.errors == []
    with db.read() as conn:
        huge = conn.execute("SELECT id FROM contacts WHERE last_name = 'Huge'").fetchone()[0]
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    for path in (f"/admin/contacts/browse?list={report.list_id}", f"/admin/contacts/{huge}"):
        page.goto(live_server.url + path)
        expect(page.get_by_text("Huge").first).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1280, (path, width)
