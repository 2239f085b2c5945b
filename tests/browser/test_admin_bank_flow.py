"""An organizer builds and runs a bank in Chromium against the whole appliance on a real PBX.

The appliance (``run_appliance`` with the engine, pbx + simulated carrier) runs in its own
thread; its engine clock is shifted to a US afternoon so the contacts may be called. In the
browser the organizer imports a CSV through the mapping step, writes a branched script
(fixing a dangling branch the editor reports next to its block), publishes and starts the
bank, switches simulated volunteers on and watches the dashboard's counters and volunteer
table change while they take calls, stops the bank and sees the volunteers disconnected,
and downloads the attempts export, which matches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from asterisk.conftest import isolated_overrides
from browser_harness import wait_until
from playwright.sync_api import Page, expect

from controller.commands.run import Appliance, run_appliance
from controller.config import Settings, load_settings
from controller.engine.plugin import engine_plugin_at
from controller.store import users as user_store
from controller.store.db import Database, open_database
from controller.telephony.carrier import Carrier

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]
AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # 14:30 in New York
PASSWORD = "organizer password 123"
MIX = {"human:2:60": 0.75, "machine:3": 0.15, "busy": 0.1}
Plugin = Callable[[Appliance], contextlib.AbstractAsyncContextManager[None]]


class ApplianceThread:
    """``run_appliance`` in a thread with its own event loop, until ``stop()``."""

    def __init__(self, settings: Settings, db: Database, carrier: Plugin | None = None) -> None:
        self.settings, self.db = settings, db
        self.carrier = carrier or carrier_mix
        self.ready = threading.Event()
        self.appliance: Appliance | None = None
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # reported by start()
            self.error = exc
            self.ready.set()

    async def _run(self) -> None:
        self.loop = asyncio.get_running_loop()
        offset = AT.timestamp() - datetime.now(UTC).timestamp()

        def up(appliance: Appliance) -> None:
            self.appliance = appliance
            self.ready.set()

        await run_appliance(
            self.settings, self.db, plugins=[engine_plugin_at(offset), self.carrier],
            serve_fastagi=False, on_ready=up,
        )  # fmt: skip

    def start(self) -> str:
        self.thread.start()
        assert self.ready.wait(120), "the appliance did not come up"
        if self.error is not None:
            raise self.error
        assert self.appliance is not None
        return self.appliance.url.rstrip("/")

    def stop(self) -> None:
        if self.appliance is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(self.appliance.stop.set)
        self.thread.join(120)


@contextlib.asynccontextmanager
async def carrier_mix(appliance: Appliance) -> AsyncIterator[None]:
    async with Carrier(appliance.settings) as carrier:
        await carrier.set_mix(MIX, seed=3)
    yield


@pytest.fixture
def appliance(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    home = tmp_path / "home"
    home.mkdir()
    settings = load_settings(home, isolated_overrides(ring_timeout=15))
    db = open_database(settings.db_path)
    user_store.create_user(db, "organizer", "admin", "Olga Organizer", password=PASSWORD)
    running = ApplianceThread(settings, db)
    try:
        yield running.start(), db
    finally:
        running.stop()
        db.close()


def write_csv(path: Path, good: int) -> Path:
    lines = ["VanID,FirstName,LastName,CellPhone"]
    lines += [f"{100 + i},Voter{i},Test,+1212555{i:04d}" for i in range(good)]
    lines.append("999,Broken,Row,not-a-number")
    path.write_text("\n".join(lines) + "\n")
    return path


def sign_in(page: Page, url: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=username]", "organizer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/admin**")


def import_contacts(page: Page, url: str, csv_path: Path) -> None:
    page.goto(url + "/admin/contacts")
    page.fill("[data-testid=upload-list]", "Browser list")
    page.set_input_files("[data-testid=upload-file]", str(csv_path))
    page.click("[data-testid=upload-submit]")
    page.click("[data-testid=map-import]")
    expect(page.get_by_test_id("import-result")).to_contain_text("Imported 40 contacts")
    expect(page.get_by_test_id("import-result")).to_contain_text("1 row rejected")
    expect(page.get_by_test_id("import-rejects")).to_be_visible()


def create_bank(page: Page, url: str, db: Database) -> int:
    with db.read() as conn:
        list_id = conn.execute("SELECT id FROM lists WHERE name = 'Browser list'").fetchone()[0]
    page.goto(url + "/admin/banks/new")
    page.fill("input[name=title]", "Browser bank")
    page.fill("textarea[name=description]", "Get out the vote")
    page.select_option("[data-testid=list]", str(list_id))
    page.fill("input[name=calling_hours]", "08:00-21:00")
    page.click("[data-testid=save-settings]")
    page.wait_for_url("**/script")
    return int(page.url.rstrip("/").split("/")[-2])


def write_script(page: Page, shoot: Callable[[Page, str], Any]) -> None:
    page.fill("[data-testid=script-name]", "Browser script")
    page.click("[data-testid=add-block]")
    page.select_option('.block[data-block="intro"] select.next', "b2")
    page.locator('.block[data-block="b2"] .block-title').fill("Will you vote?")
    page.locator('.block[data-block="b2"] button.add-response').click()
    page.locator('.block[data-block="b2"] button', has_text="Delete block").click()
    page.click("[data-testid=save-script]")
    problems = page.locator('.block[data-block="intro"] [data-testid=block-problems]')
    expect(problems).to_contain_text("missing block 'b2'")
    page.click("[data-testid=add-block]")
    page.locator('.block[data-block="b2"] button.add-response').click()
    page.click("[data-testid=save-script]")
    expect(page.get_by_test_id("script-status")).to_have_text("Saved.")
    shoot(page, "script-editor")


def figure(page: Page, key: str) -> str:
    return page.get_by_test_id(f"fig-{key}").inner_text()


def run_and_watch(page: Page, url: str, bank_id: int, shoot: Callable[[Page, str], Any]) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{url}/admin/banks/{bank_id}")
    page.click("[data-testid=publish]")
    expect(page.get_by_test_id("notice")).to_have_text("Published.")
    page.click("[data-testid=start]")
    expect(page.get_by_test_id("bank-state")).to_have_text("running")
    page.goto(f"{url}/admin/banks/{bank_id}/live")
    expect(page.get_by_test_id("live-conn")).to_have_text("live")
    page.click("[data-testid=sim-on]")
    expect(page.get_by_test_id("sim-count")).to_have_text("5", timeout=30_000)
    expect(page.locator("#vol-rows tr")).to_have_count(5)
    wait_until(page, "() => Number(document.querySelector('[data-figure=completed]')"
               ".textContent) >= 3", timeout=120)  # fmt: skip
    wait_until(page, "() => [...document.querySelectorAll('#vol-rows tr')].some("
               "r => Number(r.lastChild.textContent) > 0)", timeout=30)  # fmt: skip
    assert int(figure(page, "calls_made")) >= 3
    assert int(figure(page, "volunteers_on")) == 5
    wait_until(page, "() => Number(document.getElementById('chart-calls')"
               ".getAttribute('data-points')) >= 1", timeout=10)  # fmt: skip
    page.fill("[data-testid=vol-filter]", "Simulated 1")
    expect(page.locator("#vol-rows tr")).to_have_count(1)
    page.fill("[data-testid=vol-filter]", "")
    shoot(page, "dashboard")


def stop_and_see_volunteers_leave(page: Page, url: str, bank_id: int) -> None:
    page.goto(f"{url}/admin/banks/{bank_id}")
    page.check("[data-testid=confirm-stop]")
    page.click("[data-testid=stop]")
    expect(page.get_by_test_id("notice")).to_have_text("Stopped for good.")
    page.goto(f"{url}/admin/banks/{bank_id}/live")
    all_left = (
        "() => { const rows = [...document.querySelectorAll('#vol-rows tr')];"
        " return rows.length === 5 && rows.every(r => r.dataset.state === 'disconnected'); }"
    )
    wait_until(page, all_left, timeout=120)
    expect(page.get_by_test_id("fig-volunteers_on")).to_have_text("0")


def test_given_the_appliance_when_an_organizer_builds_runs_watches_stops_and_exports_a_bank_then_every_step_shows_and_the_export_matches(  # noqa: E501
    appliance: tuple[str, Database], page: Page, tmp_path: Path,
    shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    url, db = appliance
    sign_in(page, url)
    import_contacts(page, url, write_csv(tmp_path / "list.csv", 40))
    bank_id = create_bank(page, url, db)
    write_script(page, shoot)
    run_and_watch(page, url, bank_id, shoot)
    stop_and_see_volunteers_leave(page, url, bank_id)
    response = page.request.get(f"{url}/admin/banks/{bank_id}/export/attempts.csv")
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text())))
    with db.read() as conn:
        expected = [
            (str(r[0]), r[1], r[2] or "")
            for r in conn.execute(
                "SELECT id, call_id, result FROM call_attempts WHERE bank_id = ? ORDER BY id",
                (bank_id,),
            )
        ]
    assert [(r["attempt_id"], r["call_id"], r["result"]) for r in rows] == expected
    assert len(expected) >= 3
