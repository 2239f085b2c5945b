"""The caller IDs a bank dials with are the bank's pool, kept to the numbers the trunk lets
the organization show (`[trunk] caller_ids`, checked again at dial time: the trunk's list
may have changed since the bank was saved); with none of them left, the trunk's own."""

from __future__ import annotations

from dataclasses import replace

from controller.config import Settings
from controller.engine.dialing import caller_id_pool
from controller.model.bank_settings import BankSettings

TRUNK = ("+15550100100", "+12125550100")


def _numbers(bank: tuple[str, ...], settings: Settings) -> tuple[str, ...]:
    on_trunk = replace(settings, trunk=replace(settings.trunk, caller_ids=TRUNK))
    pool = caller_id_pool(BankSettings(caller_ids=bank), on_trunk)
    assert pool is not None
    return tuple(pool.numbers)


def test_given_a_bank_pool_with_a_number_the_trunk_dropped_when_dialing_then_it_is_left_out(
    settings: Settings,
) -> None:
    assert _numbers(("+12125550100", "+13125550199"), settings) == ("+12125550100",)


def test_given_a_bank_pool_with_no_number_left_on_the_trunk_when_dialing_then_the_trunks_own(
    settings: Settings,
) -> None:
    assert _numbers(("+13125550199",), settings) == TRUNK
    assert _numbers((), settings) == TRUNK
