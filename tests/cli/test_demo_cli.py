"""`phonebank demo`: the demo's logins are only printed, never made, by `demo logins`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main
from controller.store import users
from controller.store.db import open_database


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_given_no_demo_when_asking_for_its_logins_then_refused_and_no_account_is_made(
    home: Path,
) -> None:
    asked = run(home, "demo", "logins", "--json")
    assert asked.exit_code == 1 and json.loads(asked.stderr)["error"] == "no_demo"
    assert "demo setup" in run(home, "demo", "logins").stderr
    assert users.all_users(open_database(home / "phonebank.db")) == []
    assert not (home / "demo-logins.toml").exists()


def test_given_the_demo_set_up_when_asking_for_its_logins_then_the_stored_ones(
    home: Path,
) -> None:
    assert run(home, "demo", "setup").exit_code == 0
    shown = json.loads(run(home, "demo", "logins", "--json").output)
    stored = tomllib.loads((home / "demo-logins.toml").read_text())["logins"]
    assert shown["logins"] == stored and set(stored) == {"demo-admin", "demo-volunteer"}
    again = json.loads(run(home, "demo", "logins", "--json").output)
    assert again["logins"] == stored  # printing twice changes no password
