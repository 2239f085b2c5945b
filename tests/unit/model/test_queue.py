from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model.queue import (
    LANE_FRESH,
    LANE_WAITING,
    Candidate,
    fresh_sort_key,
    hold_until,
    is_due,
    merge_candidates,
    zone_for,
)


def test_given_contact_zone_when_keyed_then_it_wins_over_number() -> None:
    assert zone_for("America/Denver", "+12125550100") == "America/Denver"


def test_given_no_contact_zone_when_keyed_then_number_area_code_decides() -> None:
    assert zone_for(None, "+12125550100") == "America/New_York"
    assert zone_for("Bogus/Zone", "+13105550100") == "America/Los_Angeles"
    assert zone_for(None, "not a number") == "America/New_York"


def test_given_higher_accuracy_when_keyed_then_sorts_first() -> None:
    assert fresh_sort_key(90) < fresh_sort_key(50) < fresh_sort_key(None)
    assert fresh_sort_key(50, "cell") < fresh_sort_key(50, None)


def test_given_waiting_entry_when_time_not_come_then_not_due() -> None:
    assert not is_due(Candidate(LANE_WAITING, 100, 1), 99)
    assert is_due(Candidate(LANE_WAITING, 100, 1), 100)
    assert is_due(Candidate(LANE_FRESH, -99, 1), 0)


def test_given_hold_when_applied_then_later_of_both_and_waiting_lane() -> None:
    assert hold_until(LANE_FRESH, -50, 500) == (LANE_WAITING, 500)
    assert hold_until(LANE_WAITING, 900, 500) == (LANE_WAITING, 900)


cands = st.lists(st.builds(Candidate, st.sampled_from([0, 1]), st.floats(-100, 100),
                           st.integers(1, 10**6)), max_size=30)  # fmt: skip


@settings(deadline=None)  # no timing assertions in tests
@given(st.lists(cands, max_size=6), st.integers(0, 50))
def test_given_sorted_zone_lists_when_merged_then_global_best_n(
    zones: list[list[Candidate]], n: int
) -> None:
    per_zone = [sorted(z) for z in zones]
    got = merge_candidates(per_zone, n)
    assert got == sorted(c for z in zones for c in z)[:n]
    assert all(c.lane == LANE_WAITING for c in got[: sum(c.lane == 0 for c in got)])
