"""`phonebank bank publish --private`: a user list given twice counts once, and `users lists`
shows the ids that --private takes."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import create, ok_json, run, seed


def user_list(home: Path, name: str) -> int:
    assert run(home, "users", "lists", "create", name).exit_code == 0
    listed = {r["name"]: r["id"] for r in ok_json(home, "users", "lists")}
    return int(listed[name])


def test_given_a_user_list_twice_when_published_private_then_it_counts_once(home: Path) -> None:
    seed(home)
    bank_id = str(create(home))
    evening, morning = user_list(home, "Evening"), user_list(home, "Morning")
    args = ["--private", str(evening), "--private", str(morning), "--private", str(evening)]
    data = ok_json(home, "bank", "publish", bank_id, *args)
    assert (data["visibility"], data["user_list_ids"]) == ("private", [evening, morning])
    assert ok_json(home, "bank", "show", bank_id)["user_list_ids"] == [evening, morning]


def test_given_an_unknown_user_list_when_published_then_refused_and_still_a_draft(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    result = run(home, "bank", "publish", bank_id, "--private", "99", "--json")
    assert result.exit_code == 1 and json.loads(result.stderr)["error"] == "unknown_user_list"
    assert ok_json(home, "bank", "show", bank_id)["state"] == "draft"


def test_given_user_lists_when_listed_as_text_then_each_shows_the_id_publish_takes(
    home: Path,
) -> None:
    assert run(home, "users", "add", "ann").exit_code == 0
    evening, morning = user_list(home, "Evening"), user_list(home, "Morning")
    assert run(home, "users", "lists", "add", "Evening", "ann").exit_code == 0
    lines = run(home, "users", "lists").stdout.splitlines()
    assert lines == [f"{evening}\tEvening: ann", f"{morning}\tMorning: (empty)"]
