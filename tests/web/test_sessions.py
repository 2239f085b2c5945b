"""Signed session cookies, without a server."""

from __future__ import annotations

from web.sessions import SessionManager, browser_label


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_given_an_encoded_session_when_decoded_then_the_same_user_and_token_come_back() -> None:
    manager = SessionManager("key", clock=Clock())
    session = manager.new(user_id=7)
    decoded = manager.decode(manager.encode(session))
    assert decoded == session


def test_given_a_cookie_edited_by_the_client_when_decoded_then_it_is_refused() -> None:
    manager = SessionManager("key", clock=Clock())
    body, signature = manager.encode(manager.new(user_id=7)).split(".")
    other_body = SessionManager("key", clock=Clock()).encode(manager.new(user_id=1)).split(".")[0]
    assert manager.decode(f"{other_body}.{signature}") is None
    assert manager.decode(f"{body}.{signature}x") is None
    assert manager.decode("garbage") is None
    assert manager.decode("") is None


def test_given_a_cookie_signed_with_another_key_when_decoded_then_it_is_refused() -> None:
    clock = Clock()
    cookie = SessionManager("old-key", clock=clock).encode(SessionManager("k", clock=clock).new(3))
    assert SessionManager("new-key", clock=clock).decode(cookie) is None


def test_given_an_idle_anonymous_session_when_the_idle_time_passes_then_it_expires() -> None:
    clock = Clock()
    manager = SessionManager("key", idle_seconds=600, absolute_seconds=7200, clock=clock)
    cookie = manager.encode(manager.new())
    clock.now += 599
    assert manager.decode(cookie) is not None
    clock.now += 2
    assert manager.decode(cookie) is None


def test_given_a_signed_in_cookie_past_its_idle_time_then_its_record_decides() -> None:
    clock = Clock()
    manager = SessionManager("key", idle_seconds=600, absolute_seconds=7200, clock=clock)
    cookie = manager.encode(manager.new(user_id=7))
    clock.now += 601  # an open call screen may have kept the record alive meanwhile
    decoded = manager.decode(cookie)
    assert decoded is not None and decoded.user_id == 7
    clock.now += 7200
    assert manager.decode(cookie) is None  # the absolute limit holds for every cookie


def test_given_an_active_session_when_the_absolute_limit_passes_then_it_expires() -> None:
    clock = Clock()
    manager = SessionManager("key", idle_seconds=600, absolute_seconds=1000, clock=clock)
    session = manager.new(user_id=7)
    for _ in range(3):
        clock.now += 300
        decoded = manager.decode(manager.encode(session))
        assert decoded is not None
        session = manager.touch(decoded)
    clock.now += 200
    assert manager.decode(manager.encode(session)) is None


def test_given_a_request_over_tls_when_the_cookie_is_set_then_it_is_secure() -> None:
    from aiohttp import web

    manager = SessionManager("key", clock=Clock())
    response = web.Response()
    manager.set_cookie(response, manager.new(user_id=1), secure=True)
    cookie = response.cookies["phonebank_session"].OutputString()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_given_user_agent_headers_when_labelled_then_a_short_browser_and_system_name() -> None:
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/130.0.0.0 Safari/537.36"
    )
    safari = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    assert browser_label(chrome) == "Chrome on Windows"
    assert browser_label(chrome + " Edg/130.0") == "Edge on Windows"
    assert browser_label(safari) == "Safari on iPhone"
    assert browser_label("curl/8.5.0") == "curl/8.5.0"
    assert browser_label("") == "unknown browser"
    assert len(browser_label("x" * 500)) == 80


def test_given_a_signed_in_session_when_encoded_then_its_id_travels_and_anonymous_has_none() -> (
    None
):
    manager = SessionManager("key", clock=Clock())
    signed_in, anonymous = manager.new(user_id=7, username="ana"), manager.new()
    assert len(signed_in.sid) >= 40 and anonymous.sid == ""
    decoded = manager.decode(manager.encode(signed_in))
    assert decoded is not None and decoded.sid == signed_in.sid
