"""The organizer's pages over the real app and SQLite file: banks, scripts, contacts, exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from web_test_helpers import csrf_token, login, run_import

from controller.config import Settings
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.store import users as user_store
from controller.store.db import Database
from web.app import init_app

Client = TestClient[Any, Any]
GOOD_SCRIPT = {
    "name": "Web script",
    "blocks": [
        {"id": "a", "title": "Hello", "text": "Hi {{ contact.first_name }}",
         "responses": [{"label": "Yes", "next": "b"}, {"label": "No", "next": None}]},
        {"id": "b", "title": "Thanks", "text": "Thanks!", "responses": []},
    ],
}  # fmt: skip


async def admin(client: Client, make_user: Callable[..., int]) -> str:
    make_user("boss", role="admin")
    await login(client, "boss")
    return await csrf_token(client, "/admin")


def seed_list(db: Database, contacts: int = 5) -> int:
    with db.write() as conn:
        return bank_store.seed_synthetic_list(conn, "Seeded", contacts)


def bank_count(db: Database) -> int:
    with db.read() as conn:
        return len(bank_store.list_all(conn))


async def create_bank(client: Client, token: str, list_id: int, **extra: str) -> int:
    form = {"_csrf": token, "title": "Web bank", "description": "Calls", "list_id": str(list_id)}
    response = await client.post("/admin/banks/new", data={**form, **extra}, allow_redirects=False)
    assert response.status == 303, await response.text()
    match = re.search(r"/admin/banks/(\d+)/script", response.headers["Location"])
    assert match
    return int(match.group(1))


async def test_given_an_admin_when_a_bank_form_lacks_a_title_then_the_message_shows_and_nothing_is_created(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    list_id = seed_list(db)
    response = await client.post(
        "/admin/banks/new", data={"_csrf": token, "description": "x", "list_id": str(list_id)}
    )
    assert response.status == 400
    assert "a title is required" in await response.text()
    assert bank_count(db) == 0


async def test_given_a_new_bank_when_saving_a_script_with_a_dangling_branch_then_the_problem_names_the_block(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db))
    bad = {"name": "Bad", "blocks": [{"id": "a", "title": "A", "responses": [
        {"label": "Go", "next": "nowhere"}]}]}  # fmt: skip
    headers = {"X-CSRF-Token": token}
    response = await client.post(f"/api/admin/banks/{bank_id}/script", json=bad, headers=headers)
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "dangling_branch"
    assert body["problems"][0]["block"] == "a"
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).settings.script_id is None
    response = await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers=headers
    )
    assert response.status == 200
    with db.read() as conn:
        assert (
            bank_store.get(conn, bank_id).settings.script_id == (await response.json())["script_id"]
        )


async def test_given_a_bank_whose_window_opens_tomorrow_when_starting_then_a_plain_message_and_it_stays_published(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    bank_id = await create_bank(client, token, seed_list(db), window_start=tomorrow)
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    published = await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    assert published.status == 200 and "Published." in await published.text()
    response = await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
    assert response.status == 400
    assert "cannot start before its campaign window opens" in await response.text()
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).state.value == "published"


async def test_given_a_started_bank_when_stopped_with_confirmation_then_it_cannot_be_restarted(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db))
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    for step in ("publish", "start"):
        assert (await client.post(f"/admin/banks/{bank_id}/{step}", data={"_csrf": token})).ok
    unconfirmed = await client.post(f"/admin/banks/{bank_id}/stop", data={"_csrf": token})
    assert unconfirmed.status == 400 and "tick the box" in await unconfirmed.text()
    stopped = await client.post(
        f"/admin/banks/{bank_id}/stop", data={"_csrf": token, "confirm": "yes"}
    )
    stopped_page = await stopped.text()
    assert stopped.status == 200 and "Stopped for good." in stopped_page
    assert "left undialed (the bank is stopped)" in stopped_page and " ready," not in stopped_page
    with db.write() as conn:  # one entry claimed, one mid-dial: neither will be dialed now
        for state in ("claimed", "dialing"):
            conn.execute(
                "UPDATE queue_entries SET state = ? WHERE id = (SELECT min(id) FROM queue_entries"
                " WHERE bank_id = ? AND state = 'ready')",
                (state, bank_id),
            )
    page = await (await client.get(f"/admin/banks/{bank_id}")).text()
    assert "5 left undialed (the bank is stopped)" in page
    again = await client.post(f"/admin/banks/{bank_id}/resume", data={"_csrf": token})
    assert again.status == 400
    assert "A stopped bank cannot be restarted." in await again.text()
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).state.value == "stopped"


CSV_TEXT = (
    "VanID,FirstName,LastName,CellPhone,=Ward()\n1,Ann,Lee,+12125550101,4\n"
    f"2,Bo,Ray,12,5\n3,Cy,Day,+12125550103,{'x' * 2001}\n"
)  # a header that reads as a formula, quoted back in a rejected row's reason


async def test_given_a_csv_when_uploaded_mapped_and_imported_then_contacts_land_and_bad_rows_are_reported(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("list", "Ward 4")
    form.add_field("file", CSV_TEXT.encode(), filename="list.csv", content_type="text/csv")
    uploaded = await client.post("/admin/contacts/upload", data=form, allow_redirects=False)
    assert uploaded.status == 303
    location = uploaded.headers["Location"]
    page = await (await client.get(location)).text()
    assert 'data-column="CellPhone"' in page and 'value="cell_phone" selected' in page
    upload_token = location.split("/")[-1].split("?")[0]
    status = await run_import(client, token, upload_token, "Ward 4", {})
    job = status["job"]
    assert status["percent"] == 100 and status["report"]["imported"] == 1
    rejects = await (await client.get(f"/admin/imports/{job}/rejects.csv")).text()
    rows = list(csv.reader(io.StringIO(rejects)))
    assert rows[0] == ["line", "code", "reason"] and rows[1][0] == "3"
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    with db.read() as conn:
        names = [r[0] for r in conn.execute("SELECT first_name FROM contacts")]
    assert names == ["Ann"]


async def test_given_a_bank_when_exporting_contacts_then_the_csv_matches_the_database(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 7))
    response = await client.get(f"/admin/banks/{bank_id}/export/contacts.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    with db.read() as conn:
        expected = [(str(r[0]), r[1]) for r in conn.execute(
            "SELECT id, first_name FROM contacts ORDER BY id")]  # fmt: skip
    assert [(r["contact_id"], r["first_name"]) for r in rows] == expected


async def test_given_a_volunteer_when_opening_admin_pages_then_each_is_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    make_user("vol")
    await login(client, "vol")
    for path in ("/admin/banks", "/admin/contacts", "/admin/users", "/admin/banks/1/live",
                 "/api/admin/banks/1/live", "/admin/banks/1/export/attempts.csv"):  # fmt: skip
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path


async def test_given_no_dialer_in_the_process_when_opening_the_live_feed_then_a_snapshot_comes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 3))
    snapshot = await (await client.get(f"/api/admin/banks/{bank_id}/live")).json()
    assert snapshot["engine"] is False and snapshot["figures"] is None
    assert snapshot["bank"]["state"] == "draft" and snapshot["queue"]["ready"] == 0
    async with client.ws_connect(f"/api/admin/banks/{bank_id}/live/ws") as ws:
        pushed = await ws.receive_json(timeout=10)
    assert pushed["bank"]["id"] == bank_id and pushed["volunteers"] == []
    refused = await client.post(
        f"/api/admin/banks/{bank_id}/simulated", json={"on": True}, headers={"X-CSRF-Token": token}
    )
    assert refused.status == 409 and (await refused.json())["error"] == "no_engine"
    path, headers = f"/api/admin/banks/{bank_id}/simulated", {"X-CSRF-Token": token}
    counts = ({"on": True, "count": "lots"}, {"on": True, "count": 51}, {"on": True, "count": 0})
    for bad in (*counts, [1]):
        answer = await client.post(path, json=bad, headers=headers)
        assert answer.status == 400, bad
        assert (await answer.json())["error"] in ("bad_count", "bad_json"), bad
    for odd in ({"on": "false"}, {"on": "off"}, {"on": 1}, {"on": [False]}, {"count": 5}):
        answer = await client.post(path, json=odd, headers=headers)  # never read as on
        assert answer.status == 400 and (await answer.json())["error"] == "bad_on", odd
    not_json = await client.post(path, data="{on", headers=headers)
    assert (not_json.status, (await not_json.json())["error"]) == (400, "bad_json")


async def test_given_answers_and_calls_recorded_when_opening_results_then_answers_are_tallied_and_people_counted(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 3))
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    with db.write() as conn:
        contacts = [r[0] for r in conn.execute("SELECT id FROM contacts ORDER BY id")]
        for contact_id, answer in zip(contacts, ("Yes", "Yes", "No"), strict=True):
            script_store.save_answer(
                conn, bank_id=bank_id, contact_id=contact_id, block_id="a", answer=answer, now=1e9
            )
        hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for n, result in enumerate(("bridged", "bridged", "dropped", "machine", None)):
            conn.execute(
                "INSERT INTO call_attempts (bank_id, e164, call_id, started_at, answered_at,"
                " result) VALUES (?, '+12025550100', ?, ?, ?, ?)",
                (bank_id, f"c{n}", hour_ago, None if result is None else hour_ago, result),
            )
    page = await (await client.get(f"/admin/banks/{bank_id}/results")).text()
    row = r'<td>a</td><td>Hello</td><td>(\w+)</td><td class="num">(\d+)</td>'
    tallies = re.findall(row, page)
    assert tallies == [("Yes", "2"), ("No", "1")]
    tile = r'<div class="v"[^>]*>([\d.]+%?)</div><div class="k">([^<]+)</div>'
    shown = {label: value for value, label in re.findall(tile, page)}
    assert shown["Answered (machines too)"] == "4" and shown["Answered by a person"] == "3"
    assert shown["Dropped"] == "1"
    assert shown["Abandon rate, last 30 days (dropped / answered by a person)"] == "33.33%"


async def test_given_a_bank_published_to_a_team_when_made_public_then_it_never_goes_private_again(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    team = user_store.create_user_list(db, "Team")
    bank_id = await create_bank(client, token, seed_list(db, 2))
    await client.post(
        f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
    )
    private = {"_csrf": token, "user_list": str(team["id"])}
    assert (await client.post(f"/admin/banks/{bank_id}/publish", data=private)).status == 200
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).visibility == "private"
    stale = await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})
    assert stale.status == 400  # Publish from a stale page or a second tab: not made public
    assert "This bank is already published: change who sees it under" in await stale.text()
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).visibility == "private"
    made_public = {"_csrf": token}
    assert (await client.post(f"/admin/banks/{bank_id}/visibility", data=made_public)).ok
    again = await client.post(f"/admin/banks/{bank_id}/visibility", data=private)
    assert again.status == 400
    assert "A public bank can never become private again." in await again.text()
    with db.read() as conn:
        assert bank_store.get(conn, bank_id).visibility == "public"


async def test_given_a_csv_without_a_phone_column_when_imported_then_the_reason_shows_and_no_list_is_made(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("list", "Nope")
    form.add_field("file", b"FirstName,LastName\nAnn,Lee\n", filename="x.csv")
    uploaded = await client.post("/admin/contacts/upload", data=form, allow_redirects=False)
    upload_token = uploaded.headers["Location"].split("/")[-1].split("?")[0]
    refused = await client.post(
        "/api/admin/contacts/import",
        json={"token": upload_token, "list": "Nope", "mapping": {}},
        headers={"X-CSRF-Token": token},
    )  # the mapping is checked before anything starts
    assert refused.status == 400
    assert "No column is a phone number" in (await refused.json())["message"]
    for bad in ("[1, 2]", "{token"):
        answer = await client.post(
            "/api/admin/contacts/import", data=bad, headers={"X-CSRF-Token": token}
        )
        assert (answer.status, (await answer.json())["error"]) == (400, "bad_json"), bad
    listed = {"token": upload_token, "list": "Nope", "mapping": ["phone"]}
    answer = await client.post(
        "/api/admin/contacts/import", json=listed, headers={"X-CSRF-Token": token}
    )
    assert (answer.status, (await answer.json())["error"]) == (400, "bad_mapping")
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM lists").fetchone()[0] == 0


async def test_given_the_simulated_network_off_when_simulated_volunteers_are_asked_for_then_refused(
    settings: Settings, make_user: Callable[..., int], db: Database
) -> None:
    real = replace(settings, carrier=replace(settings.carrier, enabled=False))
    async with TestClient(TestServer(init_app(real, db))) as client:
        token = await admin(client, make_user)
        bank_id = await create_bank(client, token, seed_list(db, 2))
        asked = await client.post(
            f"/api/admin/banks/{bank_id}/simulated", json={"on": True},
            headers={"X-CSRF-Token": token},
        )  # fmt: skip
        assert asked.status == 409 and (await asked.json())["error"] == "carrier_off"
