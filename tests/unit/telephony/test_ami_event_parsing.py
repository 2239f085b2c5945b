"""Parsing raw AMI headers into typed events."""

from __future__ import annotations

from controller.telephony import ami_events as ev


def test_given_a_hangup_when_parsed_then_cause_and_channel_are_typed() -> None:
    event = ev.parse_event(
        {
            "Event": "Hangup",
            "Timestamp": "1700000000.250000",
            "Channel": "PJSIP/trunk-00000001",
            "Uniqueid": "c-1",
            "Linkedid": "c-1",
            "ChannelState": "5",
            "ChannelStateDesc": "Ringing",
            "Cause": "17",
            "Cause-txt": "User busy",
        }
    )
    assert isinstance(event, ev.Hangup)
    assert (event.cause, event.cause_txt, event.state) == (17, "User busy", ev.STATE_RINGING)
    assert event.timestamp == 1700000000.25
    assert event.uniqueid == "c-1"


def test_given_header_names_in_any_case_when_parsed_then_fields_are_found() -> None:
    event = ev.parse_event({"event": "dialend", "destuniqueid": "x", "DIALSTATUS": "BUSY"})
    assert isinstance(event, ev.DialEnd)
    assert (event.dest_uniqueid, event.dial_status) == ("x", "BUSY")


def test_given_an_unknown_event_when_parsed_then_a_plain_event_keeps_the_headers() -> None:
    event = ev.parse_event({"Event": "SomethingNew", "Foo": "bar"})
    assert type(event) is ev.AmiEvent
    assert event.name == "SomethingNew"
    assert event.headers == {"Event": "SomethingNew", "Foo": "bar"}
    assert event.timestamp is None


def test_given_malformed_numbers_when_parsed_then_defaults_are_used_without_error() -> None:
    event = ev.parse_event({"Event": "Hangup", "Cause": "n/a", "Timestamp": "soon"})
    assert isinstance(event, ev.Hangup)
    assert (event.cause, event.timestamp) == (0, None)


def test_given_repeated_headers_and_an_empty_body_when_normalized_then_joined_and_dropped() -> None:
    raw = ev.normalize({"Event": "VarSet", "ChanVariable": ["A=1", "B=2"], "content": ""})
    assert raw == {"Event": "VarSet", "ChanVariable": "A=1\nB=2"}


def test_given_asterisk_placeholders_when_parsed_then_they_read_as_empty() -> None:
    event = ev.parse_event({"Event": "Newchannel", "CallerIDNum": "<unknown>", "Exten": "s"})
    assert isinstance(event, ev.Newchannel)
    assert (event.caller_id_num, event.exten) == ("", "s")


def test_given_confbridge_talking_when_parsed_then_talking_is_a_flag() -> None:
    on = ev.parse_event({"Event": "ConfbridgeTalking", "Conference": "v1", "TalkingStatus": "on"})
    off = ev.parse_event({"Event": "ConfbridgeTalking", "TalkingStatus": "off"})
    assert isinstance(on, ev.ConfbridgeTalking) and isinstance(off, ev.ConfbridgeTalking)
    assert (on.conference, on.talking, off.talking) == ("v1", True, False)


def test_given_session_events_when_parsed_then_they_are_typed() -> None:
    req = ev.parse_event(
        {"Event": ev.ORIGINATE_REQUESTED, "CallId": "c-1", "OtherId": "c-1-2", "Target": "x"}
    )
    lost = ev.parse_event({"Event": ev.SESSION_LOST, "Generation": "3", "Reason": "ping_timeout"})
    assert isinstance(req, ev.OriginateRequested) and isinstance(lost, ev.SessionLost)
    assert (req.call_id, req.other_id, lost.generation, lost.reason) == (
        "c-1",
        "c-1-2",
        3,
        "ping_timeout",
    )


def test_given_an_originate_response_when_parsed_then_success_and_reason_are_typed() -> None:
    event = ev.parse_event(
        {"Event": "OriginateResponse", "Response": "Failure", "Reason": "5", "ActionID": "a"}
    )
    assert isinstance(event, ev.OriginateResponse)
    assert (event.success, event.reason, event.action_id) == (False, 5, "a")
