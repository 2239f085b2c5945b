"""Custom fields, their values per contact, and tags."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from controller.model.fields import (
    FieldError,
    FieldSpec,
    check_new_name,
    validate_name,
    validate_value,
)
from controller.store.contacts import utc_now
from controller.store.db import Database


def _field_dict(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["options"] = json.loads(data["options"] or "[]")
    data["is_default"] = bool(data["is_default"])
    data["builtin"] = bool(data["builtin"])
    return data


def add_field(db: Database, spec: FieldSpec) -> dict[str, Any]:
    """Create a field from a validated spec; ``FieldError`` if the name is taken."""
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM custom_fields WHERE name = ?", (spec.name,)).fetchone():
            raise FieldError("field_exists", f"there is already a field called {spec.name!r}")
        cur = conn.execute(
            "INSERT INTO custom_fields (name, kind, options, is_default, builtin)"
            " VALUES (?, ?, ?, ?, 0)",
            (spec.name, spec.kind, json.dumps(list(spec.options)), int(spec.is_default)),
        )
        row = conn.execute("SELECT * FROM custom_fields WHERE id = ?", (cur.lastrowid,)).fetchone()
    return _field_dict(row)


def all_fields(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute("SELECT * FROM custom_fields ORDER BY builtin DESC, name").fetchall()
    return [_field_dict(r) for r in rows]


def get_field(db: Database, name: str) -> dict[str, Any] | None:
    with db.read() as conn:
        row = conn.execute("SELECT * FROM custom_fields WHERE name = ?", (name.strip(),)).fetchone()
    return _field_dict(row) if row else None


def _linked(body: str) -> set[str]:
    """The (case-folded) field names a stored script's blocks are linked to."""
    blocks = json.loads(body).get("blocks", [])
    return {str(b.get("field") or "").strip().casefold() for b in blocks} - {""}


def scripts_using(conn: sqlite3.Connection, name: str) -> list[str]:
    """The names of the saved scripts with a block linked to the field ``name``."""
    rows = conn.execute("SELECT name, body FROM scripts ORDER BY id").fetchall()
    return [str(r["name"]) for r in rows if name.strip().casefold() in _linked(r["body"])]


def script_links(db: Database) -> dict[str, list[str]]:
    """Field name (case-folded) -> names of the scripts with a block linked to it."""
    out: dict[str, list[str]] = {}
    with db.read() as conn:
        for row in conn.execute("SELECT name, body FROM scripts ORDER BY id"):
            for field in _linked(row["body"]):
                out.setdefault(field, []).append(str(row["name"]))
    return out


def remove_field(db: Database, name: str) -> None:
    """Delete a custom field and its values; built-ins and fields a script uses are refused."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT id, name, builtin FROM custom_fields WHERE name = ?", (name.strip(),)
        ).fetchone()
        if row is None:
            raise FieldError("no_such_field", f"no field called {name!r}")
        if row["builtin"]:
            raise FieldError("builtin_field", f"{name!r} is built in and cannot be removed")
        used = scripts_using(conn, row["name"])
        if used:
            names = ", ".join(repr(n) for n in used)
            raise FieldError(
                "field_in_use",
                f"field {row['name']!r} is used by script{'s' if len(used) > 1 else ''} {names};"
                " a field a script uses cannot be removed (unlink it from those scripts,"
                " or delete the scripts no bank uses, first)",
            )
        conn.execute("DELETE FROM custom_fields WHERE id = ?", (row["id"],))


def set_value(
    db: Database,
    contact_id: int,
    field_name: str,
    value: str,
    bank_id: int | None = None,
    by_hand: bool = False,
) -> str:
    """Record a contact's answer for a field (validated); returns the stored form. A value
    typed ``by_hand`` (the CLI, the contact page) is refused for a built-in field: those are
    kept by the dialer (Call Outcome, Last Called At) and setting one would skip what goes
    with it (Do Not Call, re-call protection)."""
    field_id, stored = check_value(db, field_name, value, by_hand)
    with db.write() as conn:
        write_value(conn, contact_id, field_id, stored, bank_id)
    return stored


def check_value(
    db: Database, field_name: str, value: str, by_hand: bool = False
) -> tuple[int, str]:
    """The field's id and the stored form of ``value`` for it, writing nothing (``FieldError``
    for an unknown field, a built-in one typed ``by_hand``, or a value of the wrong form)."""
    field = get_field(db, field_name)
    if field is None:
        raise FieldError("no_such_field", f"no field called {field_name!r}")
    if by_hand and field["builtin"]:
        raise FieldError(
            "builtin_field", f"{field['name']!r} is built in and kept by the dialer, not by hand"
        )
    return int(field["id"]), validate_value(field["kind"], field["options"], value)


def write_value(
    conn: sqlite3.Connection, contact_id: int, field_id: int, stored: str, bank_id: int | None
) -> None:
    """Store a checked value (:func:`check_value`) on the open writer transaction."""
    if not conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)).fetchone():
        raise FieldError("no_such_contact", f"no contact with id {contact_id}")
    conn.execute(
        "INSERT INTO contact_field_values (contact_id, field_id, value, bank_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (contact_id, field_id) DO UPDATE SET"
        " value = excluded.value, bank_id = excluded.bank_id, updated_at = excluded.updated_at",
        (contact_id, field_id, stored, bank_id, utc_now()),
    )


def values_for(db: Database, contact_id: int) -> dict[str, str]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT f.name, v.value FROM contact_field_values v JOIN custom_fields f"
            " ON f.id = v.field_id WHERE v.contact_id = ? ORDER BY f.name",
            (contact_id,),
        )
        return {r[0]: r[1] for r in rows}


def add_tag(db: Database, name: str) -> tuple[int, bool]:
    """The tag's id, creating it if needed; (id, whether it was new)."""
    clean = validate_name(name, "tag")
    with db.write() as conn:
        return _tag_id(conn, clean)


def _tag_id(conn: sqlite3.Connection, clean: str) -> tuple[int, bool]:
    """The id of the tag named ``clean`` (already validated), created if none; and whether
    it was created just now."""
    row = conn.execute("SELECT id FROM tags WHERE name = ?", (clean,)).fetchone()
    if row is not None:
        return int(row[0]), False
    cur = conn.execute("INSERT INTO tags (name) VALUES (?)", (check_new_name(clean, "tag"),))
    return int(cur.lastrowid or 0), True


def all_tags(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT t.id, t.name, count(ct.contact_id) AS contacts FROM tags t"
            " LEFT JOIN contact_tags ct ON ct.tag_id = t.id GROUP BY t.id ORDER BY t.name"
        )
        return [dict(r) for r in rows]


def remove_tag(db: Database, name: str) -> None:
    with db.write() as conn:
        cur = conn.execute("DELETE FROM tags WHERE name = ?", (name.strip(),))
        if cur.rowcount == 0:
            raise FieldError("no_such_tag", f"no tag called {name!r}")


def tag_contact(db: Database, contact_id: int, tag: str, bank_id: int | None = None) -> bool:
    """Apply a tag (created if new) to a contact; False if it already had it."""
    with db.write() as conn:
        return apply_tag(conn, contact_id, tag, bank_id)


def apply_tag(conn: sqlite3.Connection, contact_id: int, tag: str, bank_id: int | None) -> bool:
    """:func:`tag_contact` on the open writer transaction."""
    if not conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)).fetchone():
        raise FieldError("no_such_contact", f"no contact with id {contact_id}")
    tag_id, _ = _tag_id(conn, validate_name(tag, "tag"))
    cur = conn.execute(
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id, bank_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        (contact_id, tag_id, bank_id, utc_now()),
    )
    return cur.rowcount > 0


def untag_contact(db: Database, contact_id: int, tag: str) -> bool:
    """Take a tag off a contact; False if it did not have it. An unknown tag or contact is
    refused, as when applying one."""
    with db.write() as conn:
        if not conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)).fetchone():
            raise FieldError("no_such_contact", f"no contact with id {contact_id}")
        row = conn.execute("SELECT id FROM tags WHERE name = ?", (tag.strip(),)).fetchone()
        if row is None:
            raise FieldError("no_such_tag", f"no tag called {tag.strip()!r}")
        cur = conn.execute(
            "DELETE FROM contact_tags WHERE contact_id = ? AND tag_id = ?", (contact_id, row[0])
        )
        return cur.rowcount > 0


def tags_for(db: Database, contact_id: int) -> list[str]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
            " WHERE ct.contact_id = ? ORDER BY t.name",
            (contact_id,),
        )
        return [r[0] for r in rows]
