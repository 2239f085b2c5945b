"""Browser phones follow sign-ins: the sweep takes back the account (and the PBX forgets its
password) of a volunteer who signed out, was locked or may no longer make calls; a volunteer
still signed in keeps theirs, and one who comes back gets a new password."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from web_test_helpers import login

from controller.store import users as user_store
from controller.store import web_sessions
from web import phone_watch
from web.keys import DB, PHONES

Client = TestClient[Any, Any]


async def phone_password(client: Client) -> str:
    response = await client.get("/api/phone/credentials")
    assert response.status == 200
    return str((await response.json())["password"])


async def test_given_phones_issued_when_volunteers_sign_out_are_locked_or_lose_calling_then_their_accounts_go(  # noqa: E501
    client: Client, make_user: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone_watch, "SWEEP_SECONDS", 3600.0)  # only the sweeps called here
    await asyncio.sleep(2.2)  # the app's own first sweep (2 s after it started) is past
    app = client.server.app
    phones = app[PHONES]
    applied: list[list[int]] = []

    async def apply() -> None:  # what the appliance does: rewrite the PBX's accounts, reload
        applied.append(sorted(a.user_id for a in phones.accounts.all()))

    phones.apply = apply
    ids = {name: make_user(name) for name in ("stays", "leaves", "locked", "nocalls")}
    first: dict[str, str] = {}
    for name in ids:
        client.session.cookie_jar.clear()
        await login(client, name)
        first[name] = await phone_password(client)
    applied.clear()
    assert await phone_watch.sweep(app) == []  # all signed in, all callers: nothing goes
    db = app[DB]  # each still signed in (the cookies were only forgotten here), until:
    web_sessions.revoke_user(db, ids["leaves"], time.time(), web_sessions.SIGNED_OUT_EVERYWHERE)
    user_store.update_user(db, "locked", disabled=True)
    user_store.update_user(db, "nocalls", can_make_calls=False)  # still signed in
    gone = await phone_watch.sweep(app)
    assert gone == sorted([ids["leaves"], ids["locked"], ids["nocalls"]])
    assert applied == [[ids["stays"]]]  # the PBX keeps only the account still in use
    assert await phone_watch.sweep(app) == []
    client.session.cookie_jar.clear()
    await login(client, "leaves")  # back: a new password, the old one is worthless
    assert await phone_password(client) != first["leaves"]
