"""A number handed to a personal-phone volunteer whose report never comes is closed once, as
a call with a person (*Not Recorded*): the expiry of the report ends its attempt, the next
start closes nothing twice and never files an automatic *No Answer* for it, a store left by
an earlier version (outcome filed, attempt never ended) starts, and one call that cannot be
closed neither blocks the start nor another bank. A report whose write fails stays due.
Engine and runners on a real SQLite file; no PBX (nothing is dialed)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from test_recovery_by_store import dialed, ends, started_bank
from test_runner_pacing import NOW, running_bank

from controller.config import Settings
from controller.engine import modes
from controller.engine.dialing import EngineConfig, new_call_id
from controller.engine.engine import REPORT_GRACE, Engine
from controller.engine.recovery import NOT_RECORDED, PERSONAL_KIND, recover_all
from controller.store import attempts, queue
from controller.store.db import Database


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[Engine]:
    eng = Engine(settings, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())
    yield eng
    for task in eng._tasks.values():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def handed_out(engine: Engine, db: Database, vid: int) -> int:
    """A personal-phone bank runs and hands ``vid`` a number: the attempt id."""
    bank_id = running_bank(db, "personal", 6)
    engine.reconcile()
    engine.enroll(bank_id, vid)
    got = modes.personal_next(engine, vid)
    assert got is not None
    return int(got["attempt_id"])


def attempt_row(db: Database, attempt_id: int) -> tuple[object, object, object]:
    with db.read() as conn:
        row = conn.execute(
            "SELECT ended_at, result, cause FROM call_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
    return row["ended_at"], row["result"], row["cause"]


def personal_attempt(db: Database, bank_id: int) -> int:
    """An attempt of a number handed to a personal-phone volunteer, never ended."""
    (claim,) = queue.claim_next(db, bank_id, NOW, 1)
    return dialed(db, claim, new_call_id(bank_id, PERSONAL_KIND))


async def test_given_a_personal_phone_number_handed_out_when_the_volunteer_never_returns_then_not_recorded_once_and_the_next_start_succeeds(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    attempt_id = handed_out(engine, db, 7)
    engine.pool.leave(7)
    engine.clock = lambda: NOW + REPORT_GRACE + 100
    engine.expire_reports()

    ended_at, result, cause = attempt_row(db, attempt_id)
    assert ended_at is not None and (result, cause) == ("human", "personal_phone")
    assert recover_all(db, NOW + REPORT_GRACE + 200) == 0  # nothing left open: starts
    assert ends(db) == {attempt_id: ("human", [NOT_RECORDED])}


def test_given_a_personal_phone_number_open_at_a_restart_when_recovered_then_not_recorded_never_no_answer(  # noqa: E501
    db: Database,
) -> None:
    bank_id = started_bank(db, "personal")
    attempt_id = personal_attempt(db, bank_id)
    assert recover_all(db, NOW + 60) == 1
    assert ends(db) == {attempt_id: ("human", [NOT_RECORDED])}


def test_given_a_store_with_an_outcome_on_an_open_attempt_when_the_engine_starts_then_it_only_ends(
    db: Database,
) -> None:
    bank_id = started_bank(db, "earlier")
    personal = personal_attempt(db, bank_id)
    (claim,) = queue.claim_next(db, bank_id, NOW, 1)
    reported = dialed(db, claim, "old-power", "HUMAN")  # reported on, its end never stored
    with db.write() as conn:
        attempts.record_disposition(conn, personal, NOT_RECORDED, None, None, "", NOW + 900)
        attempts.record_disposition(conn, reported, "completed", None, 3, "", NOW + 90)

    assert recover_all(db, NOW + 1000) == 2
    assert ends(db) == {personal: ("human", [NOT_RECORDED]), reported: ("bridged", ["completed"])}


def test_given_a_call_that_cannot_be_closed_when_the_engine_starts_then_the_rest_is_recovered(
    db: Database,
) -> None:
    broken, fine = started_bank(db, "broken"), started_bank(db, "fine")
    stuck = personal_attempt(db, broken)
    (claim,) = queue.claim_next(db, fine, NOW, 1)
    ringing = dialed(db, claim, "old-fine")
    with db.write() as conn:
        conn.execute(
            f"CREATE TRIGGER refuse_end BEFORE UPDATE OF ended_at ON call_attempts"
            f" WHEN old.id = {stuck} BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )

    assert recover_all(db, NOW + 60) == 1  # logged, the engine starts
    assert attempt_row(db, stuck)[0] is None  # left for the next start
    assert ends(db)[ringing] == ("no_answer", ["no_answer"])


async def test_given_a_report_due_when_its_not_recorded_cannot_be_stored_then_it_stays_due_and_is_closed_later(  # noqa: E501
    engine: Engine, db: Database
) -> None:
    attempt_id = handed_out(engine, db, 7)
    runner = next(iter(engine.runners.values()))
    engine.pool.leave(7)
    engine.clock = lambda: NOW + REPORT_GRACE + 100
    with db.write() as conn:
        conn.execute(
            "CREATE TRIGGER refuse_outcome BEFORE INSERT ON dispositions"
            " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
        )
    engine.expire_reports()  # logged: the write failed
    assert 7 in runner.wrapups
    assert attempt_row(db, attempt_id)[0] is None  # rolled back with the outcome

    with db.write() as conn:
        conn.execute("DROP TRIGGER refuse_outcome")
    engine.expire_reports()
    assert runner.wrapups == {}
    assert ends(db) == {attempt_id: ("human", [NOT_RECORDED])}
