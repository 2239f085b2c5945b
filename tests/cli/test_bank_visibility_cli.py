"""`phonebank bank publish` of a bank already published changes who sees it only when asked:
a plain publish is refused (already_published) and changes nothing; --private gives new
user lists; --public makes it public for good, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from test_bank_cli import create, ok_json, run, seed
from test_bank_publish_cli import user_list


def refusal(home: Path, *args: str) -> dict[str, str]:
    result = run(home, *args, "--json")
    assert result.exit_code == 1, result.output
    return dict(json.loads(result.stderr))


def seen_by(home: Path, bank_id: str) -> tuple[str, list[int], str]:
    data = ok_json(home, "bank", "show", bank_id)
    return data["visibility"], data["user_list_ids"], data["state"]


def test_given_a_private_bank_when_published_again_without_options_then_refused_and_still_private(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    crew = user_list(home, "Crew")
    said = run(home, "bank", "publish", bank_id, "--private", str(crew))
    assert said.exit_code == 0
    assert said.stdout.strip() == f"Bank {bank_id} is now published (private to user list {crew})."

    error = refusal(home, "bank", "publish", bank_id)
    assert error["error"] == "already_published"
    assert f"private to user list {crew}" in error["message"]
    assert f"bank publish {bank_id} --public" in error["message"]
    assert seen_by(home, bank_id) == ("private", [crew], "published")
    text = run(home, "bank", "publish", bank_id)
    assert text.exit_code == 1 and "already published" in text.stderr


def test_given_a_running_private_bank_when_its_lists_change_then_saved_and_said(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    crew, evening = user_list(home, "Crew"), user_list(home, "Evening")
    ok_json(home, "bank", "publish", bank_id, "--private", str(crew))
    ok_json(home, "bank", "start", bank_id)
    args = ["--private", str(crew), "--private", str(evening)]
    said = run(home, "bank", "publish", bank_id, *args)
    assert said.exit_code == 0, said.output
    expected = f"Bank {bank_id} (running) is now private to user lists {crew} and {evening}."
    assert said.stdout.strip() == expected
    assert seen_by(home, bank_id) == ("private", [crew, evening], "running")


def test_given_a_private_bank_when_made_public_explicitly_then_warned_final_and_never_private_again(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    crew = user_list(home, "Crew")
    ok_json(home, "bank", "publish", bank_id, "--private", str(crew))
    said = run(home, "bank", "publish", bank_id, "--public")
    assert said.exit_code == 0, said.output
    assert "is now public: every volunteer sees it" in said.stdout
    assert "can never become private again" in said.stdout
    assert seen_by(home, bank_id) == ("public", [], "published")
    assert refusal(home, "bank", "publish", bank_id, "--private", str(crew))["error"] == (
        "public_is_final"
    )
    assert refusal(home, "bank", "publish", bank_id, "--public")["error"] == "already_published"
    again = refusal(home, "bank", "publish", bank_id)
    assert again["error"] == "already_published"
    assert "already published and public" in again["message"]
    assert "--private" not in again["message"]
    assert seen_by(home, bank_id) == ("public", [], "published")


def test_given_a_draft_when_published_with_public_and_private_together_then_refused_still_draft(
    home: Path,
) -> None:
    seed(home)
    bank_id = str(create(home))
    crew = user_list(home, "Crew")
    error = refusal(home, "bank", "publish", bank_id, "--public", "--private", str(crew))
    assert error["error"] == "public_or_private"
    assert seen_by(home, bank_id) == (None, [], "draft")
    said = run(home, "bank", "publish", bank_id)
    assert said.stdout.strip() == (
        f"Bank {bank_id} is now published (public: every volunteer sees it)."
        " A public bank never becomes private again."
    )
