"""The engine's volunteer pool fed with PBX events (typed, as the AMI session parses them)."""

from __future__ import annotations

from test_recovery import running_bank

from controller.engine.volunteers import REJOIN_GRACE, VolunteerPool
from controller.model.volunteers import VState
from controller.store import engine_log
from controller.store.db import Database
from controller.telephony import ami_events as ev


def join(room: str, uniqueid: str, at: float) -> ev.ConfbridgeJoin:
    return ev.ConfbridgeJoin(
        name="ConfbridgeJoin", timestamp=at, conference=room, uniqueid=uniqueid,
        channel=f"PJSIP/trunk-{uniqueid}",
    )  # fmt: skip


def volunteer_waiting_at_100(db: Database) -> tuple[int, VolunteerPool, list[float]]:
    """A running bank with volunteer 42 dialed in (waiting) at 100 s on a clock the test
    moves: (bank id, pool, clock)."""
    bank = running_bank(db)
    now = [100.0]
    pool = VolunteerPool(db, clock=lambda: now[0])
    pool.enroll(bank, 42)
    pool.on_join(join("volunteer-42", "u1", 100.0), "dialin")
    return bank, pool, now


def test_given_an_enrolled_volunteer_when_their_leg_joins_then_waiting_and_session_opened(
    db: Database,
) -> None:
    bank = running_bank(db)
    pool = VolunteerPool(db, clock=lambda: 100.0)
    session = pool.enroll(bank, 42)
    assert session.conference == "volunteer-42" and session.state is VState.NOT_DIALED_IN
    joined = pool.on_join(join("volunteer-42", "u1", 101.0), "dialin")
    assert joined is not None and joined.state is VState.WAITING and joined.via == "dialin"
    assert pool.on_join(join("volunteer-42", "u2", 102.0), "dialin") is None  # a 2nd leg
    assert pool.on_join(join("volunteer-99", "u3", 102.0), "dialin") is None  # nobody's room
    with db.read() as conn:
        (row,) = engine_log.sessions(conn, bank)
    assert row["volunteer_id"] == 42 and row["joined_at"] == 101.0 and row["left_at"] is None


def test_given_a_busy_volunteer_when_their_leg_hangs_up_then_out_of_the_pool_with_totals(
    db: Database,
) -> None:
    bank, pool, now = volunteer_waiting_at_100(db)
    now[0] = 110.0
    pool.assign(42, "call-1")
    assert pool.longest_waiting(bank) is None
    gone = pool.on_leg_gone("u1", 130.0)
    assert gone is not None and gone.state is VState.DISCONNECTED
    assert pool.on_leg_gone("u1", 131.0) is None
    assert pool.pacing_views(bank) == ()
    with db.read() as conn:
        (row,) = engine_log.sessions(conn, bank)
    assert row["left_at"] == 130.0 and row["calls_assigned"] == 1
    assert row["call_time"] == 20.0 and row["active_time"] == 30.0
    again = pool.enroll(bank, 42)  # may come back: a new session
    assert again.state is VState.NOT_DIALED_IN


def test_given_two_waiting_when_a_voter_comes_then_the_longest_waiting_and_views_follow(
    db: Database,
) -> None:
    bank = running_bank(db)
    now = [100.0]
    pool = VolunteerPool(db, clock=lambda: now[0])
    for vid, at in ((1, 105.0), (2, 101.0)):
        pool.enroll(bank, vid)
        pool.on_join(join(f"volunteer-{vid}", f"u{vid}", at), "browser")
    first = pool.longest_waiting(bank)
    assert first is not None and first.volunteer_id == 2
    now[0] = 106.0
    pool.assign(2, "c")
    states = {v.id: v.state.value for v in pool.pacing_views(bank)}
    assert states == {"1": "waiting", "2": "in_call"}


def test_given_a_line_that_dropped_when_asked_within_the_grace_then_its_bank_until_they_leave_on_purpose(  # noqa: E501
    db: Database,
) -> None:
    bank = running_bank(db)
    pool = VolunteerPool(db, clock=lambda: 100.0)
    pool.enroll(bank, 42)
    pool.on_join(join("volunteer-42", "u1", 100.0), "browser")
    pool.on_leg_gone("u1", 130.0)  # the line left by itself
    assert pool.dropped_from(42, 130.0 + REJOIN_GRACE) == bank
    assert pool.dropped_from(42, 131.0 + REJOIN_GRACE) is None  # too long ago
    pool.enroll(bank, 42)  # joined again by hand: nothing to come back to
    assert pool.dropped_from(42, 131.0) is None
    pool.on_join(join("volunteer-42", "u2", 132.0), "browser")
    pool.leave(42, 140.0)  # "End my session", the bank's end: not a drop
    assert pool.dropped_from(42, 141.0) is None
