"""`phonebank bank delete`: a bank made by mistake (a draft, or published and not started)
can be deleted, which frees its contact list; a bank that has started keeps its record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from test_bank_cli import create, ok_json, run, seed

from controller.store import queue_build_steps as steps
from controller.store.db import open_database


def test_given_a_draft_made_by_mistake_when_deleted_then_gone_and_its_list_can_go(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    blocked = run(home, "contacts", "delete-list", "Voters", "--yes", "--json")
    assert blocked.exit_code == 1  # the draft holds the list
    unconfirmed = run(home, "bank", "delete", bank_id, "--json")
    assert json.loads(unconfirmed.stderr)["error"] == "confirm_required"
    assert ok_json(home, "bank", "show", bank_id)["state"] == "draft"
    gone = run(home, "bank", "delete", bank_id, "--yes")
    assert gone.exit_code == 0 and gone.output.strip() == f"Bank {bank_id} (GOTV) deleted."
    assert ok_json(home, "bank", "list") == []
    missing = run(home, "bank", "show", bank_id, "--json")
    assert json.loads(missing.stderr)["error"] == "unknown_bank"
    assert run(home, "contacts", "delete-list", "Voters", "--yes").exit_code == 0
    assert ok_json(home, "script", "list")  # the script stays


def test_given_a_published_bank_when_deleted_then_gone(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    ok_json(home, "bank", "publish", bank_id)
    assert ok_json(home, "bank", "delete", bank_id, "--yes") == {
        "id": int(bank_id),
        "deleted": True,
    }


def refused_and_kept(home: Path, bank_id: str) -> None:
    refused = run(home, "bank", "delete", bank_id, "--yes", "--json")
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "bank_started"
    assert ok_json(home, "bank", "show", bank_id)["id"] == int(bank_id)


def test_given_a_started_or_stopped_bank_when_deleted_then_refused_and_kept(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    ok_json(home, "bank", "publish", bank_id)
    ok_json(home, "bank", "start", bank_id)
    refused_and_kept(home, bank_id)  # running
    ok_json(home, "bank", "stop", bank_id, "--yes")
    refused_and_kept(home, bank_id)  # stopped: its record is kept for good


def test_given_a_start_building_its_queue_when_the_bank_is_deleted_then_refused_and_it_starts(
    home: Path,
) -> None:
    seed(home, contacts=50)
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    db = open_database(home / "phonebank.db")
    tried: list[Any] = []

    def told(total: int) -> None:  # the start has read the list and holds the bank's lock
        tried.append(run(home, "bank", "delete", str(bank_id), "--yes", "--json"))

    started = steps.start_in_steps(
        db, bank_id, datetime.now(UTC), "test", step=5, wait=False, on_steps=told
    )
    assert started.state.value == "running"
    [refused] = tried
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "already_starting"
    with db.read() as conn:
        stored = conn.execute("SELECT count(*) FROM queue_entries WHERE bank_id = ?", (bank_id,))
        assert stored.fetchone()[0] == 50  # the whole queue was built
    db.close()
