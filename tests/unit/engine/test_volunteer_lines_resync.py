"""Volunteers follow the PBX's channel listing after the connection to it came back (or the
PBX restarted): a volunteer whose line is no longer there leaves the bank, and a volunteer who
comes back on a new line is followed on that line. An engine fed typed PBX events (as the AMI
session parses them) on a real SQLite file; no PBX."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from test_runner_pacing import NOW, running_bank

from controller.config import Settings
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.model.volunteers import VState
from controller.store.db import Database
from controller.telephony import ami_events as ev


def event(**headers: str) -> ev.AmiEvent:
    return ev.parse_event({"Timestamp": str(NOW + 1), **headers})


@pytest.fixture
async def engine(db: Database, settings: Settings) -> AsyncIterator[tuple[Engine, int]]:
    eng = Engine(settings, db, EngineConfig(tick=3600))
    bank_id = running_bank(db)
    eng.reconcile()
    yield eng, bank_id
    for task in eng._tasks.values():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def line_joins(eng: Engine, vid: int, uniqueid: str) -> None:
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference=f"volunteer-{vid}", Uniqueid=uniqueid,
              Channel=f"PJSIP/webrtc-{vid}-{uniqueid}")
    )  # fmt: skip


def reconnect(eng: Engine, listed: list[str]) -> None:
    """The AMI session is back: it says so, then lists the PBX's channels."""
    eng._on_event(event(Event="PhonebankConnected", Generation="2"))
    for uniqueid in listed:
        eng._on_event(event(Event="CoreShowChannel", Uniqueid=uniqueid, Channel=f"X/{uniqueid}"))
    eng._on_event(event(Event="CoreShowChannelsComplete", ListItems=str(len(listed))))


async def test_given_two_volunteers_when_one_line_hung_up_while_the_pbx_was_unreachable_then_only_that_one_leaves(  # noqa: E501
    engine: tuple[Engine, int],
) -> None:
    eng, bank_id = engine
    for vid in (7, 8):
        eng.enroll(bank_id, vid)
        line_joins(eng, vid, f"leg-{vid}")
    reconnect(eng, ["leg-8", "some-call"])  # leg-7 hung up while the connection was down

    assert eng.pool.sessions[7].state is VState.DISCONNECTED
    assert eng.pool.sessions[8].state is VState.WAITING
    assert [v.id for v in eng.pool.pacing_views(bank_id)] == ["8"]  # nobody dials for 7
    eng.clock = lambda: NOW + 30  # half a minute after the listing
    line_joins(eng, 7, "leg-7-again")  # their browser phone is back in the room
    assert eng.pool.sessions[7].state is VState.WAITING and eng.pool.sessions[7].bank_id == bank_id


async def test_given_a_reconnect_when_a_volunteer_joins_before_the_listing_ends_then_they_stay(
    engine: tuple[Engine, int],
) -> None:
    eng, bank_id = engine
    eng._on_event(event(Event="PhonebankConnected", Generation="2"))
    eng.enroll(bank_id, 7)
    line_joins(eng, 7, "leg-7")  # joined after the listing was taken
    eng._on_event(event(Event="CoreShowChannelsComplete", ListItems="0"))
    assert eng.pool.sessions[7].state is VState.WAITING


async def test_given_a_volunteer_whose_old_line_was_missed_when_they_rejoin_on_a_new_line_then_the_new_line_is_followed(  # noqa: E501
    engine: tuple[Engine, int],
) -> None:
    eng, bank_id = engine
    eng.enroll(bank_id, 7)
    line_joins(eng, 7, "leg-1")
    assert eng.enroll(bank_id, 7).state is VState.WAITING  # the page reloads: same session
    line_joins(eng, 7, "leg-2")
    assert eng.pool.legs[7].uniqueid == "leg-2"

    eng._on_event(event(Event="Hangup", Uniqueid="leg-1", Channel="PJSIP/webrtc-7-leg-1"))
    assert eng.pool.sessions[7].state is VState.WAITING  # the old line's end is not theirs
    eng._on_event(event(Event="Hangup", Uniqueid="leg-2", Channel="PJSIP/webrtc-7-leg-2"))
    assert eng.pool.sessions[7].state is VState.DISCONNECTED


async def test_given_a_preview_ring_tone_when_it_enters_the_volunteers_room_then_their_line_stays_theirs(  # noqa: E501
    engine: tuple[Engine, int],
) -> None:
    eng, bank_id = engine
    eng.enroll(bank_id, 7)
    line_joins(eng, 7, "leg-1")
    eng._on_event(
        event(Event="ConfbridgeJoin", Conference="volunteer-7", Uniqueid="tone-1",
              Channel="Local/volunteer-7@phonebank-ringback-00000001;2")
    )  # fmt: skip
    assert eng.pool.legs[7].uniqueid == "leg-1"
