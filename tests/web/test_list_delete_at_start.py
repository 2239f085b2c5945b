"""A list delete the appliance was stopped in is finished in the background when the web app
starts again."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from controller.config import Settings
from controller.store import list_delete, lists
from controller.store.db import Database
from web.app import init_app


def counts(db: Database) -> tuple[int, int]:
    with db.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("lists", "contacts")
        )


def list_with(db: Database, name: str, people: int) -> lists.ListRef:
    with db.write() as conn:
        list_id = int(conn.execute("INSERT INTO lists (name) VALUES (?)", (name,)).lastrowid or 0)
        conn.executemany(
            "INSERT INTO contacts (list_id, first_name, dedupe_key) VALUES (?, ?, ?)",
            [(list_id, f"P{i}", f"np:{name}{i}") for i in range(people)],
        )
    return lists.ListRef(list_id, name)


async def test_given_a_list_delete_cut_short_when_the_app_starts_then_it_is_finished(
    settings: Settings, db: Database
) -> None:
    doomed = list_with(db, "Doomed", 7)
    list_with(db, "Kept", 2)
    list_delete._mark(db, doomed)  # the appliance stopped right after marking it
    assert counts(db) == (2, 9)
    async with TestClient(TestServer(init_app(settings, db))):
        for _ in range(100):
            if counts(db) == (1, 2):
                break
            await asyncio.sleep(0.05)
    assert counts(db) == (1, 2)
