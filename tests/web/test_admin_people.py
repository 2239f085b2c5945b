"""Admin pages for users, custom fields, tags and bank folders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from web_test_helpers import csrf_token, login

from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]


async def signed_in(client: Client, make_user: Callable[..., int], role: str = "admin") -> str:
    make_user("chief", role=role)
    await login(client, "chief")
    return await csrf_token(client, "/admin")


async def test_given_an_admin_when_adding_a_volunteer_and_a_team_then_both_exist_with_a_pin(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await signed_in(client, make_user)
    created = await client.post(
        "/admin/users", data={"_csrf": token, "username": "vic", "role": "volunteer"}
    )
    assert created.status == 200 and "Created vic (PIN" in await created.text()
    team = await client.post(
        "/admin/users/lists", data={"_csrf": token, "name": "Team A", "members": "vic"}
    )
    assert "1 member added" in await team.text()
    assert user_store.all_users(db, user_list="Team A")[0]["pin"]


async def test_given_a_taken_username_when_adding_it_again_then_the_message_shows_and_nothing_changes(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await signed_in(client, make_user)
    before = len(user_store.all_users(db))
    again = await client.post("/admin/users", data={"_csrf": token, "username": "chief"})
    assert again.status == 400 and "already a user called" in await again.text()
    assert len(user_store.all_users(db)) == before


async def test_given_a_manager_when_adding_a_manager_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await signed_in(client, make_user, role="manager")
    form = {"_csrf": token, "username": "x1", "role": "manager"}
    refused = await client.post("/admin/users", data=form)
    assert refused.status == 403 and user_store.get_user(db, "x1") is None
    assert (await client.get("/admin/users")).status == 200


async def test_given_fields_and_tags_pages_when_adding_then_the_script_editor_can_link_them(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await signed_in(client, make_user)
    made = await client.post(
        "/admin/fields",
        data={"_csrf": token, "name": "Support", "kind": "choice", "options": "Yes, No, Maybe"},
    )
    assert "Field Support created." in await made.text()
    bad = await client.post("/admin/fields", data={"_csrf": token, "name": "Call Outcome"})
    assert bad.status == 400
    await client.post("/admin/fields/tags", data={"_csrf": token, "name": "Needs ride"})
    assert field_store.get_field(db, "Support")["options"] == ["Yes", "No", "Maybe"]  # type: ignore[index]
    assert [t["name"] for t in field_store.all_tags(db)] == ["Needs ride"]


async def test_given_banks_in_folders_when_filtering_by_a_folder_then_only_its_banks_show(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await signed_in(client, make_user)
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 2)
    for title, folder in (("North calls", "North"), ("South calls", "South")):
        form = {"_csrf": token, "title": title, "description": "d", "list_id": str(list_id),
                "folders": folder}  # fmt: skip
        assert (await client.post("/admin/banks/new", data=form, allow_redirects=False)).ok
    page = await (await client.get("/admin/banks?folder=North")).text()
    assert "North calls" in page and "South calls" not in page
