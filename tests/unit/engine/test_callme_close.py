"""Closing the engine cancels its "call me" follow-ups (which otherwise watch a call for up
to five minutes) and the volunteer's pending "call me" goes with them. No PBX: the
Originate is a stand-in that never returns, as a call still ringing."""

from __future__ import annotations

import asyncio

import pytest

from controller.aio import keep
from controller.config import Settings
from controller.engine import callme
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.store.db import Database
from controller.telephony import actions


async def test_given_a_call_me_still_ringing_when_the_engine_closes_then_its_follow_up_is_cancelled(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def ringing(*_: object) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(actions, "originate", ringing)
    engine = Engine(settings, db, EngineConfig())
    req = actions.OriginateRequest(call_id="c-1", channel="Local/1@x", context="x")
    engine.callme_guard.start(7, req.call_id)
    ring = callme.Ring(1, 7, "+12025550123", req)
    task = asyncio.get_running_loop().create_task(callme._follow(engine, ring))
    keep(engine.background, task, callme.log)
    await asyncio.sleep(0)
    assert engine.background == {task} and 7 in engine.callme_guard.pending

    await engine.close()

    assert task.cancelled()
    assert engine.background == set()
    assert 7 not in engine.callme_guard.pending
    engine.callme_guard.check(7)  # the volunteer may ask again
