"""The volunteer's feed and bank pages (no PBX): what is listed, what is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from web_test_helpers import csrf_token, login

from controller.model import banks as bank_model
from controller.store import banks, results
from controller.store import users as user_store
from controller.store.db import Database

Client = TestClient[Any, Any]
SCRIPT = (
    '{"name": "s", "blocks": [{"id": "intro", "title": "Hi {{ contact.first_name }}",'
    ' "text": "I am {{ volunteer.first_name }} from {{ bank.title }}.",'
    ' "responses": [{"label": "Yes", "next": null}, {"label": "No", "next": null}]}]}'
)


def make_bank(
    db: Database, title: str, visibility: str = "public", lists: tuple[int, ...] = ()
) -> int:
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"web{n}", 3, seed=n + 1)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (f"s{list_id}", SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        settings = {
            "title": title, "description": f"About {title}", "list_id": list_id,
            "script_id": script_id, "disclaimer": "Calls may be recorded.",
            "start_button_label": "Let's go",
        }  # fmt: skip
        bank_id = banks.create(conn, settings).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, visibility, lists))
        return bank_id


async def test_given_public_and_private_banks_when_volunteer_opens_feed_then_sees_only_granted(
    client: Client, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("vol", can_make_calls=True)
    other = user_store.create_user_list(db, "others")
    make_bank(db, "Open Bank")
    make_bank(db, "Secret Bank", "private", (int(other["id"]),))
    await login(client, "vol")
    html = await (await client.get("/banks")).text()
    assert "Open Bank" in html and "Read the script" in html  # not open to join yet
    assert "Secret Bank" not in html
    with db.write() as conn:  # once it calls, the feed's button is the bank's own start label
        conn.execute("UPDATE banks SET state = 'running'")
    html = await (await client.get("/banks")).text()
    assert 'data-testid="open-bank">Let&#39;s go</a>' in html and "Read the script" not in html
    secret_id = make_bank(db, "Secret Two", "private", (int(other["id"]),))
    response = await client.get(f"/banks/{secret_id}")
    assert response.status == 404
    assert "Secret Two" not in await response.text()


async def test_given_a_published_bank_not_started_when_opened_then_says_so_shows_script_and_records_seen(  # noqa: E501
    client: Client, db: Database, make_user: Callable[..., int]
) -> None:
    uid = make_user("vol", can_make_calls=True, display_name="Vera Caller")
    bank_id = make_bank(db, "Spring Drive")
    await login(client, "vol")
    html = await (await client.get(f"/banks/{bank_id}")).text()
    assert 'data-testid="not-started"' in html and "has not started yet" in html
    assert "Hi (first name)" in html and "I am Vera from Spring Drive." in html
    assert "Calls may be recorded." in html
    with db.read() as conn:
        assert results.engagement(conn, bank_id)["seen"] == {"events": 1, "volunteers": 1}
    assert uid > 0


async def test_given_no_engine_when_volunteer_joins_then_clear_refusal_and_nothing_recorded(
    client: Client, db: Database, make_user: Callable[..., int]
) -> None:
    make_user("vol", can_make_calls=True)
    bank_id = make_bank(db, "Spring Drive")
    await login(client, "vol")
    token = await csrf_token(client, "/banks")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    response = await client.post(
        f"/api/banks/{bank_id}/join", json={"via": "browser"}, headers=headers
    )
    assert response.status == 503
    assert (await response.json())["error"] == "engine_unavailable"
    bad = await client.post(f"/api/banks/{bank_id}/join", json={"via": "pigeon"}, headers=headers)
    assert (await bad.json())["error"] == "bad_via"
    with db.read() as conn:
        assert results.engagement(conn, bank_id)["started"]["events"] == 0


async def test_given_a_volunteer_without_calling_rights_when_opening_call_pages_then_refused(
    client: Client, make_user: Callable[..., int]
) -> None:
    make_user("viewer", can_make_calls=False)
    await login(client, "viewer")
    for path in ("/banks", "/call", "/api/call/state"):
        response = await client.get(path, headers={"Accept": "application/json"})
        assert response.status == 403, path
