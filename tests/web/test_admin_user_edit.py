"""Users page: changing and locking accounts, passwords and PINs, deleting user lists."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import published_bank
from test_admin_pages import admin
from web_test_helpers import csrf_token, login

from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]


async def shown(response: Any) -> str:
    return html.unescape(await response.text())


def account(db: Database, username: str) -> dict[str, Any]:
    found = user_store.get_user(db, username)
    assert found is not None
    return found


async def test_given_a_volunteer_when_an_admin_changes_and_locks_the_account_then_it_is_signed_out(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    make_user("vic")
    form = {"_csrf": token, "username": "vic", "role": "manager", "calls": "no"}
    changed = await client.post("/admin/users/set", data=form)
    assert "vic: manager, may not call, active." in await shown(changed)
    lock = {"_csrf": token, "username": "vic", "disabled": "yes"}
    unconfirmed = await client.post("/admin/users/set", data=lock)
    assert unconfirmed.status == 400 and "tick the box" in await shown(unconfirmed)
    assert not account(db, "vic")["disabled"]
    locked = await client.post("/admin/users/set", data={**lock, "confirm": "yes"})
    assert "vic: manager, may not call, locked." in await shown(locked)
    assert account(db, "vic")["disabled"] and not account(db, "vic")["can_make_calls"]
    assert user_store.authenticate(db, "vic", "correct horse battery staple") is None


async def test_given_bad_changes_when_saving_a_user_then_the_cli_message_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    make_user("vic")
    before = account(db, "vic")
    cases = (
        ({"username": "vic", "role": "owner"}, "Role must be one of admin, manager, volunteer."),
        ({"username": "ghost", "role": "manager"}, "No user called 'ghost'."),
        ({"username": "boss", "role": "volunteer"}, "You cannot lock or demote your own account"),
        ({"username": "boss", "disabled": "yes", "confirm": "yes"}, "your own account"),
        ({"username": "vic", "calls": "No"} | {"disabled": "true", "confirm": "yes"},
         "Account: choose one of the list (or keep), not 'true'."),
        ({"username": "vic", "calls": "never"}, "Make calls: choose one of the list"),
    )  # fmt: skip
    for data, message in cases:
        refused = await client.post("/admin/users/set", data={"_csrf": token, **data})
        assert refused.status == 400 and message in await shown(refused), data
    assert account(db, "vic") == before and account(db, "boss")["role"] == "admin"


async def test_given_a_user_when_setting_a_password_and_a_chosen_pin_then_both_apply(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    make_user("vic")
    weak = {"_csrf": token, "username": "vic", "password": "short"}
    refused = await client.post("/admin/users/password", data=weak)
    assert refused.status == 400 and "Passwords need at least 8 characters." in await shown(refused)
    good = {**weak, "password": "a longer secret"}
    assert "Password set for vic." in await shown(
        await client.post("/admin/users/password", data=good)
    )
    assert user_store.authenticate(db, "vic", "a longer secret") is not None
    pin = await client.post(
        "/admin/users/pin", data={"_csrf": token, "username": "vic", "pin": "4815162342"}
    )
    assert "New PIN for vic: 4815162342." in await shown(pin)
    taken = await client.post(
        "/admin/users/pin", data={"_csrf": token, "username": "boss", "pin": "4815162342"}
    )
    assert taken.status == 400 and "That PIN belongs to someone else." in await shown(taken)
    assert account(db, "vic")["pin"] == "4815162342" and account(db, "boss")["pin"] != "4815162342"


async def test_given_user_lists_when_taking_members_out_and_deleting_then_a_list_in_use_is_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    make_user("vic")
    crew = user_store.create_user_list(db, "Crew")
    user_store.create_user_list(db, "Spare")
    user_store.set_members(db, "Crew", ["vic", "boss"])
    out = await client.post(
        "/admin/users/lists/remove", data={"_csrf": token, "name": "Crew", "members": "vic"}
    )
    assert "1 user removed from 'Crew'." in await shown(out)
    ghost = await client.post(
        "/admin/users/lists/remove", data={"_csrf": token, "name": "Crew", "members": "ghost"}
    )
    assert ghost.status == 400 and "No user called 'ghost'." in await shown(ghost)
    bank_id = await published_bank(client, token, db)
    await client.post(
        f"/admin/banks/{bank_id}/publish", data={"_csrf": token, "user_list": str(crew["id"])}
    )
    in_use = await client.post(
        "/admin/users/lists/delete", data={"_csrf": token, "name": "Crew", "confirm": "yes"}
    )
    assert in_use.status == 400
    assert f"User list 'Crew' is in use by bank {bank_id}" in await shown(in_use)
    unconfirmed = await client.post(
        "/admin/users/lists/delete", data={"_csrf": token, "name": "Spare"}
    )
    assert unconfirmed.status == 400
    deleted = await client.post(
        "/admin/users/lists/delete", data={"_csrf": token, "name": "Spare", "confirm": "yes"}
    )
    assert "User list 'Spare' deleted." in await shown(deleted)
    assert [(lst["name"], lst["members"]) for lst in user_store.all_user_lists(db)] == [
        ("Crew", ["boss"])
    ]


async def test_given_a_stopped_bank_when_deleting_its_user_list_then_allowed(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    crew = user_store.create_user_list(db, "Crew")
    bank_id = await published_bank(client, token, db)
    await client.post(
        f"/admin/banks/{bank_id}/publish", data={"_csrf": token, "user_list": str(crew["id"])}
    )
    await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
    await client.post(f"/admin/banks/{bank_id}/stop", data={"_csrf": token, "confirm": "yes"})
    deleted = await client.post(
        "/admin/users/lists/delete", data={"_csrf": token, "name": "Crew", "confirm": "yes"}
    )
    assert deleted.status == 200 and user_store.all_user_lists(db) == []


async def test_given_a_manager_a_volunteer_or_a_visitor_when_changing_users_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("vic")
    make_user("mia", role="manager")  # a manager may lock volunteers, not managers
    user_store.create_user_list(db, "Crew")
    user_store.set_members(db, "Crew", ["vic"])
    posts = {
        "/admin/users/set": {"username": "mia", "disabled": "yes", "confirm": "yes"},
        "/admin/users/password": {"username": "vic", "password": "another secret"},
        "/admin/users/lists/delete": {"name": "Crew", "confirm": "yes"},
        "/admin/users/lists/remove": {"name": "Crew", "members": "vic"},
    }
    for path, data in posts.items():
        assert (await client.post(path, data=data)).status == 401, path
    for who, role in (("vol", "volunteer"), ("mgr", "manager")):
        make_user(who, role=role)
        await login(client, who)
        token = await csrf_token(client, "/account")
        for path, data in posts.items():
            assert (await client.post(path, data={**data, "_csrf": token})).status == 403, path
    assert not account(db, "mia")["disabled"]
    assert user_store.all_user_lists(db)[0]["members"] == ["vic"]


async def test_given_roles_and_a_team_when_filtering_the_users_page_then_only_they_show(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    await admin(client, make_user)
    make_user("vic")
    make_user("mia", role="manager")
    user_store.create_user_list(db, "Crew")
    user_store.set_members(db, "Crew", ["vic"])

    def listed(page: str) -> list[str]:
        table = page.split('data-testid="users"')[1].split("</table>")[0]
        return re.findall(r"<tr><td>([a-z]+)</td>", table)

    assert listed(await (await client.get("/admin/users")).text()) == ["boss", "mia", "vic"]
    assert listed(await (await client.get("/admin/users?role=manager")).text()) == ["mia"]
    crew = await (await client.get("/admin/users?team=Crew")).text()
    assert listed(crew) == ["vic"] and "<option>mia</option>" in crew
    assert listed(await (await client.get("/admin/users?role=owner")).text()) == [
        "boss", "mia", "vic"]  # fmt: skip
    gone = await client.get("/admin/users?team=Nope")  # e.g. a bookmark of a deleted list
    assert gone.status == 400
    page = await gone.text()
    assert "no user list called" in page and listed(page) == ["boss", "mia", "vic"]


async def test_given_a_manager_on_the_users_page_then_only_volunteers_and_own_pins_show(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("boss", role="admin")
    make_user("mia", role="manager")
    make_user("other", role="manager")
    make_user("vic")
    pins = {name: account(db, name)["pin"] for name in ("boss", "mia", "other", "vic")}
    await login(client, "mia")
    page = await (await client.get("/admin/users")).text()
    assert pins["vic"] in page and pins["mia"] in page  # a volunteer's, and their own
    assert pins["boss"] not in page and pins["other"] not in page
    assert page.count("(hidden)") == 2
    await login(client, "boss")
    page = await (await client.get("/admin/users")).text()
    assert all(pin in page for pin in pins.values())  # an admin sees every PIN
