from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model.compliance import (
    CallFacts,
    CallingHours,
    CallRules,
    ComplianceError,
    is_dnc,
    local_time,
    may_call,
    recall_blocked,
    suppressed_by_other_bank,
    within_hours,
    zone_key,
    zones_open,
)

ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
    "Europe/London", "Australia/Lord_Howe",
]  # fmt: skip
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)
hours_st = st.tuples(st.integers(8, 20), st.integers(9, 21)).filter(lambda t: t[0] < t[1])


def test_given_default_hours_when_9am_local_then_allowed_and_8_59_not() -> None:
    ny = ZoneInfo("America/New_York")
    assert within_hours("America/New_York", datetime(2026, 7, 1, 9, 0, tzinfo=ny))
    assert not within_hours("America/New_York", datetime(2026, 7, 1, 8, 59, tzinfo=ny))
    assert not within_hours("America/New_York", datetime(2026, 7, 1, 20, 0, tzinfo=ny))


def test_given_noon_in_new_york_when_checked_in_honolulu_then_too_early() -> None:
    noon_ny = datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    assert within_hours("America/New_York", noon_ny)
    assert not within_hours("Pacific/Honolulu", noon_ny)  # 07:00 there


def test_given_hours_beyond_legal_limits_when_parsed_then_refused_with_id() -> None:
    with pytest.raises(ComplianceError) as err:
        CallingHours.parse("07:30-20:00")
    assert err.value.code == "hours_outside_limits"
    with pytest.raises(ComplianceError) as err:
        CallingHours.parse("10:00-21:30")
    assert err.value.code == "hours_outside_limits"
    with pytest.raises(ComplianceError) as err:
        CallingHours.parse("nine to five")
    assert err.value.code == "hours_format"
    with pytest.raises(ComplianceError) as err:
        CallingHours.parse("12:00-10:00")
    assert err.value.code == "hours_order"


def test_given_multi_zone_key_when_one_zone_closed_then_closed() -> None:
    key = zone_key(["America/New_York", "America/Los_Angeles"])
    assert key == "America/Los_Angeles|America/New_York"
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 NY, 07:00 LA
    assert within_hours("America/New_York", at)
    assert not within_hours(key, at)
    assert zones_open([key, "America/New_York"], at) == ["America/New_York"]


def test_given_unknown_zones_when_keyed_then_fallback() -> None:
    assert zone_key(["Mars/Olympus"]) == "America/New_York"


def test_given_naive_datetime_when_checked_then_refused() -> None:
    with pytest.raises(ComplianceError) as err:
        within_hours("America/New_York", datetime(2026, 1, 1, 12))
    assert err.value.code == "naive_time"


@settings(deadline=None)  # no timing assertions in tests
@given(moment=moments, zone=st.sampled_from(ZONES), hours=hours_st)
def test_given_any_moment_and_zone_when_allowed_then_local_clock_inside_hours(
    moment: datetime, zone: str, hours: tuple[int, int]
) -> None:
    rule = CallingHours(time(hours[0]), time(hours[1]))
    wall = local_time(zone, moment).time()
    allowed = within_hours(zone, moment, rule)
    assert allowed == (time(hours[0]) <= wall < time(hours[1]))
    if allowed:
        assert time(8) <= wall < time(21)


@settings(deadline=None)  # no timing assertions in tests
@given(day=st.dates(datetime(2020, 1, 1).date(), datetime(2035, 1, 1).date()),
       zone=st.sampled_from(ZONES))  # fmt: skip
def test_given_any_day_including_dst_changes_when_scanned_then_open_span_matches_wall_clock(
    day: object, zone: str
) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)  # type: ignore[call-overload]
    for minutes in range(0, 26 * 60, 15):
        moment = start + timedelta(minutes=minutes)
        wall = moment.astimezone(tz).time()
        assert within_hours(zone, moment) == (time(9) <= wall < time(20))


def test_given_dnc_set_when_checked_then_number_blocked() -> None:
    assert is_dnc("+15550001111", {"+15550001111"})
    assert not is_dnc("+15550001112", {"+15550001111"})


def test_given_pickup_5h59_ago_when_checked_then_blocked_and_6h_later_allowed() -> None:
    assert recall_blocked(0, 6 * 3600 - 1)
    assert not recall_blocked(0, 6 * 3600)
    assert not recall_blocked(0, 60, enabled=False)
    assert not recall_blocked(None, 60)


def test_given_other_bank_suppression_when_inside_window_then_suppressed() -> None:
    assert suppressed_by_other_bank(0, 3599, hours=1)
    assert not suppressed_by_other_bank(0, 3600, hours=1)
    assert not suppressed_by_other_bank(0, 10, hours=None)


def test_given_all_rules_broken_when_combined_then_every_reason_named() -> None:
    at = datetime(2026, 3, 2, 5, 0, tzinfo=UTC).timestamp()  # 00:00 in New York
    facts = CallFacts("+15550001111", "America/New_York", last_pickup=at - 60,
                      last_other_bank_call=at - 60)  # fmt: skip
    rules = CallRules(suppress_other_bank_hours=2)
    reasons = may_call(facts, at, {"+15550001111"}, rules)
    assert reasons == ["dnc", "outside_calling_hours", "recently_reached", "called_by_other_bank"]
    noon = at + 12 * 3600 + 6 * 3600
    assert may_call(CallFacts("+15550001112", "America/New_York"), noon, set()) == []
