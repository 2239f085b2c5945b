"""`phonebank bank start --at` says when the bank will start and refuses a past time; `bank
show/status/list` say a scheduled start; an edit that leaves the scheduled start outside the
campaign window is refused; `bank unschedule` cancels a scheduled start."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import create, ok_json, run, seed

AT = "2999-12-03T09:00:00-05:00"
SHOWN = "2999-12-03 09:00 (UTC-05:00)"


def published(home: Path, *extra: str) -> str:
    seed(home)
    bank_id = str(create(home, *extra))
    assert run(home, "bank", "publish", bank_id).exit_code == 0
    return bank_id


def scheduled_start(home: Path, bank_id: str) -> str | None:
    start: str | None = ok_json(home, "bank", "show", bank_id)["scheduled_start"]
    return start


def test_given_a_future_time_when_start_at_then_it_says_when_the_bank_will_start(
    home: Path,
) -> None:
    bank_id = published(home)
    result = run(home, "bank", "start", bank_id, "--at", AT)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Bank {bank_id} will start at {SHOWN}."
    assert scheduled_start(home, bank_id) == AT
    utc = run(home, "bank", "start", bank_id, "--at", "2999-12-03T14:00:00+00:00").stdout
    assert utc.strip() == f"Bank {bank_id} will start at 2999-12-03 14:00 (UTC)."


def test_given_a_past_time_when_start_at_then_refused_and_nothing_scheduled(home: Path) -> None:
    bank_id = published(home)
    result = run(home, "bank", "start", bank_id, "--at", "2020-01-01T09:00:00-05:00", "--json")
    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "start_in_past"
    text = run(home, "bank", "start", bank_id, "--at", "2020-01-01T09:00:00-05:00")
    assert text.exit_code == 1 and "2020-01-01 09:00 (UTC-05:00)" in text.stderr
    assert "past" in text.stderr
    assert scheduled_start(home, bank_id) is None
    assert ok_json(home, "bank", "show", bank_id)["state"] == "published"


def test_given_a_scheduled_bank_when_shown_listed_or_status_then_the_text_says_when(
    home: Path,
) -> None:
    bank_id = published(home)
    line = f"scheduled to start at {SHOWN}"
    assert line not in run(home, "bank", "show", bank_id).stdout
    assert run(home, "bank", "start", bank_id, "--at", AT).exit_code == 0
    assert line in run(home, "bank", "show", bank_id).stdout
    assert line in run(home, "bank", "status", bank_id).stdout
    listed = run(home, "bank", "list").stdout.splitlines()
    assert listed == [f"{bank_id}\tpublished\tGOTV\t{line}"]


def test_given_a_scheduled_bank_when_the_window_is_edited_past_it_then_refused_unchanged(
    home: Path,
) -> None:
    bank_id = published(home)
    assert run(home, "bank", "start", bank_id, "--at", AT).exit_code == 0
    for option, when in (("--window-start", "2999-12-04T00:00:00+00:00"),
                         ("--window-end", "2999-12-01T00:00:00+00:00")):  # fmt: skip
        result = run(home, "bank", "edit", bank_id, option, when, "--json")
        assert result.exit_code == 1, result.output
        error = json.loads(result.stderr)
        assert error["error"] == "schedule_outside_window"
        assert "unschedule" in error["message"]
        shown = ok_json(home, "bank", "show", bank_id)
        assert (shown["scheduled_start"], shown["settings"]["window_start"]) == (AT, None)
    inside = ok_json(home, "bank", "edit", bank_id, "--window-start", "2999-12-01T00:00:00Z")
    assert inside["scheduled_start"] == AT


def test_given_a_scheduled_bank_when_unscheduled_then_it_stays_published_without_a_start(
    home: Path,
) -> None:
    bank_id = published(home)
    assert run(home, "bank", "start", bank_id, "--at", AT).exit_code == 0
    result = run(home, "bank", "unschedule", bank_id)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Bank {bank_id} will no longer start by itself (it was to start at {SHOWN})."
    )
    shown = ok_json(home, "bank", "show", bank_id)
    assert (shown["state"], shown["scheduled_start"]) == ("published", None)
    again = run(home, "bank", "unschedule", bank_id, "--json")
    assert again.exit_code == 1 and json.loads(again.stderr)["error"] == "not_scheduled"
    edited = ok_json(home, "bank", "edit", bank_id, "--window-start", "2999-12-04T00:00:00Z")
    assert edited["settings"]["window_start"] == "2999-12-04T00:00:00+00:00"
