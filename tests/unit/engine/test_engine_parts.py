"""Pure parts of the engine: call results from tracker transitions, dialing choices, the bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from controller.config import load_settings
from controller.engine.bus import EventBus
from controller.engine.calls import EngineCall, estimator_outcome, result_of
from controller.engine.dialing import EngineConfig, originate_request, strategy_for
from controller.model.banks import BankSettings, DialingMode
from controller.pacing.estimator import Outcome
from controller.pacing.snapshot import CallState as PacingCall
from controller.store.queue import Claim, Member
from controller.telephony.ami import AmiError
from controller.telephony.tracker import LOST, CallState, Transition

CLAIM = Claim(1, 1, "+12125550100", "America/New_York", 0, (Member(1, 1),))


def call(**kw: object) -> EngineCall:
    c = EngineCall("pb1c-x", 1, CLAIM, 100.0, since=100.0)
    for k, v in kw.items():
        setattr(c, k, v)
    return c


def end(new: CallState, reason: str = "", cause: int | None = None) -> Transition:
    return Transition("pb1c-x", None, new, 110.0, reason, cause)


@pytest.mark.parametrize(
    ("new", "reason", "cause", "expected"),
    [
        (CallState.BUSY, "busy", 17, ("busy", "17")),
        (CallState.NO_ANSWER, "no_answer", None, ("no_answer", "no_answer")),
        (CallState.REJECTED, "unallocated", 1, ("failed", "1")),
        (CallState.REJECTED, "call_rejected", 21, ("rejected", "21")),
        (CallState.FAILED, "congestion", 34, ("network_trouble", "34")),
        (CallState.FAILED, "no_route", 3, ("network_trouble", "3")),
        (CallState.FAILED, "unavailable", None, ("network_trouble", "unavailable")),
        (CallState.FAILED, "originate_rejected", None, ("network_trouble", "not_placed")),
    ],
)
def test_given_an_unanswered_end_when_mapped_then_the_automatic_result(
    new: CallState, reason: str, cause: int | None, expected: tuple[str, str]
) -> None:
    assert result_of(call(), end(new, reason, cause)) == expected


def test_given_answered_calls_when_they_end_then_bridged_dropped_machine_or_cancelled() -> None:
    bridged = call(state=CallState.BRIDGED, volunteer_id=7, connected_at=105.0, answered_at=101.0)
    assert result_of(bridged, end(CallState.ENDED, "hangup", 16))[0] == "bridged"
    dropped = call(state=CallState.DROPPED, answered_at=101.0)
    assert result_of(dropped, end(CallState.ENDED, "hangup", 16))[0] == "dropped"
    machine = call(state=CallState.MACHINE, answered_at=101.0)
    assert result_of(machine, end(CallState.ENDED, "hangup", 16))[0] == "machine"
    assert result_of(call(), end(CallState.ENDED, "cancelled")) == ("no_answer", "cancelled")
    assert result_of(call(), end(CallState.ENDED, LOST)) == ("no_answer", "lost")


def test_given_calls_in_each_state_when_viewed_for_pacing_then_only_those_in_flight() -> None:
    assert call(state=CallState.RINGING).view().state is PacingCall.RINGING  # type: ignore[union-attr]
    assert call(state=CallState.ANSWERED).view().state is PacingCall.AMD  # type: ignore[union-attr]
    human = call(state=CallState.HUMAN).view()
    assert human is not None and human.state is PacingCall.WAITING_VOLUNTEER
    assert call(state=CallState.BRIDGED).view() is None
    assert call(state=CallState.MACHINE).view() is None
    assert estimator_outcome(call(), end(CallState.BUSY)) is Outcome.BUSY
    assert estimator_outcome(call(), end(CallState.ENDED)) is None


def test_given_each_mode_when_choosing_a_pacer_then_only_auto_modes_have_one() -> None:
    config = EngineConfig()
    assert strategy_for(DialingMode.PREDICTIVE, config).name == "predictive"  # type: ignore[union-attr]
    assert strategy_for(DialingMode.POWER, config).name == "progressive"  # type: ignore[union-attr]
    assert strategy_for(DialingMode.PREVIEW, config) is None
    assert strategy_for(DialingMode.PERSONAL, config) is None


def test_given_short_ring_setting_when_production_config_then_at_least_15_s(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path, {"pbx": {"ring_timeout": 5}})
    assert EngineConfig.from_settings(settings).ring_timeout == 15


def test_given_bank_choices_when_building_the_originate_then_amd_and_voicemail_follow(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path)
    bank = BankSettings(amd=False, voicemail_message="Hi")
    req = originate_request(
        "pb1c-a", "+12125550100", "+15550100100", bank, settings, EngineConfig()
    )
    assert req.variables["PB_AMD"] == "0" and req.variables["PB_VOICEMAIL"] == "1"
    assert req.variables["PB_CALLER_ID"] == "+15550100100"
    plain = originate_request(
        "pb1c-b", "+12125550100", "", BankSettings(), settings, EngineConfig()
    )
    assert "PB_AMD" not in plain.variables and "PB_VOICEMAIL" not in plain.variables
    with pytest.raises(AmiError) as err:
        originate_request("pb1c-c", "+4930123456", "", BankSettings(), settings, EngineConfig())
    assert err.value.code == "number_not_allowed"


async def test_given_a_slow_subscriber_when_many_messages_then_oldest_dropped_and_latest_kept() -> (
    None
):
    bus = EventBus(queue_size=3)
    queue = bus.subscribe()
    seen: list[int] = []
    bus.listen(lambda m: seen.append(m["n"]))
    bus.listen(lambda m: 1 / 0)  # a broken listener never stops the others
    for n in range(5):
        bus.publish("figures", 1, n=n)
    got = [queue.get_nowait()["n"] for _ in range(queue.qsize())]
    assert got == [2, 3, 4] and seen == [0, 1, 2, 3, 4]
    assert bus.figures(1) == {"topic": "figures", "bank_id": 1, "n": 4}
    bus.unsubscribe(queue)
    bus.publish("figures", 1, n=5)
    assert queue.empty()
    await asyncio.sleep(0)
