"""``phonebank engine replay`` through the CLI on a real database file: the decisions of a
bank's day run offline by the engine's runner (``replay_day``), replayed as stored, with
other settings and another strategy; every refusal says what is wrong and writes nothing."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import main
from controller.commands import progress
from controller.config import Settings
from controller.store import banks, engine_log
from controller.store.db import Database
from tests.unit.engine.test_runner_pacing import NOW
from tests.unit.pacing.replay_day import BUSY_DAY, run_day


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), "engine", "replay", *args])


def ok_json(home: Path, *args: str) -> Any:
    result = run(home, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def dump(home: Path) -> str:
    conn = sqlite3.connect(home / "phonebank.db")
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def iso(seconds_after_start: float) -> str:
    return datetime.fromtimestamp(NOW + seconds_after_start, UTC).isoformat()


@pytest.fixture
async def day(db: Database, settings: Settings) -> int:
    return await run_day(db, settings, seconds=300.0, events=BUSY_DAY)


def test_given_a_stored_day_when_replayed_unchanged_then_all_identical_and_the_time_printed(
    home: Path, db: Database, day: int
) -> None:
    with db.read() as conn:
        stored = engine_log.count_decisions(conn, day)
    data = ok_json(home, str(day))
    assert (data["replayed"], data["identical"], data["figures_differ"]) == (stored, stored, 0)
    assert data["differences"] == [] and data["unreadable"] == 0 and data["seconds"] >= 0
    text = run(home, str(day))
    assert text.exit_code == 0, text.output
    assert f"Replayed {stored} decisions of bank {day} in " in text.output
    assert f"Identical: {stored} " in text.output and "Dialed more: 0" in text.output


def test_given_less_boldness_when_replayed_then_fewer_numbers_and_the_first_differences_listed(
    home: Path, day: int
) -> None:
    data = ok_json(home, str(day), "--set", "marginal=0.5")
    assert data["replayed_dials"] < data["stored_dials"] and data["dialed_more"] == 0
    text = run(home, str(day), "--set", "marginal=0.5", "--limit", "3")
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert f"dialed fewer: {data['dialed_fewer']} decisions" in text.output
    assert "First 3 differences (stored -> replayed):" in lines
    listed = lines[lines.index("First 3 differences (stored -> replayed):") + 1 :]
    assert len(listed) == 3 and all(" -> dial " in line and "in flight" in line for line in listed)
    first = data["differences"][0]
    assert first["replayed"]["dial"] < first["stored"]["dial"]


def test_given_a_predictive_day_when_replayed_as_progressive_or_ratio_then_that_strategy_decides(
    home: Path, day: int
) -> None:
    progressive = ok_json(home, str(day), "--strategy", "progressive")
    assert progressive["strategies"] == {"progressive": progressive["replayed"]}
    assert progressive["replayed_dials"] < progressive["stored_dials"]
    ratio = ok_json(home, str(day), "--strategy", "ratio", "--ratio", "3")
    assert ratio["strategies"] == {"fixed_ratio": ratio["replayed"]}


async def test_given_a_power_day_when_replayed_with_a_predictive_tunable_then_it_says_unused(
    home: Path, db: Database, settings: Settings
) -> None:
    power = await run_day(db, settings, "power", seconds=300.0, events=BUSY_DAY)
    data = ok_json(home, str(power), "--set", "marginal=1")
    assert data["replayed"] > 0 and data["identical"] == data["replayed"]
    assert data["unused"] == {"marginal": {"progressive": data["replayed"]}}
    text = run(home, str(power), "--set", "marginal=1")
    assert text.exit_code == 0, text.output
    assert f"marginal: not used by progressive ({data['replayed']} decisions)" in text.output
    assert ok_json(home, str(power))["unused"] == {}


def test_given_a_time_window_when_replayed_then_only_its_decisions(
    home: Path, db: Database, day: int
) -> None:
    with db.read() as conn:
        inside = engine_log.count_decisions(conn, day, NOW + 60.0, NOW + 120.0)
    data = ok_json(home, str(day), "--since", iso(60.0), "--until", iso(120.0))
    assert data["replayed"] == inside > 0


def test_given_a_row_that_cannot_be_read_when_replayed_then_reported_counted_and_others_replayed(
    home: Path, db: Database, day: int
) -> None:
    with db.write() as conn:
        row_id = conn.execute("SELECT max(id) FROM pacing_decisions").fetchone()[0]
        conn.execute("UPDATE pacing_decisions SET figures = 'not json' WHERE id = ?", (row_id,))
        stored = engine_log.count_decisions(conn, day)
    text = run(home, str(day))
    assert text.exit_code == 0, text.output
    assert "Unreadable rows: 1." in text.output
    assert f"row {row_id}: figures is not valid JSON" in text.output
    assert f"Replayed {stored - 1} decisions" in text.output


PROGRESS = re.compile(r"replayed ([\d,]+) of ([\d,]+) decisions")


def progress_lines(stderr: str) -> list[tuple[int, int]]:
    """(done, total) of every stderr line; a line that is not progress fails the test."""
    found = [PROGRESS.fullmatch(line) for line in stderr.splitlines()]
    assert found and all(found), stderr
    return [(int(m[1].replace(",", "")), int(m[2].replace(",", ""))) for m in found if m]


def without_time(text: str) -> str:
    return re.sub(r" in [\d.]+ s ", " in T s ", text)


def test_given_progress_when_replaying_then_counts_on_stderr_and_stdout_as_without_it(
    home: Path, db: Database, day: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.read() as conn:
        stored = engine_log.count_decisions(conn, day)
    plain = run(home, str(day), "--limit", "3")
    assert plain.exit_code == 0 and plain.stderr == "", plain.output  # stderr: no terminal
    monkeypatch.setattr(progress, "EVERY", 0.0)  # a line after every decision
    shown = run(home, str(day), "--limit", "3", "--progress")
    assert shown.exit_code == 0, shown.output
    assert without_time(shown.stdout) == without_time(plain.stdout)
    lines = progress_lines(shown.stderr)
    assert lines == [(n, stored) for n in range(1, stored + 1)] + [(stored, stored)]
    assert run(home, str(day), "--no-progress").stderr == ""


def test_given_progress_and_a_time_window_when_replaying_then_it_ends_with_the_window_count(
    home: Path, db: Database, day: int
) -> None:
    with db.read() as conn:
        stored = engine_log.count_decisions(conn, day, NOW + 60.0, NOW + 120.0)
    shown = run(home, str(day), "--since", iso(60.0), "--until", iso(120.0), "--progress")
    assert shown.exit_code == 0, shown.output
    assert progress_lines(shown.stderr)[-1] == (stored, stored)
    assert f"Replayed {stored} decisions" in shown.stdout and not PROGRESS.search(shown.stdout)


def test_given_json_and_progress_when_replaying_then_stdout_is_the_same_json(
    home: Path, day: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = ok_json(home, str(day), "--set", "marginal=0.5")
    monkeypatch.setattr(progress, "EVERY", 0.0)
    shown = run(home, str(day), "--set", "marginal=0.5", "--json", "--progress")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert {**data, "seconds": 0} == {**plain, "seconds": 0}
    assert progress_lines(shown.stderr)[-1] == (plain["replayed"], plain["replayed"])


def test_given_a_fake_clock_when_progress_is_called_then_a_line_at_most_every_two_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [100.0]
    report = progress.Progress(51_000, "replayed", "decisions", clock=lambda: now[0])
    for done, at in enumerate([100.5, 101.9, 102.0, 103.0, 103.9, 104.1], 1):
        now[0] = at
        report(done * 1000)
    report.finish(51_000)
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines() == [
        "replayed 3,000 of 51,000 decisions",
        "replayed 6,000 of 51,000 decisions",
        "replayed 51,000 of 51,000 decisions",
    ]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["99"], "unknown_bank", "99"),
        (["{bank}", "--set", "boldness=1"], "unknown_setting", "boldness"),
        (["{bank}", "--set", "marginal=bold"], "bad_value", "not a number"),
        (["{bank}", "--set", "marginal=0"], "bad_tuning", "marginal"),
        (["{bank}", "--set", "abandon_cap_pct=4"], "abandon_cap_range", "at most 3.0%"),
        (["{bank}", "--strategy", "ratio"], "ratio_strategy", "--ratio"),
        (["{bank}", "--since", "yesterday"], "time_format", "ISO date-time"),
        (["{bank}", "--since", "2030-01-01T00:00+00:00"], "no_decisions", "in that time"),
        (["{empty}"], "no_decisions", "no stored pacing decisions"),
    ],
)
def test_given_a_bad_request_when_replaying_then_exit_1_says_what_and_nothing_written(
    home: Path, db: Database, day: int, args: list[str], code: str, words: str
) -> None:
    with db.write() as conn:  # a bank of the same list that never ran
        made = {"title": "T2", "description": "D", "list_id": 1, "script_id": 1}
        empty = banks.create(conn, made).id
    args = [a.format(bank=day, empty=empty) for a in args]
    before = dump(home)
    result = run(home, *args, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["error"] == code and words in error["message"], error
    text = run(home, *args)
    assert text.exit_code == 1 and text.stderr.startswith("Error: ") and words in text.stderr
    assert dump(home) == before
