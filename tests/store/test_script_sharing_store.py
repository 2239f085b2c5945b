"""Scripts shared by banks: a bank's editor changes that bank only, and a script that a
started or stopped bank uses is never rewritten under it."""

from __future__ import annotations

import json

import pytest
from test_queue_store import NOW_DT

from controller.model import banks as bank_model
from controller.model import scripts as model
from controller.model.banks import BankError
from controller.model.scripts import Script, ScriptError
from controller.store import banks, scripts
from controller.store.db import Database


def doc(name: str, text: str) -> Script:
    return model.from_dict({"name": name, "blocks": [
        {"id": "a", "title": "Hello", "text": text, "responses": [{"label": "Ok", "next": None}]}
    ]})  # fmt: skip


def bank(db: Database, state: str = "draft", script_id: int | None = None, title: str = "T") -> int:
    """A bank over a one-contact list, taken to ``state`` (draft ... stopped)."""
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"list{n}", 1, 0, seed=n)
        base = {"title": title, "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, base).id
        assert bank_id is not None
        if state != "draft":
            banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        if state in ("running", "paused", "stopped"):
            banks.start(conn, bank_id, NOW_DT)
        if state == "paused":
            banks.update(conn, bank_id, bank_model.pause)
        if state == "stopped":
            banks.update(conn, bank_id, bank_model.stop)
        return bank_id


def saved(db: Database, script: Script) -> int:
    with db.write() as conn:
        return scripts.save(conn, script)


def rows(db: Database) -> list[tuple[int, str, str, str]]:
    """Every stored script, byte for byte (id, name, body, updated_at)."""
    with db.read() as conn:
        found = conn.execute("SELECT id, name, body, updated_at FROM scripts ORDER BY id")
        return [(r[0], r[1], r[2], r[3]) for r in found]


def script_of(db: Database, bank_id: int) -> tuple[int | None, str]:
    with db.read() as conn:
        sid = banks.get(conn, bank_id).settings.script_id
        found = scripts.get(conn, sid) if sid is not None else None
        return sid, found.script.blocks[0].text if found else ""


def edit(db: Database, bank_id: int, script: Script) -> scripts.BankSave:
    with db.write() as conn:
        return scripts.save_for_bank(conn, bank_id, script)


def test_given_two_draft_banks_with_the_same_title_when_each_editor_saves_then_each_keeps_its_own_text(  # noqa: E501
    db: Database,
) -> None:
    first, second = bank(db), bank(db)
    one = edit(db, first, doc("T script", "Week 1 script text"))
    before = rows(db)
    two = edit(db, second, doc("T script", "Week 2 script text"))
    assert (one.name, one.note) == ("T script", "")
    assert two.name == f"T script (bank {second})" and two.script_id != one.script_id
    assert "'T script' belongs to another script (used by bank" in two.note
    assert script_of(db, first) == (one.script_id, "Week 1 script text")
    assert script_of(db, second) == (two.script_id, "Week 2 script text")
    assert rows(db)[0] == before[0]
    with db.read() as conn:
        stored = scripts.get(conn, two.script_id)
    assert stored is not None and stored.script.name == two.name


def test_given_a_name_used_by_published_and_stopped_banks_when_another_editor_types_it_then_that_script_is_untouched(  # noqa: E501
    db: Database,
) -> None:
    gotv = saved(db, doc("GOTV", "Vote on Tuesday"))
    stopped, published = bank(db, "stopped", gotv), bank(db, "published", gotv)
    new = bank(db)
    before = rows(db)
    result = edit(db, new, doc("gotv", "Something else"))
    assert rows(db)[: len(before)] == before
    assert result.name == f"gotv (bank {new})" and result.script_id != gotv
    assert f"used by banks {stopped} and {published}" in result.note
    assert script_of(db, stopped) == script_of(db, published) == (gotv, "Vote on Tuesday")
    assert script_of(db, new) == (result.script_id, "Something else")


def test_given_a_script_shared_by_two_banks_when_one_editor_saves_then_that_bank_gets_its_own_copy(
    db: Database,
) -> None:
    shared = saved(db, doc("Shared", "Old text"))
    first, second = bank(db, "running", shared), bank(db, "published", shared)
    before = rows(db)
    result = edit(db, first, doc("Shared", "New text"))
    assert rows(db)[: len(before)] == before
    assert result.name == f"Shared (bank {first})"
    assert f"shared with bank {second} stays unchanged for them" in result.note
    assert script_of(db, first) == (result.script_id, "New text")
    assert script_of(db, second) == (shared, "Old text")
    renamed = edit(db, second, doc("Fresh name", "Third text"))
    assert (renamed.name, renamed.note) == ("Fresh name", "")
    assert renamed.script_id == shared  # no other bank uses it any more: updated in place


def test_given_a_bank_with_its_own_script_when_saved_under_a_free_name_then_updated_in_place(
    db: Database,
) -> None:
    own = saved(db, doc("Mine", "v1"))
    bank_id = bank(db, "paused", own)
    result = edit(db, bank_id, doc("Mine v2", "v2"))
    assert (result.script_id, result.name, result.note) == (own, "Mine v2", "")
    assert [r[1] for r in rows(db)] == ["Mine v2"]
    assert script_of(db, bank_id) == (own, "v2")


def test_given_a_stopped_bank_or_a_bad_script_when_its_editor_saves_then_refused_and_nothing_changes(  # noqa: E501
    db: Database,
) -> None:
    gotv = saved(db, doc("GOTV", "Vote"))
    stopped, draft = bank(db, "stopped", gotv), bank(db)
    before = rows(db)
    with pytest.raises(BankError) as err:
        edit(db, stopped, doc("Other", "New"))
    assert err.value.code == "bank_stopped"
    with pytest.raises(ScriptError) as bad:
        edit(db, draft, doc("Broken", "{{ contact.shoe_size }}"))
    assert bad.value.code == "unknown_variable"
    assert rows(db) == before
    assert script_of(db, draft) == (None, "")


@pytest.mark.parametrize("state", ["running", "paused", "stopped"])
def test_given_a_script_a_started_or_stopped_bank_uses_when_replaced_then_script_in_use_and_unchanged(  # noqa: E501
    db: Database, state: str
) -> None:
    gotv = saved(db, doc("GOTV", "Vote"))
    draft, started = bank(db, "draft", gotv), bank(db, state, gotv)
    before = rows(db)
    with pytest.raises(ScriptError) as err, db.write() as conn:
        scripts.save(conn, doc("GOTV", "Changed"), replace=True)
    assert err.value.code == "script_in_use"
    assert f"used by bank {started} ({state})" in str(err.value)
    assert str(draft) not in str(err.value).split("used by")[1].split(":")[0]
    assert rows(db) == before


def test_given_a_script_only_drafts_and_published_banks_use_when_replaced_then_they_follow(
    db: Database,
) -> None:
    gotv = saved(db, doc("GOTV", "Vote"))
    draft, published = bank(db, "draft", gotv), bank(db, "published", gotv)
    with db.write() as conn:
        assert scripts.save(conn, doc("GOTV", "Changed"), replace=True) == gotv
        assert scripts.banks_using(conn, gotv) == [(draft, "draft"), (published, "published")]
    assert script_of(db, draft) == script_of(db, published) == (gotv, "Changed")


def test_given_a_running_banks_own_script_when_replaced_for_that_bank_then_allowed_but_not_for_others(  # noqa: E501
    db: Database,
) -> None:
    own = saved(db, doc("Mine", "v1"))
    running = bank(db, "running", own)
    with pytest.raises(ScriptError) as err, db.write() as conn:
        scripts.save(conn, doc("Mine", "v2"), replace=True, bank_id=running + 1)
    assert err.value.code == "script_in_use"
    with db.write() as conn:
        assert scripts.save(conn, doc("Mine", "v2"), replace=True, bank_id=running) == own
    assert script_of(db, running) == (own, "v2")


def test_given_taken_names_when_a_free_one_is_asked_for_a_bank_then_suffixed_in_turn(
    db: Database,
) -> None:
    for name in ("T script", "T script (bank 4)"):
        saved(db, doc(name, "x"))
    with db.read() as conn:
        assert scripts.free_name(conn, "New", 4) == "New"
        assert scripts.free_name(conn, "t SCRIPT", 9) == "t SCRIPT (bank 9)"
        assert scripts.free_name(conn, "T script", 4) == "T script (bank 4, 2)"
    assert json.loads(rows(db)[0][2])["name"] == "T script"
