"""The call screen end to end: real Chromium (browser phone with real WebRTC audio), the
real app, the engine on the real PBX pair, simulated callees on the carrier instance.

Log in -> open the bank -> join with the browser phone -> Ready -> a person answers -> the
screen shows that contact and the script -> answers saved -> outcome -> the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from asterisk.conftest import PbxPairInfo
from browser_harness import LiveServer, wait_until
from playwright.sync_api import Locator, Page, WebSocketRoute, expect

from controller.engine import plugin
from controller.engine import volunteer_ops as ops
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model import banks as bank_model
from controller.model.fields import FieldSpec
from controller.store import banks
from controller.store import fields as field_store
from controller.store.db import Database
from controller.telephony import render
from controller.telephony.carrier import Carrier
from controller.telephony.webrtc_users import WebrtcAccounts, pbx_updater
from web.app import init_app
from web.keys import PHONES
from web.phones import BrowserPhones

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]
PASSWORD = "a long volunteer password"
AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # every seeded US zone but Honolulu is open
FAST = EngineConfig(
    ring_timeout=6, cancel_min_ring=3.0, handoff_wait=2.0, tick=0.3, reconcile_every=0.3,
    disconnect_grace=5.0, max_per_volunteer=3.0,
)  # fmt: skip
SCRIPT = """{"name": "%s", "blocks": [
 {"id": "intro", "title": "Introduce yourself",
  "text": "Hi {{ contact.first_name }}, this is {{ volunteer.first_name }} with {{ bank.title }}.",
  "responses": [{"label": "Talking to them", "next": "support"},
                {"label": "Not them", "next": null}]},
 {"id": "support", "title": "Support", "text": "Can we count on your support?",
  "field": "Supporter", "next": "thanks"},
 {"id": "thanks", "title": "Thank them", "text": "Thank you, {{ contact.first_name }}!",
  "responses": []}
]}"""


class CallServer(LiveServer):
    engine: Engine
    carrier: Carrier
    pbx: PbxPairInfo


@pytest.fixture
def call_server(pbx_pair: PbxPairInfo, db: Database) -> Iterator[CallServer]:
    """The app with its browser phones wired to the real pbx and the engine running beside
    it (on the app's loop, in compressed time at ``AT``)."""
    app = init_app(pbx_pair.settings, db)
    accounts = WebrtcAccounts(pbx_pair.settings.runtime_dir / "webrtc")

    async def reload() -> None:
        await asyncio.to_thread(pbx_pair.pbx.cli, "module reload res_pjsip.so")

    update = pbx_updater(accounts, render.config_dir(pbx_pair.settings), reload)
    upstream = f"ws://127.0.0.1:{pbx_pair.settings.pbx.http_port}/ws"
    app[PHONES] = BrowserPhones(accounts, upstream, update)
    server = CallServer(app)
    server.start()
    server.pbx = pbx_pair

    async def boot() -> None:
        offset = AT.timestamp() - datetime.now(UTC).timestamp()
        server.engine = Engine(pbx_pair.settings, db, FAST, clock_offset=offset)
        await server.engine.start()
        server.carrier = Carrier(pbx_pair.settings)
        await server.carrier.connect()

    server.call(boot())
    plugin._RUNNING[id(app)] = server.engine
    yield server
    plugin._RUNNING.pop(id(app), None)
    server.call(shutdown(server.engine, server.carrier), timeout=120)
    server.stop()
    for instance in ("pbx", "carrier"):  # no line of this test lingers into the next one
        pbx_pair.cli(instance, "channel request hangup all")


async def shutdown(engine: Engine, carrier: Carrier) -> None:
    for bank_id in list(engine.runners):
        engine.stop_bank(bank_id, hard=True)
    for bank_id in list(engine.runners):
        with contextlib.suppress(TimeoutError):
            await engine.wait_stopped(bank_id, 30)
    await engine.close()
    await carrier.close()


def make_bank(db: Database, contacts: int, persona: str, server: CallServer, **extra: Any) -> int:
    """A public bank over a synthetic list, every number answered by ``persona``; started."""
    if field_store.get_field(db, "Supporter") is None:
        field_store.add_field(db, FieldSpec("Supporter", "choice", ("Strong yes", "Lean no")))
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"cs{n}", contacts, seed=n + 11, **extra)
        name = f"script{list_id}"
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (name, SCRIPT % name))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {
            "title": "Spring Drive", "description": "Call our neighbours", "list_id": list_id,
            "script_id": script_id, "dialing_mode": "power", "start_button_label": "Start",
            "report_tags": ["volunteer"], "contact_details": ["time_zone"],
        }  # fmt: skip
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        numbers = [
            str(r[0])
            for r in conn.execute(
                "SELECT p.e164 FROM phones p JOIN contacts c ON c.id = p.contact_id"
                " WHERE c.list_id = ?",
                (list_id,),
            )
        ]
    server.call(server.carrier.set_personas({num: persona for num in numbers}))
    with db.write() as conn:
        banks.start(conn, bank_id, AT)
    server.engine.poke()
    return bank_id


def sign_in(page: Page, server: LiveServer, username: str, next_path: str) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}{next_path}")


def join_with_browser(page: Page, server: CallServer, bank_id: int) -> None:
    page.goto(f"{server.url}/banks/{bank_id}")
    page.get_by_role("button", name="Start with this browser").click()
    expect(page).to_have_url(f"{server.url}/call")
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "idle")


def volunteer_joined(
    page: Page,
    server: CallServer,
    make_user: Callable[..., int],
    who: tuple[str, str],
    bank_id: int,
) -> int:
    """A volunteer (username, display name) made, signed in and in the bank's room by the
    browser phone; returns their user id."""
    uid = make_user(who[0], PASSWORD, display_name=who[1])
    sign_in(page, server, who[0], "/banks")
    join_with_browser(page, server, bank_id)
    return uid


def ready_until_a_call(page: Page) -> Locator:
    """Press Ready and wait until a person is put through; returns the live state line."""
    page.get_by_role("button", name="Ready for the next call").click()
    state = page.locator("#live-state")
    expect(state).to_have_attribute("data-state", "busy", timeout=60_000)
    return state


def rows(db: Database, sql: str, *args: Any) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sql, args)]


def bridged_contact(db: Database, bank_id: int, volunteer_id: int) -> dict[str, Any]:
    found = rows(
        db,
        "SELECT a.id AS attempt_id, c.id, c.first_name, c.last_name FROM call_attempts a"
        " JOIN contacts c ON c.id = a.contact_id WHERE a.bank_id = ? AND a.volunteer_id = ?"
        " ORDER BY a.id DESC LIMIT 1",
        bank_id,
        volunteer_id,
    )
    assert found, "no call was bridged to the volunteer"
    return found[0]


def test_given_a_power_bank_when_a_browser_volunteer_works_two_calls_then_contact_script_answers_and_outcomes_flow(  # noqa: E501
    page: Page,
    call_server: CallServer,
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("vera", PASSWORD, display_name="Vera Caller")
    bank_id = make_bank(db, 4, "human:1:60", call_server)
    sign_in(page, call_server, "vera", "/banks")
    expect(page.get_by_test_id("bank-card")).to_have_count(1)
    shoot(page, "feed")
    join_with_browser(page, call_server, bank_id)
    shoot(page, "waiting-room")

    for round_no in (1, 2):
        ready_until_a_call(page)
        contact = bridged_contact(db, bank_id, uid)
        name = f"{contact['first_name']} {contact['last_name']}"
        expect(page.get_by_test_id("contact-name")).to_have_text(name)
        expect(page.locator("#block-text")).to_have_text(
            f"Hi {contact['first_name']}, this is Vera with Spring Drive."
        )
        if round_no == 1:
            shoot(page, "in-call")
        page.keyboard.press("1")  # "Talking to them"
        expect(page.get_by_test_id("block-title")).to_have_text("Support")
        page.get_by_role("button", name="Strong yes").click()
        expect(page.get_by_test_id("block-title")).to_have_text("Thank them")
        page.locator("#report-notes").fill(f"note {round_no}")
        page.locator("#report-tags input[value=volunteer]").check()
        expect(page.locator("button.outcome").first).to_be_disabled()
        page.get_by_role("button", name="Hang up").click()
        expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up")
        expect(page.get_by_role("button", name="Ready for the next call")).to_be_hidden()
        if round_no == 1:
            shoot(page, "wrap-up")
        page.locator("button.outcome[data-outcome=completed]").click()
        expect(page.locator("#contact-panel")).to_be_hidden()
        answers = rows(
            db,
            "SELECT block_id, answer FROM script_answers WHERE attempt_id = ? ORDER BY id",
            contact["attempt_id"],
        )
        assert answers == [
            {"block_id": "intro", "answer": "Talking to them"},
            {"block_id": "support", "answer": "Strong yes"},
        ]
        outcome = rows(
            db,
            "SELECT outcome, volunteer_id, notes, contact_id FROM dispositions"
            " WHERE attempt_id = ?",
            contact["attempt_id"],
        )
        assert outcome == [
            {"outcome": "completed", "volunteer_id": uid, "notes": f"note {round_no}",
             "contact_id": contact["id"]}
        ]  # fmt: skip
        assert field_store.values_for(db, contact["id"])["Supporter"] == "Strong yes"
        assert "volunteer" in field_store.tags_for(db, contact["id"])
    attempts = rows(db, "SELECT DISTINCT contact_id FROM call_attempts WHERE volunteer_id = ?", uid)
    assert len(attempts) == 2  # two different people, one after the other
    with db.write() as conn:  # the organizer pauses the bank, then resumes it
        banks.update(conn, bank_id, bank_model.pause)
    call_server.engine.poke()
    expect(page.locator("#live-notice")).to_contain_text("paused this phone bank")
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_hidden()
    status = page.locator("#live-state")  # no "Press Ready" where there is no Ready
    expect(status).to_have_text("Report filed. No calls while the phone bank is paused.")
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    expect(page.locator("#live-notice")).to_be_hidden()
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_visible()
    expect(status).to_contain_text("Report filed. Press")


HIDE = """() => {
  for (const [name, value] of [["visibilityState", "hidden"], ["hidden", true]]) {
    Object.defineProperty(document, name, {configurable: true, get: () => value});
  }
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event("visibilitychange"));
  return document.visibilityState;
}"""


class SocketLine:
    """The call screen's live-updates sockets, passed through a line the test can cut
    silently: frames in both directions vanish and nobody is told (no close), as when a
    phone's network drops a backgrounded tab's connection. Sockets opened later pass."""

    def __init__(self, page: Page) -> None:
        self.opened = 0
        self.cut: set[int] = set()
        page.route_web_socket(re.compile(r"/api/call/ws$"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        self.opened += 1
        line, server = self.opened, ws.connect_to_server()

        def live() -> bool:
            return line not in self.cut

        ws.on_message(lambda m: server.send(m) if live() else None)
        server.on_message(lambda m: ws.send(m) if live() else None)
        ws.on_close(lambda code, reason: server.close() if live() else None)
        server.on_close(lambda code, reason: ws.close() if live() else None)

    def cut_open_lines(self) -> None:
        self.cut.update(range(1, self.opened + 1))


def test_given_a_call_with_answers_typed_when_the_tab_is_backgrounded_and_frozen_then_it_comes_back_with_everything(  # noqa: E501
    page: Page,
    call_server: CallServer,
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("vera", PASSWORD, display_name="Vera Caller")
    bank_id = make_bank(db, 3, "human:1:120", call_server)
    line = SocketLine(page)
    sign_in(page, call_server, "vera", "/banks")
    join_with_browser(page, call_server, bank_id)
    ready_until_a_call(page)
    contact = bridged_contact(db, bank_id, uid)
    name = f"{contact['first_name']} {contact['last_name']}"
    expect(page.get_by_test_id("contact-name")).to_have_text(name)
    page.keyboard.press("1")  # "Talking to them": saved, the script moves on
    expect(page.get_by_test_id("block-title")).to_have_text("Support")
    page.locator("#report-notes").fill("wants a yard sign")
    page.locator("#report-tags input[value=volunteer]").check()

    other = page.context.new_page()  # another tab comes to the front: the feed
    other.goto(f"{call_server.url}/banks")
    other.bring_to_front()
    expect(other.get_by_test_id("joined")).to_contain_text("calling in a phone bank")
    other.get_by_role("link", name="Start", exact=True).click()  # its page: back, no rejoin
    expect(other.get_by_test_id("joined")).to_contain_text("calling in this phone bank")
    back = other.get_by_role("link", name="Open the call screen")
    expect(back).to_have_attribute("href", "/call")
    expect(other.get_by_role("button", name="Start with this browser")).to_have_count(0)
    page.evaluate(HIDE)
    line.cut_open_lines()  # the network drops the sleeping tab's socket without a word
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    with db.write() as conn:  # meanwhile the organizer pauses the bank: an update missed
        banks.update(conn, bank_id, bank_model.pause)
    call_server.engine.poke()
    other.wait_for_timeout(3000)
    assert call_server.call(_live_state(call_server, uid))["state"] == "busy"

    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    page.bring_to_front()
    assert page.evaluate(SHOW) == "visible"
    notice = page.locator("#live-notice")
    expect(notice).to_contain_text("paused this phone bank", timeout=15_000)
    assert line.opened >= 2  # the silent socket was replaced by a new one
    assert page.evaluate("() => window.phonebankCallscreen.stale") >= 1
    wait_until(page, "() => window.phonebankCallscreen.ws.readyState === 1")
    expect(page.locator("#live-conn")).to_be_hidden()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "busy")
    expect(page.get_by_test_id("contact-name")).to_have_text(name)
    expect(page.get_by_test_id("block-title")).to_have_text("Support")
    expect(page.locator("#report-notes")).to_have_value("wants a yard sign")
    expect(page.locator("#report-tags input[value=volunteer]")).to_be_checked()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "in-room")
    shoot(page, "back-from-background")
    with db.write() as conn:  # live again: the next update arrives over the new socket
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    expect(page.locator("#live-notice")).to_be_hidden()

    page.get_by_role("button", name="Strong yes").click()
    expect(page.get_by_test_id("block-title")).to_have_text("Thank them")
    page.get_by_role("button", name="Hang up").click()
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    answers = rows(
        db,
        "SELECT block_id, answer FROM script_answers WHERE attempt_id = ? ORDER BY id",
        contact["attempt_id"],
    )
    assert answers == [
        {"block_id": "intro", "answer": "Talking to them"},
        {"block_id": "support", "answer": "Strong yes"},
    ]
    filed = rows(
        db, "SELECT outcome, notes FROM dispositions WHERE attempt_id = ?", contact["attempt_id"]
    )
    assert filed == [{"outcome": "completed", "notes": "wants a yard sign"}]
    assert "volunteer" in field_store.tags_for(db, contact["id"])


async def _live_state(server: CallServer, uid: int) -> dict[str, Any]:
    return ops.live_state(server.engine, uid)
