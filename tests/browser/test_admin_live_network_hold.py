"""In Chromium, on the whole appliance with a real PBX: the simulated carrier answers every
call with congestion (a trunk outage). Simulated volunteers join from the live dashboard; the
bank's dialing is held after a few failures in a row, and the dashboard says so, with the time
it resumes; the contacts are not used up."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from asterisk.conftest import isolated_overrides
from playwright.sync_api import Page, expect
from test_admin_bank_flow import PASSWORD, ApplianceThread, sign_in
from test_admin_bank_starting import published_bank

from controller.commands.run import Appliance
from controller.config import load_settings
from controller.store import users as user_store
from controller.store.db import Database, open_database
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(300)]


@contextlib.asynccontextmanager
async def congested(appliance: Appliance) -> AsyncIterator[None]:
    async with Carrier(appliance.settings) as carrier:
        await carrier.set_mix({"congestion": 1.0}, seed=1)
    yield


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    home = tmp_path / "home"
    home.mkdir()
    settings = load_settings(home, isolated_overrides(ring_timeout=15))
    db = open_database(settings.db_path)
    user_store.create_user(db, "organizer", "admin", "Olga Organizer", password=PASSWORD)
    running = ApplianceThread(settings, db, carrier=congested)
    try:
        yield running.start(), db
    finally:
        running.stop()
        db.close()


def test_given_a_trunk_outage_when_the_bank_dials_then_the_dashboard_says_dialing_is_held(
    outage: tuple[str, Database], page: Page
) -> None:
    url, db = outage
    bank_id = published_bank(db, 40)
    sign_in(page, url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{url}/admin/banks/{bank_id}")
    page.click("[data-testid=start]")
    expect(page.get_by_test_id("bank-state")).to_have_text("running")
    page.goto(f"{url}/admin/banks/{bank_id}/live")
    expect(page.get_by_test_id("live-conn")).to_have_text("live")
    expect(page.get_by_test_id("live-network")).to_be_hidden()
    page.click("[data-testid=sim-on]")

    held = page.get_by_test_id("live-network")
    expect(held).to_be_visible(timeout=90_000)
    expect(held).to_contain_text("The phone network failed the last")
    expect(held).to_contain_text("dialing is held until")
    with db.read() as conn:
        used, filed = conn.execute(
            "SELECT coalesce(sum(attempts), 0), (SELECT count(*) FROM dispositions)"
            " FROM queue_entries WHERE bank_id = ?",
            (bank_id,),
        ).fetchone()
        failures = conn.execute(
            "SELECT count(*) FROM call_attempts WHERE bank_id = ? AND result = 'network_trouble'",
            (bank_id,),
        ).fetchone()[0]
    assert failures >= 5 and used == 0 and filed == 0
