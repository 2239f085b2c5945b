"""Stored phone banks: settings, state, visibility and the lifecycle history.

Every change goes through the pure model (:mod:`controller.model.banks`), which refuses
illegal steps with a :class:`BankError` before anything is written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from controller.model import banks as model
from controller.model.banks import Bank, BankError, BankSettings, State
from controller.store import lists, start_progress
from controller.store.db import Database


def _now_text(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _report_fields(conn: sqlite3.Connection, bank: Bank, before: BankSettings | None) -> Bank:
    """``bank`` with each report field added spelled as its custom field is (the call screen
    finds a field's choices by that name); ``unknown_field`` when it names none. One kept
    from before may have been deleted since: the call screen leaves it out, and other
    settings still save."""
    kept = set(before.report_fields) if before is not None else set()
    names = []
    for name in bank.settings.report_fields:
        row = None
        if name not in kept:
            row = conn.execute(
                "SELECT name FROM custom_fields WHERE name = ?", (name.strip(),)
            ).fetchone()
            if row is None:
                raise BankError(
                    "unknown_field",
                    f"there is no custom field {name!r} to ask in the report"
                    " (the fields are on Fields and tags, or: phonebank fields list)",
                )
        names.append(str(row["name"]) if row is not None else name)
    return replace(bank, settings=replace(bank.settings, report_fields=tuple(names)))


def _check_refs(conn: sqlite3.Connection, s: BankSettings) -> None:
    if (
        s.list_id is not None
        and not conn.execute("SELECT 1 FROM live_lists WHERE id = ?", (s.list_id,)).fetchone()
    ):
        raise BankError("unknown_list", f"there is no contact list {s.list_id}")
    if (
        s.script_id is not None
        and not conn.execute("SELECT 1 FROM scripts WHERE id = ?", (s.script_id,)).fetchone()
    ):
        raise BankError("unknown_script", f"there is no script {s.script_id}")


def resolve_list(conn: sqlite3.Connection, ref: str | int) -> int:
    """A contact list id from its id or its name (the rule of ``lists.find``)."""
    found = lists.find(conn, ref)
    if found is None:
        raise BankError("unknown_list", f"there is no contact list {str(ref).strip()!r}")
    return found[0]


def _row_to_bank(conn: sqlite3.Connection, row: sqlite3.Row) -> Bank:
    lists = tuple(
        r[0]
        for r in conn.execute(
            "SELECT user_list_id FROM bank_user_lists WHERE bank_id = ? ORDER BY 1", (row["id"],)
        )
    )
    scheduled = row["scheduled_start"]
    return Bank(
        settings=model.settings_from_dict(json.loads(row["settings"])),
        id=int(row["id"]),
        state=State(row["state"]),
        visibility=row["visibility"],
        user_list_ids=lists,
        ever_started=bool(row["ever_started"]),
        scheduled_start=datetime.fromisoformat(scheduled) if scheduled else None,
    )


def get(conn: sqlite3.Connection, bank_id: int) -> Bank:
    row = conn.execute("SELECT * FROM banks WHERE id = ?", (bank_id,)).fetchone()
    if row is None:
        raise BankError("unknown_bank", f"there is no bank {bank_id}")
    return _row_to_bank(conn, row)


def delete(db: Database, bank_id: int) -> Bank:
    """Delete a bank that never started (its settings, visibility and schedule go with it;
    its list and script stay); the deleted bank. Refused while a start of it is building
    its queue (``already_starting``): the start holds the bank's start lock throughout."""
    with start_progress.building(db.path, bank_id, wait=False), db.write() as conn:
        bank = get(conn, bank_id)
        model.check_deletable(bank)
        calls = conn.execute("SELECT 1 FROM call_attempts WHERE bank_id = ? LIMIT 1", (bank_id,))
        if calls.fetchone() is not None:  # cannot happen for a bank that never started
            raise BankError("bank_started", f"bank {bank_id} has calls: they are kept")
        conn.execute("DELETE FROM banks WHERE id = ?", (bank_id,))
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
            " SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            (LAST_DELETED, bank_id),
        )
    return bank


LAST_DELETED = "banks_last_deleted_id"  # meta: the highest id a deleted bank had


def _next_id(conn: sqlite3.Connection) -> int:
    """The id of a new bank: above every bank's, and above every deleted bank's, so an id
    never names two banks (a deleted bank's id stays unused)."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM banks), 0),"
        " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0))",
        (LAST_DELETED,),
    ).fetchone()
    return int(row[0]) + 1


def list_all(conn: sqlite3.Connection, state: str | None = None) -> list[Bank]:
    sql, args = "SELECT * FROM banks ORDER BY id", ()
    if state:
        sql, args = "SELECT * FROM banks WHERE state = ? ORDER BY id", (state,)  # type: ignore[assignment]
    return [_row_to_bank(conn, r) for r in conn.execute(sql, args)]


def create(conn: sqlite3.Connection, changes: dict[str, Any], actor: str = "") -> Bank:
    """A new draft bank from ``changes`` over the default settings (``actor``: who made it)."""
    settings = model.apply_changes(BankSettings(), changes)
    bank = _report_fields(conn, model.create(settings, set(changes)), None)
    _check_refs(conn, bank.settings)
    now = _now_text()
    bank_id = _next_id(conn)
    conn.execute(
        "INSERT INTO banks (id, title, list_id, settings, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (bank_id, settings.title, settings.list_id, "{}", now, now),
    )
    _save(conn, Bank(settings=bank.settings, id=bank_id))
    _log(conn, bank_id, "new", State.DRAFT, actor)
    return get(conn, bank_id)


def _save(conn: sqlite3.Connection, bank: Bank) -> None:
    s = bank.settings
    conn.execute(
        "UPDATE banks SET title = ?, state = ?, visibility = ?, list_id = ?, script_id = ?,"
        " settings = ?, prevent_frequent = ?, suppress_hours = ?, ever_started = ?,"
        " scheduled_start = ?, updated_at = ? WHERE id = ?",
        (
            s.title,
            bank.state.value,
            bank.visibility,
            s.list_id,
            s.script_id,
            json.dumps(model.settings_to_dict(s), sort_keys=True),
            int(s.prevent_frequent),
            s.suppress_other_bank_hours,
            int(bank.ever_started),
            bank.scheduled_start.isoformat() if bank.scheduled_start else None,
            _now_text(),
            bank.id,
        ),
    )
    conn.execute("DELETE FROM bank_user_lists WHERE bank_id = ?", (bank.id,))
    conn.executemany(
        "INSERT INTO bank_user_lists (bank_id, user_list_id) VALUES (?, ?)",
        [(bank.id, i) for i in bank.user_list_ids],
    )


def _log(conn: sqlite3.Connection, bank_id: int, old: str, new: State, actor: str) -> None:
    conn.execute(
        "INSERT INTO bank_transitions (bank_id, from_state, to_state, actor, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (bank_id, old, new.value, actor, _now_text()),
    )


def update(
    conn: sqlite3.Connection, bank_id: int, step: Callable[[Bank], Bank], actor: str = ""
) -> Bank:
    """Apply a model step (edit, publish, start, ...) and save it with its history."""
    before = get(conn, bank_id)
    after = _report_fields(conn, step(before), before.settings)
    _check_refs(conn, after.settings)
    if after.visibility == "private":
        for list_id in after.user_list_ids:
            if not conn.execute("SELECT 1 FROM user_lists WHERE id = ?", (list_id,)).fetchone():
                raise BankError("unknown_user_list", f"there is no user list {list_id}")
    _save(conn, after)
    if after.state is not before.state:
        _log(conn, bank_id, before.state.value, after.state, actor)
    return get(conn, bank_id)


def edit(conn: sqlite3.Connection, bank_id: int, changes: dict[str, Any]) -> Bank:
    return update(conn, bank_id, lambda b: model.edit(b, changes))


def start(conn: sqlite3.Connection, bank_id: int, now: datetime, actor: str = "") -> Bank:
    """Start (the first start builds the dialing queue from the list, in one transaction)."""
    from controller.store import queue  # the queue reads banks: import on use

    bank = update(conn, bank_id, lambda b: model.start(b, now), actor)
    queue.build(conn, bank_id)
    return bank


def start_scheduled(conn: sqlite3.Connection, now: datetime) -> list[int]:
    """Start every published bank whose scheduled start has come; returns their ids."""
    started = []
    for b in list_all(conn, State.PUBLISHED.value):
        if b.id is not None and model.due_to_start(b, now):
            start(conn, b.id, now, actor="schedule")
            started.append(b.id)
    return started


def script_for_volunteer(conn: sqlite3.Connection, bank_id: int, user_id: int) -> dict[str, Any]:
    """The bank's script as a volunteer may read it (refused if the bank is hidden to them)."""
    from controller.model import scripts as script_model
    from controller.store import scripts

    if not any(b.id == bank_id for b in visible_banks(conn, user_id)):
        raise BankError("not_visible", f"bank {bank_id} is not open to this volunteer")
    found = scripts.get(conn, int(get(conn, bank_id).settings.script_id or 0))
    if found is None:
        raise BankError("unknown_script", f"bank {bank_id} has no script")
    return script_model.to_dict(found.script)


def history(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT from_state, to_state, actor, at FROM bank_transitions WHERE bank_id = ?"
        " ORDER BY id",
        (bank_id,),
    )
    return [dict(r) for r in rows]


def visible_banks(conn: sqlite3.Connection, user_id: int) -> list[Bank]:
    """The banks a volunteer can see (published, running or paused; public or in their
    lists)."""
    lists = {
        int(r[0])
        for r in conn.execute(
            "SELECT user_list_id FROM user_list_members WHERE user_id = ?", (user_id,)
        )
    }
    return [b for b in list_all(conn) if model.visible_to(b, lists)]


def to_dict(bank: Bank) -> dict[str, Any]:
    return {
        "id": bank.id,
        "state": bank.state.value,
        "visibility": bank.visibility,
        "user_list_ids": list(bank.user_list_ids),
        "ever_started": bank.ever_started,
        "scheduled_start": bank.scheduled_start.isoformat() if bank.scheduled_start else None,
        "settings": model.settings_to_dict(bank.settings),
    }


ZONES_MIX = (
    ("America/New_York", "212"),
    ("America/Chicago", "312"),
    ("America/Denver", "303"),
    ("America/Los_Angeles", "213"),
    ("America/Phoenix", "602"),
    ("Pacific/Honolulu", "808"),
)


def seed_synthetic_list(
    conn: sqlite3.Connection, name: str, contacts: int, household_every: int = 0, seed: int = 1
) -> int:
    """A made-up contact list for demos, tests and benchmarks, written with bulk SQL.

    Contacts spread over six US zones (the area code matches the zone), accuracy 0-99, one
    cell phone each; with ``household_every`` = k, every k-th contact shares the previous
    contact's number (a household). Returns the list id.
    """
    list_id = int(conn.execute("INSERT INTO lists (name) VALUES (?)", (name,)).lastrowid or 0)
    first = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM contacts").fetchone()[0])
    k = household_every if household_every > 1 else contacts + 2
    rows = (
        "WITH RECURSIVE n(i) AS (SELECT 0 WHERE :count > 0"
        " UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),"
        " g(i, h) AS (SELECT i, CASE WHEN i % :k = :k - 1 THEN i - 1 ELSE i END FROM n),"
        " z(zone, area, slot) AS (VALUES "
        + ",".join(f"('{z}', '{a}', {j})" for j, (z, a) in enumerate(ZONES_MIX))
        + ") SELECT g.i AS i, g.h AS h, z.zone AS zone, '+1' || z.area"
        " || (200 + (g.h / 10000) % 800) || printf('%04d', g.h % 10000) AS e164"
        " FROM g JOIN z ON z.slot = (g.h * 7 + :seed) % 6"
    )
    args = {"count": contacts, "k": k, "seed": seed, "first": first, "list": list_id,
            "key": lists.MADE_UP_KEY}  # fmt: skip
    conn.execute(
        "INSERT INTO contacts (id, list_id, first_name, last_name, time_zone, dedupe_key)"
        f" SELECT :first + i, :list, 'First' || i, 'Last' || i, zone, :key || i FROM ({rows})",
        args,
    )
    conn.execute(
        "INSERT INTO phones (contact_id, e164, type, accuracy, position)"
        f" SELECT :first + i, e164, 'cell', (h * 37 + :seed) % 100, 0 FROM ({rows})",
        args,
    )
    return list_id
