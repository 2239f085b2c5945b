"""Contact lists, contacts and phones: listing, lookup, households (import: contact_import)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from controller.errors import PhonebankError
from controller.store.contact_import import (
    ImportReport,
    import_csv,
    started_note,
    utc_now,
)
from controller.store.db import Database
from controller.store.list_delete import delete_list
from controller.store.lists import ListError, ListRef

__all__ = [
    "ImportReport", "ListError", "ListRef", "delete_list", "import_csv", "started_note",
    "utc_now",
]  # fmt: skip


def get_list(db: Database, list_id: int) -> dict[str, Any] | None:
    """One contact list with its number of contacts, by id (resolve a reference first:
    :func:`lists.resolve`); None if there is no such list."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT l.id, l.name, l.created_at, (SELECT count(*) FROM contacts c"
            " WHERE c.list_id = l.id) AS contacts FROM live_lists l WHERE l.id = ?",
            (int(list_id),),
        ).fetchone()
    return dict(row) if row else None


def all_lists(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT l.id, l.name, l.created_at, count(c.id) AS contacts,"
            " (SELECT count(*) FROM phones p JOIN contacts c2 ON c2.id = p.contact_id"
            "  WHERE c2.list_id = l.id) AS phones"
            " FROM live_lists l LEFT JOIN contacts c ON c.list_id = l.id"
            " GROUP BY l.id ORDER BY l.name"
        ).fetchall()
    return [dict(r) for r in rows]


_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]*\d[\d\s().\-/]*")


def number_search(search: str) -> str:
    """What to look for in stored numbers (E.164): a search written like a phone number
    (``(617) 555-0200``, ``617.555.0200``, ``+1 617-555-0200``) by its digits, else as is."""
    if _PHONE_LIKE.fullmatch(search):
        return re.sub(r"\D", "", search)
    return search


def contact_rows(
    db: Database, list_id: int | None = None, search: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Contacts (with their first number), optionally of one list (by id, resolved by the
    caller) or matching a name/number."""
    where, args = ["1=1"], []  # type: list[str], list[Any]
    if list_id is not None:
        where.append("c.list_id = ?")
        args.append(int(list_id))  # an id: resolve a name first (lists.resolve)
    search = search.strip()
    if search:
        where.append(
            "(c.first_name || ' ' || c.last_name LIKE ? ESCAPE '\\' OR c.van_id = ? OR EXISTS"
            " (SELECT 1 FROM phones s WHERE s.contact_id = c.id AND s.e164 LIKE ? ESCAPE '\\'))"
        )
        args += [f"%{_literal(search)}%", search, f"%{_literal(number_search(search))}%"]
    sql = (
        "SELECT c.id, l.name AS list, c.van_id, c.first_name, c.last_name, c.city, c.state,"
        " c.time_zone, (SELECT p.e164 FROM phones p WHERE p.contact_id = c.id"
        " ORDER BY p.position LIMIT 1) AS phone FROM contacts c"
        " JOIN live_lists l ON l.id = c.list_id"
        f" WHERE {' AND '.join(where)} ORDER BY c.id LIMIT ? OFFSET ?"
    )
    with db.read() as conn:
        return [dict(r) for r in conn.execute(sql, [*args, limit, offset])]


def _literal(text: str) -> str:
    """``text`` for a LIKE pattern, its own ``%`` and ``_`` matched as typed (not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contact_detail(db: Database, contact_id: int) -> dict[str, Any] | None:
    """One contact with numbers, household, custom values and tags (what a caller sees)."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT c.*, l.name AS list FROM contacts c JOIN live_lists l ON l.id = c.list_id"
            " WHERE c.id = ?",
            (contact_id,),
        ).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["extra"] = json.loads(data["extra"] or "{}")
        data.pop("dedupe_key", None)
        data["phones"] = _phones(conn, contact_id)
        data["household"] = _household(conn, data["list_id"], contact_id)
        data["fields"] = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT f.name, v.value FROM contact_field_values v JOIN custom_fields f"
                " ON f.id = v.field_id WHERE v.contact_id = ? ORDER BY f.name",
                (contact_id,),
            )
        }
        data["tags"] = [
            r[0]
            for r in conn.execute(
                "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id"
                " WHERE ct.contact_id = ? ORDER BY t.name",
                (contact_id,),
            )
        ]
    return data


def _phones(conn: sqlite3.Connection, contact_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, e164, type, van_phone_id, accuracy, position, wrong_number FROM phones"
        " WHERE contact_id = ? ORDER BY position",
        (contact_id,),
    )
    return [dict(r) for r in rows]


def _household(conn: sqlite3.Connection, list_id: int, contact_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT DISTINCT c.id, c.first_name, c.last_name, p.e164 FROM phones mine"
        " JOIN phones p ON p.e164 = mine.e164 AND p.contact_id != mine.contact_id"
        " JOIN contacts c ON c.id = p.contact_id AND c.list_id = ?"
        " WHERE mine.contact_id = ? ORDER BY c.id",
        (list_id, contact_id),
    )
    return [dict(r) for r in rows]


def household(db: Database, list_id: int, e164: str) -> list[dict[str, Any]]:
    """Everyone in a list reached at ``e164`` (one dial, all shown on the call)."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT c.id, c.first_name, c.last_name, p.id AS phone_id, p.wrong_number"
            " FROM phones p JOIN contacts c ON c.id = p.contact_id"
            " WHERE p.e164 = ? AND c.list_id = ? ORDER BY c.id",
            (e164, list_id),
        )
        return [dict(r) for r in rows]


def mark_wrong_number(db: Database, contact_id: int, e164: str) -> bool:
    """Wrong Number for one person (their housemates keep the number); False if unknown.

    Only the flag: queues built from now on leave the number out for them; a bank already
    started keeps them in its queue (nothing there is finished or closed)."""
    with db.write() as conn:
        cur = conn.execute(
            "UPDATE phones SET wrong_number = 1 WHERE contact_id = ? AND e164 = ?",
            (contact_id, e164),
        )
        return cur.rowcount > 0


def reachable(conn: sqlite3.Connection, contact_ids: list[int], e164: str) -> list[int]:
    """The people of a call not marked a wrong number at ``e164``, in their order; all of
    them when every one is marked (someone must still carry the call's outcome)."""
    marks = ",".join("?" * len(contact_ids))
    wrong = {
        int(r[0])
        for r in conn.execute(
            f"SELECT contact_id FROM phones WHERE contact_id IN ({marks}) AND e164 = ?"
            " AND wrong_number = 1",
            (*contact_ids, e164),
        )
    }
    return [c for c in contact_ids if c not in wrong] or list(contact_ids)


class WrongNumberError(PhonebankError):
    """A Wrong Number mark that cannot be taken back: no such number, or not marked."""


def unmark_wrong_number(db: Database, contact_id: int, e164: str) -> dict[str, Any]:
    """Take back a Wrong Number mark for one person: queues built from now on include the
    number for them again. What is not restored is returned with the ids and titles of the
    banks concerned: ``closed``, banks where a Wrong Number outcome closed the number (it
    stays closed there); ``left_out``, started banks whose queue was built without the
    number for this person (it is not added back); ``dnc``, whether the number is on the
    Do Not Call list."""
    with db.write() as conn:
        row = conn.execute(
            "SELECT max(wrong_number) FROM phones WHERE contact_id = ? AND e164 = ?",
            (contact_id, e164),
        ).fetchone()
        if row is None or row[0] is None:
            known = conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)).fetchone()
            if known is None:
                raise WrongNumberError("no_such_contact", f"no contact with id {contact_id}")
            raise WrongNumberError("no_such_phone", f"contact {contact_id} has no number {e164}")
        if not row[0]:
            raise WrongNumberError(
                "not_marked", f"{e164} is not marked as a wrong number for contact {contact_id}"
            )
        conn.execute(
            "UPDATE phones SET wrong_number = 0 WHERE contact_id = ? AND e164 = ?",
            (contact_id, e164),
        )
        return {"contact_id": contact_id, "e164": e164, "wrong_number": False,
                **_not_restored(conn, contact_id, e164)}  # fmt: skip


_CLOSED = (
    "SELECT DISTINCT b.id, b.title FROM queue_entries q JOIN queue_members m"
    " ON m.entry_id = q.id JOIN banks b ON b.id = q.bank_id WHERE q.e164 = :e164"
    " AND m.contact_id = :contact AND q.state = 'done' AND q.done_reason = 'wrong_number'"
    " AND b.state != 'stopped' ORDER BY b.id"
)
_LEFT_OUT = (
    "SELECT b.id, b.title FROM banks b JOIN contacts c ON c.list_id = b.list_id"
    " WHERE c.id = :contact AND b.queue_built_at IS NOT NULL AND b.state != 'stopped'"
    " AND NOT EXISTS (SELECT 1 FROM queue_entries q JOIN queue_members m ON m.entry_id = q.id"
    "  WHERE q.bank_id = b.id AND q.e164 = :e164 AND m.contact_id = :contact) ORDER BY b.id"
)


def _not_restored(conn: sqlite3.Connection, contact_id: int, e164: str) -> dict[str, Any]:
    args = {"contact": contact_id, "e164": e164}
    out: dict[str, Any] = {
        key: [{"id": int(r[0]), "title": str(r[1])} for r in conn.execute(sql, args)]
        for key, sql in (("closed", _CLOSED), ("left_out", _LEFT_OUT))
    }
    out["dnc"] = conn.execute("SELECT 1 FROM dnc WHERE e164 = ?", (e164,)).fetchone() is not None
    return out


def unmark_note(result: dict[str, Any]) -> str:
    """What the undo did not restore, in words ('' when everything was)."""
    notes = []
    if result["dnc"]:
        notes.append("The number is on the Do Not Call list: no bank calls it.")
    if result["closed"]:
        notes.append(
            f"The number stays closed in {_banks(result['closed'])}, where a Wrong Number"
            " outcome was filed."
        )
    if result["left_out"]:
        notes.append(
            f"The person is not put back in the queue of {_banks(result['left_out'])}, built"
            " while the number was left out for them."
        )
    return " ".join(notes)


def _banks(banks: list[dict[str, Any]]) -> str:
    names = ", ".join(f"{b['id']} ({b['title']})" for b in banks)
    return f"bank{'s' if len(banks) > 1 else ''} {names}"
