"""A preview contact shown to a volunteer goes back to the queue when the volunteer leaves or
the bank stops: a runner on a real SQLite file (no PBX: nothing is originated, the AMI
session is a stand-in that is never connected)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from test_runner_pacing import make_runner

from controller.config import Settings
from controller.engine import modes
from controller.engine.runner import BankRunner
from controller.model.volunteers import VState
from controller.store import queue
from controller.store.db import Database
from controller.store.queue import Claim
from controller.telephony import ami_events as ev

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # inside calling hours everywhere in the US
NOW = AT.timestamp()


def dialed_in(runner: BankRunner, vid: int) -> None:
    """The volunteer's phone leg joins their room: they are waiting."""
    session = runner.pool.enroll(runner.bank_id, vid)
    room = session.conference
    runner.pool.on_join(
        ev.ConfbridgeJoin(
            name="ConfbridgeJoin", timestamp=NOW, conference=room, uniqueid=f"leg-{vid}",
            channel=f"PJSIP/webrtc-{vid}",
        ),
        "browser",
    )  # fmt: skip
    assert runner.pool.sessions[vid].state is VState.WAITING


def shown(runner: BankRunner, vid: int) -> Claim:
    claim = modes._hold_next(runner, vid)
    assert claim is not None
    return claim


def entry_state(db: Database, entry_id: int) -> tuple[str, float | None]:
    with db.read() as conn:
        row = conn.execute(
            "SELECT state, claimed_at FROM queue_entries WHERE id = ?", (entry_id,)
        ).fetchone()
    return str(row["state"]), row["claimed_at"]


@pytest.mark.parametrize("how", ["leaves", "leg_drops"])
async def test_given_a_preview_contact_shown_when_the_volunteer_leaves_then_it_is_offered_to_another(  # noqa: E501
    db: Database, settings: Settings, how: str
) -> None:
    runner = make_runner(db, settings, "preview", contacts=6)
    dialed_in(runner, 7)
    held = shown(runner, 7)
    assert entry_state(db, held.entry_id) == ("claimed", NOW)
    runner.pool.pause(7)  # still in the bank: the contact stays theirs
    assert runner.previews[7] == held

    if how == "leaves":  # logs out, closes the page, removed from the pool: the pool's leave
        runner.pool.leave(7)
    else:
        runner.pool.on_leg_gone("leg-7", NOW)

    assert runner.pool.sessions[7].state is VState.DISCONNECTED
    assert runner.previews == {}
    assert entry_state(db, held.entry_id) == ("ready", None)
    dialed_in(runner, 8)
    assert shown(runner, 8).entry_id == held.entry_id  # its old place: first in line again


async def test_given_a_preview_contact_shown_when_the_bank_stops_then_it_goes_back_to_the_queue(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, "preview", contacts=6)
    dialed_in(runner, 7)
    held = shown(runner, 7)

    runner.stop()

    assert runner.previews == {}
    assert entry_state(db, held.entry_id) == ("ready", None)
    with db.read() as conn:
        assert queue.counts(conn, runner.bank_id)["claimed"] == 0


async def test_given_a_preview_contact_shown_when_the_engine_shuts_down_then_it_goes_back(
    db: Database, settings: Settings
) -> None:
    runner = make_runner(db, settings, "preview", contacts=6)
    dialed_in(runner, 7)
    held = shown(runner, 7)
    task = asyncio.ensure_future(runner.run())
    await asyncio.sleep(0.05)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert entry_state(db, held.entry_id) == ("ready", None)
    runner.pool.leave(7)  # the stopped runner no longer follows the pool
    assert runner.previews == {}
