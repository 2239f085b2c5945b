"""A bank's caller IDs must be numbers the trunk lets the organization show
(`[trunk] caller_ids`): another number is refused with a clear message on `bank create` and
`bank edit` (the web's bank form goes through the same check), and nothing changes; numbers
among the trunk's are kept."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import create, ok_json, run, seed

TRUNK = '[trunk]\ncaller_ids = ["+15550100100", "+12125550100"]\n'


def test_given_a_caller_id_not_on_the_trunk_when_creating_a_bank_then_refused_and_none_made(
    home: Path,
) -> None:
    (home / "phonebank.toml").write_text(TRUNK)
    seed(home)
    asked = run(home, "bank", "create", "--title", "GOTV", "--description", "Call voters",
                "--list", "Voters", "--caller-id", "+13125550199", "--json")  # fmt: skip
    assert asked.exit_code == 1
    refusal = json.loads(asked.stderr)
    assert refusal["error"] == "caller_id_not_on_trunk"
    assert "+13125550199" in refusal["message"] and "[trunk] caller_ids" in refusal["message"]
    assert ok_json(home, "bank", "list") == []


def test_given_a_bank_when_its_caller_ids_are_edited_then_only_the_trunks_numbers_are_taken(
    home: Path,
) -> None:
    (home / "phonebank.toml").write_text(TRUNK)
    seed(home)
    bank_id = create(home, "--caller-id", "+12125550100")
    refused = run(home, "bank", "edit", str(bank_id), "--set",
                  "caller_ids=+12125550100,+13125550199", "--json")  # fmt: skip
    assert refused.exit_code == 1
    assert json.loads(refused.stderr)["error"] == "caller_id_not_on_trunk"
    shown = ok_json(home, "bank", "show", str(bank_id))["settings"]["caller_ids"]
    assert shown == ["+12125550100"]
    ok_json(home, "bank", "edit", str(bank_id), "--set", "caller_ids=+15550100100,+12125550100")
    shown = ok_json(home, "bank", "show", str(bank_id))["settings"]["caller_ids"]
    assert shown == ["+15550100100", "+12125550100"]
