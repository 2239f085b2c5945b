"""Pure parts of the volunteer's side: the PIN throttle, "call me" numbers, bank cards."""

from __future__ import annotations

from dataclasses import replace

from controller.engine.volunteer_ops import PinThrottle
from controller.model.banks import Bank, BankSettings, State
from controller.model.fields import validate_field
from controller.store import fields as field_store
from controller.store.db import Database
from web.views.callscreen_data import NOT_STARTED, bank_card, report_options
from web.views.volunteer import normalize_number


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_given_five_wrong_pins_from_one_caller_when_a_sixth_try_comes_then_blocked_until_window_passes() -> (  # noqa: E501
    None
):
    clock = Clock()
    throttle = PinThrottle(limit=5, window=600, clock=clock)
    for pin in ("1111", "2222", "3333", "4444", "5555"):
        assert not throttle.blocked("+15551230000", pin)
        throttle.miss("+15551230000", pin)
    assert throttle.blocked("+15551230000", "123456")  # even the right PIN is refused now
    assert not throttle.blocked("+15559990000", "123456")  # another caller is not
    clock.now += 601
    assert not throttle.blocked("+15551230000", "123456")


def test_given_one_pin_guessed_from_many_callers_when_limit_reached_then_that_pin_is_blocked() -> (
    None
):
    throttle = PinThrottle(limit=3, window=600, clock=Clock())
    for caller in ("+15550000001", "+15550000002", "+15550000003"):
        throttle.miss(caller, "424242")
    assert throttle.blocked("+15550000004", "424242")
    assert not throttle.blocked("+15550000004", "111111")


def test_given_call_me_numbers_when_normalized_then_us_formats_accepted_and_junk_refused() -> None:
    assert normalize_number("(312) 555-0101") == "+13125550101"
    assert normalize_number("1 312 555 0101") == "+13125550101"
    assert normalize_number("+44 20 7946 0958") == "+442079460958"
    assert normalize_number("555-0101") is None
    assert normalize_number("call me maybe") is None


def test_given_bank_settings_when_shown_as_a_card_then_unsafe_images_dropped_and_state_said() -> (
    None
):
    bank = Bank(
        BankSettings(title="T", image="javascript:alert(1)", start_button_label=""),
        id=3,
        state=State.PUBLISHED,
    )
    card = bank_card(bank)
    assert card["image"] == "" and card["start_label"] == "Start calling"
    assert card["status_text"] == NOT_STARTED and not card["running"]
    running = bank_card(replace(bank, state=State.RUNNING))
    assert running["running"] and running["status_text"] == "Calling now"
    assert "list_id" not in card and "caller_ids" not in card


def test_given_a_bank_saved_asking_for_a_built_in_field_then_its_report_form_leaves_it_out(
    db: Database,
) -> None:
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"], False))
    asked = BankSettings(title="T", report_fields=("Call Outcome", "Support"))  # as once stored
    form = report_options(db, Bank(asked, id=1, state=State.RUNNING))
    assert [f["name"] for f in form["fields"]] == ["Support"]


def test_given_a_report_field_stored_in_another_case_when_the_form_is_built_then_its_choices_come(
    db: Database,
) -> None:
    field_store.add_field(db, validate_field("Support", "choice", ["Yes", "No"], False))
    asked = BankSettings(title="T", report_fields=("support",))  # as once stored
    form = report_options(db, Bank(asked, id=1, state=State.RUNNING))
    assert form["fields"] == [{"name": "Support", "kind": "choice", "options": ["Yes", "No"]}]
