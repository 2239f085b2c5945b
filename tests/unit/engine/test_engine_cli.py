"""``phonebank engine status`` and ``stop-now`` on a real database file (no PBX)."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from controller import appliance_lock
from controller.model import banks as bank_model
from controller.store import banks, engine_log
from controller.store.db import open_database

_spec = importlib.util.spec_from_file_location(
    "phonebank_cli", Path(__file__).resolve().parents[3] / "cli.py"
)
assert _spec is not None and _spec.loader is not None
_cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cli)
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(_cli.main, ["--home", str(home), *args])


def running_bank(home: Path) -> int:
    db = open_database(home / "phonebank.db")
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "l", 5)
        conn.execute("INSERT INTO scripts (name, body) VALUES ('s', ?)", (SCRIPT,))
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": 1}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        banks.start(conn, bank_id, datetime(2026, 5, 1, 18, 30, tzinfo=UTC))
    db.close()
    return bank_id


def test_given_a_running_bank_when_status_then_engine_figures_as_json(home: Path) -> None:
    bank_id = running_bank(home)
    result = run(home, "engine", "status", str(bank_id), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["state"] == "running" and data["remaining"] == 5 and data["attempts"] == 0
    assert data["hangtime_p95"] is None
    text = run(home, "engine", "status", str(bank_id)).output.splitlines()
    assert "hangtime_p95: -" in text and "remaining: 5" in text  # nothing measured yet


def test_given_an_unknown_bank_when_status_then_clear_error_code(home: Path) -> None:
    result = run(home, "engine", "status", "99", "--json")
    assert result.exit_code == 1 and "unknown_bank" in result.output


def test_given_stop_now_without_yes_then_refused_and_nothing_changes(home: Path) -> None:
    bank_id = running_bank(home)
    result = run(home, "engine", "stop-now", str(bank_id), "--json")
    assert result.exit_code == 1 and "confirm_required" in result.output
    db = open_database(home / "phonebank.db")
    with db.read() as conn:
        assert banks.get(conn, bank_id).state.value == "running"
        assert engine_log.stop_now_requests(conn) == []
    db.close()


def test_given_a_running_bank_when_stop_now_then_stopped_and_the_engine_is_asked(
    home: Path,
) -> None:
    bank_id = running_bank(home)
    result = run(home, "engine", "stop-now", str(bank_id), "--yes", "--json")
    assert result.exit_code == 0, result.output
    db = open_database(home / "phonebank.db")
    with db.read() as conn:
        assert banks.get(conn, bank_id).state.value == "stopped"
        assert engine_log.stop_now_requests(conn) == [bank_id]
    db.close()
    again = run(home, "engine", "stop-now", str(bank_id), "--yes")
    assert again.exit_code == 0 and "not running, so it has no live calls" in again.output
    with appliance_lock.hold(home):  # as `phonebank run` does while it runs
        running = run(home, "engine", "stop-now", str(bank_id), "--yes")
    assert running.exit_code == 0 and "its live calls are being ended" in running.output


def test_given_stored_decisions_when_listing_then_latest_with_reason_and_inputs(
    home: Path,
) -> None:
    bank_id = running_bank(home)
    db = open_database(home / "phonebank.db")
    inputs = {"volunteers": [{"id": "1", "state": "waiting", "since": 0.0}], "calls": []}
    with db.write() as conn:
        for n in range(3):
            decision = {"strategy": "progressive", "dial": n, "reason": f"r{n}", "inputs": inputs}
            engine_log.record_decision(conn, bank_id, 1777660000.0 + n, decision, n)
    db.close()
    text = run(home, "engine", "decisions", str(bank_id), "--limit", "2")
    assert text.exit_code == 0, text.output
    lines = text.output.strip().splitlines()
    assert len(lines) == 2 and "dial 2 (dialed 2)" in lines[-1] and "r2" in lines[-1]
    assert "1 waiting" in lines[-1]
    data = json.loads(run(home, "engine", "decisions", str(bank_id), "--json").output)
    assert [d["reason"] for d in data] == ["r0", "r1", "r2"]
    assert data[0]["inputs"] == inputs


def test_given_hangtimes_and_a_drop_when_status_then_both_percentiles_and_the_30_day_rate(
    home: Path,
) -> None:
    bank_id = running_bank(home)
    db = open_database(home / "phonebank.db")
    now = datetime.now(UTC)
    with db.write() as conn:
        for n, result in enumerate(["bridged"] * 9 + ["dropped"]):
            cur = conn.execute(
                "INSERT INTO call_attempts (bank_id, e164, call_id, started_at, result)"
                " VALUES (?, '+16175550100', ?, ?, ?)",
                (bank_id, f"pb{bank_id}c-{n}", now.strftime("%Y-%m-%dT%H:%M:%SZ"), result),
            )
            if result == "bridged":
                engine_log.record_hangtime(
                    conn, int(cur.lastrowid or 0), bank_id, 7, 2.0 + n, 0.01 * (n + 1), 1e9 + n
                )
    db.close()

    data = json.loads(run(home, "engine", "status", str(bank_id), "--json").output)

    assert (data["hangtime_p50"], data["hangtime_p95"]) == (6.0, 10.0)
    assert (data["verdict_hangtime_p50"], data["verdict_hangtime_p95"]) == (0.05, 0.09)
    assert data["abandon_rate"] == 0.1 and data["abandon_budget"] == round(0.03 * 10 - 1, 2)
