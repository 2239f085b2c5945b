"""A volunteer who asked "call me" and then joins from the browser phone before answering:
their line is the browser's (the call screen shows the phone panel and rejoins it after a
drop), and the "call me" still ringing is hung up, so pressing 1 later cannot bring a second
line into the room. Engine on a real SQLite file, fed typed PBX events; the Hangup action
is recorded (no PBX)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from test_report_due import event, new_bank
from test_runner_pacing import NOW

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.store.db import Database
from controller.telephony import actions


async def test_given_a_call_me_ringing_when_the_browser_phone_joins_then_it_is_hung_up(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hung: list[str] = []

    async def hangup(_ami: Any, channel: str, cause: int = 16) -> None:
        hung.append(channel)

    monkeypatch.setattr(actions, "hangup", hangup)
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    bank_id = new_bank(db, "first")
    eng.reconcile()
    try:
        eng.enroll(bank_id, 7, auto_ready=False)
        eng.callme_guard.start(7, "pb1v-0123456789abcdef")  # "Call me" pressed: it rings
        eng.channels_of = lambda cid: ["PJSIP/trunk-00000001"] if cid.startswith("pb1v-") else []  # type: ignore[method-assign]

        eng._on_event(
            event(Event="ConfbridgeJoin", Conference="volunteer-7", Uniqueid="leg-1",
                  Channel="PJSIP/webrtc-7-leg-1")
        )  # fmt: skip
        await asyncio.sleep(0.05)

        assert eng.pool.sessions[7].via == "browser"
        assert hung == ["PJSIP/trunk-00000001"]
    finally:
        await eng.close()
