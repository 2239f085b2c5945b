from __future__ import annotations

import json

import pytest
from test_queue_store import NOW, make_bank

from controller.model import scripts as model
from controller.model.scripts import ScriptError
from controller.store import scripts
from controller.store.db import Database

DOC = {
    "name": "Survey",
    "blocks": [
        {"id": "hi", "title": "Hi", "text": "Hi {{ contact.first_name }}",
         "responses": [{"label": "Go", "next": "q"}, {"label": "Stop", "next": None}]},
        {"id": "q", "title": "Support?", "text": "", "field": "Support", "next": None},
    ],
}  # fmt: skip


def add_field(db: Database) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO custom_fields (name, kind, options) VALUES ('Support', 'choice', ?)",
            (json.dumps(["Yes", "No"]),),
        )


def test_given_valid_script_when_saved_then_loaded_by_name_and_id(db: Database) -> None:
    add_field(db)
    with db.write() as conn:
        script_id = scripts.save(conn, model.from_dict(DOC))
        assert scripts.get(conn, "survey") == scripts.get(conn, script_id)
        stored = scripts.get(conn, script_id)
        assert stored is not None and stored.script == model.from_dict(DOC)
        assert scripts.list_all(conn)[0]["blocks"] == 2


def test_given_script_with_unknown_field_when_saved_then_refused_and_nothing_written(
    db: Database,
) -> None:
    with pytest.raises(ScriptError) as err, db.write() as conn:
        scripts.save(conn, model.from_dict(DOC))
    assert err.value.code == "unknown_field"
    with db.read() as conn:
        assert scripts.list_all(conn) == []


def test_given_same_name_when_saved_again_then_refused_unless_replace(db: Database) -> None:
    add_field(db)
    with db.write() as conn:
        first = scripts.save(conn, model.from_dict(DOC))
        with pytest.raises(ScriptError) as err:
            scripts.save(conn, model.from_dict(DOC))
        assert err.value.code == "script_exists"
        assert scripts.save(conn, model.from_dict(DOC), replace=True) == first


def test_given_field_block_answer_when_saved_then_contact_field_set(db: Database) -> None:
    add_field(db)
    bank_id = make_bank(db, contacts=1)
    with db.write() as conn:
        script_id = scripts.save(conn, model.from_dict(DOC))
        conn.execute("UPDATE banks SET script_id = ? WHERE id = ?", (script_id, bank_id))
        contact = conn.execute("SELECT id FROM contacts").fetchone()[0]
        scripts.save_answer(conn, bank_id=bank_id, contact_id=contact, block_id="hi",
                            answer="Go", now=NOW)  # fmt: skip
        scripts.save_answer(conn, bank_id=bank_id, contact_id=contact, block_id="q",
                            answer="Yes", now=NOW)  # fmt: skip
        value = conn.execute(
            "SELECT v.value FROM contact_field_values AS v JOIN custom_fields AS f"
            " ON f.id = v.field_id WHERE f.name = 'Support' AND v.contact_id = ?",
            (contact,),
        ).fetchone()[0]
        assert value == "Yes"
        assert conn.execute("SELECT count(*) FROM script_answers").fetchone()[0] == 2
        for block, answer, code in (("q", "Maybe", "unknown_response"),
                                    ("zz", "Yes", "unknown_block")):  # fmt: skip
            with pytest.raises(ScriptError) as err:
                scripts.save_answer(conn, bank_id=bank_id, contact_id=contact, block_id=block,
                                    answer=answer, now=NOW)  # fmt: skip
            assert err.value.code == code
