"""Stored call scripts (validated before they are saved)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from controller.ids import parse_id
from controller.model import scripts as model
from controller.model.scripts import Problem, Script, ScriptError


@dataclass(frozen=True)
class StoredScript:
    id: int
    script: Script
    updated_at: str


def field_options(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Custom field names and the options a script block linked to them offers."""
    out: dict[str, list[str]] = {}
    for row in conn.execute("SELECT name, kind, options FROM custom_fields WHERE builtin = 0"):
        if row["kind"] == "yesno":
            out[row["name"]] = ["Yes", "No"]
        else:
            out[row["name"]] = [str(o) for o in json.loads(row["options"] or "[]")]
    return out


def field_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM custom_fields WHERE name = ? COLLATE NOCASE", (name,)
    ).fetchone()
    return int(row["id"]) if row else None


def check(conn: sqlite3.Connection, script: Script) -> list[Problem]:
    return model.validate(script, field_options(conn))


STARTED = ("running", "paused", "stopped")  # a script these banks use is never rewritten


@dataclass(frozen=True)
class BankSave:
    """What the editor of one bank saved: the script id, the name it got, and why (if moved)."""

    script_id: int
    name: str
    note: str = ""


def banks_using(conn: sqlite3.Connection, script_id: int) -> list[tuple[int, str]]:
    """(bank id, state) of every bank whose script is ``script_id``."""
    rows = conn.execute("SELECT id, state FROM banks WHERE script_id = ? ORDER BY id", (script_id,))
    return [(int(r["id"]), str(r["state"])) for r in rows]


def bank_list(banks: list[tuple[int, str]], states: bool = False) -> str:
    """``bank 3`` / ``banks 1, 3 and 4`` (``bank 1 (stopped)`` with ``states``)."""
    names = [f"{i} ({st})" if states else str(i) for i, st in banks]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return ("bank " if len(names) == 1 else "banks ") + text


def _id_by_name(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM scripts WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    return int(row["id"]) if row else None


def _used_by(conn: sqlite3.Connection, script_id: int) -> str:
    banks = banks_using(conn, script_id)
    return f"used by {bank_list(banks)}" if banks else "used by no bank"


def _valid(conn: sqlite3.Connection, script: Script) -> None:
    problems = check(conn, script)
    if problems:
        raise ScriptError(problems)


def _dump(script: Script, name: str) -> str:
    """The stored form of ``script`` under the name it is saved as."""
    return json.dumps({**model.to_dict(script), "name": name}, sort_keys=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _insert(conn: sqlite3.Connection, name: str, body: str) -> int:
    now = _now()
    cur = conn.execute(
        "INSERT INTO scripts (name, body, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (name, body, now, now),
    )
    return int(cur.lastrowid or 0)


def _update(conn: sqlite3.Connection, script_id: int, name: str, body: str) -> None:
    conn.execute(
        "UPDATE scripts SET name = ?, body = ?, updated_at = ? WHERE id = ?",
        (name, body, _now(), script_id),
    )


def refuse_if_started(
    conn: sqlite3.Connection, script_id: int, name: str, bank_id: int = 0
) -> None:
    """``script_in_use`` if a running, paused or stopped bank (other than ``bank_id``) uses it."""
    started = [(i, st) for i, st in banks_using(conn, script_id) if st in STARTED and i != bank_id]
    if started:
        raise ScriptError([Problem("script_in_use", (
            f"script {name!r} is used by {bank_list(started, states=True)}: a script that a"
            " started or stopped bank uses is never changed; save this one under another name"
        ))])  # fmt: skip


def save(conn: sqlite3.Connection, script: Script, replace: bool = False, bank_id: int = 0) -> int:
    """Insert (or with ``replace``, update the same-named) script; invalid ones raise.

    Replacing is refused (``script_in_use``) while a running, paused or stopped bank other
    than ``bank_id`` uses the script; drafts and published banks using it follow the change.
    """
    _valid(conn, script)
    body = _dump(script, script.name)
    found = _id_by_name(conn, script.name)
    if found is None:
        return _insert(conn, script.name, body)
    if not replace:
        msg = f"a script named {script.name!r} exists ({_used_by(conn, found)}) (use --replace)"
        raise ScriptError([Problem("script_exists", msg)])
    refuse_if_started(conn, found, script.name, bank_id)
    _update(conn, found, script.name, body)
    return found


def free_name(conn: sqlite3.Connection, name: str, bank_id: int) -> str:
    """``name`` if no script has it, else ``name (bank N)`` (then ``(bank N, 2)``, ...)."""
    candidate, n = name, 1
    while _id_by_name(conn, candidate) is not None:
        n += 1
        candidate = f"{name} (bank {bank_id})" if n == 2 else f"{name} (bank {bank_id}, {n - 1})"
    return candidate


def save_for_bank(conn: sqlite3.Connection, bank_id: int, script: Script) -> BankSave:
    """The editor of bank ``bank_id`` saves its script: no other bank's script ever changes.

    The bank's own script is updated in place when no other bank uses it. When other banks
    share it, or the name typed belongs to another script, the bank gets a new script of its
    own (under a free name) and the others keep theirs byte for byte; ``note`` says why.
    """
    from controller.store import banks as bank_store  # banks reads scripts: import on use

    bank = bank_store.get(conn, bank_id)
    if bank.state.value == "stopped":
        raise bank_stopped()
    _valid(conn, script)
    own = bank.settings.script_id
    others = [b for b in banks_using(conn, own) if b[0] != bank_id] if own is not None else []
    writable = own is not None and not others and get(conn, own) is not None
    named = _id_by_name(conn, script.name)
    taken = named is not None and not (writable and named == own)
    name = free_name(conn, script.name, bank_id) if taken else script.name
    if writable and own is not None:
        _update(conn, own, name, _dump(script, name))
        script_id = own
    else:
        script_id = _insert(conn, name, _dump(script, name))
    bank_store.edit(conn, bank_id, {"script_id": script_id})
    return BankSave(script_id, name, _note(conn, script.name, name, named, own, others))


def bank_stopped() -> Exception:
    from controller.model.banks import BankError

    return BankError("bank_stopped", "a stopped bank can no longer be edited")


def _note(
    conn: sqlite3.Connection, typed: str, name: str, named: int | None, own: int | None,
    others: list[tuple[int, str]],
) -> str:  # fmt: skip
    if named is not None and named != own and name != typed:
        return (f"the name {typed!r} belongs to another script ({_used_by(conn, named)}),"
                f" left unchanged: this bank's script was saved as {name!r}")  # fmt: skip
    if others:
        return (f"the script shared with {bank_list(others)} stays unchanged for them:"
                f" this bank now has its own script {name!r}")  # fmt: skip
    return ""


def get(conn: sqlite3.Connection, ref: int | str) -> StoredScript | None:
    """A script by id or by name ("²" or a 20-digit number can only be a name)."""
    number = parse_id(ref)
    if number is not None:
        row = conn.execute("SELECT * FROM scripts WHERE id = ?", (number,)).fetchone()
    elif isinstance(ref, int):
        return None
    else:
        row = conn.execute("SELECT * FROM scripts WHERE name = ? COLLATE NOCASE", (ref,)).fetchone()
    if row is None:
        return None
    script = model.from_dict(json.loads(row["body"]))
    return StoredScript(id=int(row["id"]), script=script, updated_at=str(row["updated_at"]))


def delete(conn: sqlite3.Connection, ref: str) -> StoredScript:
    """Delete the script ``ref`` (name or id); the deleted script.

    Refused (``script_in_use``, naming each bank and its state) while any bank uses it, even
    a draft: a bank keeps the script it was given until another one is attached.
    """
    found = get(conn, ref)
    if found is None:
        raise ScriptError([Problem("unknown_script", f"there is no script {ref!r}")])
    banks = banks_using(conn, found.id)
    if banks:
        msg = (f"script {found.script.name!r} is used by {bank_list(banks, states=True)};"
               " a script a bank uses cannot be deleted")  # fmt: skip
        if any(state in ("draft", "published") for _, state in banks):
            msg += " (attach another script to the draft and published ones first)"
        raise ScriptError([Problem("script_in_use", msg)])
    conn.execute("DELETE FROM scripts WHERE id = ?", (found.id,))
    return found


def list_all(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every saved script: id, name, number of blocks, last change, ids of the banks using it
    (``banks``) and those banks with their states (``bank_states``, for ``bank_list``)."""
    users: dict[int, list[tuple[int, str]]] = {}
    for b in conn.execute(
        "SELECT id, state, script_id FROM banks WHERE script_id IS NOT NULL ORDER BY id"
    ):
        users.setdefault(int(b["script_id"]), []).append((int(b["id"]), str(b["state"])))
    rows = conn.execute("SELECT id, name, body, updated_at FROM scripts ORDER BY id")
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "blocks": len(json.loads(r["body"])["blocks"]),
            "updated_at": r["updated_at"],
            "banks": [i for i, _ in users.get(int(r["id"]), [])],
            "bank_states": users.get(int(r["id"]), []),
        }
        for r in rows
    ]


def save_answer(
    conn: sqlite3.Connection,
    *,
    bank_id: int,
    contact_id: int,
    block_id: str,
    answer: str,
    now: float,
    attempt_id: int | None = None,
    volunteer_id: int | None = None,
) -> int:
    """Record one clicked response; a field-linked block also sets the contact's field."""
    from controller.store import attempts, outbox_enqueue  # attempts imports the queue

    row = conn.execute(
        "SELECT s.body FROM banks AS b JOIN scripts AS s ON s.id = b.script_id WHERE b.id = ?",
        (bank_id,),
    ).fetchone()
    if row is None:
        raise ScriptError([Problem("no_script", f"bank {bank_id} has no script")])
    script = model.from_dict(json.loads(row["body"]))
    try:
        block = script.block(block_id)
    except KeyError:
        raise ScriptError([Problem("unknown_block", f"no block {block_id!r}")]) from None
    labels = [r.label for r in model.responses_for(block, field_options(conn))]
    if answer not in labels:
        msg = f"{answer!r} is not a response of block {block_id!r} (choose from {labels})"
        raise ScriptError([Problem("unknown_response", msg, block_id)])
    at = attempts.iso(now)
    fid = field_id(conn, block.field) if block.field else None
    cur = conn.execute(
        "INSERT INTO script_answers (attempt_id, bank_id, contact_id, block_id, question,"
        " answer, field_id, volunteer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (attempt_id, bank_id, contact_id, block_id, block.title, answer, fid, volunteer_id, at),
    )
    answer_id = int(cur.lastrowid or 0)
    if fid is not None and block.field is not None:
        attempts.set_field_value(conn, contact_id, fid, answer, bank_id, at)
        outbox_enqueue.enqueue_field_value(
            conn, contact_id=contact_id, field_name=block.field, value=answer,
            source_kind="script_answer", source_id=answer_id, at=at, bank_id=bank_id,
            attempt_id=attempt_id,
        )  # fmt: skip
    return answer_id
