"""A call end the store cannot take (the database is locked, the disk full) does not stop the
engine from following the other calls: every call lost at a PBX reconnect leaves the bank's
calls and the tracker, its volunteer is free again, and the attempt whose end could not be
written stays open for the next start to close. An engine fed typed PBX events on a real
SQLite file; no PBX."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from test_runner_pacing import NOW, dial, make_runner

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.engine.runner import BankRunner
from controller.model.volunteers import VState
from controller.store import attempts
from controller.store.db import Database
from controller.telephony import ami_events as ev
from controller.telephony.tracker import CallState


def event(**headers: str) -> ev.AmiEvent:
    return ev.parse_event({"Timestamp": str(NOW + 1), **headers})


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[tuple[Engine, BankRunner]]:
    eng = Engine(settings, db, EngineConfig(tick=3600))
    runner = make_runner(db, settings)
    runner.pool = eng.pool
    eng.runners[runner.bank_id] = runner
    yield eng, runner
    for task in list(runner._tasks):
        with contextlib.suppress(asyncio.CancelledError):
            await task


def placed(eng: Engine, runner: BankRunner, **kw: Any) -> Any:
    """A call of the bank the PBX knows (one live channel)."""
    call = dial(runner, CallState.DIALING, **kw)
    eng._on_event(event(Event="PhonebankOriginate", CallId=call.call_id))
    eng._on_event(
        event(Event="Newchannel", Uniqueid=call.call_id, Linkedid=call.call_id,
              Channel=f"Local/+1555@phonebank-outbound-{call.attempt_id};1")
    )  # fmt: skip
    return call


def ended_at(db: Database, attempt_id: int) -> object:
    with db.read() as conn:
        row = conn.execute("SELECT ended_at FROM call_attempts WHERE id = ?", (attempt_id,))
        return row.fetchone()[0]


async def test_given_two_calls_lost_at_a_reconnect_when_the_first_end_cannot_be_stored_then_both_are_let_go(  # noqa: E501
    engine: tuple[Engine, BankRunner], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng, runner = engine
    eng.pool.enroll(runner.bank_id, 7)
    eng.pool.join_without_leg(7)
    first = placed(eng, runner)
    second = placed(eng, runner)
    eng.pool.assign(7, first.call_id)  # (as if) handed to volunteer 7
    first.volunteer_id = 7
    real_end = attempts.record_end

    def locked_for_first(conn: sqlite3.Connection, attempt_id: int, *a: Any) -> list[int]:
        if attempt_id == first.attempt_id:
            raise sqlite3.OperationalError("database is locked")
        return real_end(conn, attempt_id, *a)

    monkeypatch.setattr(attempts, "record_end", locked_for_first)
    eng._on_event(event(Event="PhonebankConnected", Generation="2"))
    eng._on_event(event(Event="CoreShowChannelsComplete", ListItems="0"))  # both gone

    assert runner.calls == {}
    assert eng.tracker.get(first.call_id) is None and eng.tracker.get(second.call_id) is None
    assert eng.pool.sessions[7].state is VState.WAITING  # free again
    assert ended_at(db, second.attempt_id) is not None
    assert ended_at(db, first.attempt_id) is None  # closed by the next start's recovery
