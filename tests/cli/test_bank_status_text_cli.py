"""`phonebank bank status` as text: the engagement line banks.md promises, a stopped bank's
queue said as numbers left undialed, and bank ids that a delete does not free for reuse."""

from __future__ import annotations

from pathlib import Path

from test_bank_cli import create, ok_json, run, seed

from controller.store import results
from controller.store.db import open_database


def engage(home: Path, bank_id: int, events: list[tuple[str, int]]) -> None:
    db = open_database(home / "phonebank.db")
    with db.write() as conn:
        for user in {u for _, u in events}:
            conn.execute(
                "INSERT INTO users (id, username, role, pin) VALUES (?, ?, 'volunteer', ?)",
                (user, f"vol{user}", f"90000{user}"),
            )
        for event, user in events:
            results.record_event(conn, bank_id, event, user, 1_700_000_000.0)
    db.close()


def line_of(text: str, start: str) -> str:
    found = [line.strip() for line in text.splitlines() if line.strip().startswith(start)]
    assert len(found) == 1, text
    return found[0]


def test_given_volunteers_engaged_when_status_is_printed_then_an_engagement_line_counts_them(
    home: Path,
) -> None:
    seed(home)
    bank_id = create(home)
    engage(home, bank_id, [("sent", 1), ("sent", 2), ("seen", 1), ("seen", 1)])
    shown = run(home, "bank", "status", str(bank_id))
    assert shown.exit_code == 0, shown.output
    assert line_of(shown.stdout, "engagement:") == (
        "engagement: sent 2 (2 volunteers), seen 2 (1 volunteer), started 0, completed 0,"
        " performed 0, reported 0"
    )
    figures = ok_json(home, "bank", "status", str(bank_id))["engagement"]
    assert figures["seen"] == {"events": 2, "volunteers": 1}


def test_given_a_stopped_bank_with_numbers_left_when_status_is_printed_then_not_called_ready(
    home: Path,
) -> None:
    seed(home, contacts=3)
    bank_id = str(create(home, "--window-start", "2000-01-01T00:00:00+00:00"))
    ok_json(home, "bank", "publish", bank_id)
    ok_json(home, "bank", "start", bank_id)
    running = run(home, "bank", "status", bank_id).stdout
    assert line_of(running, "queue:").startswith("queue: 3 ready")
    ok_json(home, "bank", "stop", bank_id, "--yes")
    stopped = run(home, "bank", "status", bank_id).stdout
    assert line_of(stopped, "queue:") == "queue: 3 left undialed (the bank is stopped), 0 done"
    assert "ready" not in stopped


def test_given_the_newest_bank_deleted_when_another_is_created_then_it_gets_a_new_id(
    home: Path,
) -> None:
    seed(home)
    first, second = create(home), create(home)
    assert run(home, "bank", "delete", str(second), "--yes").exit_code == 0
    third = create(home)
    assert third == second + 1
    assert run(home, "bank", "delete", str(third), "--yes").exit_code == 0
    assert run(home, "bank", "delete", str(first), "--yes").exit_code == 0
    assert create(home) == third + 1
    assert [b["id"] for b in ok_json(home, "bank", "list")] == [third + 1]
