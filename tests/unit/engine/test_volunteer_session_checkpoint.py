"""A volunteer session's totals survive an engine that stops without closing it: written
every half minute while open, the session closed at the next start with them."""

from __future__ import annotations

from test_recovery import running_bank
from test_volunteer_pool import join, volunteer_waiting_at_100

from controller.engine.recovery import recover_all
from controller.engine.volunteers import VolunteerPool
from controller.store import engine_log
from controller.store.db import Database


def test_given_a_busy_volunteer_when_the_engine_stops_without_closing_then_the_next_start_keeps_their_totals(  # noqa: E501
    db: Database,
) -> None:
    bank, pool, now = volunteer_waiting_at_100(db)
    assert pool.checkpoint(every=30.0) == 1  # the first look writes at once
    now[0] = 110.0
    pool.assign(42, "call-1")  # busy from 110
    now[0] = 125.0
    assert pool.checkpoint(every=30.0) == 0  # not half a minute since the last write
    now[0] = 140.0
    assert pool.checkpoint(every=30.0) == 1
    with db.read() as conn:
        (row,) = engine_log.sessions(conn, bank)
    assert (row["calls_assigned"], row["call_time"], row["active_time"]) == (1, 30.0, 40.0)
    assert row["seen_at"] == 140.0 and row["left_at"] is None
    now[0] = 150.0  # the engine stops here, without closing the session
    recover_all(db, 500.0)  # the next start
    with db.read() as conn:
        (row,) = engine_log.sessions(conn, bank)
        totals = engine_log.closed_totals(conn, bank)
    assert row["left_at"] == 140.0  # the last moment the totals are known for
    assert totals == {42: (1, 30.0, 40.0)}  # the volunteers table counts them


def test_given_a_session_never_written_since_it_opened_when_recovered_then_closed_at_its_start(
    db: Database,
) -> None:
    bank = running_bank(db)
    pool = VolunteerPool(db, clock=lambda: 100.0)
    pool.enroll(bank, 7)
    pool.on_join(join("volunteer-7", "u7", 100.0), "dialin")
    recover_all(db, 500.0)
    with db.read() as conn:
        (row,) = engine_log.sessions(conn, bank)
    assert row["left_at"] == 100.0 and row["active_time"] == 0.0
