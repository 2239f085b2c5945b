"""`phonebank script validate` says what is wrong in the organizer's words: a file laid out
wrongly (bad_shape) names the place and the expected layout, never a Python error; a missing
name is name_required; unknown_field names the field; a line names its block once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_bank_cli import create, run, seed

LAYOUTS = [
    ("name: X\nblocks: 3\n", "`blocks:` must be a list of blocks"),
    ("- just\n- a list\n", "the file is not a script"),
    ("name: X\nblocks:\n  - id: a\n    responses: yes\n",
     "block 1 ('a'): responses must be a list"),
    ("name: X\nblocks:\n  - title: T\n", "block 1 has no id"),
    ("name: X\nblocks:\n  - id: a\n    responses:\n      - {next: null}\n",
     "block 1 ('a'): response 1 has no label"),
    ("name: X\nblocks:\n  - id: a\n  - id: b\n    field: F\n    branches: [No]\n",
     "block 2 ('b'): branches must pair options with blocks"),
    ("name: X\nblocks:\n  - 7\n", "block 1 must have an id"),
]  # fmt: skip


def problems(home: Path, text: str) -> tuple[list[dict[str, str]], str]:
    path = home / "s.yaml"
    path.write_text(text)
    as_json = run(home, "script", "validate", str(path), "--json")
    assert as_json.exit_code == 1, as_json.output
    plain = run(home, "script", "validate", str(path))
    assert plain.exit_code == 1
    return json.loads(as_json.stderr)["problems"], plain.stderr


@pytest.mark.parametrize(("text", "said"), LAYOUTS)
def test_given_a_file_laid_out_wrongly_when_validated_then_bad_shape_says_where_in_plain_words(
    home: Path, text: str, said: str
) -> None:
    found, plain = problems(home, text)
    assert [p["code"] for p in found] == ["bad_shape"]
    assert said in found[0]["message"]
    for python in ("object", "'int'", "NoneType", "iterable", "KeyError", "str'"):
        assert python not in found[0]["message"]
    assert said in plain
    assert run(home, "script", "list", "--json").stdout.strip() == "[]"


def test_given_no_name_and_an_unknown_field_when_validated_then_each_is_named_once(
    home: Path,
) -> None:
    text = (
        "blocks:\n  - id: c\n    title: Q\n    field: Turnout\n    next: null\n"
        "  - id: d\n    title: '{{ contact.age }}'\n"
    )
    found, plain = problems(home, text)
    codes = [p["code"] for p in found]
    assert codes[0] == "name_required" and "unknown_field" in codes
    unknown = next(p for p in found if p["code"] == "unknown_field")
    assert "'Turnout'" in unknown["message"] and unknown["block"] == "c"
    lines = plain.splitlines()
    field_line = next(line for line in lines if "[unknown_field]" in line)
    assert field_line.count("'c'") == 1 and "(block" not in field_line
    variable_line = next(line for line in lines if "[unknown_variable]" in line)
    assert variable_line.endswith("(block 'd')")
    assert "[name_required] the script needs a name" in plain


def test_given_one_draft_bank_uses_a_script_when_it_is_replaced_then_named_in_the_singular(
    home: Path,
) -> None:
    seed(home)
    bank_id = create(home)
    replaced = run(home, "script", "import", str(home / "s.yaml"), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert f"Used by bank {bank_id}, which now shows it." in replaced.stdout
    one = problems(home, "name: X\nblocks: 3\n")[1]
    assert one.startswith("Error: the script has 1 problem:")
