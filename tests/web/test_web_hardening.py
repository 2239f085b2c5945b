"""Requests a browser or a forger may send that must get a clear answer and change nothing:
a login ``next`` the browser would turn into another site, CSRF tokens and session cookies
that are not ASCII, a user list ticked twice, JSON nested too deeply, a script text that
would fail on every volunteer's screen, and a script file too big to be a script."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import FormData, WSServerHandshakeError
from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of, published_bank
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import PASSWORD, csrf_token, login

from controller.store import users as user_store
from controller.store.db import Database
from web.sessions import COOKIE_NAME

Client = TestClient[Any, Any]


@pytest.mark.parametrize(
    "next_path", ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example"]
)
async def test_given_a_next_with_a_blank_or_control_character_when_signing_in_then_home(
    client: Client, make_user: Callable[..., int], next_path: str
) -> None:
    make_user("ana")
    token = await csrf_token(client)
    form = {"username": "ana", "password": PASSWORD, "_csrf": token, "next": next_path}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/banks"


async def test_given_a_same_site_next_when_signing_in_then_it_is_followed(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    token = await csrf_token(client)
    form = {"username": "ana", "password": PASSWORD, "_csrf": token, "next": "/banks?x=1"}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.headers["Location"] == "/banks?x=1"


async def test_given_a_csrf_token_that_is_not_ascii_when_posted_then_403_not_500(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await csrf_token(client)
    form = {"username": "ana", "password": PASSWORD, "_csrf": "\u00e9t\u00e9"}
    assert (await client.post("/login", data=form, allow_redirects=False)).status == 403
    await login(client, "ana")
    header = {"X-CSRF-Token": "\u00e9", "Accept": "application/json"}
    assert (await client.post("/logout", json={}, headers=header)).status == 403
    assert (await client.get("/account", allow_redirects=False)).status == 200  # still in


async def test_given_a_session_cookie_that_is_not_ascii_when_a_page_is_asked_then_a_new_session(
    client: Client,
) -> None:
    bad = {"Cookie": f"{COOKIE_NAME}=abc.\u00e9"}
    assert (await client.get("/health", headers=bad)).status == 200
    page = await client.get("/login", headers=bad)
    assert page.status == 200 and 'name="csrf-token"' in await page.text()


async def test_given_a_user_list_ticked_twice_when_publishing_then_it_is_saved_once(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    team = user_store.create_user_list(db, "Team A")
    bank_id = await published_bank(client, token, db)
    twice = [("_csrf", token), ("user_list", str(team["id"])), ("user_list", str(team["id"]))]
    done = await client.post(f"/admin/banks/{bank_id}/publish", data=twice)
    assert done.status == 200
    assert bank_of(db, bank_id).user_list_ids == (team["id"],)


async def test_given_json_nested_too_deeply_when_posted_then_400_and_nothing_saved(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    deep = "[" * 100_000 + "]" * 100_000
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    for path in (f"/api/admin/banks/{bank_id}/script", "/api/admin/contacts/import"):
        response = await client.post(path, data=deep, headers=headers)
        assert response.status == 400, path
    assert bank_of(db, bank_id).settings.script_id is None


async def test_given_a_script_text_that_divides_by_zero_when_saved_then_refused_by_name(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    broken = json.loads(json.dumps(GOOD_SCRIPT))
    broken["blocks"][1]["text"] = "Thanks {{ 1/0 }}"
    response = await client.post(
        f"/api/admin/banks/{bank_id}/script", json=broken, headers={"X-CSRF-Token": token}
    )
    assert response.status == 400
    body = await response.json()
    assert "template_not_allowed" in json.dumps(body) and "arithmetic (/)" in json.dumps(body)
    assert bank_of(db, bank_id).settings.script_id is None


async def test_given_a_script_file_over_a_megabyte_when_uploaded_then_refused_in_words(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    form = FormData()
    form.add_field("_csrf", token)
    big = "name: Big\nblocks:\n" + "# padding line of a file that is not a script\n" * 25_000
    form.add_field("file", big.encode(), filename="big.yaml")
    response = await client.post(f"/admin/banks/{bank_id}/script/import", data=form)
    assert response.status == 400
    assert "at most 1 MB" in await response.text()
    assert bank_of(db, bank_id).settings.script_id is None


async def test_given_a_draft_report_too_long_when_kept_then_refused_and_a_normal_one_kept(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("ana")
    await login(client, "ana")
    token = (await (await client.get("/api/session")).json())["csrf_token"]
    headers = {"X-CSRF-Token": token}
    huge = {"call_id": "c1", "notes": "x" * 100_000}
    refused = await client.post("/api/call/draft", json=huge, headers=headers)
    assert refused.status == 413 and (await refused.json())["error"] == "draft_too_big"
    kept = await client.post(
        "/api/call/draft", json={"call_id": "c1", "notes": "Call back Tuesday"}, headers=headers
    )
    assert kept.status == 200


async def test_given_a_page_of_another_origin_when_opening_the_live_sockets_then_403(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    make_user("ana")
    foreign = {"Origin": "http://127.0.0.1:1"}  # same host, another port
    for path in (f"/api/admin/banks/{bank_id}/live/ws", "/api/call/ws", "/phone/ws"):
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect(path, headers=foreign)
        assert refused.value.status == 403, path
        if path.startswith("/api/admin"):
            async with client.ws_connect(path) as ws:  # this site's own page opens it
                assert not ws.closed
            await login(client, "ana")  # the volunteer's sockets next
