from __future__ import annotations

import zoneinfo

import pytest

from controller.model.timezones import (
    STATE_ZONES,
    ZIP3_ZONES,
    zone_for_address,
    zone_from_candidates,
)


@pytest.mark.parametrize(
    ("state", "zip5", "zone"),
    [
        ("MA", "02134", "America/New_York"),
        ("ma", "", "America/New_York"),
        ("FL", "33101", "America/New_York"),
        ("FL", "32501", "America/Chicago"),
        ("TX", "78701", "America/Chicago"),
        ("TX", "79901", "America/Denver"),
        ("TN", "37902", "America/New_York"),
        ("AZ", "85001", "America/Phoenix"),
        ("HI", "96813", "Pacific/Honolulu"),
    ],
)
def test_given_state_and_zip_when_zone_looked_up_then_local_zone(
    state: str, zip5: str, zone: str
) -> None:
    assert zone_for_address(state, zip5) == zone


def test_given_unknown_state_when_zone_looked_up_then_none() -> None:
    assert zone_for_address("", "02134") is None
    assert zone_for_address("Massachusetts", "02134") is None


def test_given_zone_tables_when_checked_then_every_zone_is_real() -> None:
    known = zoneinfo.available_timezones()
    assert set(STATE_ZONES.values()) <= known
    assert set(ZIP3_ZONES.values()) <= known


def test_given_candidates_when_not_exactly_one_then_no_zone() -> None:
    assert zone_from_candidates(("America/Chicago",)) == "America/Chicago"
    assert zone_from_candidates(("America/Adak", "America/Anchorage")) is None
    assert zone_from_candidates(("Etc/Unknown",)) is None
    assert zone_from_candidates(()) is None
