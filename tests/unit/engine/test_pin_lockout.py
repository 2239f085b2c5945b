"""A few dozen wrong PINs do not lock every dial-in volunteer out: past the limit for all
callers together, a volunteer calling from their own number (no miss of theirs in the
window) still joins with their PIN; the per-caller limit still applies to them."""

from __future__ import annotations

from controller.engine.volunteer_ops import PinThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def attack(throttle: PinThrottle, calls: int = 7, tries: int = 3) -> None:
    """Seven calls from one attacker's number and from hidden numbers, three wrong PINs each."""
    for call in range(calls):
        caller = "+15557770000" if call % 2 else "anonymous"
        for t in range(tries):
            throttle.miss(caller, f"{900000 + call * 10 + t}")


def test_given_20_wrong_pins_from_an_attacker_when_a_volunteer_calls_from_their_number_then_their_pin_is_taken() -> (  # noqa: E501
    None
):
    throttle = PinThrottle(clock=Clock())
    attack(throttle)

    assert not throttle.blocked("+15551230000", "424242")


def test_given_the_overall_limit_reached_when_a_volunteer_mistypes_then_their_next_try_is_refused() -> (  # noqa: E501
    None
):
    throttle = PinThrottle(clock=Clock())
    attack(throttle)
    assert not throttle.blocked("+15551230000", "111111")
    throttle.miss("+15551230000", "111111")

    assert throttle.blocked("+15551230000", "424242")  # one miss during an attack: refused


def test_given_a_caller_with_a_number_when_five_wrong_pins_then_refused_even_with_no_attack() -> (
    None
):
    throttle = PinThrottle(clock=Clock())
    for t in range(5):
        assert not throttle.blocked("+15551230000", f"{100000 + t}")
        throttle.miss("+15551230000", f"{100000 + t}")

    assert throttle.blocked("+15551230000", "424242")


def test_given_a_guesser_showing_a_new_number_for_every_try_when_150_miss_within_an_hour_then_every_pin_is_refused_for_the_hour() -> (  # noqa: E501
    None
):
    """One try per made-up caller number is one try each, not a way around the limits: the
    hour's wrong PINs from all callers together close the dial-in until they age out."""
    clock = Clock()
    throttle = PinThrottle(clock=clock)
    for guess in range(150):
        number = f"+1555{2000000 + guess}"
        assert not throttle.blocked(number, f"{300000 + guess}")
        throttle.miss(number, f"{300000 + guess}")
        clock.now += 20  # 150 guesses over 50 minutes

    assert throttle.blocked("+15551230000", "424242")  # a volunteer's own number too
    clock.now += 3600 - 150 * 20 + 21  # the first misses are an hour old
    assert not throttle.blocked("+15551230000", "424242")
