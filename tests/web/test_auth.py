"""Sign-in, sign-out, sessions, throttling and CSRF, over HTTP against the real app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from web_test_helpers import PASSWORD, csrf_token, login
from yarl import URL

from controller.store import users as user_store
from controller.store.db import Database
from web.keys import LOGIN_LIMITER, SESSIONS

Client = TestClient[Any, Any]


async def test_given_a_volunteer_when_signing_in_then_a_hardened_session_cookie_is_set(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    response = await login(client, "ana")
    assert response.status == 303
    assert response.headers["Location"] == "/banks"  # the feed of banks open to them
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; TLS requests get Secure
    page = await client.get("/banks")
    assert page.status == 200
    assert "ana" in await page.text()


async def test_given_a_deep_link_when_a_volunteer_signs_in_then_they_return_to_it_not_the_feed(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    bounced = await client.get("/call", allow_redirects=False)
    assert bounced.status == 302
    target = URL(bounced.headers["Location"]).query["next"]
    token = await csrf_token(client, bounced.headers["Location"])
    form = {"username": "ana", "password": PASSWORD, "_csrf": token, "next": target}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/call"
    front = await client.get("/", allow_redirects=False)  # the front door: the feed
    assert front.status == 302 and front.headers["Location"] == "/banks"
    again = await client.get("/login", allow_redirects=False)  # already signed in
    assert again.status == 302 and again.headers["Location"] == "/banks"


async def test_given_a_user_who_cannot_call_when_signing_in_then_they_land_on_their_account(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("val", can_make_calls=False)
    response = await login(client, "val")
    assert response.status == 303 and response.headers["Location"] == "/account"


async def test_given_a_manager_when_signing_in_then_they_land_on_the_admin_page(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("maya", role="manager")
    response = await login(client, "maya")
    assert response.headers["Location"] == "/admin"


async def test_given_a_wrong_password_when_signing_in_then_a_clear_message_and_no_session(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    response = await login(client, "ana", "wrong password")
    assert response.status == 401
    assert "Wrong username or password." in await response.text()
    follow = await client.get("/phone", allow_redirects=False)
    assert follow.status == 302 and follow.headers["Location"].startswith("/login")


async def test_given_five_failed_sign_ins_when_the_right_password_comes_then_it_is_paused(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    for _ in range(5):
        assert (await login(client, "ana", "nope")).status == 401
    response = await login(client, "ana")
    assert response.status == 429
    assert "Too many failed sign-ins" in await response.text()


async def test_given_an_account_paused_when_its_password_is_set_from_the_command_line_then_the_new_one_signs_in(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    for _ in range(5):
        assert (await login(client, "ana", "nope")).status == 401
    assert (await login(client, "ana")).status == 429
    user_store.set_password(db, "ana", "a fresh password")  # what `users passwd` does
    assert (await login(client, "ana", "still wrong")).status == 401  # counted anew
    response = await login(client, "ana", "a fresh password")
    assert response.status == 303 and response.headers["Location"] == "/banks"


async def test_given_failures_counted_when_the_owner_signs_in_and_the_hash_is_renewed_then_the_counts_stay(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    weaker = PasswordHasher(time_cost=1).hash(PASSWORD)  # renewed at the next right sign-in
    with db.write() as conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE username = 'ana'", (weaker,))
    limiter = client.app[LOGIN_LIMITER]
    assert (await login(client, "ana", "nope")).status == 401
    assert (await login(client, "ana")).status == 303  # same password, a stronger hash
    with db.read() as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE username = 'ana'").fetchone()
    assert stored[0] != weaker  # renewed: its stamp changed
    assert (await login(client, "ana", "nope")).status == 401
    assert len(limiter._recent("user:ana")) == 2  # no new password: nothing was lifted


async def test_given_one_volunteer_paused_when_another_signs_in_from_the_same_room_then_they_get_in(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    make_user("org")
    for _ in range(6):
        await login(client, "ana", "nope")
    assert (await login(client, "org")).status != 429  # same address, another account


async def test_given_a_signed_in_user_when_signing_out_then_the_session_is_gone(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    token = await csrf_token(client, "/phone")
    response = await client.post("/logout", data={"_csrf": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login?bye=1"
    follow = await client.get("/phone", allow_redirects=False)
    assert follow.status == 302


async def test_given_a_form_without_its_token_when_posted_then_it_is_refused_and_changes_nothing(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    response = await client.post("/logout", data={"_csrf": "forged"}, allow_redirects=False)
    assert response.status == 403
    assert "This form has expired" in await response.text()
    still = await client.get("/phone", allow_redirects=False)
    assert still.status == 200  # still signed in: the refused request changed nothing


async def test_given_a_login_form_without_its_token_when_posted_then_it_is_refused(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": "ana", "password": "x"}, allow_redirects=False
    )
    assert response.status == 403


async def test_given_a_json_request_when_the_header_token_matches_then_it_passes(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    info = await (await client.get("/api/session")).json()
    ok = await client.post(
        "/logout", headers={"X-CSRF-Token": info["csrf_token"]}, allow_redirects=False
    )
    assert ok.status == 303


async def test_given_a_json_request_without_the_header_when_posted_then_403_json(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    response = await client.post(
        "/logout", json={}, headers={"Accept": "application/json"}, allow_redirects=False
    )
    assert response.status == 403
    assert (await response.json())["error"] == "csrf_failed"


async def test_given_a_post_from_another_site_when_it_carries_a_token_then_it_is_refused(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    token = await csrf_token(client, "/phone")
    response = await client.post(
        "/logout",
        data={"_csrf": token},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert "another site" in await response.text()


async def test_given_an_idle_session_when_the_idle_time_passes_then_the_user_signs_in_again(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    manager = client.app[SESSIONS]
    now = [1_000_000.0]
    manager.clock = lambda: now[0]
    await login(client, "ana")
    now[0] += manager.idle_seconds - 10
    assert (await client.get("/phone", allow_redirects=False)).status == 200
    now[0] += manager.idle_seconds - 10  # activity above pushed the idle clock
    assert (await client.get("/phone", allow_redirects=False)).status == 200
    now[0] += manager.idle_seconds + 1
    response = await client.get("/phone", allow_redirects=False)
    assert response.status == 302
    assert URL(response.headers["Location"]).query["next"] == "/phone"
    again = await login(client, "ana")  # the expired cookie does not get in the way
    assert again.status == 303 and again.headers["Location"] == "/banks"


async def test_given_a_next_link_to_another_site_when_signing_in_then_it_is_not_followed(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={
            "username": "ana",
            "password": "correct horse battery staple",
            "_csrf": token,
            "next": "//evil.example/x",
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/banks"


async def test_given_a_disabled_user_when_their_session_returns_then_they_are_signed_out(
    client: Client, make_user: Callable[..., int], db: Any
) -> None:
    from controller.store import users as user_store

    user_id = make_user("ana")
    await login(client, "ana")
    user_store.update_user(db, "ana", disabled=True)
    assert user_id
    response = await client.get("/phone", allow_redirects=False)
    assert response.status == 302
    user_store.update_user(db, "ana", disabled=False)
    again = await login(client, "ana")  # re-enabled: signs in again at once
    assert again.status == 303 and again.headers["Location"] == "/banks"
