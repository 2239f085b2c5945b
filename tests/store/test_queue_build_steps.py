"""Starting a bank with its queue built in steps: the same queue as one transaction,
resumable, complete when the list changes meanwhile, and a refused start writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from controller.model import banks as bank_model
from controller.model.banks import BankError
from controller.store import banks, queue
from controller.store import queue_build_steps as steps
from controller.store.db import Database, connect

from test_queue_store import NOW_DT, make_bank  # isort: skip

Row = tuple[Any, ...]


def twin(db: Database, bank_id: int, **kw: object) -> int:
    """A second published bank over the same list (and script) as ``bank_id``."""
    with db.write() as conn:
        s = banks.get(conn, bank_id).settings
        base = {"title": "Twin", "description": "D", "list_id": s.list_id}
        other = banks.create(conn, {**base, "script_id": s.script_id, **kw}).id
        assert other is not None
        banks.update(conn, other, lambda b: bank_model.publish(b, "public"))
        return other


def queue_of(db: Database, bank_id: int) -> list[Row]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT q.e164, q.contact_id, q.phone_id, q.zone, q.lane, q.sort_key, q.state,"
            " group_concat(m.contact_id || ':' || m.phone_id, ' ') FROM queue_entries AS q"
            " JOIN queue_members AS m ON m.entry_id = q.id WHERE q.bank_id = ?"
            " GROUP BY q.id ORDER BY q.e164, q.contact_id",
            (bank_id,),
        ).fetchall()
        zones = conn.execute(
            "SELECT zone FROM queue_zones WHERE bank_id = ? ORDER BY 1", (bank_id,)
        ).fetchall()
    return [tuple(r) for r in rows] + [tuple(z) for z in zones]


def add_mixed_household(db: Database, bank_id: int) -> None:
    """A contact with no zone sharing a number with a contact of a known zone."""
    with db.write() as conn:
        list_id = banks.get(conn, bank_id).settings.list_id
        e164 = conn.execute(
            "SELECT p.e164 FROM phones AS p JOIN contacts AS c ON c.id = p.contact_id"
            " WHERE c.list_id = ? ORDER BY p.id LIMIT 1",
            (list_id,),
        ).fetchone()[0]
        contact = conn.execute(
            "INSERT INTO contacts (list_id, first_name, time_zone, dedupe_key)"
            " VALUES (?, 'Mixed', NULL, 'mixed')",
            (list_id,),
        ).lastrowid
        conn.execute(
            "INSERT INTO phones (contact_id, e164, type, accuracy) VALUES (?, ?, 'home', 50)",
            (contact, e164),
        )


def start_one_transaction(db: Database, bank_id: int) -> None:
    with db.write() as conn:
        banks.start(conn, bank_id, NOW_DT)


@pytest.mark.parametrize("household", ["one_call", "each_contact"])
def test_given_households_and_mixed_zones_when_started_in_steps_then_same_queue_as_one_transaction(
    db: Database, household: str
) -> None:
    one = make_bank(db, contacts=40, household_every=4, start=False, household=household)
    add_mixed_household(db, one)
    stepped = twin(db, one, household=household)
    start_one_transaction(db, one)
    started = steps.start_in_steps(db, stepped, NOW_DT, "test", step=3)
    assert started.state is bank_model.State.RUNNING
    assert queue_of(db, stepped) == queue_of(db, one)
    entries = [r for r in queue_of(db, one) if len(r) > 1]
    with db.read() as conn:
        mixed = conn.execute("SELECT id FROM contacts WHERE dedupe_key = 'mixed'").fetchone()[0]
    (shared,) = [r for r in entries if f"{mixed}:" in str(r[7])]
    assert len(str(shared[7]).split()) == (1 if household == "each_contact" else 2)
    assert len(entries) >= 30 and all(r[3] != "?" for r in entries)


def test_given_a_start_interrupted_after_some_steps_when_started_again_then_it_resumes_whole(
    db: Database,
) -> None:
    one = make_bank(db, contacts=30, household_every=3, start=False)
    stepped = twin(db, one)
    conn = connect(db.path)
    with db.read() as read:
        snap = steps._snapshot(conn, banks.get(read, stepped))
    assert steps.build_step(conn, stepped, snap, 4) and steps.build_step(conn, stepped, snap, 4)
    conn.close()  # the appliance stopped here
    with db.read() as read:
        assert banks.get(read, stepped).state is bank_model.State.PUBLISHED
        assert 0 < read.execute("SELECT count(*) FROM queue_entries").fetchone()[0] < 20
    assert queue.claim_next(db, stepped, NOW_DT.timestamp(), 5) == []
    steps.start_in_steps(db, stepped, NOW_DT, step=4)
    start_one_transaction(db, one)
    assert queue_of(db, stepped) == queue_of(db, one)


def test_given_an_interrupted_start_when_the_list_is_changed_then_the_queue_is_the_new_lists(
    db: Database,
) -> None:
    old = make_bank(db, contacts=20, start=False)
    new = make_bank(db, contacts=25, household_every=5, start=False)
    stepped = twin(db, old)
    conn = connect(db.path)
    with db.read() as read:
        snap = steps._snapshot(conn, banks.get(read, stepped))
    assert steps.build_step(conn, stepped, snap, 5)
    conn.close()
    with db.write() as write:
        new_list = banks.get(write, new).settings.list_id
        banks.edit(write, stepped, {"list_id": new_list})
    steps.start_in_steps(db, stepped, NOW_DT, step=5)
    start_one_transaction(db, new)
    assert queue_of(db, stepped) == queue_of(db, new)


def test_given_numbers_added_to_the_list_during_the_steps_when_started_then_they_are_queued(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_bank(db, contacts=30, household_every=3, start=False)
    stepped = twin(db, one)
    real_step: Callable[..., bool] = steps.build_step
    calls: list[int] = []

    def step_then_import(*args: Any) -> bool:
        calls.append(1)
        if len(calls) == 2:
            add_mixed_household(db, one)  # an import into the list while the steps run
        return real_step(*args)

    monkeypatch.setattr(steps, "build_step", step_then_import)
    steps.start_in_steps(db, stepped, NOW_DT, step=4)
    start_one_transaction(db, one)
    assert len(calls) == 2  # no step after the list changed: the final transaction rebuilt
    assert queue_of(db, stepped) == queue_of(db, one)
    with db.read() as conn:
        mixed = conn.execute("SELECT id FROM contacts WHERE dedupe_key = 'mixed'").fetchone()[0]
    assert any(f"{mixed}:" in str(r[7]) for r in queue_of(db, stepped) if len(r) > 1)


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        ("draft", "not_published"),
        ("window", "outside_window"),
        ("running", "already_running"),
    ],
)
def test_given_a_refused_start_when_started_in_steps_then_the_message_and_nothing_written(
    db: Database, prepare: str, code: str
) -> None:
    bank_id = make_bank(db, contacts=10, start=prepare == "running")
    with db.write() as conn:
        if prepare == "draft":
            list_id = banks.get(conn, bank_id).settings.list_id
            bank_id = int(
                banks.create(conn, {"title": "D", "description": "D", "list_id": list_id}).id or 0
            )
        if prepare == "window":
            opens = (NOW_DT + timedelta(days=1)).isoformat()
            banks.edit(conn, bank_id, {"window_start": opens})
    before = queue_of(db, bank_id)
    with db.read() as conn:
        state = banks.get(conn, bank_id).state
    with pytest.raises(BankError) as refused:
        steps.start_in_steps(db, bank_id, NOW_DT, step=2)
    assert refused.value.code == code
    assert queue_of(db, bank_id) == before
    with db.read() as conn:
        assert banks.get(conn, bank_id).state is state


def test_given_scheduled_banks_when_their_time_comes_then_each_starts_in_steps_once(
    db: Database,
) -> None:
    due = make_bank(db, contacts=12, household_every=3, start=False)
    later = twin(db, due)
    with db.write() as conn:
        banks.update(conn, due, lambda b: bank_model.schedule(b, NOW_DT))
        banks.update(conn, later, lambda b: bank_model.schedule(b, NOW_DT + timedelta(hours=1)))
    assert steps.start_due(db, NOW_DT) == [due]
    assert steps.start_due(db, NOW_DT) == []
    with db.read() as conn:
        assert banks.get(conn, due).state is bank_model.State.RUNNING
        assert banks.get(conn, later).state is bank_model.State.PUBLISHED
        assert banks.history(conn, due)[-1]["actor"] == "schedule"
    assert len([r for r in queue_of(db, due) if len(r) > 1]) == 8
    assert queue_of(db, later) == []


def test_given_two_starts_stepping_at_once_when_one_finishes_then_one_whole_queue_and_one_refusal(
    db: Database,
) -> None:
    one = make_bank(db, contacts=30, household_every=3, start=False)
    stepped = twin(db, one)
    conns = [connect(db.path), connect(db.path)]
    with db.read() as read:
        snaps = [steps._snapshot(c, banks.get(read, stepped)) for c in conns]
    going = [True, True]
    while any(going):  # the two take turns, each carrying on after the other's last number
        turns = zip(going, conns, snaps, strict=True)
        going = [g and steps.build_step(c, stepped, s, 3) for g, c, s in turns]
    for c in conns:
        c.close()
    steps.start_in_steps(db, stepped, NOW_DT, step=3)
    with pytest.raises(BankError) as second:
        steps.start_in_steps(db, stepped, NOW_DT, step=3)
    assert second.value.code == "already_running"
    start_one_transaction(db, one)
    assert queue_of(db, stepped) == queue_of(db, one)
