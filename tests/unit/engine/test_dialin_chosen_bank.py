"""A volunteer who chose a bank on its page ("Dial in from my phone") and then dials in
with their PIN joins that bank, not the first running one; with no bank chosen, the first
running bank they can see; with a report still due after their line dropped, that report's
bank. Engine on a real SQLite file, the PIN decision as the FastAGI server asks it; no PBX."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from test_report_due import event, line_joins, talked_and_hung_up
from test_runner_pacing import NOW, running_bank

from controller.config import Settings
from controller.engine import engine_events
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.store import users
from controller.store.db import Database
from controller.telephony.fastagi import PinRequest


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[Engine]:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    yield eng
    for task in eng._tasks.values():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def two_banks(db: Database) -> tuple[int, int]:
    return running_bank(db, "power", 10, 1, "first"), running_bank(db, "preview", 10, 2, "second")


async def dial_in(engine: Engine, pin: str) -> str | None:
    request = PinRequest(pin, 1, "+15551230000", "PJSIP/carrier-0001", "1700000000.1")
    return (await engine_events.on_pin(engine, request)).conference


async def test_given_dial_in_chosen_on_the_second_bank_when_the_pin_is_entered_then_they_join_the_second_bank(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    first, second = two_banks(db)
    engine.reconcile()
    user = users.create_user(db, "vol2")
    vid = int(user["id"])
    engine.enroll(second, vid)  # "Dial in from my phone" on the second bank's page

    assert await dial_in(engine, str(user["pin"])) == f"volunteer-{vid}"
    assert engine.pool.sessions[vid].bank_id == second != first


async def test_given_no_bank_chosen_when_the_pin_is_entered_then_the_first_running_bank(
    engine: Engine, db: Database
) -> None:
    first, _second = two_banks(db)
    engine.reconcile()
    user = users.create_user(db, "vol2")

    assert await dial_in(engine, str(user["pin"])) == f"volunteer-{user['id']}"
    assert engine.pool.sessions[int(user["id"])].bank_id == first


async def test_given_a_report_due_in_the_second_bank_when_their_line_dropped_and_they_dial_in_then_back_in_that_bank(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    _first, second = two_banks(db)
    engine.reconcile()
    user = users.create_user(db, "vol2")
    vid = int(user["id"])
    line_joins(engine, second, vid, "leg-1")
    call = await talked_and_hung_up(engine, engine.runners[second], vid)
    engine._on_event(
        event(Event="Hangup", Uniqueid="leg-1", Channel=f"PJSIP/webrtc-{vid}-leg-1")
    )  # fmt: skip

    assert await dial_in(engine, str(user["pin"])) == f"volunteer-{vid}"
    assert engine.pool.sessions[vid].bank_id == second
    assert engine.runners[second].wrapups == {vid: call}  # still theirs to file


async def test_given_only_a_personal_phone_bank_when_the_pin_is_entered_then_told_none_runs_for_phones(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    personal = running_bank(db, "personal", 10, 1, "own phones")
    engine.reconcile()
    user = users.create_user(db, "vol2")

    decision = await engine_events.on_pin(
        engine, PinRequest(str(user["pin"]), 1, "+15551230000", "PJSIP/carrier-0001", "1.1")
    )

    assert (decision.result, decision.conference) == ("bank_not_running", None)
    assert int(user["id"]) not in engine.pool.sessions and personal in engine.runners


async def test_given_a_personal_phone_bank_listed_first_when_the_pin_is_entered_then_the_power_bank_after_it(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    running_bank(db, "personal", 10, 1, "own phones")  # the first bank they can see
    power = running_bank(db, "power", 10, 2, "from the box")
    engine.reconcile()
    user = users.create_user(db, "vol2")

    assert await dial_in(engine, str(user["pin"])) == f"volunteer-{user['id']}"
    assert engine.pool.sessions[int(user["id"])].bank_id == power
