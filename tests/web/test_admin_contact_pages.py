"""Finding contacts and one contact's page: numbers, household, tags, Wrong Number."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, seed_list
from web_test_helpers import csrf_token, login

from controller.store import banks as bank_store
from controller.store import contact_import
from controller.store import contacts as contact_store
from controller.store import fields as field_store
from controller.store.db import Database

Client = TestClient[Any, Any]
CSV_TEXT = (
    "VanID,FirstName,LastName,CellPhone,HomePhone,Ward\n"
    "11,Ann,Lee,+12125550101,+12125550199,4\n"
    "12,Bo,Lee,+12125550102,+12125550199,4\n"
    "13,Cy,Ray,+12125550103,,5\n"
)


async def shown(response: Any) -> str:
    return html.unescape(await response.text())


def imported(db: Database, tmp_path: Any) -> dict[str, int]:
    path = tmp_path / "people.csv"
    path.write_text(CSV_TEXT)
    report = contact_import.import_csv(db, path, "Ward list", {})
    rows = contact_store.contact_rows(db, report.list_id)
    return {str(r["first_name"]): int(r["id"]) for r in rows}


async def test_given_a_list_when_searching_then_matching_contacts_link_to_their_page(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    await admin(client, make_user)
    ids = imported(db, tmp_path)
    found = await shown(await client.get("/admin/contacts/browse?list=Ward+list&search=Lee"))
    assert f'href="/admin/contacts/{ids["Ann"]}"' in found and "Bo Lee" in found
    assert "Cy Ray" not in found
    by_number = await shown(await client.get("/admin/contacts/browse?search=5550103"))
    assert "Cy Ray" in by_number and "Ann Lee" not in by_number
    for typed in ("(212) 555-0103", "212-555-0103", "+1 212 555 0103"):
        query = urlencode({"search": typed})
        punctuated = await shown(await client.get(f"/admin/contacts/browse?{query}"))
        assert "Cy Ray" in punctuated and "Ann Lee" not in punctuated, typed
    unknown = await client.get("/admin/contacts/browse?list=Nope")
    assert unknown.status == 400 and "No list called 'Nope'." in await shown(unknown)
    page = await shown(await client.get(f"/admin/contacts/{ids['Ann']}"))
    assert "+12125550101" in page and "#" + str(ids["Bo"]) + " Bo Lee" in page
    assert "<th>Ward</th><td>4</td>" in page


async def test_given_a_shared_number_when_marked_wrong_for_one_person_then_the_housemate_keeps_it(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    token = await admin(client, make_user)
    ids = imported(db, tmp_path)
    form = {"_csrf": token, "number": "(212) 555-0199"}
    marked = await client.post(f"/admin/contacts/{ids['Ann']}/wrong-number", data=form)
    assert "+12125550199 marked as a wrong number for this contact." in await shown(marked)

    def wrong(name: str) -> dict[str, int]:
        detail = contact_store.contact_detail(db, ids[name])
        assert detail is not None
        return {str(p["e164"]): int(p["wrong_number"]) for p in detail["phones"]}

    assert wrong("Ann")["+12125550199"] == 1 and wrong("Bo")["+12125550199"] == 0
    for number, message in (
        ("12", "Not a valid phone number"),
        ("2125550103", "has no number +12125550103"),
    ):
        refused = await client.post(
            f"/admin/contacts/{ids['Bo']}/wrong-number", data={**form, "number": number}
        )
        assert refused.status == 400 and message in await shown(refused), number
    assert wrong("Bo") == {"+12125550102": 0, "+12125550199": 0}


async def test_given_a_contact_page_when_tagging_and_untagging_then_the_tag_follows(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    token = await admin(client, make_user)
    ids = imported(db, tmp_path)
    form = {"_csrf": token, "name": "Needs ride"}
    tagged = await client.post(f"/admin/contacts/{ids['Cy']}/tags", data=form)
    assert f"Tag 'Needs ride' applied to contact {ids['Cy']}." in await shown(tagged)
    assert field_store.tags_for(db, ids["Cy"]) == ["Needs ride"]
    blank = await client.post(f"/admin/contacts/{ids['Cy']}/tags", data={**form, "name": " "})
    assert blank.status == 400 and field_store.tags_for(db, ids["Cy"]) == ["Needs ride"]
    off = await client.post(f"/admin/contacts/{ids['Cy']}/tags", data={**form, "off": "on"})
    assert "removed from contact" in await shown(off)
    assert field_store.tags_for(db, ids["Cy"]) == []
    assert (await client.get("/admin/contacts/999999")).status == 404


async def test_given_a_volunteer_or_a_visitor_when_opening_or_changing_a_contact_then_refused(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    ids = imported(db, tmp_path)
    ann = ids["Ann"]
    assert (await client.get(f"/admin/contacts/{ann}", allow_redirects=False)).status == 302
    posts = {f"/admin/contacts/{ann}/wrong-number": {"number": "+12125550101"},
             f"/admin/contacts/{ann}/tags": {"name": "X"}}  # fmt: skip
    for path, data in posts.items():
        assert (await client.post(path, data=data)).status == 401, path
    make_user("vol")
    await login(client, "vol")
    token = await csrf_token(client, "/phone")
    for path in ("/admin/contacts/browse", f"/admin/contacts/{ann}"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    for path, data in posts.items():
        assert (await client.post(path, data={**data, "_csrf": token})).status == 403, path
    detail = contact_store.contact_detail(db, ann)
    assert detail is not None and detail["tags"] == []
    assert all(not p["wrong_number"] for p in detail["phones"])


async def test_given_lists_when_deleting_then_an_unused_one_goes_and_one_a_bank_uses_stays(
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    token = await admin(client, make_user)
    imported(db, tmp_path)
    used = seed_list(db, 2)
    with db.write() as conn:
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": used})
    form = {"_csrf": token, "name": "Ward list"}
    unconfirmed = await client.post("/admin/contacts/lists/delete", data=form)
    assert unconfirmed.status == 400 and "Tick the box" in await shown(unconfirmed)
    refused = await client.post(
        "/admin/contacts/lists/delete", data={**form, "name": "Seeded", "confirm": "yes"}
    )
    assert refused.status == 400
    assert f"List 'Seeded' is used by bank {bank.id}" in await shown(refused)
    deleted = await client.post("/admin/contacts/lists/delete", data={**form, "confirm": "yes"})
    assert "List 'Ward list' deleted with its 3 contacts." in await shown(deleted)
    assert [lst["name"] for lst in contact_store.all_lists(db)] == ["Seeded"]
    assert {r["list"] for r in contact_store.contact_rows(db)} == {"Seeded"}
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    vol_form = {"_csrf": vol_token, "name": "Seeded", "confirm": "yes"}
    forbidden = await client.post("/admin/contacts/lists/delete", data=vol_form)
    assert forbidden.status == 403 and len(contact_store.contact_rows(db, used)) == 2
