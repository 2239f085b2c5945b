"""A bank's script page lists the saved scripts; one no bank uses can be deleted there
(POST with the form token and the box ticked); one a bank uses is refused naming the banks."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list
from web_test_helpers import csrf_token, login

from controller.model import scripts as script_model
from controller.store import scripts as script_store
from controller.store.db import Database

Client = TestClient[Any, Any]


def saved(db: Database, name: str) -> int:
    with db.write() as conn:
        return script_store.save(conn, script_model.from_dict({**GOOD_SCRIPT, "name": name}))


def names(db: Database) -> list[str]:
    with db.read() as conn:
        return [str(s["name"]) for s in script_store.list_all(conn)]


async def test_given_a_script_no_bank_uses_when_deleted_on_the_page_then_it_is_gone(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db))
    spare = saved(db, "Spare")
    page = html.unescape(await (await client.get(f"/admin/banks/{bank_id}/script")).text())
    assert f'action="/admin/banks/{bank_id}/scripts/{spare}/delete"' in page
    url = f"/admin/banks/{bank_id}/scripts/{spare}/delete"
    unticked = await client.post(url, data={"_csrf": token})
    assert unticked.status == 400 and "tick the box" in await unticked.text()
    assert names(db) == ["Spare"]
    done = await client.post(url, data={"_csrf": token, "confirm": "yes"})
    text = html.unescape(await done.text())
    assert done.status == 200 and "Script 'Spare' deleted." in text
    assert names(db) == [] and 'data-testid="saved-script"' not in text
    again = await client.post(url, data={"_csrf": token, "confirm": "yes"})
    assert again.status == 400 and f"There is no script '{spare}'." in html.unescape(
        await again.text()
    )


async def test_given_a_script_banks_use_when_deleted_on_the_page_then_refused_naming_them(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    first = await create_bank(client, token, seed_list(db))
    headers = {"X-CSRF-Token": token}
    done = await client.post(f"/api/admin/banks/{first}/script", json=GOOD_SCRIPT, headers=headers)
    script_id = (await done.json())["script_id"]
    page = html.unescape(await (await client.get(f"/admin/banks/{first}/script")).text())
    assert f"bank {first} (draft)" in page and f"scripts/{script_id}/delete" not in page
    url = f"/admin/banks/{first}/scripts/{script_id}/delete"
    refused = await client.post(url, data={"_csrf": token, "confirm": "yes"})
    text = html.unescape(await refused.text())
    assert refused.status == 400
    assert (
        f"Script 'Web script' is used by bank {first} (draft); a script a bank uses cannot be"
        " deleted (attach another script to the draft and published ones first)." in text
    )
    assert names(db) == ["Web script"]


async def test_given_a_forged_form_or_a_volunteer_when_deleting_a_script_then_refused_and_kept(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db))
    spare = saved(db, "Spare")
    url = f"/admin/banks/{bank_id}/scripts/{spare}/delete"
    forged = await client.post(url, data={"_csrf": "forged", "confirm": "yes"})
    assert forged.status == 403 and names(db) == ["Spare"]
    elsewhere = await client.post(
        f"/admin/banks/999/scripts/{spare}/delete", data={"_csrf": token, "confirm": "yes"}
    )
    assert elsewhere.status == 404 and names(db) == ["Spare"]
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    as_volunteer = await client.post(url, data={"_csrf": vol_token, "confirm": "yes"})
    assert as_volunteer.status == 403 and names(db) == ["Spare"]
