"""A bank's dialer record page: the engine's figures and its latest pacing decisions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient
from test_admin_pages import admin, create_bank, seed_list
from web_test_helpers import login

from controller.store import engine_log
from controller.store.db import Database

Client = TestClient[Any, Any]
START = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
VOLUNTEERS = [{"state": "waiting"}, {"state": "in_call"}]


def record(db: Database, bank_id: int, count: int) -> None:
    with db.write() as conn:
        for i in range(count):
            inputs = {"calls": [{}] * (i % 2), "volunteers": VOLUNTEERS}
            cancel = [f"c{i}"] if i == 24 else []
            decision = {"strategy": "predictive", "dial": i % 3, "inputs": inputs,
                        "cancel": cancel, "reason": f"reason {i}"}  # fmt: skip
            engine_log.record_decision(conn, bank_id, START + i, decision, dialed=i % 2)


async def test_given_recorded_decisions_when_opening_the_dialer_record_then_the_latest_show_newest_first(  # noqa: E501
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    record(db, bank_id, 25)
    page = await (await client.get(f"/admin/banks/{bank_id}/engine")).text()
    assert re.search(r'data-figure="decisions">25<', page)
    reasons = re.findall(r"<td>(reason \d+)</td>", page)
    assert reasons == [f"reason {i}" for i in range(24, 4, -1)]
    assert "<td>2026-05-28 20:27:04</td><td>predictive</td>" in page
    newest = page.split("<td>reason 24</td>")[0].rsplit("<tr>", 1)[1]
    assert '<td class="num">1</td>' in newest  # one call taken back
    every = await (await client.get(f"/admin/banks/{bank_id}/engine?limit=100")).text()
    assert len(re.findall(r"<td>reason \d+</td>", every)) == 25
    odd = await (await client.get(f"/admin/banks/{bank_id}/engine?limit=7")).text()
    assert len(re.findall(r"<td>reason \d+</td>", odd)) == 20
    with db.read() as conn:
        assert len(engine_log.decisions(conn, bank_id)) == 25
        assert [d["reason"] for d in engine_log.decisions(conn, bank_id, 2)] == [
            "reason 23", "reason 24"]  # fmt: skip


async def test_given_a_volunteer_or_a_visitor_when_opening_the_dialer_record_then_refused(
    client: Client, make_user: Callable[..., int], db: Database
) -> None:
    token = await admin(client, make_user)
    bank_id = await create_bank(client, token, seed_list(db, 2))
    await client.post("/logout", data={"_csrf": token})
    client.session.cookie_jar.clear()
    path = f"/admin/banks/{bank_id}/engine"
    assert (await client.get(path, allow_redirects=False)).status == 302
    make_user("vol")
    await login(client, "vol")
    assert (await client.get(path, allow_redirects=False)).status == 403
