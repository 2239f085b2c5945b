"""The volunteer's screen hears what became of their "Leave voicemail message": left when
the dialplan says so, not left when the machine's line ended first. Engine on a real SQLite
file fed typed PBX events; no PBX."""

from __future__ import annotations

from typing import Any

from test_report_due import event

from controller.config import Settings
from controller.engine import voicemail
from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.store.db import Database


def followed(db: Database, settings: Settings) -> tuple[Engine, list[dict[str, Any]]]:
    engine = Engine(settings, db, EngineConfig(tick=3600))
    told: list[dict[str, Any]] = []
    engine.bus.listen(lambda m: told.append(m) if m["topic"] == "voicemail" else None)
    voicemail.asked(engine, voicemail.Ask(3, 7, "pb3p-1", "Local/+12125521004@x-0001;1"))
    return engine, told


def test_given_leave_voicemail_asked_when_the_dialplan_says_left_then_the_screen_hears_left(
    db: Database, settings: Settings
) -> None:
    engine, told = followed(db, settings)
    engine._on_event(event(Event="UserEvent", UserEvent="PhonebankVoicemail", CallId="pb3p-2",
                           Status="left"))  # fmt: skip
    engine._on_event(event(Event="UserEvent", UserEvent="PhonebankVoicemail", CallId="pb3p-1",
                           Status="left", By="volunteer"))  # fmt: skip

    assert [(m["bank_id"], m["volunteer_id"], m["state"]) for m in told] == [
        (3, 7, "waiting_for_beep"), (3, 7, "left"),
    ]  # fmt: skip
    assert engine.voicemails == {}


def test_given_leave_voicemail_asked_when_the_machine_hangs_up_during_its_greeting_then_not_left(
    db: Database, settings: Settings
) -> None:
    engine, told = followed(db, settings)
    engine._on_event(event(Event="Hangup", Channel="Local/+12125521004@x-0001;1", Uniqueid="u1"))

    assert [m["state"] for m in told] == ["waiting_for_beep", "not_left"]
    assert engine.voicemails == {}


def test_given_a_voicemail_being_left_when_the_pbx_reconnects_without_its_leg_then_it_is_no_longer_followed(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    engine, told = followed(db, settings)
    still = voicemail.Ask(3, 8, "pb3p-2", "Local/+12125521005@x-0002;1")
    voicemail.asked(engine, still)
    engine._on_event(event(Event="PhonebankConnected", Generation="2"))
    engine._on_event(event(Event="CoreShowChannel", Uniqueid="u2", Channel=still.channel))
    engine._on_event(event(Event="CoreShowChannelsComplete", ListItems="1"))

    assert [(m["volunteer_id"], m["state"]) for m in told] == [
        (7, "waiting_for_beep"), (8, "waiting_for_beep"), (7, "unknown"),
    ]  # fmt: skip
    assert list(engine.voicemails) == ["pb3p-2"]  # the listed leg is still followed
