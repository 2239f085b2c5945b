"""The session and the typed actions when Asterisk is not there, and argument checks.

The "down" Asterisk is a real TCP port with nothing listening on it.
"""

from __future__ import annotations

import itertools
import socket

import pytest

from controller.config import Settings
from controller.telephony import actions as act
from controller.telephony import ami_events as ev
from controller.telephony.ami import AmiConfig, AmiError, AmiSession, ami_config, backoff_delays


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_session() -> AmiSession:
    config = AmiConfig("127.0.0.1", closed_port(), "u", "s", backoff_initial=0.05)
    return AmiSession(config)


def test_given_the_backoff_when_iterated_then_it_doubles_up_to_the_ceiling() -> None:
    delays = list(itertools.islice(backoff_delays(0.25, 2.0), 6))
    assert delays == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


async def test_given_nothing_listening_when_waiting_then_not_connected_with_the_cause() -> None:
    session = offline_session()
    events: list[ev.AmiEvent] = []
    session.subscribe(events.append)
    session.start()
    try:
        with pytest.raises(AmiError) as raised:
            await session.wait_connected(0.5)
        assert raised.value.code == "not_connected"
        assert session.last_error is not None and session.last_error.code == "connect_failed"
        assert not session.connected and session.generation == 0
        assert events == []  # no connection was ever made: nothing to report as lost
    finally:
        await session.close()


async def test_given_no_connection_when_originating_then_nothing_is_queued_or_sent() -> None:
    session = offline_session()
    events: list[ev.AmiEvent] = []
    session.subscribe(events.append)
    with pytest.raises(AmiError) as raised:
        await act.originate(session, act.outbound_call("c-1", "+12025550123"))
    assert raised.value.code == "not_connected"
    assert events == []
    with pytest.raises(AmiError, match="not_connected"):
        await act.hangup(session, "PJSIP/x-1")


@pytest.mark.parametrize(
    "request_",
    [
        act.OriginateRequest(call_id="bad id", channel="PJSIP/x", context="c"),
        act.OriginateRequest(call_id="c1", channel="nochannel", context="c"),
        act.OriginateRequest(call_id="c1", channel="PJSIP/x"),
        act.OriginateRequest(call_id="c1", channel="PJSIP/x", context="c", application="Wait"),
        act.OriginateRequest(call_id="c1", channel="PJSIP/x", context="c", timeout=0),
        act.OriginateRequest(call_id="c1", channel="PJSIP/x\r\nAction: Command", context="c"),
        act.OriginateRequest(call_id="c1", channel="PJSIP/x", context="c", variables={"A B": "1"}),
    ],
    ids=["call-id", "channel", "no-target", "two-targets", "timeout", "injection", "variable"],
)
async def test_given_a_bad_originate_request_when_started_then_invalid_request_and_no_task(
    request_: act.OriginateRequest,
) -> None:
    with pytest.raises(AmiError) as raised:
        act.originate_task(offline_session(), request_)
    assert raised.value.code == "invalid_request"


def test_given_the_trunk_pattern_when_building_an_outbound_call_then_only_allowed_numbers() -> None:
    pat = r"^\+1[2-9]\d{2}[2-9]\d{6}$"
    req = act.outbound_call("c-1", "+12025550123", caller_id="+15550100100", allowed_pattern=pat)
    assert req.channel == "Local/+12025550123@phonebank-outbound/n"
    assert (req.context, req.second_id) == ("phonebank-answered", "c-1-2")
    action = act.originate_action(req)
    assert action["ChannelId"] == "c-1" and action["OtherChannelId"] == "c-1-2"
    assert "PB_CALL_ID=c-1" in action["Variable"]
    assert "PB_CALLER_ID=+15550100100" in action["Variable"]
    with pytest.raises(AmiError) as outside:
        act.outbound_call("c-2", "+19005550123", allowed_pattern=r"^\+1[2-8]\d+$")
    assert outside.value.code == "number_not_allowed"
    with pytest.raises(AmiError) as garbage:
        act.outbound_call("c-3", "+1202555012;3")
    assert garbage.value.code == "invalid_request"


async def test_given_a_sound_with_a_path_when_played_then_refused_before_sending() -> None:
    with pytest.raises(AmiError) as raised:
        await act.playback(offline_session(), "PJSIP/x-1", "../../etc/passwd")
    assert raised.value.code == "invalid_request"


def test_given_settings_when_building_the_session_config_then_loopback_and_generated_secret(
    settings: Settings,
) -> None:
    config = ami_config(settings, ping_interval=2.0)
    assert (config.host, config.port, config.username) == ("127.0.0.1", 5038, "phonebank")
    assert config.secret == settings.secrets()["ami"] and len(config.secret) >= 32
    assert config.ping_interval == 2.0
    carrier = ami_config(settings, "carrier")
    assert (carrier.port, carrier.secret) == (5039, settings.secrets()["carrier_ami"])
