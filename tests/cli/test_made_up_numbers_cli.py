"""With the simulated carrier off (a real trunk), `bank start` and `bank resume` refuse a
bank of made-up contacts (the demo's) and change nothing; a bank of imported contacts
starts as usual."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_bank_cli import SCRIPT, create, ok_json, run, seed

from controller.store.db import open_database

REFUSED = "made_up_numbers"


# Two ways to be on a real trunk: the simulated carrier off, or the trunk pointed elsewhere
# (the carrier still on beside it).
REAL_TRUNKS = ["[carrier]\nenabled = false\n", '[trunk]\nhost = "sip.provider.example"\n']


@pytest.fixture(params=REAL_TRUNKS, ids=["carrier_off", "trunk_elsewhere"])
def real_trunk(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def carrier_off(home: Path, settings: str = REAL_TRUNKS[0]) -> None:
    (home / "phonebank.toml").write_text(settings)


def test_given_the_carrier_off_when_starting_a_bank_of_made_up_contacts_then_refused_and_nothing_changes(  # noqa: E501
    home: Path, real_trunk: str
) -> None:
    seed(home)
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    carrier_off(home, real_trunk)
    asked = run(home, "bank", "start", str(bank_id), "--json")
    assert asked.exit_code == 1
    refusal = json.loads(asked.stderr)
    assert refusal["error"] == REFUSED and "simulated phone network" in refusal["message"]
    assert ok_json(home, "bank", "show", str(bank_id))["state"] == "published"
    with open_database(home / "phonebank.db").read() as conn:
        assert conn.execute("SELECT count(*) FROM queue_entries").fetchone()[0] == 0


def test_given_the_carrier_off_when_resuming_a_paused_demo_bank_then_refused_and_it_stays_paused(
    home: Path, real_trunk: str
) -> None:
    seed(home)
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    ok_json(home, "bank", "start", str(bank_id))
    ok_json(home, "bank", "pause", str(bank_id))
    carrier_off(home, real_trunk)
    asked = run(home, "bank", "resume", str(bank_id))
    assert asked.exit_code == 1 and "made up" in asked.stderr
    assert ok_json(home, "bank", "show", str(bank_id))["state"] == "paused"


def test_given_the_carrier_off_when_starting_a_bank_of_imported_contacts_then_it_runs(
    home: Path,
) -> None:
    (home / "voters.csv").write_text("first_name,last_name,phone\nAna,Ruiz,+12025550143\n")
    (home / "s.yaml").write_text(SCRIPT)
    assert (
        run(home, "contacts", "import", str(home / "voters.csv"), "--list", "Voters").exit_code == 0
    )
    assert run(home, "script", "import", str(home / "s.yaml")).exit_code == 0
    bank_id = create(home)
    ok_json(home, "bank", "publish", str(bank_id))
    carrier_off(home)
    assert ok_json(home, "bank", "start", str(bank_id))["state"] == "running"
