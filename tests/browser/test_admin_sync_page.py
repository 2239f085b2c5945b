"""The CRM sync admin page in the real Chromium: a failed row retried, VAN settings saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import get_van_settings

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"
PAYLOAD = {"resultCode": "Not Home", "contactType": "Phone", "inputType": "API",
           "dateCanvassed": "2026-11-03T17:05:00Z"}  # fmt: skip


def failed_row(db: Database) -> int:
    with db.write() as conn:
        for n in range(2):
            outbox.enqueue(
                conn, target="van", dedupe_key=f"k{n}", source_kind="manual",
                payload={**PAYLOAD, "vanId": 100 + n}, contact_id=n + 1,
            )  # fmt: skip
        (row,) = outbox.claim_due(conn, "van", "w1", 1e12, 60, limit=1)
        outbox.mark_failed(conn, row.id, "w1", "INVALID_PARAMETER", "'vanId' is not valid")
    return row.id


def test_given_a_failed_row_when_admin_retries_and_saves_van_settings_then_page_follows(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
    db: Database,
) -> None:
    row_id = failed_row(db)
    make_user("olga", PASSWORD, role="admin")
    page.goto(f"{live_server.url}/login?next=/admin")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="CRM sync").click()
    expect(page).to_have_url(f"{live_server.url}/admin/sync")
    failed = page.get_by_test_id("sync-failed").locator(f"tr[data-row='{row_id}']")
    expect(failed).to_contain_text("INVALID_PARAMETER")
    expect(failed).to_contain_text("'vanId' is not valid")
    shoot(page, "sync-failed")
    failed.get_by_role("button", name="Retry").click()
    expect(page.get_by_test_id("notice")).to_have_text("1 row(s) queued again.")
    counts = page.get_by_test_id("sync-counts").locator("tr[data-target='van']")
    expect(counts.locator("[data-count='pending']")).to_have_text("2")
    expect(counts.locator("[data-count='failed']")).to_have_text("0")
    form = page.get_by_test_id("van-form")
    form.get_by_label("Application name").fill("county-party")
    form.get_by_label("API key").fill("key-never-shown-7")
    form.get_by_role("button", name="Save VAN settings").click()
    expect(page.get_by_test_id("notice")).to_have_text("VAN settings saved.")
    expect(page.get_by_test_id("van-form").get_by_label("API key")).to_have_value("")
    assert "key-never-shown-7" not in page.content()
    shoot(page, "sync-saved")
    with db.read() as conn:
        assert get_van_settings(conn).api_key == "key-never-shown-7"
        assert outbox.get_row(conn, row_id).status == "pending"  # type: ignore[union-attr]
