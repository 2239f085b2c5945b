"""In Chromium: an organizer presses Start on a bank whose queue takes several steps; the page
says it is starting, follows the queue's progress by itself, and shows the running bank's
controls once the start is done, without a reload by hand."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model import banks as bank_model
from controller.model.scripts import from_dict
from controller.store import banks as bank_store
from controller.store import queue_build_steps as steps
from controller.store import scripts as script_store
from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"
SCRIPT = {"name": "S", "blocks": [{"id": "a", "title": "Hi", "text": "Hello",
          "responses": [{"label": "Done", "next": None}]}]}  # fmt: skip


def published_bank(db: Database, contacts: int) -> int:
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", contacts)
        script_id = script_store.save(conn, from_dict(SCRIPT))
        bank = bank_store.create(
            conn, {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id}
        )
        assert bank.id is not None
        bank_store.update(conn, bank.id, lambda b: bank_model.publish(b, "public"))
        return bank.id


def test_given_a_start_taking_steps_when_start_is_pressed_then_the_page_follows_it_until_running(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch, shoot: Callable[[Page, str], Any],
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    bank_id = published_bank(db, 3000)
    first, second = threading.Event(), threading.Event()
    go_first, go_second = threading.Event(), threading.Event()
    real_step = steps.build_step
    calls: list[int] = []

    def held_step(*args: Any) -> bool:
        calls.append(1)
        if len(calls) == 1:  # nothing stored yet
            first.set()
            go_first.wait(30)
        stored = real_step(*args)
        if len(calls) == 2:  # two steps of 501 numbers stored
            second.set()
            go_second.wait(30)
        return stored

    monkeypatch.setattr(steps, "build_step", held_step)
    monkeypatch.setattr(steps, "STEP", 500)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/banks/{bank_id}")
    page.on("dialog", lambda dialog: dialog.accept())
    progress = page.get_by_test_id("start-progress")
    try:
        page.click("[data-testid=start]")
        expect(progress).to_have_text("Starting: queue 0 of 3,000 numbers")
        expect(page.get_by_test_id("start")).to_have_count(0)
        page.evaluate("window.sameLoad = true")
        go_first.set()
        assert second.wait(30)
        expect(progress).to_have_text("Starting: queue 1,002 of 3,000 numbers")
        assert page.evaluate("window.sameLoad === true")  # updated in place
        shoot(page, "bank-starting")
    finally:
        go_first.set()
        go_second.set()
    expect(page.get_by_test_id("pause")).to_be_visible()
    expect(progress).to_have_count(0)
    expect(page.get_by_test_id("notice")).to_have_count(0)
    assert "done=" not in page.url
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).state is bank_model.State.RUNNING
