"""A ``phonebank.toml`` with a typo, a broken line or a value of the wrong kind: every
command stops with one line naming the setting (no traceback, nothing done), and ``doctor``
shows it as its red settings line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_bank_cli import run


@pytest.mark.parametrize(
    ("toml", "named"),
    [("[web]\nprot = 8081\n", "unknown setting web.prot (WebSettings has: host, port"),
     ("[web\n", "is not valid TOML"),
     ("web = 5\n", "[web] must be a section of settings"),
     ('[web]\nport = "abc"\n', "web.port must be a whole number, got 'abc'"),
     ("[carrier]\nenabled = 1\n", "carrier.enabled must be true or false"),
     ('[trunk]\ndids = "+15550100100"\n', "trunk.dids must be a list of texts")],
)  # fmt: skip
def test_given_a_bad_settings_file_when_any_command_runs_then_one_line_names_the_setting(
    home: Path, toml: str, named: str
) -> None:
    (home / "phonebank.toml").write_text(toml)

    listed = run(home, "bank", "list")
    checked = run(home, "doctor", "--json")

    assert listed.exit_code == 1 and named in listed.output
    assert isinstance(listed.exception, SystemExit)  # a message, no traceback
    assert not (home / "phonebank.db").exists()  # nothing was opened, nothing changed
    assert checked.exit_code == 1
    [check] = json.loads(checked.stdout)["checks"]
    assert (check["name"], check["ok"]) == ("settings", False)
    assert named in check["detail"]


@pytest.mark.parametrize(
    ("toml", "named"),
    [("[web]\nport = 70000\n", "web.port must be a port between 1 and 65535, not 70000"),
     ("[pbx]\nami_port = 0\n", "pbx.ami_port must be a port"),
     ("[pbx]\nrtp_start = 20000\nrtp_end = 10000\n", "pbx.rtp_start (20000) is after")],
)  # fmt: skip
def test_given_ports_out_of_range_when_doctor_runs_then_a_red_settings_line_not_a_crash(
    home: Path, toml: str, named: str
) -> None:
    (home / "phonebank.toml").write_text(toml)

    checked = run(home, "doctor", "--json")

    assert checked.exit_code == 1, checked.output
    settings = [c for c in json.loads(checked.stdout)["checks"] if c["name"] == "settings"]
    assert settings and not settings[0]["ok"] and named in settings[0]["detail"]
