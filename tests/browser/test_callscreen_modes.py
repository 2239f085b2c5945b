"""The call screen beyond the happy path, on the real PBX: a dropped websocket, guessing
other contacts' ids, the bank stopped mid-session, personal-phone mode, a blocked
microphone, and a baresip phone dialed in with the page open."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from asterisk.conftest import SipPhone
from browser_harness import wait_until
from playwright.sync_api import BrowserContext, Page, expect
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
    volunteer_joined,
)

from controller.model import banks as bank_model
from controller.store import banks, results
from controller.store import users as user_store
from controller.store.db import Database
from controller.telephony import render

pytestmark = [pytest.mark.pbx, pytest.mark.browser, pytest.mark.timeout(420)]

FETCH = """async (url) => {
  const r = await fetch(url, {headers: {Accept: "application/json"}});
  return {status: r.status, body: await r.text()};
}"""


def secrets_of(server: CallServer) -> list[str]:
    values = [str(v) for v in server.pbx.settings.secrets().values.values()]
    values.append(render.ami_credentials(server.pbx.settings, "pbx").secret)
    return [v for v in values if len(v) >= 8]


def test_given_a_call_when_the_websocket_drops_and_ids_are_guessed_then_it_reconnects_keeps_the_draft_and_refuses_others(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    bank_id = make_bank(db, 4, "human:1:60", call_server)
    uid = volunteer_joined(page, call_server, make_user, ("vera", "Vera Caller"), bank_id)
    page.keyboard.press("r")  # Ready
    expect(page.locator("#live-state")).to_have_attribute("data-state", "busy", timeout=60_000)
    contact = bridged_contact(db, bank_id, uid)
    page.get_by_role("button", name="Talking to them").click()
    expect(page.get_by_test_id("block-title")).to_have_text("Support")
    page.locator("#report-notes").fill("call back after six")

    before = page.evaluate("() => window.phonebankCallscreen.reconnects")
    page.evaluate("() => window.phonebankCallscreen.ws.close()")
    wait_until(page, f"() => window.phonebankCallscreen.reconnects > {before}")
    wait_until(page, "() => window.phonebankCallscreen.ws.readyState === 1")
    page.evaluate("() => window.phonebankCallscreen.ws.send('refresh')")
    expect(page.locator("#live-conn")).to_be_hidden()
    expect(page.get_by_test_id("block-title")).to_have_text("Support")
    expect(page.locator("#report-notes")).to_have_value("call back after six")

    others = rows(
        db,
        "SELECT c.id FROM contacts c JOIN banks b ON b.list_id = c.list_id"
        " WHERE b.id = ? AND c.id != ?",
        bank_id,
        contact["id"],
    )
    for other in [o["id"] for o in others] + [contact["id"] + 1000, 0]:
        guessed = page.evaluate(FETCH, f"/api/call/contacts/{other}")
        assert guessed["status"] == 404 and "not_your_call" in guessed["body"]
    mine = page.evaluate(FETCH, f"/api/call/contacts/{contact['id']}")
    assert mine["status"] == 200 and json.loads(mine["body"])["id"] == contact["id"]
    state = page.evaluate(FETCH, "/api/call/state")["body"]
    for secret in secrets_of(call_server):
        assert secret not in page.content() and secret not in state

    with db.write() as conn:  # the organizer stops the bank
        banks.update(conn, bank_id, bank_model.stop)
    call_server.engine.poke()
    expect(page.locator("#live-notice")).to_contain_text("This phone bank is ending")
    page.get_by_role("button", name="Hang up").click()  # the conversation was left to finish
    expect(page.locator("#live-notice")).to_contain_text("This phone bank has ended")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up", timeout=60_000)
    shoot(page, "bank-ended")
    page.locator("button.outcome[data-outcome=not_home]").click()  # a late report still counts
    wait_until(page, "() => !document.querySelector('#contact-panel:not(.hidden)')")
    filed = rows(db, "SELECT outcome FROM dispositions WHERE attempt_id = ?", contact["attempt_id"])
    assert filed == [{"outcome": "not_home"}]


def handed_out(db: Database, bank_id: int, volunteer_id: int, after: int) -> dict[str, Any]:
    """The contact of the volunteer's first attempt stored after attempt ``after`` (waits for
    the engine to write it)."""
    query = (
        "SELECT a.id AS attempt_id, a.e164, c.id, c.first_name, c.last_name FROM call_attempts a"
        " JOIN contacts c ON c.id = a.contact_id WHERE a.bank_id = ? AND a.volunteer_id = ?"
        " AND a.id > ? ORDER BY a.id LIMIT 1"
    )
    deadline = time.monotonic() + 20.0
    while not (found := rows(db, query, bank_id, volunteer_id, after)):
        assert time.monotonic() < deadline, f"no contact handed out after attempt {after}"
        time.sleep(0.1)
    return found[0]


def test_given_a_personal_phone_bank_when_the_volunteer_asks_for_contacts_then_tap_to_call_script_and_outcomes(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("pat", PASSWORD, display_name="Pat Own")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(conn, bank_id, lambda b: bank_model.edit(b, {"dialing_mode": "personal"}))
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    sign_in(page, call_server, "pat", f"/banks/{bank_id}")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(f"{call_server.url}/call")
    expect(page.locator("#phone")).to_be_hidden()
    seen: list[int] = []
    last_attempt = 0
    for _ in range(2):
        page.get_by_role("button", name="Next contact").click()
        contact = handed_out(db, bank_id, uid, after=last_attempt)  # the new attempt, stored
        last_attempt = contact["attempt_id"]
        seen.append(contact["id"])
        expect(page.get_by_test_id("contact-name")).to_have_text(
            f"{contact['first_name']} {contact['last_name']}"
        )  # the page shows that contact, not the one before
        expect(page.get_by_test_id("contact-number")).to_have_attribute(
            "href", f"tel:{contact['e164']}"
        )
        page.get_by_role("button", name="Talking to them").click()
        if len(seen) == 1:
            shoot(page, "personal-phone")
        page.locator("button.outcome[data-outcome=refused]").click()
        expect(page.locator("#contact-panel")).to_be_hidden()
    assert len(set(seen)) == 2
    filed = rows(db, "SELECT outcome, volunteer_id FROM dispositions WHERE bank_id = ?", bank_id)
    assert filed == [{"outcome": "refused", "volunteer_id": uid}] * 2
    ended = rows(db, "SELECT result FROM call_attempts WHERE bank_id = ?", bank_id)
    assert ended == [{"result": "human"}] * 2


def test_given_a_blocked_microphone_when_joining_with_the_browser_then_told_how_to_fix_and_no_call_comes(  # noqa: E501
    blocked_mic_context: BrowserContext,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    page = blocked_mic_context.new_page()
    make_user("mia", PASSWORD)
    bank_id = make_bank(db, 2, "human:1:60", call_server)
    sign_in(page, call_server, "mia", f"/banks/{bank_id}")
    page.get_by_role("button", name="Start with this browser").click()
    expect(page.locator("#phone-status")).to_have_attribute("data-state", "mic-blocked")
    expect(page.locator("#phone-status")).to_contain_text("blocking the microphone")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "not_dialed_in")
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_hidden()
    shoot(page, "mic-blocked")
    assert rows(db, "SELECT id FROM call_attempts WHERE bank_id = ?", bank_id) == []


def test_given_a_baresip_phone_dialed_in_when_the_page_is_open_then_the_page_lights_up_and_works_the_call(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    tmp_path: Path,
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("dino", PASSWORD, display_name="Dino Dial")
    pin = str(user_store.get_user(db, "dino")["pin"])  # type: ignore[index]
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    sign_in(page, call_server, "dino", f"/banks/{bank_id}")
    page.get_by_role("button", name="Dial in from my phone").click()
    expect(page).to_have_url(f"{call_server.url}/call")
    expect(page.locator("#dialin-reminder")).to_contain_text(pin)
    settings = call_server.pbx.settings
    account = render.carrier_phones(settings)[0]
    port = settings.carrier.sip_port
    phone = SipPhone(
        tmp_path / "baresip",
        f"<sip:{account.name}@127.0.0.1:{port};transport=udp>;auth_pass={account.password};"
        "regint=60;audio_codecs=PCMU;answermode=manual",
    )

    async def dial() -> None:
        await phone.start()
        await phone.wait_event("REGISTER_OK")
        await phone.command("dial", f"sip:{call_server.pbx.did}@127.0.0.1:{port}")
        await phone.wait_event("CALL_ESTABLISHED")
        await asyncio.sleep(1.0)  # the PIN prompt starts; DTMF sent earlier is lost
        await phone.command("sndcode", f"{pin}#")

    try:
        call_server.call(dial())
        expect(page.locator("#live-state")).to_have_attribute("data-state", "busy", timeout=60_000)
        contact = bridged_contact(db, bank_id, uid)
        expect(page.get_by_test_id("contact-name")).to_have_text(
            f"{contact['first_name']} {contact['last_name']}"
        )
        shoot(page, "dialin-call")
        page.get_by_role("button", name="Talking to them").click()
        expect(page.get_by_test_id("block-title")).to_have_text("Support")
        page.locator("#report-notes").fill("prefers evenings")
        page.wait_for_timeout(800)  # the draft is sent after a short pause in typing
        page.evaluate("() => window.localStorage.clear()")  # only the server's copy is left
        page.reload()  # the phone line is baresip: the call goes on; the page comes back
        expect(page.get_by_test_id("block-title")).to_have_text("Support")
        expect(page.locator("#report-notes")).to_have_value("prefers evenings")
        page.get_by_role("button", name="Hang up").click()
        page.locator("button.outcome[data-outcome=completed]").click()
        expect(page.locator("#contact-panel")).to_be_hidden()
        sessions = rows(db, "SELECT via FROM volunteer_sessions WHERE volunteer_id = ?", uid)
        assert sessions == [{"via": "dialin"}]
        filed = rows(
            db,
            "SELECT outcome, notes FROM dispositions WHERE attempt_id = ?",
            contact["attempt_id"],
        )
        assert filed == [{"outcome": "completed", "notes": "prefers evenings"}]
    finally:
        call_server.call(phone.stop())


def test_given_call_me_when_the_volunteer_enters_a_number_and_presses_1_then_the_page_lights_up_and_a_voter_comes(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("cora", PASSWORD, display_name="Cora Callme")
    bank_id = make_bank(db, 3, "human:1:60", call_server)
    own_phone = "+12025559071"
    call_server.call(call_server.carrier.set_personas({own_phone: "accept:1:90"}))
    sign_in(page, call_server, "cora", f"/banks/{bank_id}")
    shoot(page, "bank-page")
    page.locator("#callme-number").fill("12")
    page.get_by_role("button", name="Call me").click()
    expect(page.locator("#join-error")).to_contain_text("area code")
    page.locator("#callme-number").fill("(202) 555-9071")
    page.get_by_role("button", name="Call me").click()
    expect(page).to_have_url(f"{call_server.url}/call")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "busy", timeout=60_000)
    contact = bridged_contact(db, bank_id, uid)
    expect(page.get_by_test_id("contact-name")).to_have_text(
        f"{contact['first_name']} {contact['last_name']}"
    )
    sessions = rows(db, "SELECT via FROM volunteer_sessions WHERE volunteer_id = ?", uid)
    assert sessions == [{"via": "callme"}]


def test_given_a_preview_bank_when_the_volunteer_calls_a_machine_then_leaves_the_voicemail_and_files(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("pia", PASSWORD, display_name="Pia Preview")
    bank_id = make_bank(db, 3, "machine:1", call_server)
    with db.write() as conn:
        banks.update(conn, bank_id, bank_model.pause)
        banks.update(
            conn,
            bank_id,
            lambda b: bank_model.edit(
                b, {"dialing_mode": "preview", "voicemail_message": "Sorry we missed you."}
            ),
        )
        banks.update(conn, bank_id, bank_model.resume)
    call_server.engine.poke()
    sign_in(page, call_server, "pia", "/banks")
    join_with_browser(page, call_server, bank_id)
    page.keyboard.press("n")  # Next contact
    expect(page.get_by_test_id("contact-name")).to_have_text(re.compile(r"^First\d+ Last\d+$"))
    previewed = page.get_by_test_id("contact-name").inner_text()
    assert rows(db, "SELECT id FROM call_attempts WHERE bank_id = ?", bank_id) == []
    shoot(page, "preview")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "busy", timeout=60_000)
    contact = bridged_contact(db, bank_id, uid)
    assert previewed == f"{contact['first_name']} {contact['last_name']}"
    page.get_by_role("button", name="Leave voicemail message").click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up", timeout=60_000)
    page.locator("button.outcome[data-outcome=answering_machine]").click()
    expect(page.locator("#contact-panel")).to_be_hidden()
    filed = rows(db, "SELECT outcome FROM dispositions WHERE attempt_id = ?", contact["attempt_id"])
    assert filed == [{"outcome": "answering_machine"}]


POST = """async ([url, body]) => {
  try { await window.phonebankApi.post(url, body); return "ok"; }
  catch (err) { return err.code; }
}"""


def test_given_a_household_sharing_a_number_when_one_is_a_wrong_number_then_only_they_are_marked_and_next_waits_for_outcome(  # noqa: E501
    page: Page,
    call_server: CallServer,  # noqa: F811
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[..., Any],
) -> None:
    uid = make_user("hal", PASSWORD, display_name="Hal House")
    bank_id = make_bank(db, 4, "human:1:60", call_server, household_every=2)
    sign_in(page, call_server, "hal", "/call")
    assert page.evaluate(POST, ["/api/call/ready", {}]) == "not_joined"
    assert page.evaluate(POST, ["/api/call/answer", {"block_id": "intro"}]) == "no_call"
    assert page.evaluate(POST, ["/api/call/outcome", {"outcome": "completed"}]) == (
        "nothing_to_report"
    )
    join_with_browser(page, call_server, bank_id)
    ready_until_a_call(page)
    members = rows(
        db,
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name FROM contacts c"
        " JOIN phones p ON p.contact_id = c.id"
        " WHERE p.e164 = (SELECT e164 FROM call_attempts WHERE bank_id = ?) ORDER BY c.id",
        bank_id,
    )
    assert len(members) == 2  # one number, two people
    expect(page.locator("#household li")).to_have_count(2)
    shoot(page, "household")
    wrong = members[1]
    page.get_by_role("button", name=f"Wrong number for {wrong['name']}").click()
    expect(page.get_by_role("button", name="Marked as wrong number")).to_be_visible()
    flags = rows(db, "SELECT contact_id, wrong_number FROM phones ORDER BY contact_id")
    by_contact = {f["contact_id"]: f["wrong_number"] for f in flags}
    assert by_contact[wrong["id"]] == 1 and by_contact[members[0]["id"]] == 0
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "wrap_up")
    assert page.evaluate(POST, ["/api/call/ready", {}]) == "outcome_required"
    bad = page.evaluate(POST, ["/api/call/outcome", {"outcome": "teleported"}])
    assert bad == "unknown_outcome"
    page.get_by_role("radio", name="Everyone on this number").check()
    page.locator("button.outcome[data-outcome=completed]").click()
    expect(page.get_by_role("button", name="Ready for the next call")).to_be_visible()
    filed = rows(db, "SELECT contact_id FROM dispositions WHERE bank_id = ? ORDER BY 1", bank_id)
    assert [f["contact_id"] for f in filed] == [members[0]["id"]]  # not the one marked wrong
    with db.read() as conn:
        engaged = results.engagement(conn, bank_id)
    assert engaged["started"]["volunteers"] == 1 and engaged["seen"]["volunteers"] == 1
    assert uid > 0
