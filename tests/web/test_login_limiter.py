"""The sign-in throttle, without a server: per account from one address, per address, per
account from everywhere; lifted by a right password (there), an admin's reset or a password
set elsewhere; the client's address read through a trusted reverse proxy only."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from web import ratelimit
from web.ratelimit import LoginLimiter, client_address


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fail(limiter: LoginLimiter, clock: Clock, address: str, user: str, times: int) -> None:
    for _ in range(times):
        assert limiter.retry_after(address, user) == 0
        limiter.failed(address, user)
        clock.now += 10


def test_given_five_failures_from_one_address_when_a_sixth_comes_then_it_waits_until_the_window_ends() -> (  # noqa: E501
    None
):
    clock = Clock()
    limiter = LoginLimiter(max_failures=5, window_seconds=300, clock=clock)
    fail(limiter, clock, "10.0.0.1", "ana", 5)
    assert limiter.retry_after("10.0.0.1", "ANA ") == 250
    assert limiter.retry_after("10.0.0.1", "bob") == 0  # others in the same room are not
    clock.now += 251
    assert limiter.retry_after("10.0.0.1", "ana") == 0


def test_given_someone_failing_on_the_organizers_account_when_the_organizer_signs_in_elsewhere_then_not_paused() -> (  # noqa: E501
    None
):
    clock = Clock()
    limiter = LoginLimiter(max_failures=5, window_seconds=300, clock=clock)
    fail(limiter, clock, "203.0.113.9", "organizer", 5)
    assert limiter.retry_after("203.0.113.9", "organizer") > 0
    assert limiter.retry_after("10.0.0.7", "organizer") == 0


def test_given_guesses_spread_over_many_addresses_when_the_account_limit_is_reached_then_paused_everywhere() -> (  # noqa: E501
    None
):
    clock = Clock()
    limiter = LoginLimiter(max_failures=5, window_seconds=300, clock=clock, account_max_failures=12)
    for n in range(3):  # four tries from each of three addresses: no address at its limit
        fail(limiter, clock, f"198.51.100.{n}", "ana", 4)
    assert limiter.retry_after("10.0.0.7", "ana") == 300 - 120
    assert limiter.retry_after("10.0.0.7", "bob") == 0


def test_given_one_address_trying_many_accounts_when_over_its_limit_then_it_is_paused() -> None:
    clock = Clock()
    limiter = LoginLimiter(max_failures=5, window_seconds=300, clock=clock, address_max_failures=8)
    for n in range(8):  # four accounts, two wrong tries each: no account reaches its limit
        fail(limiter, clock, "10.0.0.1", f"user{n % 4}", 1)
    assert limiter.retry_after("10.0.0.1", "admin") == 300 - 80  # the address is paused
    assert limiter.retry_after("10.0.0.2", "admin") == 0
    assert limiter.retry_after("10.0.0.2", "user0") == 0


def test_given_failures_when_the_user_then_signs_in_then_that_addresss_count_starts_again() -> None:
    clock = Clock()
    limiter = LoginLimiter(max_failures=3, window_seconds=300, clock=clock)
    fail(limiter, clock, "10.0.0.1", "ana", 2)
    limiter.succeeded("10.0.0.1", "ana")
    fail(limiter, clock, "10.0.0.1", "ana", 2)
    assert limiter.retry_after("10.0.0.1", "ana") == 0


def test_given_an_account_paused_when_an_admin_sets_its_password_then_every_pause_of_it_lifts() -> (
    None
):
    clock = Clock()
    limiter = LoginLimiter(max_failures=3, window_seconds=300, clock=clock, account_max_failures=5)
    fail(limiter, clock, "10.0.0.1", "ana", 3)
    fail(limiter, clock, "10.0.0.2", "ana", 2)
    fail(limiter, clock, "10.0.0.2", "bob", 3)
    assert limiter.retry_after("10.0.0.1", "ana") > 0 and limiter.retry_after("10.0.0.3", "ana") > 0
    limiter.forget(" Ana")
    assert (
        limiter.retry_after("10.0.0.1", "ana") == 0 and limiter.retry_after("10.0.0.3", "ana") == 0
    )
    assert limiter.retry_after("10.0.0.2", "bob") > 0  # another account keeps its pause


def test_given_an_account_paused_when_its_password_was_set_elsewhere_then_its_next_attempt_lifts_every_pause() -> (  # noqa: E501
    None
):
    clock = Clock()
    limiter = LoginLimiter(max_failures=3, window_seconds=300, clock=clock, account_max_failures=5)
    for address in ("10.0.0.1",) * 3 + ("10.0.0.2",) * 2:
        limiter.check_stamp("ana", "old")
        limiter.failed(address, "ana", "old")
    limiter.failed("10.0.0.2", "bob", "b")
    limiter.check_stamp("Ana", "old")  # the same password: the pauses hold
    assert limiter.retry_after("10.0.0.1", "ana") > 0 and limiter.retry_after("10.0.0.3", "ana") > 0
    limiter.check_stamp("ana", None)  # no such account (now): nothing to compare, nothing lifts
    assert limiter.retry_after("10.0.0.1", "ana") > 0
    limiter.check_stamp(" ANA", "new")  # set by another process since
    assert limiter.retry_after("10.0.0.1", "ana") == 0
    assert limiter.retry_after("10.0.0.3", "ana") == 0
    limiter.failed("10.0.0.1", "ana", "new")  # counting starts again, against the new one
    limiter.check_stamp("ana", "new")
    assert len(limiter._recent("pair:10.0.0.1|ana")) == 1
    assert len(limiter._recent("user:bob")) == 1  # another account is untouched


def test_given_a_flood_of_made_up_names_when_counted_then_the_counts_kept_stay_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 300)
    clock = Clock()
    limiter = LoginLimiter(clock=clock, address_max_failures=10_000)
    for n in range(1000):
        limiter.failed("10.0.0.1", f"name{n}")
        clock.now += 0.01
    assert len(limiter._failures) <= 300
    assert limiter.retry_after("10.0.0.1", "x") == 0  # the address is still counted


def test_given_a_trusted_proxy_when_reading_the_client_address_then_its_forwarded_for_is_used() -> (
    None
):
    def request(peer: str, *forwarded: str) -> object:
        headers = CIMultiDict(("X-Forwarded-For", line) for line in forwarded)
        return make_mocked_request("POST", "/login", headers=headers, transport=Peer(peer))

    proxies = ("127.0.0.1", "10.0.0.2")
    via_proxy = request("127.0.0.1", "198.51.100.4, 10.0.0.2")
    assert client_address(via_proxy, proxies) == "198.51.100.4"  # type: ignore[arg-type]
    spoofed = request("198.51.100.4", "192.0.2.1")  # a client's own header is not believed
    assert client_address(spoofed, proxies) == "198.51.100.4"  # type: ignore[arg-type]
    forged_hop = request("127.0.0.1", "192.0.2.1, 203.0.113.5")  # client sent the first one
    assert client_address(forged_hop, proxies) == "203.0.113.5"  # type: ignore[arg-type]
    assert client_address(request("127.0.0.1"), proxies) == "127.0.0.1"  # type: ignore[arg-type]
    own_line = request("127.0.0.1", "192.0.2.1", "203.0.113.5")  # the proxy added its own line
    assert client_address(own_line, proxies) == "203.0.113.5"  # type: ignore[arg-type]
    assert client_address(via_proxy, ()) == "127.0.0.1"  # type: ignore[arg-type]


class Peer:
    """The transport of a mocked request: its peer address."""

    def __init__(self, address: str) -> None:
        self.address = address

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.address, 40000) if name == "peername" else default
