"""With the simulated carrier off (a real trunk), the bank page refuses to start or resume
a bank of made-up contacts (the demo's), says why, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from test_admin_pages import GOOD_SCRIPT, admin, create_bank, seed_list

from controller.config import Settings
from controller.model import banks as bank_model
from controller.store import banks as bank_store
from controller.store.db import Database
from web.app import init_app

SAID = "made up (demo numbers): it dials only on the simulated phone network"


@pytest.mark.parametrize("elsewhere", [False, True], ids=["carrier_off", "trunk_elsewhere"])
async def test_given_the_carrier_off_when_an_organizer_starts_or_resumes_a_made_up_bank_then_refused_with_why(  # noqa: E501
    settings: Settings, make_user: Callable[..., int], db: Database, elsewhere: bool
) -> None:
    real_trunk = (
        replace(settings, trunk=replace(settings.trunk, host="sip.provider.example"))
        if elsewhere  # the simulated carrier still on beside it
        else replace(settings, carrier=replace(settings.carrier, enabled=False))
    )
    async with TestClient(TestServer(init_app(real_trunk, db))) as client:
        token = await admin(client, make_user)
        bank_id = await create_bank(client, token, seed_list(db))
        await client.post(
            f"/api/admin/banks/{bank_id}/script", json=GOOD_SCRIPT, headers={"X-CSRF-Token": token}
        )
        assert (await client.post(f"/admin/banks/{bank_id}/publish", data={"_csrf": token})).ok
        started = await client.post(f"/admin/banks/{bank_id}/start", data={"_csrf": token})
        assert started.status == 400 and SAID in await started.text()
        with db.read() as conn:
            assert bank_store.get(conn, bank_id).state.value == "published"
        with db.write() as conn:  # started (and paused by the demo) on the simulated network
            bank_store.start(conn, bank_id, datetime.now(UTC))
            bank_store.update(conn, bank_id, bank_model.pause, "demo")
        resumed = await client.post(f"/admin/banks/{bank_id}/resume", data={"_csrf": token})
        assert resumed.status == 400 and SAID in await resumed.text()
        with db.read() as conn:
            assert bank_store.get(conn, bank_id).state.value == "paused"
