"""`phonebank demo setup` with the simulated carrier off: refused, nothing made."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from controller.store import banks as bank_store
from controller.store.db import open_database


def test_given_the_carrier_off_when_setting_up_the_demo_then_refused_and_no_bank_is_made(
    home: Path,
) -> None:
    (home / "phonebank.toml").write_text("[carrier]\nenabled = false\n")
    asked = CliRunner().invoke(main, ["--home", str(home), "demo", "setup", "--json"])
    assert asked.exit_code == 1
    refusal = json.loads(asked.stderr)
    assert refusal["error"] == "carrier_off" and "simulated phone network" in refusal["message"]
    with open_database(home / "phonebank.db").read() as conn:
        assert bank_store.list_all(conn) == []
    assert not (home / "demo-logins.toml").exists()
