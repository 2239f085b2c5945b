"""A contact's page shows a Wrong Number mark and takes it back ("Not a wrong number"),
saying what a started bank keeps; only staff may, with the page's CSRF token."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin
from web_test_helpers import csrf_token, login

from controller.model import banks as bank_model
from controller.store import banks as bank_store
from controller.store import contact_import
from controller.store import contacts as contact_store
from controller.store.db import Database

Client = TestClient[Any, Any]
CSV_TEXT = (
    "VanID,FirstName,LastName,CellPhone,HomePhone\n"
    "11,Ann,Lee,+12125550101,+12125550199\n"
    "12,Bo,Lee,+12125550102,+12125550199\n"
)
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'
SHARED = "+12125550199"


def imported(db: Database, tmp_path: Any) -> dict[str, int]:
    path = tmp_path / "people.csv"
    path.write_text(CSV_TEXT)
    report = contact_import.import_csv(db, path, "Ward list", {})
    rows = contact_store.contact_rows(db, report.list_id)
    return {str(r["first_name"]): int(r["id"]) for r in rows}


def start_bank(db: Database, title: str) -> int:
    with db.write() as conn:
        conn.execute("INSERT INTO scripts (name, body) VALUES ('s', ?)", (SCRIPT,))
        list_id = conn.execute("SELECT id FROM lists WHERE name = 'Ward list'").fetchone()[0]
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {"title": title, "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = bank_store.create(conn, settings).id
        assert bank_id is not None
        bank_store.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        bank_store.start(conn, bank_id, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    return bank_id


def marks(db: Database, contact_id: int) -> dict[str, int]:
    detail = contact_store.contact_detail(db, contact_id)
    assert detail is not None
    return {str(p["e164"]): int(p["wrong_number"]) for p in detail["phones"]}


async def test_given_a_number_marked_wrong_when_the_admin_says_it_is_not_then_the_mark_goes_and_the_started_bank_is_named(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    token = await admin(client, make_user)
    ids = imported(db, tmp_path)
    ann = ids["Ann"]
    marked = await client.post(
        f"/admin/contacts/{ann}/wrong-number", data={"_csrf": token, "number": SHARED}
    )
    page = html.unescape(await marked.text())
    assert 'data-testid="wrong-number-mark"' in page and "Not a wrong number" in page
    bank_id = start_bank(db, "Spring Drive")

    form = {"_csrf": token, "number": "(212) 555-0199"}
    undone = await client.post(f"/admin/contacts/{ann}/not-wrong-number", data=form)
    text = html.unescape(await undone.text())
    assert undone.status == 200
    assert (
        f"{SHARED} is no longer marked as a wrong number for this contact. The person is not"
        f" put back in the queue of bank {bank_id} (Spring Drive), built while the number was"
        " left out for them."
    ) in text
    assert 'data-testid="wrong-number-mark"' not in text
    assert marks(db, ann) == {"+12125550101": 0, SHARED: 0}

    again = await client.post(f"/admin/contacts/{ann}/not-wrong-number", data=form)
    assert again.status == 400
    assert f"{SHARED} is not marked as a wrong number for contact {ann}." in await again.text()
    other = await client.post(
        f"/admin/contacts/{ids['Bo']}/not-wrong-number", data={**form, "number": "+12125550101"}
    )
    assert other.status == 400 and "has no number +12125550101" in await other.text()


async def test_given_a_mark_when_a_volunteer_a_visitor_or_a_forged_form_tries_to_take_it_back_then_refused(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database, tmp_path: Any
) -> None:
    ids = imported(db, tmp_path)
    ann = ids["Ann"]
    assert contact_store.mark_wrong_number(db, ann, SHARED)
    path = f"/admin/contacts/{ann}/not-wrong-number"
    assert (await client.post(path, data={"number": SHARED})).status == 401
    make_user("vol")
    await login(client, "vol")
    token = await csrf_token(client, "/phone")
    assert (await client.post(path, data={"number": SHARED, "_csrf": token})).status == 403
    await admin(client, make_user)
    forged = await client.post(path, data={"number": SHARED, "_csrf": "not-the-token"})
    assert forged.status == 403
    assert marks(db, ann)[SHARED] == 1
