"""`phonebank bank list/show/status` say how far a bank's start has got, or where an
interrupted one stopped; `bank start` while a start is building is refused and writes nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_bank_cli import SCRIPT, create, ok_json, run, seed

from controller.store import banks
from controller.store import queue_build_steps as steps
from controller.store.db import open_database


def published(home: Path, contacts: int) -> int:
    seed(home, contacts)
    bank_id = create(home)
    assert run(home, "bank", "publish", str(bank_id)).exit_code == 0
    return bank_id


def start_in_steps_of(home: Path, bank_id: int) -> None:
    db = open_database(home / "phonebank.db")
    try:
        steps.start_in_steps(db, bank_id, datetime.now(UTC), "test", 4)
    finally:
        db.close()


def starts_shown(home: Path, bank_id: int) -> list[Any]:
    """The ``start`` of ``bank show``, ``bank status`` and ``bank list`` (--json)."""
    listed = [b for b in ok_json(home, "bank", "list") if b["id"] == bank_id]
    return [ok_json(home, "bank", "show", str(bank_id))["start"],
            ok_json(home, "bank", "status", str(bank_id))["start"], listed[0]["start"]]  # fmt: skip


def test_given_a_start_stopped_after_two_steps_when_shown_then_every_command_says_press_start_to_resume(  # noqa: E501
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash_start_after: Callable[[int], Callable[[], None]],
) -> None:
    bank_id = published(home, 30)
    heal = crash_start_after(2)
    with pytest.raises(RuntimeError):
        start_in_steps_of(home, bank_id)
    message = "Start interrupted at 10 of 30 numbers: press Start to resume"
    expected = {"state": "interrupted", "queued": 10, "total": 30, "unit": "numbers",
                "message": message}  # fmt: skip
    assert starts_shown(home, bank_id) == [expected] * 3
    assert message in run(home, "bank", "status", str(bank_id)).stdout
    assert f"{bank_id}\tpublished\tGOTV\t{message}" in run(home, "bank", "list").stdout
    heal()
    monkeypatch.setattr(steps, "STEP", 4)
    started = run(home, "bank", "start", str(bank_id))
    assert started.stderr == "Starting: building the queue of 30 numbers...\n"
    assert started.stdout.startswith(f"Bank {bank_id} is running; 30 numbers queued.")
    assert starts_shown(home, bank_id) == [None] * 3


def test_given_a_start_building_when_started_again_then_already_starting_and_nothing_written(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank_id = published(home, 30)
    midway, go_on = threading.Event(), threading.Event()
    real_step = steps.build_step
    calls: list[int] = []

    def held_step(*args: Any) -> bool:
        calls.append(1)
        if len(calls) == 3:
            midway.set()
            go_on.wait(30)
        return real_step(*args)

    monkeypatch.setattr(steps, "build_step", held_step)
    building = threading.Thread(target=start_in_steps_of, args=(home, bank_id))
    building.start()
    try:
        assert midway.wait(30)
        message = "Starting: queue 10 of 30 numbers"
        expected = {"state": "starting", "queued": 10, "total": 30, "unit": "numbers",
                    "message": message}  # fmt: skip
        assert starts_shown(home, bank_id) == [expected] * 3
        assert message in run(home, "bank", "show", str(bank_id)).stdout
        again = run(home, "bank", "start", str(bank_id), "--json")
        assert again.exit_code == 1
        assert json.loads(again.stderr)["error"] == "already_starting"
        assert starts_shown(home, bank_id) == [expected] * 3
        assert ok_json(home, "bank", "show", str(bank_id))["state"] == "published"
    finally:
        go_on.set()
        building.join(30)
    assert ok_json(home, "bank", "status", str(bank_id))["queue"]["ready"] == 30


def test_given_a_bank_calling_each_contact_of_shared_numbers_when_its_start_is_shown_then_it_counts_calls(  # noqa: E501
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash_start_after: Callable[[int], Callable[[], None]],
) -> None:
    db = open_database(home / "phonebank.db")
    with db.write() as conn:  # 30 contacts sharing 20 numbers: one call per contact, 30 calls
        banks.seed_synthetic_list(conn, "Voters", 30, household_every=3)
    db.close()
    (home / "s.yaml").write_text(SCRIPT)
    assert run(home, "script", "import", str(home / "s.yaml")).exit_code == 0
    bank_id = create(home, "--set", "household=each_contact")
    assert run(home, "bank", "publish", str(bank_id)).exit_code == 0
    heal = crash_start_after(2)
    with pytest.raises(RuntimeError):
        start_in_steps_of(home, bank_id)
    shown = starts_shown(home, bank_id)
    queued = shown[0]["queued"]
    message = f"Start interrupted at {queued} of 30 calls: press Start to resume"
    expected = {"state": "interrupted", "queued": queued, "total": 30, "unit": "calls",
                "message": message}  # fmt: skip
    assert shown == [expected] * 3 and 10 < queued < 30  # 10 numbers, some shared
    assert message in run(home, "bank", "status", str(bank_id)).stdout
    heal()
    monkeypatch.setattr(steps, "STEP", 4)
    started = run(home, "bank", "start", str(bank_id))
    assert started.stderr == "Starting: building the queue of 30 calls...\n"
    assert started.stdout.startswith(f"Bank {bank_id} is running; 30 calls queued.")
