"""``script import --replace`` never changes a script a started or stopped bank uses, and
``fields remove`` refuses a field a saved script links to."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import SCRIPT, create, ok_json, run, seed

CHANGED = SCRIPT.replace("Thanks!", "Changed text")
SURVEY = """
name: Survey
blocks:
  - id: q
    title: Support?
    text: Can we count on you?
    field: Support
    next: null
"""


def stopped_and_published_banks(home: Path) -> tuple[str, str]:
    seed(home)
    stopped, published = str(create(home)), str(create(home))
    for bank_id in (stopped, published):
        ok_json(home, "bank", "publish", bank_id)
    ok_json(home, "bank", "start", stopped)
    ok_json(home, "bank", "stop", stopped, "--yes")
    return stopped, published


def test_given_a_script_a_stopped_bank_uses_when_imported_with_replace_then_refused_naming_it(
    home: Path,
) -> None:
    stopped, published = stopped_and_published_banks(home)
    before = run(home, "script", "export", "Hello", "--format", "json").stdout
    (home / "changed.yaml").write_text(CHANGED)
    result = run(home, "script", "import", str(home / "changed.yaml"), "--replace", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["error"] == "script_in_use"
    assert f"used by bank {stopped} (stopped)" in error["problems"][0]["message"]
    assert f"bank {published}" not in error["problems"][0]["message"]  # a published one follows
    plain = run(home, "script", "import", str(home / "changed.yaml"), "--replace")
    assert plain.exit_code == 1
    assert plain.stderr.startswith(f"Error: script 'Hello' is used by bank {stopped} (stopped):")
    assert run(home, "script", "export", "Hello", "--format", "json").stdout == before
    assert len(ok_json(home, "script", "list")) == 1


def test_given_a_script_only_drafts_and_published_banks_use_when_replaced_then_they_follow_and_are_named(  # noqa: E501
    home: Path,
) -> None:
    seed(home)
    draft, published = str(create(home)), str(create(home))
    ok_json(home, "bank", "publish", published)
    (home / "changed.yaml").write_text(CHANGED)
    text = run(home, "script", "import", str(home / "changed.yaml"), "--replace")
    assert text.exit_code == 0, text.output
    assert f"Used by banks {draft} and {published}, which now show it." in text.stdout
    data = ok_json(home, "script", "import", str(home / "changed.yaml"), "--replace")
    assert data["banks"] == [int(draft), int(published)]
    exported = run(home, "script", "export", "Hello").stdout
    assert "Changed text" in exported and "Thanks!" not in exported


def test_given_a_field_a_saved_script_uses_when_removed_then_refused_naming_the_script(
    home: Path,
) -> None:
    seed(home)
    ok_json(home, "fields", "add", "Support", "--kind", "choice",
            "--option", "Strong", "--option", "Lean", "--option", "Against")  # fmt: skip
    ok_json(home, "fields", "add", "Unused", "--kind", "text")
    (home / "survey.yaml").write_text(SURVEY)
    ok_json(home, "script", "import", str(home / "survey.yaml"))
    bank_id = str(create(home, "--script", "Survey"))
    ok_json(home, "bank", "publish", bank_id)
    result = run(home, "fields", "remove", "support", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["error"] == "field_in_use" and "'Survey'" in error["message"]
    plain = run(home, "fields", "remove", "Support")
    assert plain.exit_code == 1 and "used by script 'Survey'" in plain.stderr
    fields = {f["name"]: f for f in ok_json(home, "fields", "list")}
    assert fields["Support"]["options"] == ["Strong", "Lean", "Against"]
    assert ok_json(home, "script", "validate", str(home / "survey.yaml"))["ok"] is True
    assert ok_json(home, "fields", "remove", "Unused") == {"removed": "Unused"}
