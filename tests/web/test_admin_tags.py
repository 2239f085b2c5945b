"""Fields and tags page: tags on contacts, values on contacts, deleting fields and tags."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, seed_list
from web_test_helpers import csrf_token, login

from controller.model.fields import validate_field
from controller.store import fields as field_store
from controller.store.db import Database

Client = TestClient[Any, Any]


async def shown(response: Any) -> str:
    """The page as a reader sees it (entities such as &#39; decoded)."""
    return html.unescape(await response.text())


def first_contact(db: Database) -> int:
    seed_list(db, 2)
    with db.read() as conn:
        return int(conn.execute("SELECT min(id) FROM contacts").fetchone()[0])


def tag_counts(db: Database) -> dict[str, int]:
    return {str(t["name"]): int(t["contacts"]) for t in field_store.all_tags(db)}


async def test_given_a_contact_when_a_tag_is_applied_and_taken_off_then_the_contact_carries_it_then_not(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    contact = first_contact(db)
    form = {"_csrf": token, "contact_id": str(contact), "name": "Needs ride"}
    applied = await client.post("/admin/fields/tags/apply", data=form)
    assert f"Tag 'Needs ride' applied to contact {contact}." in await shown(applied)
    assert field_store.tags_for(db, contact) == ["Needs ride"]
    again = await client.post("/admin/fields/tags/apply", data=form)
    assert "Nothing to change." in await shown(again)
    off = await client.post("/admin/fields/tags/apply", data={**form, "off": "on"})
    assert f"Tag 'Needs ride' removed from contact {contact}." in await shown(off)
    assert field_store.tags_for(db, contact) == [] and tag_counts(db) == {"Needs ride": 0}


async def test_given_an_unknown_contact_or_a_bad_id_when_tagging_then_the_message_and_nothing_changes(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    first_contact(db)
    for contact_id, message in (("99999", "No contact with id 99999."),
                                ("abc", "Contact id 'abc' is not a number.")):  # fmt: skip
        form = {"_csrf": token, "contact_id": contact_id, "name": "Needs ride"}
        refused = await client.post("/admin/fields/tags/apply", data=form)
        assert refused.status == 400 and message in await shown(refused)
    assert tag_counts(db) == {}


async def test_given_a_tag_on_a_contact_when_deleted_with_confirmation_then_it_is_gone_everywhere(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    contact = first_contact(db)
    field_store.tag_contact(db, contact, "Volunteer prospect")
    unconfirmed = await client.post(
        "/admin/fields/tags/remove", data={"_csrf": token, "name": "Volunteer prospect"}
    )
    assert unconfirmed.status == 400 and "Tick the box" in await shown(unconfirmed)
    assert tag_counts(db) == {"Volunteer prospect": 1}
    form = {"_csrf": token, "name": "Volunteer prospect", "confirm": "yes"}
    removed = await client.post("/admin/fields/tags/remove", data=form)
    assert "Tag 'Volunteer prospect' removed." in await shown(removed)
    assert tag_counts(db) == {} and field_store.tags_for(db, contact) == []
    missing = await client.post("/admin/fields/tags/remove", data=form)
    assert missing.status == 400 and "No tag called 'Volunteer prospect'." in await shown(missing)


async def test_given_fields_when_deleting_a_custom_one_and_a_built_in_then_only_the_custom_goes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    contact = first_contact(db)
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"], False))
    value = {"_csrf": token, "contact_id": str(contact), "name": "Support", "value": "Yes"}
    saved = await client.post("/admin/fields/values", data=value)
    assert f"Contact {contact}: Support = Yes" in await shown(saved)
    bad = await client.post("/admin/fields/values", data={**value, "value": "Perhaps"})
    assert bad.status == 400 and field_store.values_for(db, contact) == {"Support": "Yes"}
    outcome = {**value, "name": "Call Outcome", "value": "Do Not Call"}
    kept = await client.post("/admin/fields/values", data=outcome)
    assert kept.status == 400 and "built in and kept by the dialer" in await shown(kept)
    assert field_store.values_for(db, contact) == {"Support": "Yes"}
    assert "<option>Call Outcome</option>" not in await shown(kept)  # not offered either
    builtin = await client.post(
        "/admin/fields/remove", data={"_csrf": token, "name": "Call Outcome", "confirm": "yes"}
    )
    assert builtin.status == 400
    assert "'Call Outcome' is built in and cannot be removed." in await shown(builtin)
    unconfirmed = await client.post(
        "/admin/fields/remove", data={"_csrf": token, "name": "Support"}
    )
    assert unconfirmed.status == 400 and field_store.get_field(db, "Support") is not None
    removed = await client.post(
        "/admin/fields/remove", data={"_csrf": token, "name": "Support", "confirm": "yes"}
    )
    assert "Field 'Support' removed." in await shown(removed)
    assert field_store.get_field(db, "Support") is None
    assert field_store.get_field(db, "Call Outcome") is not None
    assert "Support" not in field_store.values_for(db, contact)


async def test_given_a_volunteer_or_a_visitor_when_tagging_or_deleting_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    contact = first_contact(db)
    field_store.add_field(db, validate_field("Support", "text", [], False))
    field_store.tag_contact(db, contact, "Keep")
    posts = {
        "/admin/fields/tags/apply": {"contact_id": str(contact), "name": "New"},
        "/admin/fields/tags/remove": {"name": "Keep", "confirm": "yes"},
        "/admin/fields/remove": {"name": "Support", "confirm": "yes"},
        "/admin/fields/values": {"contact_id": str(contact), "name": "Support", "value": "x"},
    }
    for path, data in posts.items():
        assert (await client.post(path, data=data)).status == 401, path
    make_user("vol")
    await login(client, "vol")
    token = await csrf_token(client, "/phone")
    for path, data in posts.items():
        assert (await client.post(path, data={**data, "_csrf": token})).status == 403, path
    assert tag_counts(db) == {"Keep": 1} and field_store.get_field(db, "Support") is not None
    assert field_store.values_for(db, contact).get("Support") is None


async def test_given_a_tag_when_adding_it_again_then_refused_as_the_cli_does(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    made = await client.post("/admin/fields/tags", data={"_csrf": token, "name": "Needs ride"})
    assert made.status == 200 and "Tag 'Needs ride' created." in await shown(made)
    again = await client.post("/admin/fields/tags", data={"_csrf": token, "name": " Needs ride "})
    assert again.status == 400
    assert "There is already a tag called 'Needs ride'." in await shown(again)
    assert tag_counts(db) == {"Needs ride": 0}
