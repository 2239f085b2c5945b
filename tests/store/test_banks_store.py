from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_queue_store import NOW_DT, make_bank

from controller.model import banks as model
from controller.model.banks import BankError, State
from controller.store import banks
from controller.store.db import Database


def new_list(db: Database) -> int:
    with db.write() as conn:
        return banks.seed_synthetic_list(conn, "people", 3)


def test_given_valid_settings_when_created_then_stored_as_draft_with_history(
    db: Database,
) -> None:
    list_id = new_list(db)
    with db.write() as conn:
        bank = banks.create(conn, {"title": "A", "description": "B", "list_id": list_id})
        assert bank.id is not None
        got = banks.get(conn, bank.id)
        assert got.state is State.DRAFT and got.settings.title == "A"
        assert [h["to_state"] for h in banks.history(conn, bank.id)] == ["draft"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "A", "description": "B", "list_id": 42}, "unknown_list"),
        ({"title": "", "description": "B"}, "title_required"),
        ({"title": "A", "description": "B", "list_id": 1, "script_id": 9}, "unknown_script"),
    ],
)
def test_given_bad_input_when_created_then_clear_error_and_nothing_written(
    db: Database, changes: dict, code: str
) -> None:
    new_list(db)
    with pytest.raises(BankError) as err, db.write() as conn:
        banks.create(conn, changes)
    assert err.value.code == code
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM banks").fetchone()[0] == 0


def test_given_running_bank_when_paused_resumed_stopped_then_history_and_final(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=2)
    with db.write() as conn:
        banks.update(conn, bank_id, model.pause, actor="admin")
        banks.update(conn, bank_id, model.resume, actor="admin")
        banks.update(conn, bank_id, model.stop, actor="admin")
        states = [h["to_state"] for h in banks.history(conn, bank_id)]
    assert states == ["draft", "published", "running", "paused", "running", "stopped"]
    with pytest.raises(BankError) as err, db.write() as conn:
        banks.start(conn, bank_id, NOW_DT)
    assert err.value.code == "bank_stopped"


def test_given_window_ahead_when_started_then_outside_window_and_no_queue(db: Database) -> None:
    later = (NOW_DT + timedelta(days=2)).isoformat()
    bank_id = make_bank(db, contacts=2, start=False, window_start=later)
    with pytest.raises(BankError) as err, db.write() as conn:
        banks.start(conn, bank_id, NOW_DT)
    assert err.value.code == "outside_window"
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM queue_entries").fetchone()[0] == 0
        assert banks.get(conn, bank_id).state is State.PUBLISHED


def test_given_private_bank_when_volunteers_list_then_only_members_see_it(db: Database) -> None:
    bank_id = make_bank(db, contacts=1, start=False)
    with db.write() as conn:
        conn.execute("INSERT INTO users (id, username) VALUES (1, 'ann'), (2, 'bob')")
        conn.execute("INSERT INTO user_lists (id, name) VALUES (5, 'team')")
        conn.execute("INSERT INTO user_list_members VALUES (5, 1)")
        private = make_bank(db, contacts=1, start=False)
        conn.execute("UPDATE banks SET visibility = NULL, state = 'draft' WHERE id = ?", (private,))
        banks.update(conn, private, lambda b: model.publish(b, "private", (5,)))
        assert [b.id for b in banks.visible_banks(conn, 1)] == [bank_id, private]
        assert [b.id for b in banks.visible_banks(conn, 2)] == [bank_id]
        with pytest.raises(BankError) as err:
            banks.update(conn, private, lambda b: model.publish(b, "private", (99,)))
        assert err.value.code == "unknown_user_list"


def test_given_settings_when_stored_and_loaded_then_identical(db: Database) -> None:
    list_id = new_list(db)
    start = datetime(2026, 6, 1, 12, tzinfo=UTC).isoformat()
    changes = {"title": "A", "description": "B", "list_id": list_id, "window_start": start,
               "caller_ids": "+15550100100,+15550100101", "preferred_area_codes": ["212"],
               "dialing_mode": "power", "report_tags": ["vol"], "abandon_cap_pct": 2.5}  # fmt: skip
    with db.write() as conn:
        bank = banks.create(conn, changes)
        assert bank.id is not None
        loaded = banks.get(conn, bank.id)
    assert loaded.settings == bank.settings
    assert loaded.settings.caller_ids == ("+15550100100", "+15550100101")
    assert banks.to_dict(loaded)["settings"]["dialing_mode"] == "power"


def test_given_synthetic_list_when_seeded_then_households_share_numbers(db: Database) -> None:
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "h", 9, household_every=3)
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT p.e164) FROM phones AS p JOIN contacts AS c"
            " ON c.id = p.contact_id WHERE c.list_id = ?",
            (list_id,),
        ).fetchone()
    assert tuple(rows) == (9, 6)


def test_given_scheduled_bank_when_time_comes_then_started_with_queue(db: Database) -> None:
    bank_id = make_bank(db, contacts=2, start=False)
    with db.write() as conn:
        banks.update(conn, bank_id, lambda b: model.schedule(b, NOW_DT + timedelta(hours=1)))
        assert banks.start_scheduled(conn, NOW_DT) == []
        assert banks.start_scheduled(conn, NOW_DT + timedelta(hours=1)) == [bank_id]
        assert banks.get(conn, bank_id).state is State.RUNNING
        assert conn.execute("SELECT count(*) FROM queue_entries").fetchone()[0] == 2
        assert banks.history(conn, bank_id)[-1]["actor"] == "schedule"


def test_given_volunteer_when_reading_script_then_only_for_visible_banks(db: Database) -> None:
    bank_id = make_bank(db, contacts=1, start=False)
    with db.write() as conn:
        conn.execute("INSERT INTO users (id, username) VALUES (1, 'ann')")
        assert banks.script_for_volunteer(conn, bank_id, 1)["blocks"][0]["id"] == "a"
        banks.start(conn, bank_id, NOW_DT)
        banks.update(conn, bank_id, model.pause)  # a paused bank is still seen
        assert banks.script_for_volunteer(conn, bank_id, 1)["blocks"][0]["id"] == "a"
        banks.update(conn, bank_id, model.stop)
        with pytest.raises(BankError) as err:
            banks.script_for_volunteer(conn, bank_id, 1)
        assert err.value.code == "not_visible"
