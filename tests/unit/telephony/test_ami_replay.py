"""Sessions recorded from the real PBX (tests/fixtures/ami), replayed into the tracker."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.telephony import ami_events as ev
from controller.telephony.replay import Recorder, main, read_recording, replay, run
from controller.telephony.tracker import CallState

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
CALLEE = ["queued", "dialing", "ringing", "answered"]

EXPECTED = {
    "busy": (["queued", "dialing", "busy"], "busy", 17),
    "congestion": (["queued", "dialing", "failed"], "congestion", 34),
    "disconnected": (["queued", "dialing", "rejected"], "unallocated", 1),
    "noanswer": (["queued", "dialing", "ringing", "no_answer"], "no_answer", 0),
    "machine": ([*CALLEE, "machine", "ended"], "hangup", 16),
    "dropped": ([*CALLEE, "human", "dropped", "ended"], "hangup", 16),
    "bridged": ([*CALLEE, "human", "bridged", "ended"], "hangup", 16),
}


def callee_id(path: Path) -> str:
    ids = [e.call_id for e in read_recording(path) if isinstance(e, ev.OriginateRequested)]
    return next(i for i in ids if i.startswith("call-"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_given_a_recorded_session_when_replayed_then_the_call_takes_the_live_path(
    name: str,
) -> None:
    path = FIXTURES / f"{name}.jsonl"
    call_id = callee_id(path)
    tracker, transitions = replay(path)
    states, reason, cause = EXPECTED[name]
    assert [t.new.value for t in transitions if t.call_id == call_id] == states
    call = tracker.calls[call_id]
    assert (call.reason, call.cause) == (reason, cause)
    times = [t.at for t in call.history]
    assert times == sorted(times) and times[0] > 1.6e9


def test_given_the_bridged_session_when_replayed_then_answer_verdict_and_bridge_are_timed() -> None:
    path = FIXTURES / "bridged.jsonl"
    call = replay(path)[0].calls[callee_id(path)]
    answered, human = call.at(CallState.ANSWERED), call.at(CallState.HUMAN)
    bridged = call.at(CallState.BRIDGED)
    assert answered is not None and human is not None and bridged is not None
    assert answered < human <= bridged
    assert call.history[-2].reason.startswith("room-")


def test_given_events_when_recorded_and_read_back_then_they_replay_identically(
    tmp_path: Path,
) -> None:
    source = list(read_recording(FIXTURES / "machine.jsonl"))
    recorder = Recorder(tmp_path / "copy.jsonl", keep=lambda e: e.name != "NewCallerid")
    for event in source:
        recorder(event)
    recorder.close()
    copied = list(read_recording(tmp_path / "copy.jsonl"))
    assert recorder.count == len(copied) == len([e for e in source if e.name != "NewCallerid"])
    assert run(copied)[1] == run(source)[1]


def test_given_a_corrupt_line_when_read_then_the_error_names_file_and_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"Event": "Newchannel"}\n\n{oops\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:3: not JSON"):
        list(read_recording(path))


def test_given_the_command_line_when_run_on_a_recording_then_it_prints_transitions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main([str(FIXTURES / "busy.jsonl")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith("dialing -> busy (busy) cause=17")
    assert main([str(tmp_path / "missing.jsonl")]) == 1
    assert "error:" in capsys.readouterr().err


def test_given_the_recorded_reconnect_when_replayed_then_the_vanished_call_is_lost_only() -> None:
    path = FIXTURES / "resync.jsonl"
    events = list(read_recording(path))
    lost = [e for e in events if isinstance(e, ev.SessionLost)]
    assert lost[0].reason == "ping_timeout"
    _, transitions = run(events)
    ended = {t.call_id: t.reason for t in transitions if t.new is CallState.ENDED}
    assert sorted(ended.values()) == ["hangup", "lost"]
    survivor = next(c for c, r in ended.items() if r == "hangup")
    path_of_survivor = [t.new.value for t in transitions if t.call_id == survivor]
    assert path_of_survivor == [*CALLEE, "human", "bridged", "ended"]
