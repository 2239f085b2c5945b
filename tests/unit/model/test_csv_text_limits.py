"""Contact import: an over-long name, address or custom value rejects its row with a reason."""

from __future__ import annotations

import pytest

from controller.model.csv_import import EXTRA_MAX, TEXT_MAX, ImportPlan, RowError

HEADER = ["FirstName", "City", "Notes", "CellPhone"]


def test_given_a_name_over_the_limit_when_parsed_then_the_row_is_rejected_with_the_reason() -> None:
    plan = ImportPlan.from_header(HEADER)
    with pytest.raises(RowError) as raised:
        plan.parse(["X" * 5000, "Boston", "", "617-555-0110"], 7)
    assert (raised.value.line, raised.value.code) == (7, "too_long")
    assert raised.value.reason == "FirstName: 5,000 characters long (at most 500)"


def test_given_text_at_the_limits_when_parsed_then_kept_and_one_more_is_rejected() -> None:
    plan = ImportPlan.from_header(HEADER)
    record = plan.parse(["X" * TEXT_MAX, "Y" * TEXT_MAX, "N" * EXTRA_MAX, "617-555-0110"], 2)
    assert len(record.first_name) == TEXT_MAX and len(record.extra["Notes"]) == EXTRA_MAX
    with pytest.raises(RowError, match="Notes: 2,001 characters long"):
        plan.parse(["Ann", "Boston", "N" * (EXTRA_MAX + 1), "617-555-0110"], 3)
    with pytest.raises(RowError, match="City: 501 characters long"):
        plan.parse(["Ann", "Y" * (TEXT_MAX + 1), "", "617-555-0110"], 4)
