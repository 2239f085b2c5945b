"""Sign-ins that can be taken back: server-side session records over the real app and file.

Each "browser" is a client with a cookie jar of its own on the same server; a "copied
cookie" is the session cookie's value replayed from a jar that had nothing else.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar, WSMsgType
from aiohttp.test_utils import TestClient
from test_admin_pages import create_bank, seed_list
from web_test_helpers import PASSWORD, csrf_token, login

from controller.store import users as user_store
from controller.store import web_sessions
from controller.store.db import Database
from web.keys import LOGIN_LIMITER, SESSIONS
from web.sessions import COOKIE_NAME, SIGNED_OUT_CLOSE

Client = TestClient[Any, Any]
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
async def other(client: Client) -> AsyncIterator[Client]:
    """A second browser on the same server, with its own cookies."""
    second: Client = TestClient(client.server)
    await second.start_server()
    yield second
    await second.session.close()


def cookie_of(client: Client) -> str:
    for cookie in client.session.cookie_jar:
        if cookie.key == COOKIE_NAME:
            return cookie.value
    raise AssertionError("no session cookie")


async def replay(client: Client, cookie: str, path: str = "/account") -> int:
    """The status a request carrying only ``cookie`` gets (a copy of a stolen cookie)."""
    async with client.session.__class__(cookie_jar=DummyCookieJar()) as bare:
        url = client.make_url(path)
        headers = {"Cookie": f"{COOKIE_NAME}={cookie}"}
        async with bare.get(url, headers=headers, allow_redirects=False) as response:
            return response.status


def rows(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM web_sessions ORDER BY id")]


async def test_given_a_cookie_copied_before_sign_out_when_replayed_after_then_it_is_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    await login(client, "ana")
    copied = cookie_of(client)
    assert await replay(client, copied) == 200  # the copy works while signed in
    token = await csrf_token(client, "/account")
    await client.post("/logout", data={"_csrf": token}, allow_redirects=False)
    assert await replay(client, copied) == 302  # to the login page
    assert [r["revoked_reason"] for r in rows(db)] == [web_sessions.SIGNED_OUT]


async def test_given_two_browsers_when_one_changes_the_password_then_only_the_other_is_out(
    client: Client, other: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    await login(client, "ana")
    await login(other, "ana")
    token = await csrf_token(client, "/account")
    new = "a brand new passphrase"
    form = {"_csrf": token, "current": PASSWORD, "password": new, "password2": new}
    changed = await client.post("/account/password", data=form)
    assert changed.status == 200
    assert "signed out of 1 other browser" in await changed.text()
    assert (await client.get("/account", allow_redirects=False)).status == 200
    assert (await other.get("/account", allow_redirects=False)).status == 302
    assert user_store.authenticate(db, "ana", new) is not None
    reasons = sorted(str(r["revoked_reason"]) for r in rows(db))
    assert reasons == ["None", web_sessions.PASSWORD_CHANGED]


async def test_given_a_wrong_current_password_when_changing_then_refused_and_nothing_changes(
    client: Client, other: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    await login(client, "ana")
    await login(other, "ana")
    token = await csrf_token(client, "/account")
    new = "a brand new passphrase"
    form = {"_csrf": token, "current": "not my password", "password": new, "password2": new}
    refused = await client.post("/account/password", data=form)
    assert refused.status == 400
    assert "current password is not right" in await refused.text()
    assert (await other.get("/account", allow_redirects=False)).status == 200
    assert user_store.authenticate(db, "ana", PASSWORD) is not None


async def test_given_a_wrong_then_a_right_current_password_when_changing_then_the_limiter_forgets(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    token = await csrf_token(client, "/account")
    new = "a brand new passphrase"
    form = {"_csrf": token, "current": "not my password", "password": new, "password2": new}
    assert (await client.post("/account/password", data=form)).status == 400
    form["current"] = PASSWORD
    assert (await client.post("/account/password", data=form)).status == 200
    limiter = client.server.app[LOGIN_LIMITER]
    limiter.max_failures = 1  # one failure left on the account would now hold it back
    assert limiter.retry_after("another address", "ana") == 0


async def test_given_an_admin_setting_a_volunteers_password_then_all_their_browsers_are_out(
    client: Client, other: Client, make_user: Callable[..., int]
) -> None:
    make_user("boss", role="admin")
    make_user("ana")
    await login(client, "boss")
    await login(other, "ana")
    token = await csrf_token(client, "/admin/users")
    form = {"_csrf": token, "username": "ana", "password": "another passphrase"}
    done = await client.post("/admin/users/password", data=form)
    assert "Password set for ana. Signed out of 1 browser(s)." in await done.text()
    assert (await other.get("/account", allow_redirects=False)).status == 302
    assert (await client.get("/admin/users", allow_redirects=False)).status == 200


async def test_given_two_browsers_when_signing_out_the_others_then_this_one_stays(
    client: Client, other: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana", can_make_calls=False)
    await login(client, "ana")
    other.session.headers["User-Agent"] = FIREFOX
    await login(other, "ana")
    page = await (await client.get("/account")).text()
    assert "Firefox on Linux" in page and page.count("this browser") == 1
    assert len(re.findall(r"<tr[^>]*><td>", page)) == 2  # two live sessions listed
    token = await csrf_token(client, "/account")
    done = await client.post("/account/signout-others", data={"_csrf": token})
    assert "Signed out of 1 other browser(s)." in await done.text()
    assert (await other.get("/account", allow_redirects=False)).status == 302
    after = await (await client.get("/account")).text()
    assert "Firefox on Linux" not in after and "this browser" in after


async def test_given_an_admin_when_signing_a_user_out_everywhere_then_their_cookies_fail(
    client: Client, other: Client, make_user: Callable[..., int]
) -> None:
    make_user("boss", role="admin")
    make_user("ana")
    await login(client, "boss")
    await login(other, "ana")
    page = await (await client.get("/admin/users")).text()
    assert 'action="/admin/users/signout"' in page and "Sign out everywhere" in page
    token = await csrf_token(client, "/admin/users")
    done = await client.post("/admin/users/signout", data={"_csrf": token, "username": "ana"})
    assert "ana: signed out of 1 browser(s)." in await done.text()
    assert (await other.get("/account", allow_redirects=False)).status == 302
    ghost = await client.post("/admin/users/signout", data={"_csrf": token, "username": "nope"})
    assert ghost.status == 400 and "No user called" in await ghost.text()


async def test_given_a_locked_user_when_their_cookie_returns_then_refused_and_recorded(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    await login(client, "ana")
    copied = cookie_of(client)
    user_store.update_user(db, "ana", disabled=True)
    assert await replay(client, copied) == 302
    assert [r["revoked_reason"] for r in rows(db)] == [web_sessions.LOCKED]
    user_store.update_user(db, "ana", disabled=False)  # unlocking does not revive it
    assert await replay(client, copied) == 302


async def test_given_anonymous_visits_when_pages_and_forms_are_used_then_no_session_rows(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    for path in ("/", "/login", "/login?next=/call", "/health", "/account"):
        await client.get(path, allow_redirects=False)
    token = await csrf_token(client)
    wrong = {"username": "ana", "password": "wrong password", "_csrf": token}
    assert (await client.post("/login", data=wrong)).status == 401
    assert rows(db) == []


async def test_given_a_signed_cookie_with_an_unknown_session_id_then_it_is_refused(
    client: Client, make_user: Callable[..., int]
) -> None:
    user_id = make_user("ana")
    manager = client.app[SESSIONS]
    forged = manager.encode(manager.new(user_id=user_id, username="ana"))  # never recorded
    assert await replay(client, forged) == 302
    await login(client, "ana")
    real = manager.decode(cookie_of(client))
    assert real is not None and real.sid
    without_id = manager.encode(replace(real, sid=""))
    assert await replay(client, without_id) == 302  # a cookie of before records: sign in again
    assert await replay(client, cookie_of(client)) == 200


async def test_given_requests_within_a_minute_when_served_then_last_seen_is_written_once(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    manager = client.app[SESSIONS]
    now = [2_000_000_000.0]
    manager.clock = lambda: now[0]
    await login(client, "ana")
    for _ in range(5):
        now[0] += 10
        assert (await client.get("/account", allow_redirects=False)).status == 200
    assert rows(db)[0]["last_seen"] == 2_000_000_000.0  # no write per request
    now[0] += 15  # 65 s after sign-in: the cookie refresh pushes the record too
    assert (await client.get("/account", allow_redirects=False)).status == 200
    assert rows(db)[0]["last_seen"] == 2_000_000_065.0


async def test_given_old_records_when_someone_signs_in_then_they_are_pruned(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    user_id = make_user("ana")
    manager = client.app[SESSIONS]
    now = manager.clock()
    day = 86400
    web_sessions.open_session(db, "old-revoked", user_id, now - 40 * day)
    web_sessions.revoke(db, "old-revoked", now - 31 * day)
    web_sessions.open_session(db, "recent-revoked", user_id, now - 3 * day)
    web_sessions.revoke(db, "recent-revoked", now - 2 * day)
    web_sessions.open_session(db, "long-expired", user_id, now - 35 * day)
    await login(client, "ana")
    kept = {r["id_hash"] for r in rows(db)}
    assert web_sessions.hash_id("recent-revoked") in kept and len(kept) == 2
    assert web_sessions.hash_id("old-revoked") not in kept
    assert web_sessions.hash_id("long-expired") not in kept


async def test_given_a_revoked_session_when_opening_the_call_screen_socket_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("ana")
    await login(client, "ana")
    copied = cookie_of(client)
    user_store.set_password(db, "ana", "a changed passphrase")  # as `users passwd` does
    assert await replay(client, copied, "/api/call/ws") == 401  # API: "Please sign in first."
    assert await replay(client, copied, "/phone/ws") == 302  # to the login page


async def test_given_an_open_live_socket_when_the_sign_in_is_revoked_then_it_closes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("boss", role="admin")
    await login(client, "boss")
    bank_id = await create_bank(client, await csrf_token(client, "/admin"), seed_list(db, 2))
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        first = await ws.receive_json(timeout=10)
        assert first["bank"]["id"] == bank_id
        user = user_store.get_user(db, "boss")
        assert user is not None
        web_sessions.revoke_user(db, user["id"], 0.0, web_sessions.SIGNED_OUT_EVERYWHERE)
        closed = await ws.receive(timeout=10)  # the next snapshot is due within 3.5 s
        assert closed.type == WSMsgType.CLOSE and closed.data == SIGNED_OUT_CLOSE
