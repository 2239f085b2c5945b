"""Whether the appliance runs on a home (the lock `phonebank run` holds): a second run is
refused before it touches anything, and bank commands say when nothing will dial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_bank_cli import create, ok_json, run, seed

from controller import appliance_lock


def test_given_the_lock_when_taken_twice_then_refused_and_free_again_once_released(
    tmp_path: Path,
) -> None:
    assert not appliance_lock.running(tmp_path)
    with appliance_lock.hold(tmp_path):
        assert appliance_lock.running(tmp_path)
        with pytest.raises(appliance_lock.AlreadyRunning):
            appliance_lock.acquire(tmp_path)
    assert not appliance_lock.running(tmp_path)
    assert oct((tmp_path / appliance_lock.LOCK_NAME).stat().st_mode & 0o777) == "0o600"


def test_given_a_running_appliance_when_run_again_then_refused_before_the_demo_is_made(
    home: Path,
) -> None:
    with appliance_lock.hold(home):
        again = run(home, "run", "--json")
    assert again.exit_code == 1 and json.loads(again.stderr)["error"] == "already_running"
    assert not (home / "demo-logins.toml").exists()


def test_given_no_appliance_when_a_bank_starts_then_it_says_nothing_dials_yet(
    home: Path,
) -> None:
    seed(home)
    first, second = str(create(home)), str(create(home))
    for bank_id in (first, second):
        ok_json(home, "bank", "publish", bank_id)
    alone = run(home, "bank", "start", first)
    assert alone.exit_code == 0 and "nothing dials until `phonebank run`" in alone.output
    assert ok_json(home, "bank", "show", first)["state"] == "running"
    with appliance_lock.hold(home):  # as `phonebank run` holds it while it runs
        served = run(home, "bank", "start", second)
    assert served.exit_code == 0 and served.output.strip().endswith("queued.")
    assert ok_json(home, "bank", "show", second)["state"] == "running"
