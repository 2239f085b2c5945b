"""The pure volunteer session state machine and caller ID rotation."""

from __future__ import annotations

import pytest

from controller.model import volunteers as v
from controller.model.callerid import CallerIdError, CallerIdPool
from controller.model.volunteers import Session, VolunteerError, VState


def joined(vid: int = 1, at: float = 0.0) -> Session:
    return v.join(Session(vid, 7, f"volunteer-{vid}"), at, "dialin")


def test_given_a_new_session_when_joining_readying_and_taking_a_call_then_totals_add_up() -> None:
    s = v.ready(joined(at=10.0), 12.0)
    s = v.assign(s, 20.0, "c1")
    s = v.end_call(s, 50.0)
    s = v.ready(s, 55.0)
    assert s.state is VState.WAITING
    assert s.calls_assigned == 1
    assert s.call_time == pytest.approx(30.0)
    assert s.active_time == pytest.approx(43.0)  # 8 waiting + 30 busy + 5 wrap-up
    assert s.totals(60.0) == (pytest.approx(30.0), pytest.approx(48.0))


def test_given_an_idle_volunteer_when_assigned_a_call_then_refused_with_code() -> None:
    with pytest.raises(VolunteerError) as err:
        v.assign(joined(), 1.0, "c1")
    assert err.value.code == "bad_state"


def test_given_a_busy_volunteer_when_the_leg_drops_then_disconnected_for_good() -> None:
    s = v.assign(v.ready(joined(), 1.0), 2.0, "c1")
    gone = v.leave(s, 5.0)
    assert gone.state is VState.DISCONNECTED and gone.left_at == 5.0
    assert gone.call_time == pytest.approx(3.0)
    with pytest.raises(VolunteerError) as err:
        v.ready(gone, 6.0)
    assert err.value.code == "disconnected"
    assert v.leave(gone, 9.0) is gone


def test_given_unknown_join_route_when_joining_then_refused() -> None:
    with pytest.raises(VolunteerError) as err:
        v.join(Session(1, 1, "r"), 0.0, "carrier-pigeon")
    assert err.value.code == "bad_via"


def test_given_a_step_in_the_past_when_applied_then_refused() -> None:
    with pytest.raises(VolunteerError) as err:
        v.ready(joined(at=10.0), 5.0)
    assert err.value.code == "time_backwards"


def test_given_several_waiting_when_picking_then_the_longest_waiting_gets_the_call() -> None:
    a = v.ready(joined(1), 5.0)
    b = v.ready(joined(2), 3.0)
    c = v.ready(joined(3), 3.0)
    busy = v.assign(v.ready(joined(4), 1.0), 2.0, "x")
    picked = v.longest_waiting([a, b, c, busy])
    assert picked is not None and picked.volunteer_id == 2
    assert v.longest_waiting([busy]) is None


def test_given_each_state_when_mapped_for_pacing_then_only_pool_members_count() -> None:
    assert v.pacing_state(VState.WAITING) == "waiting"
    assert v.pacing_state(VState.BUSY) == "in_call"
    assert v.pacing_state(VState.WRAP_UP) == "wrap_up"
    assert v.pacing_state(VState.IDLE) == "paused"
    assert v.pacing_state(VState.DISCONNECTED) is None
    assert v.pacing_state(VState.NOT_DIALED_IN) is None


def test_given_preferred_area_codes_when_picking_then_they_win_and_rotate() -> None:
    pool = CallerIdPool(["+12125550100", "+13125550100", "+13125550101"], ["312"])
    picks = [pool.pick("+12135550199") for _ in range(4)]
    assert picks == ["+13125550100", "+13125550101"] * 2


def test_given_no_preferred_match_when_picking_then_the_contacts_area_code_then_any() -> None:
    pool = CallerIdPool(["+12125550100", "+13035550100", "+13035550101"])
    assert pool.pick("+13035559999") == "+13035550100"
    assert pool.pick("+13035559998") == "+13035550101"
    assert pool.pick("+16025550000") == "+12125550100"
    assert pool.pick("+16025550000") == "+13035550100"


def test_given_an_empty_pool_when_built_then_refused() -> None:
    with pytest.raises(CallerIdError) as err:
        CallerIdPool([])
    assert err.value.code == "empty_pool"
