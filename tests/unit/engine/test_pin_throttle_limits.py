"""The dial-in PIN throttle: callers without a number are one caller, a limit across all
callers, and memory that stays bounded."""

from __future__ import annotations

from controller.engine.volunteer_ops import PinThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_given_callers_without_a_number_when_each_tries_other_pins_then_they_count_as_one_caller() -> (  # noqa: E501
    None
):
    throttle = PinThrottle(limit=5, window=600, clock=Clock())
    hidden = ("", "anonymous", "Restricted", "<unknown>", "unavailable")
    for caller, pin in zip(hidden, ("111111", "222222", "333333", "444444", "555555"), strict=True):
        assert not throttle.blocked(caller, pin)
        throttle.miss(caller, pin)
    assert throttle.blocked("", "666666")  # a new PIN from a hidden number: refused
    assert throttle.blocked("Anonymous", "777777")
    assert not throttle.blocked("+15551230000", "666666")  # a caller with a number is not


def test_given_wrong_pins_from_many_numbers_when_the_global_limit_is_reached_then_hidden_and_missing_callers_are_refused_until_the_window_passes() -> (  # noqa: E501
    None
):
    clock = Clock()
    throttle = PinThrottle(clock=clock)
    assert (throttle.limit, throttle.global_limit, throttle.window) == (5, 20, 600.0)
    for i in range(20):
        assert not throttle.blocked(f"+1555123{i:04d}", f"{100000 + i}")
        throttle.miss(f"+1555123{i:04d}", f"{100000 + i}")
    assert throttle.blocked("+15551230003", "999999")  # a number that already missed
    assert throttle.blocked("", "999999")  # a hidden number
    assert not throttle.blocked("+15559990000", "999999")  # a number with no miss: its tries
    clock.now += 601
    assert not throttle.blocked("+15551230003", "999999")
    assert not throttle.blocked("", "999999")


def test_given_wrong_pins_over_a_long_time_when_counted_then_only_the_window_is_kept() -> None:
    clock = Clock()
    throttle = PinThrottle(clock=clock, max_callers=100)
    for i in range(5000):
        throttle.miss(f"+1555{i:07d}", f"{i:06d}")
        clock.now += 60  # one wrong PIN a minute, each from a new number with a new PIN
    # the last ten minutes' callers and PINs, "all" and the hour's count
    assert len(throttle._misses) <= 2 * 11 + 2
    for i in range(5000):  # a flood of wrong PINs from ever new numbers
        if not throttle.blocked(f"+1556{i:07d}", f"{i:06d}"):
            throttle.miss(f"+1556{i:07d}", f"{i:06d}")
    assert len(throttle._misses) <= 100 + 3  # at most max_callers, then new ones are refused
    assert len(throttle._misses["hour"]) <= throttle.hour_limit
