"""Signing in and out in the real Chromium, at phone and desktop widths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database

PASSWORD = "a long volunteer password"
SCRIPT = (
    '{"name": "s", "blocks": [{"id": "intro", "title": "Say hello",'
    ' "text": "Hi (first name), I am {{ volunteer.first_name }} from {{ bank.title }}.",'
    ' "responses": [{"label": "Talking to them", "next": null}]}]}'
)


def sign_in(page: Page, server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_given_a_volunteer_when_signing_in_and_out_then_the_feed_of_banks_then_the_login_page(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("vera", PASSWORD, display_name="Vera Caller")
    page.goto(f"{live_server.url}/login")
    shoot(page, "login")
    sign_in(page, live_server, "vera", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/banks")
    expect(page.get_by_test_id("user-name")).to_have_text("Vera Caller")
    expect(page.get_by_role("heading", name="Phone banks")).to_be_visible()
    expect(page.get_by_test_id("no-banks")).to_contain_text("No phone bank is open to you")
    shots = shoot(page, "feed")
    assert all(path.stat().st_size > 0 for path in shots)
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/login?bye=1")
    expect(page.get_by_test_id("notice")).to_have_text("You have signed out.")
    page.goto(f"{live_server.url}/banks")
    expect(page).to_have_url(f"{live_server.url}/login?next=/banks")


def test_given_a_published_bank_not_started_when_a_volunteer_signs_in_then_feed_bank_and_script_but_no_start(  # noqa: E501
    page: Page,
    live_server: LiveServer,
    db: Database,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("vera", PASSWORD, display_name="Vera Caller")
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "spring", 3, seed=5)
        conn.execute("INSERT INTO scripts (name, body) VALUES ('s', ?)", (SCRIPT,))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {
            "title": "Spring Drive", "description": "Call our neighbours", "list_id": list_id,
            "script_id": script_id, "disclaimer": "Calls may be recorded.",
            "start_button_label": "Let's go",
        }  # fmt: skip
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
    sign_in(page, live_server, "vera", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/banks")
    card = page.get_by_test_id("bank-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Call our neighbours")
    expect(card).to_contain_text("has not started yet")
    card.get_by_role("link", name="Read the script").click()  # not joinable yet
    expect(page).to_have_url(f"{live_server.url}/banks/{bank_id}")
    expect(page.get_by_test_id("not-started")).to_contain_text("has not started yet")
    expect(page.get_by_test_id("disclaimer")).to_have_text("Calls may be recorded.")
    preview = page.get_by_test_id("script-preview")
    expect(preview).to_contain_text("Say hello")
    expect(preview).to_contain_text("I am Vera from Spring Drive.")
    expect(preview).to_contain_text("Answers: Talking to them")
    expect(page.get_by_role("button", name="Let's go with this browser")).to_have_count(0)
    shoot(page, "bank-not-started")


def test_given_a_wrong_password_when_signing_in_then_the_message_shows_and_no_access(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("vera", PASSWORD)
    sign_in(page, live_server, "vera", "not the password")
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value("vera")
    shoot(page, "wrong-password")
    page.goto(f"{live_server.url}/admin")
    expect(page).to_have_url(f"{live_server.url}/login?next=/admin")


def test_given_a_manager_when_signing_in_from_a_deep_link_then_they_return_to_it(
    page: Page, live_server: LiveServer, make_user: Callable[..., int]
) -> None:
    make_user("maya", PASSWORD, role="manager", display_name="Maya")
    page.goto(f"{live_server.url}/admin")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/admin")
    expect(page.get_by_role("heading", name="Admin")).to_be_visible()


def test_given_a_tampered_form_token_when_submitted_then_the_browser_sees_the_refusal(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("vera", PASSWORD)
    sign_in(page, live_server, "vera", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/banks")
    page.eval_on_selector("input[name=_csrf]", "el => { el.value = 'forged'; }")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("error")).to_have_attribute("data-code", "csrf_failed")
    shoot(page, "csrf-refused")
    page.goto(f"{live_server.url}/banks")
    expect(page).to_have_url(f"{live_server.url}/banks")  # still signed in: nothing changed


def test_given_a_script_without_the_token_when_it_posts_then_403_and_with_it_accepted(
    page: Page, live_server: LiveServer, make_user: Callable[..., int]
) -> None:
    make_user("vera", PASSWORD)
    sign_in(page, live_server, "vera", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/banks")
    refused = page.evaluate(
        """async () => (await fetch('/logout', {method: 'POST',
             headers: {'Accept': 'application/json'}})).status"""
    )
    assert refused == 403
    accepted = page.evaluate(
        """async () => {
             const token = document.querySelector('meta[name=csrf-token]').content;
             const r = await fetch('/logout', {method: 'POST', redirect: 'manual',
                                               headers: {'X-CSRF-Token': token}});
             return r.type;
           }"""
    )
    assert accepted == "opaqueredirect"
    page.goto(f"{live_server.url}/phone")
    expect(page).to_have_url(f"{live_server.url}/login?next=/phone")


def test_given_the_page_api_helper_when_the_token_is_wrong_then_it_reports_the_refusal_code(
    page: Page, live_server: LiveServer, make_user: Callable[..., int]
) -> None:
    make_user("vera", PASSWORD)
    sign_in(page, live_server, "vera", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/banks")
    me = page.evaluate("async () => (await window.phonebankApi.get('/api/session')).user")
    assert me["username"] == "vera" and me["can_make_calls"] is True
    code = page.evaluate(
        """async () => {
             document.querySelector('meta[name=csrf-token]').content = 'forged';
             try { await window.phonebankApi.post('/logout'); return 'accepted'; }
             catch (err) { return err.status + ' ' + err.code; }
           }"""
    )
    assert code == "403 csrf_failed"


def test_given_a_phone_sized_screen_when_each_page_shows_then_nothing_overflows_sideways(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., int],
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    make_user("ada", PASSWORD, role="admin", display_name="Ada Organizer-With-A-Long-Name")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login")
    widths = {"/login": page.evaluate("() => document.documentElement.scrollWidth")}
    sign_in(page, live_server, "ada", PASSWORD)
    for path in ("/admin", "/banks", "/phone", "/account"):
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate("() => document.documentElement.scrollWidth")
        button_height = page.evaluate(
            "() => Math.min(...[...document.querySelectorAll('button:not(.link)')]"
            ".filter(b => b.offsetParent).map(b => b.getBoundingClientRect().height), 99)"
        )
        assert button_height >= 44, path  # thumb-sized targets
    shoot(page, "account")
    assert set(widths.values()) == {390}, widths
