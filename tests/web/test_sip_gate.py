"""What a volunteer's SIP socket may carry: their own account's requests, while allowed."""

from __future__ import annotations

from web.phones import SipGate, sip_request


def register(user: str) -> str:
    return (
        "REGISTER sip:phonebank SIP/2.0\r\n"
        "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1\r\n"
        f'From: "Vera" <sip:{user}@phonebank>;tag=abc\r\n'
        f"To: <sip:{user}@phonebank>\r\n"
        "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"
    )


def test_given_sip_text_when_parsed_then_requests_give_method_and_sender() -> None:
    assert sip_request(register("webrtc-7")) == ("REGISTER", "webrtc-7")
    assert sip_request("SIP/2.0 200 OK\r\nFrom: <sip:webrtc-7@phonebank>\r\n\r\n") is None
    compact = "BYE sip:x@y SIP/2.0\r\nf: <sip:webrtc-7@phonebank>;tag=1\r\n\r\n"
    assert sip_request(compact) == ("BYE", "webrtc-7")


def test_given_a_volunteers_socket_when_it_speaks_for_another_account_then_it_is_refused() -> None:
    gate = SipGate("webrtc-7", lambda: True)
    assert gate.allows(register("webrtc-7"))
    assert not gate.allows(register("webrtc-8"))
    assert not gate.allows(register("trunk"))
    assert gate.allows("SIP/2.0 200 OK\r\n\r\n")  # answers to the PBX's own requests


def test_given_calling_turned_off_when_the_phone_registers_again_then_it_is_refused() -> None:
    allowed = [True]
    gate = SipGate("webrtc-7", lambda: allowed[0])
    assert gate.allows(register("webrtc-7"))
    allowed[0] = False
    assert not gate.allows(register("webrtc-7"))
    bye = "BYE sip:join@phonebank SIP/2.0\r\nFrom: <sip:webrtc-7@phonebank>;tag=1\r\n\r\n"
    assert gate.allows(bye)  # leaving is always allowed


def test_given_a_request_dressed_up_as_something_else_when_checked_then_it_is_refused() -> None:
    """A request is a request however it is laid out: leading blank lines (the PBX skips
    them), extra spaces after the method, a display name that looks like a SIP address, two
    From headers: each is judged on the account it really speaks for, and what is neither a
    request nor a response is refused."""
    gate = SipGate("webrtc-7", lambda: False)
    invite = register("webrtc-7").replace("REGISTER sip:phonebank", "INVITE sip:join@phonebank")
    assert not gate.allows(invite)  # calling turned off
    assert not gate.allows("\r\n" + invite)
    assert not gate.allows(invite.replace("INVITE ", "INVITE  ", 1))
    other = SipGate("webrtc-7", lambda: True)
    dressed = register("trunk").replace('"Vera"', '"sip:webrtc-7@phonebank"')
    assert not other.allows(dressed)
    doubled = register("webrtc-7").replace("To:", "From: <sip:trunk@phonebank>;tag=x\r\nTo:")
    assert not other.allows(doubled)
    assert not other.allows("NOT SIP AT ALL\r\n\r\n")
    assert other.allows("\r\n\r\n")  # a keep-alive
    assert other.allows("SIP/2.0 180 Ringing\r\n\r\n")


def test_given_a_quoted_display_name_with_angle_brackets_when_checked_then_the_address_decides() -> (  # noqa: E501
    None
):
    """A volunteer's name may hold < and > ("Sam <Team A>"): their requests pass; a display
    name that holds another account's address does not make a request that account's."""
    gate = SipGate("webrtc-7", lambda: True)
    sam = register("webrtc-7").replace('"Vera"', '"Sam <Team A>"')
    assert gate.allows(sam)
    escaped = register("webrtc-7").replace('"Vera"', '"Sam \\"the <boss>\\""')
    assert gate.allows(escaped)
    posing = register("webrtc-9").replace('"Vera"', '"<sip:webrtc-7@phonebank>"')
    assert not gate.allows(posing)
    assert not gate.allows(register("webrtc-7").replace('"Vera"', '"never closed'))


def request(method: str, user: str = "webrtc-7") -> str:
    return f"{method} sip:join@phonebank SIP/2.0\r\nFrom: <sip:{user}@phonebank>;tag=1\r\n\r\n"


def test_given_requests_a_browser_phone_never_sends_when_relayed_then_refused() -> None:
    gate = SipGate("webrtc-7", lambda: True)
    for method in ("MESSAGE", "SUBSCRIBE", "PUBLISH", "REFER", "NOTIFY"):
        assert not gate.allows(request(method)), method
    for method in ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "UPDATE", "PRACK"):
        assert gate.allows(request(method)), method


def test_given_calling_turned_off_when_the_phone_asks_more_than_ending_its_call_then_refused() -> (
    None
):
    gate = SipGate("webrtc-7", lambda: False)
    for method in ("REGISTER", "INVITE", "OPTIONS", "INFO", "UPDATE"):
        assert not gate.allows(request(method)), method
    for method in ("ACK", "BYE", "CANCEL", "PRACK"):
        assert gate.allows(request(method)), method
