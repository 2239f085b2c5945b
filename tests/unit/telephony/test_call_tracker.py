"""The call tracker's state machine, driven by hand-written event sequences.

Recorded sessions from the real PBX are replayed in test_ami_replay.py; these cases pin the
rules (forward-only, causes, re-sync) one at a time.
"""

from __future__ import annotations

from typing import Any

from controller.telephony import ami_events as ev
from controller.telephony.tracker import CallState, CallTracker, Transition

S = CallState


class Script:
    """Builds events with increasing timestamps and feeds them to a tracker."""

    def __init__(self) -> None:
        self.tracker = CallTracker()
        self.clock = 1000.0
        self.transitions: list[Transition] = []

    def send(self, name: str, **headers: Any) -> list[Transition]:
        self.clock += 1
        raw = {"Event": name, "Timestamp": f"{self.clock:.6f}"}
        raw |= {k.replace("_", "-") if k == "Cause_txt" else k: str(v) for k, v in headers.items()}
        out = self.tracker.feed(ev.parse_event(raw))
        self.transitions += out
        return out

    def originate(self, call_id: str, local: bool = False) -> None:
        other = f"{call_id}-2" if local else ""
        self.send(ev.ORIGINATE_REQUESTED, CallId=call_id, OtherId=other)

    def channel(self, name: str, uid: str, linked: str, state: int = 0) -> None:
        self.send("Newchannel", Channel=name, Uniqueid=uid, Linkedid=linked, ChannelState=state)

    def states(self, call_id: str) -> list[str]:
        return [t.new.value for t in self.transitions if t.call_id == call_id]


def test_given_a_direct_originate_when_answered_and_human_then_states_follow_in_order() -> None:
    s = Script()
    s.originate("c1")
    s.channel("PJSIP/trunk-1", "c1", "c1")
    s.send("Newstate", Uniqueid="c1", ChannelState=5)
    s.send("Newstate", Uniqueid="c1", ChannelState=6)
    s.send("UserEvent", Uniqueid="c1", UserEvent="PhonebankAmd", AMDSTATUS="HUMAN")
    s.send("ConfbridgeJoin", Uniqueid="c1", Conference="vol-7")
    s.send("Hangup", Uniqueid="c1", Cause=16)
    expected = ["queued", "dialing", "ringing", "answered", "human", "bridged", "ended"]
    assert s.states("c1") == expected
    call = s.tracker.get("c1")
    assert call is not None and call.reason == "hangup" and call.cause == 16
    assert call.at(S.ANSWERED) == 1004.0


def test_given_a_local_channel_call_when_the_trunk_leg_is_busy_then_busy_from_its_cause() -> None:
    s = Script()
    s.originate("c2", local=True)
    s.channel("Local/555@outbound-00000001;1", "c2", "c2")
    s.channel("Local/555@outbound-00000001;2", "c2-2", "c2")
    s.channel("PJSIP/trunk-00000002", "1700.5", "c2")
    s.send("DialBegin", Uniqueid="c2-2", DestUniqueid="1700.5")
    s.send("Newstate", Uniqueid="1700.5", ChannelState=5)
    s.send("Hangup", Uniqueid="1700.5", Cause=17)
    s.send("DialEnd", Uniqueid="c2-2", DestUniqueid="1700.5", DialStatus="BUSY")
    s.send("Hangup", Uniqueid="c2-2", Cause=16)
    assert s.states("c2")[-1] == "ringing"
    out = s.send("Hangup", Uniqueid="c2", Cause=16)
    assert [(t.new, t.reason, t.cause) for t in out] == [(S.BUSY, "busy", 17)]


def test_given_normal_clearing_before_answer_when_dialstatus_says_noanswer_then_no_answer() -> None:
    s = Script()
    s.originate("c3", local=True)
    s.channel("Local/1@o;1", "c3", "c3")
    s.channel("Local/1@o;2", "c3-2", "c3")
    s.send("DialEnd", Uniqueid="c3-2", DestUniqueid="9.1", DialStatus="NOANSWER")
    s.send("Hangup", Uniqueid="c3-2", Cause=16)
    s.send("Hangup", Uniqueid="c3", Cause=16)
    assert s.states("c3")[-1] == "no_answer"


def test_given_each_decisive_cause_when_the_only_channel_hangs_up_then_the_failure_state() -> None:
    expected = {17: S.BUSY, 19: S.NO_ANSWER, 34: S.FAILED, 38: S.FAILED, 1: S.REJECTED}
    expected |= {3: S.FAILED, 21: S.REJECTED}  # 3, no route: a missing trunk gives it too
    for cause, state in expected.items():
        s = Script()
        s.originate("c")
        s.channel("PJSIP/t-1", "c", "c")
        s.send("Hangup", Uniqueid="c", Cause=cause)
        assert s.tracker.calls["c"].state is state, cause


def test_given_no_channel_was_made_when_originate_fails_then_the_reason_decides() -> None:
    s = Script()
    s.originate("c4")
    s.send("OriginateResponse", ActionID="originate/c4", Response="Failure", Reason=5)
    assert s.states("c4") == ["queued", "busy"]


def test_given_an_originate_rejected_by_asterisk_then_failed_with_that_reason() -> None:
    s = Script()
    s.originate("c5")
    s.send(ev.ORIGINATE_REJECTED, CallId="c5", Message="Extension does not exist.")
    call = s.tracker.get("c5")
    assert call is not None and (call.state, call.reason) == (S.FAILED, "originate_rejected")


def test_given_late_or_repeated_events_when_fed_then_states_never_go_back() -> None:
    s = Script()
    s.originate("c6")
    s.channel("PJSIP/t-1", "c6", "c6")
    s.send("Newstate", Uniqueid="c6", ChannelState=6)
    s.send("Newstate", Uniqueid="c6", ChannelState=5)
    s.send("UserEvent", Uniqueid="c6", AMDSTATUS="MACHINE")
    s.send("UserEvent", Uniqueid="c6", AMDSTATUS="HUMAN")
    assert s.states("c6") == ["queued", "dialing", "answered", "machine"]


def test_given_channels_of_other_calls_when_fed_then_they_are_ignored() -> None:
    s = Script()
    s.originate("c7")
    s.channel("PJSIP/volunteer-1", "v.1", "v.1")
    s.send("Newstate", Uniqueid="v.1", ChannelState=6)
    s.send("Hangup", Uniqueid="v.1", Cause=16)
    assert s.states("c7") == ["queued"]
    assert [c.call_id for c in s.tracker.active()] == ["c7"]


def test_given_a_reconnect_when_the_listing_lacks_a_call_then_it_ends_as_lost() -> None:
    s = Script()
    for cid in ("gone", "alive", "done"):
        s.originate(cid)
        s.channel(f"PJSIP/t-{cid}", cid, cid)
    s.send("Hangup", Uniqueid="done", Cause=17)
    s.send(ev.SESSION_LOST, Generation=1, Reason="connection_lost")
    s.send(ev.SESSION_CONNECTED, Generation=2)
    s.send("CoreShowChannel", Uniqueid="alive", Linkedid="alive", ChannelState=6)
    out = s.send("CoreShowChannelsComplete", ListItems=1)
    assert {(t.call_id, t.new, t.reason) for t in out} == {
        ("gone", S.ENDED, "lost"),
        ("alive", S.ANSWERED, ""),
    }
    assert s.tracker.calls["done"].state is S.BUSY


def test_given_a_lost_call_when_its_channel_reappears_then_it_is_tracked_again() -> None:
    s = Script()
    s.originate("c8")
    s.send("CoreShowChannelsComplete", ListItems=0)
    assert s.tracker.calls["c8"].reason == "lost"
    s.channel("PJSIP/t-8", "c8", "c8")
    s.send("Newstate", Uniqueid="c8", ChannelState=6)
    assert s.states("c8") == ["queued", "ended", "dialing", "answered"]
    assert s.transitions[-2].reason == "reappeared"


def test_given_a_finished_call_when_forgotten_then_its_channels_are_forgotten_too() -> None:
    s = Script()
    s.originate("c9")
    s.channel("PJSIP/t-9", "c9", "c9")
    s.send("Hangup", Uniqueid="c9", Cause=19)
    s.tracker.forget("c9")
    assert s.tracker.get("c9") is None
    assert s.send("Newstate", Uniqueid="c9", ChannelState=6) == []


def test_given_events_racing_the_listing_when_resyncing_then_they_are_not_undone() -> None:
    s = Script()
    for cid in ("hung", "grew"):
        s.originate(cid, local=True)
        s.channel(f"Local/{cid}@o;1", cid, cid)
        s.channel(f"Local/{cid}@o;2", f"{cid}-2", cid)
    s.send(ev.SESSION_CONNECTED, Generation=2)
    # While the listing is on its way: "hung" ends, "grew" gets its trunk leg.
    s.send("Hangup", Uniqueid="hung-2", Cause=16)
    s.send("Hangup", Uniqueid="hung", Cause=17)
    s.channel("PJSIP/trunk-9", "9.9", "grew")
    # The listing was taken before either happened.
    for uid in ("hung", "hung-2", "grew", "grew-2"):
        s.send("CoreShowChannel", Uniqueid=uid, Linkedid=uid.removesuffix("-2"), ChannelState=4)
    s.send("CoreShowChannelsComplete", ListItems=4)
    assert s.tracker.calls["hung"].state is S.BUSY
    grew = s.tracker.calls["grew"]
    assert grew.state is S.DIALING and set(grew.live) == {"grew", "grew-2", "9.9"}
    for uid in ("9.9", "grew-2"):
        s.send("Hangup", Uniqueid=uid, Cause=16)
    assert grew.state is S.DIALING
    s.send("Hangup", Uniqueid="grew", Cause=16)
    assert grew.state is S.FAILED


def test_given_calls_from_before_a_restart_when_expected_then_the_first_listing_settles_them() -> (
    None
):
    tracker = CallTracker()
    assert [t.new for t in tracker.expect("old-1", "old-1-2", at=50.0)] == [S.QUEUED]
    tracker.expect("old-2")
    tracker.feed(ev.parse_event({"Event": ev.SESSION_CONNECTED, "Timestamp": "60"}))
    up = {"Event": "CoreShowChannel", "Uniqueid": "old-1-2", "Linkedid": "old-1"}
    tracker.feed(ev.parse_event(up | {"ChannelState": "6", "Timestamp": "60.1"}))
    out = tracker.feed(ev.parse_event({"Event": "CoreShowChannelsComplete", "Timestamp": "60.2"}))
    assert {(t.call_id, t.new, t.reason) for t in out} == {
        ("old-1", S.ANSWERED, ""),
        ("old-2", S.ENDED, "lost"),
    }


def test_given_a_volunteers_event_carrying_a_calls_id_when_fed_then_the_call_is_untouched() -> None:
    """What a volunteer dials ends up in their channel's UserEvent (PhonebankVolunteerRefused,
    Dialed: ...); headers smuggled in it (CallId, AmdStatus) never move a call: a call id
    is taken from the headers only for the dialplan's own call events."""
    s = Script()
    s.originate("pb1c-abc")
    s.channel("PJSIP/trunk-1", "pb1c-abc", "pb1c-abc")
    s.send("Newstate", Uniqueid="pb1c-abc", ChannelState=6)
    s.channel("PJSIP/webrtc-7-0001", "vol-leg", "vol-leg")
    s.send("UserEvent", Uniqueid="vol-leg", UserEvent="PhonebankVolunteerRefused",
           Endpoint="webrtc-7", Dialed="1", CallId="pb1c-abc", AmdStatus="MACHINE")  # fmt: skip
    assert s.states("pb1c-abc") == ["queued", "dialing", "answered"]
    s.send("UserEvent", Uniqueid="local-half", UserEvent="PhonebankAmd",
           CallId="pb1c-abc", AmdStatus="HUMAN")  # fmt: skip
    assert s.states("pb1c-abc") == ["queued", "dialing", "answered", "human"]
