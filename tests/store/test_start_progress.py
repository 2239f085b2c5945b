"""A start building its queue in steps says how far it has got, tells an interrupted start
apart from one still building, and refuses a second start without writing anything."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from controller.model.banks import BankError, State
from controller.store import banks, start_progress
from controller.store import queue_build_steps as steps
from controller.store.db import Database
from controller.store.start_progress import StartProgress

from test_queue_build_steps import queue_of  # isort: skip
from test_queue_store import NOW_DT, make_bank  # isort: skip


def progress(db: Database, bank_id: int) -> StartProgress | None:
    with db.read() as conn:
        return start_progress.read(conn, db.path, banks.get(conn, bank_id))


def queue_steps_total(db: Database, bank_id: int) -> Any:
    with db.read() as conn:
        return conn.execute(
            "SELECT queue_steps_total FROM banks WHERE id = ?", (bank_id,)
        ).fetchone()[0]


def test_given_a_start_held_after_two_steps_when_read_and_started_again_then_progress_and_a_refusal(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank_id = make_bank(db, contacts=30, start=False)
    held, go_on = threading.Event(), threading.Event()
    real_step = steps.build_step
    calls: list[int] = []
    told: list[int] = []

    def held_step(*args: Any) -> bool:
        calls.append(1)
        if len(calls) == 3:
            held.set()  # two steps stored (each up to the 4th number after the last)
            go_on.wait(30)
        return real_step(*args)

    monkeypatch.setattr(steps, "build_step", held_step)
    run = threading.Thread(target=steps.start_in_steps, args=(db, bank_id, NOW_DT, "t", 4),
                           kwargs={"on_steps": told.append})  # fmt: skip
    run.start()
    try:
        assert held.wait(30)
        assert progress(db, bank_id) == StartProgress(bank_id, 10, 30, building=True)
        assert told == [30]
        before = (queue_of(db, bank_id), queue_steps_total(db, bank_id))
        with pytest.raises(BankError) as second:
            steps.start_in_steps(db, bank_id, NOW_DT, "t", 4, wait=False)
        assert second.value.code == "already_starting"
        assert (queue_of(db, bank_id), queue_steps_total(db, bank_id)) == before
    finally:
        go_on.set()
        run.join(30)
    with db.read() as conn:
        assert banks.get(conn, bank_id).state is State.RUNNING
    assert progress(db, bank_id) is None and len(calls) == 7  # 6 steps of 5, one to end


def test_given_a_start_stopped_after_two_steps_when_read_then_interrupted_and_a_start_resumes(
    db: Database, crash_start_after: Callable[[int], Callable[[], None]]
) -> None:
    bank_id = make_bank(db, contacts=30, household_every=3, start=False)
    heal = crash_start_after(2)
    with pytest.raises(RuntimeError):
        steps.start_in_steps(db, bank_id, NOW_DT, "t", 4)
    found = progress(db, bank_id)
    assert found == StartProgress(bank_id, 10, 20, building=False)  # 30 contacts, 20 numbers
    assert found.message == "Start interrupted at 10 of 20 numbers: press Start to resume"
    assert found.to_dict()["state"] == "interrupted"
    heal()
    steps.start_in_steps(db, bank_id, NOW_DT, "t", 4, wait=False)
    assert progress(db, bank_id) is None
    assert len([r for r in queue_of(db, bank_id) if len(r) > 1]) == 20


def test_given_a_published_bank_never_started_when_read_then_no_progress(db: Database) -> None:
    bank_id = make_bank(db, contacts=5, start=False)
    assert progress(db, bank_id) is None
    assert StartProgress(bank_id, 0, None, True).message == "Starting: reading the list's numbers"
    assert StartProgress(bank_id, 240_000, 1_000_000, True).message == (
        "Starting: queue 240,000 of 1,000,000 numbers"
    )


def test_given_a_bank_calling_each_contact_when_its_start_stops_then_it_counts_calls_not_numbers(
    db: Database, crash_start_after: Callable[[int], Callable[[], None]]
) -> None:
    bank_id = make_bank(db, contacts=30, household_every=3, start=False, household="each_contact")
    crash_start_after(2)
    with pytest.raises(RuntimeError):
        steps.start_in_steps(db, bank_id, NOW_DT, "t", 4)
    found = progress(db, bank_id)
    assert found is not None and (found.total, found.unit) == (30, "calls")  # 20 numbers
    assert found.queued == len(queue_of(db, bank_id)) > 0
    assert found.message == (
        f"Start interrupted at {found.queued} of 30 calls: press Start to resume"
    )
    assert found.to_dict()["unit"] == "calls"


def test_given_a_start_that_finishes_between_the_reads_when_read_then_no_interrupted_start(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    crash_start_after: Callable[[int], Callable[[], None]],
) -> None:
    bank_id = make_bank(db, contacts=30, start=False)
    crash_start_after(2)
    with pytest.raises(RuntimeError):
        steps.start_in_steps(db, bank_id, NOW_DT, "t", 4)
    with db.read() as conn:
        bank = banks.get(conn, bank_id)  # published, its queue not yet built

    def finished_meanwhile(*args: Any) -> bool:
        with db.write() as conn:  # the build ends, and lets go of its lock, in between
            conn.execute("UPDATE banks SET queue_built_at = 'x' WHERE id = ?", (bank_id,))
        return False

    monkeypatch.setattr(start_progress, "is_building", finished_meanwhile)
    with db.read() as conn:
        assert start_progress.read(conn, db.path, bank) is None
