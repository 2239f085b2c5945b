"""`phonebank demo setup` with the simulated carrier off: refused, nothing made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from controller.store import banks as bank_store
from controller.store.db import open_database


@pytest.mark.parametrize(
    "real_trunk",
    ["[carrier]\nenabled = false\n", '[trunk]\nhost = "sip.provider.example"\n'],
    ids=["carrier_off", "trunk_elsewhere"],
)
def test_given_the_carrier_off_when_setting_up_the_demo_then_refused_and_no_bank_is_made(
    home: Path, real_trunk: str
) -> None:
    (home / "phonebank.toml").write_text(real_trunk)
    asked = CliRunner().invoke(main, ["--home", str(home), "demo", "setup", "--json"])
    assert asked.exit_code == 1
    refusal = json.loads(asked.stderr)
    assert refusal["error"] == "carrier_off" and "simulated phone network" in refusal["message"]
    with open_database(home / "phonebank.db").read() as conn:
        assert bank_store.list_all(conn) == []
    assert not (home / "demo-logins.toml").exists()
