"""A campaign's manager recruits volunteers on the Users page: adds volunteer accounts, sets
their PINs, locks and unlocks them; anything beyond volunteers is refused (403 and a code)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from web_test_helpers import csrf_token, login

from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]


async def as_manager(client: Client, make_user: Callable[..., int]) -> str:
    make_user("boss", role="admin")
    make_user("mia", role="manager")
    await login(client, "mia")
    return await csrf_token(client, "/admin/users")


def account(db: Database, username: str) -> dict[str, Any]:
    found = user_store.get_user(db, username)
    assert found is not None, username
    return found


def options(page: str, form_testid: str) -> list[str]:
    form = page.split(f'data-testid="{form_testid}"')[1].split("</form>")[0]
    return re.findall(r"<option>([^<]+)</option>", form)


async def test_given_a_manager_when_adding_a_volunteer_then_it_exists_with_a_pin_and_password(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_manager(client, make_user)
    form = {"_csrf": token, "username": "vera", "display_name": "Vera Diaz",
            "role": "volunteer", "password": "a long enough secret"}  # fmt: skip
    created = await client.post("/admin/users", data=form)
    assert created.status == 200
    vera = account(db, "vera")
    assert f"Created vera (PIN {vera['pin']})." in html.unescape(await created.text())
    assert (vera["role"], vera["display_name"], vera["can_make_calls"]) == (
        "volunteer", "Vera Diaz", True)  # fmt: skip
    without_role = await client.post("/admin/users", data={"_csrf": token, "username": "ned"})
    assert without_role.status == 200 and account(db, "ned")["role"] == "volunteer"
    assert user_store.authenticate(db, "vera", "a long enough secret") is not None


async def test_given_a_manager_when_giving_a_new_pin_and_locking_a_volunteer_then_both_apply(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_manager(client, make_user)
    make_user("vic")
    before = account(db, "vic")["pin"]
    fresh = await client.post("/admin/users/pin", data={"_csrf": token, "username": "vic"})
    after = account(db, "vic")["pin"]
    assert fresh.status == 200 and after not in (before, None)
    assert f"New PIN for vic: {after}." in await fresh.text()
    lock = {"_csrf": token, "username": "vic", "disabled": "yes", "confirm": "yes"}
    locked = await client.post("/admin/users/set", data=lock)
    assert "vic: volunteer, may call, locked." in html.unescape(await locked.text())
    assert account(db, "vic")["disabled"]
    unlock = {"_csrf": token, "username": "vic", "disabled": "no", "calls": "no"}
    unlocked = await client.post("/admin/users/set", data=unlock)
    assert "vic: volunteer, may not call, active." in html.unescape(await unlocked.text())
    assert not account(db, "vic")["disabled"] and not account(db, "vic")["can_make_calls"]


async def test_given_a_manager_when_a_crafted_post_makes_a_manager_or_an_admin_then_403(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_manager(client, make_user)
    for role in ("manager", "admin", "Admin", "owner"):
        form = {"_csrf": token, "username": "sneaky", "role": role}
        refused = await client.post("/admin/users", data=form)
        assert refused.status == 403, role
        page = html.unescape(await refused.text())
        assert 'data-code="volunteers_only"' in page
        assert "Managers add volunteers only: ask an admin to make an admin or a manager." in page
    as_json = await client.post(
        "/admin/users",
        data={"username": "sneaky", "role": "admin"},
        headers={"X-CSRF-Token": token},
    )
    assert as_json.status == 403 and (await as_json.json())["error"] == "volunteers_only"
    assert user_store.get_user(db, "sneaky") is None


async def test_given_a_manager_when_changing_an_admin_a_manager_or_a_volunteers_role_then_403(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_manager(client, make_user)
    make_user("max", role="manager")
    make_user("vic")
    before = {name: account(db, name) for name in ("boss", "max", "mia", "vic")}
    posts = [
        ("/admin/users/set", {"username": "boss", "disabled": "yes", "confirm": "yes"},
         "not_a_volunteer", "boss is an admin: managers change volunteers' accounts only"),
        ("/admin/users/set", {"username": "max", "display_name": "Renamed"},
         "not_a_volunteer", "max is a manager: managers change volunteers' accounts only"),
        ("/admin/users/set", {"username": "mia", "calls": "no"}, "not_a_volunteer", "mia is"),
        ("/admin/users/pin", {"username": "boss", "pin": "99887766"}, "not_a_volunteer",
         "boss is an admin"),
        ("/admin/users/set", {"username": "vic", "role": "manager"}, "volunteers_only",
         "Managers add volunteers only"),
        ("/admin/users/set", {"username": "vic", "role": "admin"}, "volunteers_only", ""),
    ]  # fmt: skip
    for path, data, code, sentence in posts:
        refused = await client.post(path, data={"_csrf": token, **data})
        assert refused.status == 403, (path, data)
        page = html.unescape(await refused.text())
        assert f'data-code="{code}"' in page and sentence in page, (path, data)
    api = await client.post(
        "/admin/users/pin", data={"username": "boss"}, headers={"X-CSRF-Token": token}
    )
    assert api.status == 403 and (await api.json())["error"] == "not_a_volunteer"
    assert {name: account(db, name) for name in before} == before


async def test_given_a_volunteer_or_a_visitor_when_posting_the_manager_forms_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("vic")
    posts = {
        "/admin/users": {"username": "newbie", "role": "volunteer"},
        "/admin/users/pin": {"username": "vic", "pin": "11223344"},
        "/admin/users/set": {"username": "vic", "disabled": "yes", "confirm": "yes"},
    }
    before = account(db, "vic")
    for path, data in posts.items():
        assert (await client.post(path, data=data)).status == 401, path
    make_user("vol")
    await login(client, "vol")
    token = await csrf_token(client, "/account")
    for path, data in posts.items():
        assert (await client.post(path, data={**data, "_csrf": token})).status == 403, path
    assert user_store.get_user(db, "newbie") is None and account(db, "vic") == before


async def test_given_a_manager_on_the_users_page_then_forms_offer_volunteers_only(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    await as_manager(client, make_user)
    make_user("vic")
    make_user("wes")
    page = await (await client.get("/admin/users")).text()
    assert "Add a volunteer" in page and 'name="role" value="volunteer"' in page
    assert options(page, "user-set-form") == ["vic", "wes"]
    assert options(page, "pin-form") == ["vic", "wes"]
    for admin_only in ("password-form", "signout-form", "list-remove-form", "<option>admin"):
        assert admin_only not in page, admin_only
    assert page.count(">New PIN</button>") == 2  # the volunteers' rows only
    await login(client, "boss")
    page = await (await client.get("/admin/users")).text()
    assert options(page, "pin-form") == ["boss", "mia", "vic", "wes"]
    assert "password-form" in page and page.count(">New PIN</button>") == 4


async def test_given_a_manager_when_choosing_a_pin_even_an_admins_then_refused_without_saying_whose(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_manager(client, make_user)
    make_user("vic")
    before = account(db, "vic")["pin"]
    admins_pin = user_store.set_pin(db, "boss", "31415926")
    for pin in (admins_pin, "27182818"):
        chosen = await client.post(
            "/admin/users/pin", data={"_csrf": token, "username": "vic", "pin": pin}
        )
        text = html.unescape(await chosen.text())
        assert chosen.status == 403 and "Managers give random PINs" in text
        assert "belongs to someone else" not in text
    assert account(db, "vic")["pin"] == before
    page = await (await client.get("/admin/users")).text()
    pin_form = page.split('data-testid="pin-form"')[1].split("</form>")[0]
    assert 'name="pin"' not in pin_form and "New random PIN" in pin_form
