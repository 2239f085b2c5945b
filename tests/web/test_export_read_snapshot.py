"""A results download in progress does not freeze what the rest of the appliance reads: it
streams on a database connection of its own, so while it waits for a slow browser, the
engine's reads on the same thread (a stop, a pause, the abandon figures) see every new
commit. Real SQLite file, the real route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from test_admin_pages import admin, create_bank, seed_list

from controller.store.db import Database
from web.views import admin_results

Client = TestClient[Any, Any]


async def test_given_a_download_waiting_on_the_browser_when_a_row_is_committed_then_other_reads_see_it(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 5))
    seen: list[int] = []
    real_write = web.StreamResponse.write

    async def write_and_look(self: web.StreamResponse, data: bytes) -> None:
        if not seen:  # the download is part way: a commit lands meanwhile
            with db.write() as conn:
                conn.execute("INSERT INTO dnc (e164, source) VALUES ('+16175550199', 'test')")
            with db.read() as conn:
                seen.append(conn.execute("SELECT count(*) FROM dnc").fetchone()[0])
        await real_write(self, data)

    monkeypatch.setattr(admin_results, "ROWS_PER_WRITE", 1)
    monkeypatch.setattr(web.StreamResponse, "write", write_and_look)
    answer = await client.get(f"/admin/banks/{bank_id}/export/contacts.csv")
    assert answer.status == 200 and len((await answer.text()).splitlines()) == 6
    assert seen == [1]
