"""The CRM sync admin page: outbox counts, failed rows and retry, VAN settings, mapping."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from web_test_helpers import csrf_token, login

from controller.config import Settings
from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import (
    get_van_settings,
    list_instructions,
    save_van_settings,
    set_instruction,
)
from controller.sync.plugin import running_sync
from web.app import init_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from van_server import API_KEY, APP_NAME, VanServer

Client = TestClient[Any, Any]
PAYLOAD = {"resultCode": "Not Home", "contactType": "Phone", "inputType": "API",
           "dateCanvassed": "2026-11-03T17:05:00Z"}  # fmt: skip
VAN_ERROR = ("INVALID_PARAMETER", "'resultCodeId' is not a valid result code")


async def as_admin(client: Client, make_user: Callable[..., int], role: str = "admin") -> str:
    make_user("chief", role=role)
    await login(client, "chief")
    return await csrf_token(client, "/admin")


def queue_rows(db: Database, count: int, fail: int = 0) -> list[int]:
    """``count`` pending VAN rows, the first ``fail`` of them failed with VAN's error."""
    with db.write() as conn:
        ids = [
            outbox.enqueue(
                conn, target="van", dedupe_key=f"k{n}", source_kind="manual",
                payload={**PAYLOAD, "vanId": 100 + n},
            )
            for n in range(count)
        ]  # fmt: skip
        for row in outbox.claim_due(conn, "van", "w1", 1e12, 60, limit=fail) if fail else []:
            outbox.mark_failed(conn, row.id, "w1", *VAN_ERROR)
    return [i for i in ids if i is not None]


def status_of(db: Database, row_id: int) -> str:
    with db.read() as conn:
        row = outbox.get_row(conn, row_id)
    assert row is not None
    return row.status


async def test_given_pending_and_failed_rows_when_admin_opens_page_then_counts_and_van_error_shown(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    queue_rows(db, 3, fail=1)
    await as_admin(client, make_user)
    page = await client.get("/admin/sync")
    html = await page.text()
    assert page.status == 200
    assert '<td data-count="pending">2</td>' in html
    assert '<td data-count="failed">1</td>' in html
    assert "INVALID_PARAMETER" in html and "is not a valid result code" in html
    assert 'href="/admin/sync"' in html  # in the admin navigation


async def test_given_a_failed_row_when_admin_retries_it_then_back_to_pending(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    failed, pending = queue_rows(db, 2, fail=1)
    token = await as_admin(client, make_user)
    done = await client.post("/admin/sync/retry", data={"_csrf": token, "id": str(failed)})
    assert done.status == 200 and "1 row(s) queued again." in await done.text()
    assert status_of(db, failed) == "pending" and status_of(db, pending) == "pending"


async def test_given_a_bad_row_number_when_retrying_then_clear_message_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    (failed,) = queue_rows(db, 1, fail=1)
    token = await as_admin(client, make_user)
    bad = await client.post("/admin/sync/retry", data={"_csrf": token, "id": "abc"})
    assert bad.status == 400 and "Not an outbox row number" in await bad.text()
    assert status_of(db, failed) == "failed"


async def test_given_van_settings_form_when_saved_then_stored_and_key_never_echoed(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_admin(client, make_user)
    form = {"_csrf": token, "application_name": "my-app", "api_key": "s3cret-KEY-42",
            "mode": "0", "base_url": "https://van.example.org/v4/"}  # fmt: skip
    saved = await client.post("/admin/sync/settings", data=form)
    html = await saved.text()
    assert saved.status == 200 and "VAN settings saved." in html
    assert "s3cret-KEY-42" not in html and "API key (set;" in html
    with db.read() as conn:
        van = get_van_settings(conn)
    assert (van.application_name, van.api_key, van.mode, van.base_url) == (
        "my-app", "s3cret-KEY-42", 0, "https://van.example.org/v4",
    )  # fmt: skip
    again = await client.post("/admin/sync/settings", data={**form, "api_key": ""})
    assert again.status == 200
    with db.read() as conn:
        assert get_van_settings(conn).api_key == "s3cret-KEY-42"  # blank keeps the key
    assert "s3cret-KEY-42" not in await (await client.get("/admin/sync")).text()


async def test_given_a_bad_base_url_when_saving_settings_then_message_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_admin(client, make_user)
    form = {"_csrf": token, "application_name": "other", "base_url": "ftp://x"}
    bad = await client.post("/admin/sync/settings", data=form)
    assert bad.status == 400 and "must start with https://" in await bad.text()
    with db.read() as conn:
        assert get_van_settings(conn).application_name == ""


async def test_given_local_van_when_testing_connection_then_accepted_and_wrong_key_reported(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_admin(client, make_user)
    async with VanServer() as van:
        with db.write() as conn:
            save_van_settings(conn, application_name=APP_NAME, api_key=API_KEY, base_url=van.url)
        good = await client.post("/admin/sync/test", data={"_csrf": token})
        assert good.status == 200 and "VAN accepted the credentials" in await good.text()
        with db.write() as conn:
            save_van_settings(conn, api_key="wrong-key")
        bad = await client.post("/admin/sync/test", data={"_csrf": token})
        assert bad.status == 400 and "VAN check failed" in await bad.text()


async def test_given_mapping_form_when_setting_and_removing_then_table_follows(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_admin(client, make_user)
    form = {"_csrf": token, "field": "Call Outcome", "value": "Busy",
            "van_kind": "result_code", "result_code": "Busy"}  # fmt: skip
    saved = await client.post("/admin/sync/map", data=form)
    assert saved.status == 200 and "result code “Busy”" in await saved.text()
    with db.read() as conn:
        before = list_instructions(conn)
    assert any(i.value == "Busy" and i.result_code == "Busy" for i in before)
    removed = await client.post(
        "/admin/sync/unmap", data={"_csrf": token, "field": "Call Outcome", "value": "Busy"}
    )
    assert removed.status == 200 and "is no longer synced" in await removed.text()
    with db.read() as conn:
        assert len(list_instructions(conn)) == len(before) - 1


async def test_given_bad_mapping_input_when_saving_then_clear_message_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await as_admin(client, make_user)
    with db.read() as conn:
        before = list_instructions(conn)
    cases = [
        ({"field": "No Such Field", "value": "x", "van_kind": "result_code",
          "result_code": "Busy"}, "No custom field named"),
        ({"field": "Call Outcome", "value": "Busy", "van_kind": "activist_code",
          "activist_code_id": "twelve"}, "must be a number"),
    ]  # fmt: skip
    for fields, message in cases:
        bad = await client.post("/admin/sync/map", data={"_csrf": token, **fields})
        assert bad.status == 400 and message in await bad.text(), fields
    with db.read() as conn:
        assert list_instructions(conn) == before


async def test_given_no_csrf_token_when_posting_then_refused_and_nothing_changes(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    (failed,) = queue_rows(db, 1, fail=1)
    await as_admin(client, make_user)
    refused = await client.post("/admin/sync/retry", data={"id": str(failed)})
    assert refused.status == 403
    settings = await client.post("/admin/sync/settings", data={"application_name": "x"})
    assert settings.status == 403
    assert status_of(db, failed) == "failed"
    with db.read() as conn:
        assert get_van_settings(conn).application_name == ""


async def test_given_a_volunteer_or_manager_when_opening_sync_page_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    (failed,) = queue_rows(db, 1, fail=1)
    make_user("vol")
    await login(client, "vol")
    assert (await client.get("/admin/sync")).status == 403
    token = await csrf_token(client, "/phone")
    assert (await client.post("/admin/sync/retry", data={"_csrf": token})).status == 403
    assert status_of(db, failed) == "failed"
    await client.post("/logout", data={"_csrf": token})
    token = await as_admin(client, make_user, role="manager")
    assert (await client.get("/admin/sync")).status == 403


async def test_given_an_anonymous_visitor_when_opening_sync_page_then_sent_to_login(
    client: Client, db: Database
) -> None:
    response = await client.get("/admin/sync", allow_redirects=False)
    assert response.status == 302 and "/login" in response.headers["Location"]
    with db.write() as conn:
        set_instruction(conn, "Call Outcome", "*", "result_code", result_code="Busy")
    posted = await client.post("/admin/sync/unmap", data={"field": "Call Outcome", "value": "*"})
    assert posted.status in (401, 403)
    with db.read() as conn:
        assert any(i.value == "*" for i in list_instructions(conn))


async def test_given_appliance_sync_running_when_van_settings_saved_on_page_then_rows_go_out(
    settings: Settings, db: Database, make_user: Callable[..., int]
) -> None:
    (row_id,) = queue_rows(db, 1)
    app = init_app(settings, db)
    async with VanServer() as van, running_sync(app, settings, db, 0.05) as service:
        assert service.workers == []  # nothing configured yet: the row waits
        async with TestClient(TestServer(app)) as client:
            token = await as_admin(client, make_user)
            form = {"_csrf": token, "application_name": APP_NAME, "api_key": API_KEY,
                    "mode": "1", "base_url": van.url}  # fmt: skip
            saved = await client.post("/admin/sync/settings", data=form)
            assert saved.status == 200 and "The sync workers are running." in await saved.text()
            assert [w.target for w in service.workers] == ["van"]
            await asyncio.wait_for(van.wait_accepted(1), 30)
    assert van.accepted[0].van_id == 100
    assert status_of(db, row_id) in ("sending", "sent")
