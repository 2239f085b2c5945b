from __future__ import annotations

import pytest

from controller.model.users import UserError
from controller.store import users
from controller.store.db import Database


def test_given_new_users_when_created_then_each_has_unique_numeric_pin(db: Database) -> None:
    created = [users.create_user(db, f"vol{i}") for i in range(30)]
    pins = {u["pin"] for u in created}
    assert len(pins) == 30
    assert all(p.isdigit() and len(p) >= 6 for p in pins)
    assert created[0]["role"] == "volunteer" and created[0]["can_make_calls"] is True
    assert "password_hash" not in created[0]


def test_given_taken_or_bad_username_when_created_then_refused_and_nothing_added(
    db: Database,
) -> None:
    users.create_user(db, "alice", "admin")
    for name, role, code in [("ALICE", "volunteer", "user_exists"), ("a b", "volunteer",
                             "bad_username"), ("bob", "owner", "bad_role")]:  # fmt: skip
        with pytest.raises(UserError) as info:
            users.create_user(db, name, role)
        assert info.value.code == code
    with pytest.raises(UserError):
        users.create_user(db, "bob", password="short")
    assert [u["username"] for u in users.all_users(db)] == ["alice"]


def test_given_password_when_authenticating_then_only_right_password_of_enabled_user(
    db: Database,
) -> None:
    users.create_user(db, "mgr", "manager", password="correct horse")
    assert users.authenticate(db, "MGR", "correct horse") is not None
    assert users.authenticate(db, "mgr", "wrong horse") is None
    assert users.authenticate(db, "nobody", "correct horse") is None
    users.update_user(db, "mgr", disabled=True)
    assert users.authenticate(db, "mgr", "correct horse") is None


def test_given_user_without_password_when_authenticating_then_refused(db: Database) -> None:
    users.create_user(db, "vol")
    assert users.authenticate(db, "vol", "") is None
    users.set_password(db, "vol", "new password")
    assert users.authenticate(db, "vol", "new password") is not None


def test_given_pin_when_dialing_in_then_user_found_only_for_right_enabled_pin(
    db: Database,
) -> None:
    vol = users.create_user(db, "vol", display_name="Val Oliver")
    found = users.user_by_pin(db, vol["pin"])
    assert found is not None and found["display_name"] == "Val Oliver"
    assert users.user_by_pin(db, "000000") is None
    assert users.user_by_pin(db, "12ab56") is None
    users.update_user(db, "vol", disabled=True)
    assert users.user_by_pin(db, vol["pin"]) is None


def test_given_a_user_whose_calling_is_off_when_dialing_in_then_their_pin_is_refused(
    db: Database,
) -> None:
    vol = users.create_user(db, "vol")
    users.update_user(db, "vol", can_make_calls=False)
    assert users.user_by_pin(db, vol["pin"]) is None
    users.update_user(db, "vol", can_make_calls=True)
    assert users.user_by_pin(db, vol["pin"]) is not None


def test_given_pin_changes_when_set_then_unique_and_valid(db: Database) -> None:
    a = users.create_user(db, "al")
    users.create_user(db, "bo")
    new = users.set_pin(db, "al")
    assert new != a["pin"] and users.user_by_pin(db, new) is not None
    assert users.set_pin(db, "bo", "246810") == "246810"
    with pytest.raises(UserError) as info:
        users.set_pin(db, "al", "246810")
    assert info.value.code == "pin_taken"
    with pytest.raises(UserError) as info:
        users.set_pin(db, "al", "123")
    assert info.value.code == "bad_pin"
    assert users.get_user(db, "al")["pin"] == new  # type: ignore[index]


def test_given_role_and_calling_changes_when_updated_then_stored(db: Database) -> None:
    users.create_user(db, "vol")
    updated = users.update_user(db, "vol", role="manager", can_make_calls=False)
    assert (updated["role"], updated["can_make_calls"]) == ("manager", False)
    with pytest.raises(UserError):
        users.update_user(db, "vol", role="boss")
    with pytest.raises(UserError) as info:
        users.update_user(db, "ghost", role="admin")
    assert info.value.code == "no_such_user"


def test_given_user_lists_when_members_added_then_listed_and_filterable(db: Database) -> None:
    for name in ("ann", "bo", "cy"):
        users.create_user(db, name)
    users.create_user_list(db, "Tuesday crew")
    assert users.set_members(db, "Tuesday crew", ["ann", "bo"]) == 2
    assert users.set_members(db, "Tuesday crew", ["bo"]) == 0
    assert [u["username"] for u in users.all_users(db, user_list="Tuesday crew")] == ["ann", "bo"]
    with pytest.raises(UserError) as info:
        users.set_members(db, "Tuesday crew", ["cy", "ghost"])
    assert info.value.code == "no_such_user"
    assert users.all_user_lists(db) == [{"id": 1, "name": "Tuesday crew", "members": ["ann", "bo"]}]
    assert users.set_members(db, "Tuesday crew", ["ann"], add=False) == 1
    with pytest.raises(UserError) as info:
        users.create_user_list(db, "tuesday CREW")
    assert info.value.code == "user_list_exists"
    users.delete_user_list(db, "Tuesday crew")
    assert users.all_user_lists(db) == []
    assert len(users.all_users(db)) == 3


def test_given_the_only_enabled_admin_when_demoted_or_locked_then_refused_and_unchanged(
    db: Database,
) -> None:
    users.create_user(db, "lee", role="admin")
    users.create_user(db, "vic")  # a volunteer can change with no admin involved
    for change in ({"role": "volunteer"}, {"disabled": True}):
        with pytest.raises(UserError) as info:
            users.update_user(db, "lee", **change)
        assert info.value.code == "last_admin"
        lee = users.get_user(db, "lee")
        assert lee is not None and (lee["role"], lee["disabled"]) == ("admin", False)
    assert users.update_user(db, "lee", display_name="Lee L")["display_name"] == "Lee L"
    assert users.update_user(db, "vic", role="manager")["role"] == "manager"
    users.create_user(db, "ana", role="admin")
    assert users.update_user(db, "lee", disabled=True)["disabled"] is True  # ana is left
    with pytest.raises(UserError):
        users.update_user(db, "ana", role="manager")
