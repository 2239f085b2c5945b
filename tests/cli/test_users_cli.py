from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli import main
from controller.store import banks as bank_store
from controller.store import users
from controller.store.db import open_database


def run(home: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args], input=stdin)


def test_given_users_when_added_then_listed_with_roles_and_pins(home: Path) -> None:
    admin = json.loads(run(home, "users", "add", "Alice", "--role", "admin", "--json").output)
    assert admin["username"] == "alice" and len(admin["pin"]) >= 6
    added = run(home, "users", "add", "bob", "--name", "Bob B", "--no-calls")
    assert added.exit_code == 0 and "PIN" in added.output
    listed = json.loads(run(home, "users", "list", "--json").output)
    assert [(u["username"], u["role"], u["can_make_calls"]) for u in listed] == [
        ("alice", "admin", True),
        ("bob", "volunteer", False),
    ]
    assert [u["username"] for u in json.loads(
        run(home, "users", "list", "--role", "admin", "--json").output)] == ["alice"]  # fmt: skip
    dup = run(home, "users", "add", "BOB", "--json")
    assert dup.exit_code == 1 and json.loads(dup.stderr)["error"] == "user_exists"


def test_given_password_when_set_by_stdin_or_passwd_then_login_works(home: Path) -> None:
    assert run(home, "users", "add", "mgr", "--role", "manager", "--password-stdin",
               stdin="first password\n").exit_code == 0  # fmt: skip
    weak = run(home, "users", "passwd", "mgr", "--password", "short")
    assert weak.exit_code == 1 and "at least 8" in weak.output
    prompted = run(home, "users", "passwd", "mgr", stdin="second password\nsecond password\n")
    assert prompted.exit_code == 0, prompted.output
    db = open_database(home / "phonebank.db")
    try:
        assert users.authenticate(db, "mgr", "second password") is not None
        assert users.authenticate(db, "mgr", "first password") is None
    finally:
        db.close()


def test_given_pin_command_when_run_then_new_or_chosen_pin(home: Path) -> None:
    first = json.loads(run(home, "users", "add", "vol", "--json").output)["pin"]
    fresh = json.loads(run(home, "users", "pin", "vol", "--json").output)["pin"]
    assert fresh != first and fresh.isdigit() and len(fresh) >= 6
    assert "135792" in run(home, "users", "pin", "vol", "--set", "135792").output
    bad = run(home, "users", "pin", "vol", "--set", "12", "--json")
    assert bad.exit_code == 1 and json.loads(bad.stderr)["error"] == "bad_pin"
    assert run(home, "users", "pin", "ghost").exit_code == 1


def test_given_set_command_when_role_and_calls_changed_then_stored(home: Path) -> None:
    run(home, "users", "add", "vol")
    changed = json.loads(
        run(home, "users", "set", "vol", "--role", "manager", "--no-calls", "--json").output
    )
    assert (changed["role"], changed["can_make_calls"]) == ("manager", False)
    assert run(home, "users", "set", "vol", "--disable").exit_code == 0
    assert json.loads(run(home, "users", "list", "--json").output)[0]["disabled"] is True


def test_given_user_lists_when_managed_then_members_shown(home: Path) -> None:
    for name in ("ann", "bo"):
        run(home, "users", "add", name)
    assert run(home, "users", "lists", "create", "Evening").exit_code == 0
    assert run(home, "users", "lists", "add", "Evening", "ann", "bo").exit_code == 0
    assert "Evening: ann, bo" in run(home, "users", "lists").output
    bad = run(home, "users", "lists", "add", "Evening", "ghost", "--json")
    assert bad.exit_code == 1 and json.loads(bad.stderr)["error"] == "no_such_user"
    assert run(home, "users", "lists", "add", "Evening", "bo", "--remove").exit_code == 0
    data = json.loads(run(home, "users", "lists", "--json").output)
    assert [(r["name"], r["members"]) for r in data] == [("Evening", ["ann"])]
    teams = json.loads(run(home, "users", "list", "--team", "Evening", "--json").output)
    assert [u["username"] for u in teams] == ["ann"]
    assert run(home, "users", "lists", "delete", "Evening").exit_code == 0
    assert run(home, "users", "lists", "delete", "Evening").exit_code == 1


def test_given_a_bank_private_to_a_user_list_when_deleting_the_list_then_refused(
    home: Path,
) -> None:
    assert run(home, "users", "lists", "create", "Evening").exit_code == 0
    db = open_database(home / "phonebank.db")
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "L", 1)
        bank = bank_store.create(conn, {"title": "T", "description": "D", "list_id": list_id})
        conn.execute("INSERT INTO bank_user_lists VALUES (?, 1)", (bank.id,))
    refused = run(home, "users", "lists", "delete", "Evening", "--json")
    assert refused.exit_code == 1 and json.loads(refused.stderr)["error"] == "user_list_in_use"
    assert [r["name"] for r in users.all_user_lists(db)] == ["Evening"]


def test_given_filters_when_listing_users_then_an_unknown_team_is_refused_and_no_match_said(
    home: Path,
) -> None:
    assert run(home, "users", "add", "vic").exit_code == 0
    unknown = run(home, "users", "list", "--team", "Nope", "--json")
    assert unknown.exit_code == 1 and json.loads(unknown.stderr)["error"] == "no_such_user_list"
    none = run(home, "users", "list", "--role", "admin")
    assert none.exit_code == 0 and none.output.strip() == "No users match."
    assert run(home, "users", "lists", "create", "Crew").exit_code == 0
    empty = run(home, "users", "list", "--team", "Crew")
    assert empty.exit_code == 0 and empty.output.strip() == "No users match."
