"""Bank page: Stop now ends the live calls at once (``engine stop-now``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_bank_schedule import bank_of, published_bank
from test_admin_pages import admin
from web_test_helpers import csrf_token, login

from controller.store import engine_log
from controller.store.db import Database

Client = TestClient[Any, Any]


def stop_requests(db: Database) -> list[int]:
    with db.read() as conn:
        return engine_log.stop_now_requests(conn)


async def test_given_a_running_bank_when_stopped_now_with_confirmation_then_stopped_and_calls_end(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    for step in ("publish", "start"):
        await client.post(f"/admin/banks/{bank_id}/{step}", data={"_csrf": token})
    page = await (await client.get(f"/admin/banks/{bank_id}")).text()
    assert 'data-testid="stop-now"' in page
    unconfirmed = await client.post(f"/admin/banks/{bank_id}/stop-now", data={"_csrf": token})
    assert unconfirmed.status == 400 and "tick the box to confirm" in await unconfirmed.text()
    assert bank_of(db, bank_id).state.value == "running" and stop_requests(db) == []
    done = await client.post(
        f"/admin/banks/{bank_id}/stop-now", data={"_csrf": token, "confirm": "yes"}
    )
    assert done.status == 200 and "its live calls are being ended" in await done.text()
    assert bank_of(db, bank_id).state.value == "stopped" and stop_requests(db) == [bank_id]
    again = await client.post(
        f"/admin/banks/{bank_id}/stop-now", data={"_csrf": token, "confirm": "yes"}
    )
    assert again.status == 200 and stop_requests(db) == [bank_id]


async def test_given_a_bank_never_started_when_stopped_now_then_the_cli_refusal_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    refused = await client.post(
        f"/admin/banks/{bank_id}/stop-now", data={"_csrf": token, "confirm": "yes"}
    )
    assert refused.status == 400 and "Only a started bank can be stopped." in await refused.text()
    assert bank_of(db, bank_id).state.value == "draft" and stop_requests(db) == []


async def test_given_a_volunteer_or_a_visitor_when_stopping_now_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await published_bank(client, token, db)
    for step in ("publish", "start"):
        await client.post(f"/admin/banks/{bank_id}/{step}", data={"_csrf": token})
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    path = f"/admin/banks/{bank_id}/stop-now"
    assert (await client.post(path, data={"confirm": "yes"})).status == 401
    make_user("vol")
    await login(client, "vol")
    vol_token = await csrf_token(client, "/phone")
    refused = await client.post(path, data={"_csrf": vol_token, "confirm": "yes"})
    assert refused.status == 403
    assert bank_of(db, bank_id).state.value == "running" and stop_requests(db) == []
