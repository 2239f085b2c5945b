"""Stored call scripts (validated before they are saved)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

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


def save(conn: sqlite3.Connection, script: Script, replace: bool = False) -> int:
    """Insert (or with ``replace``, update the same-named) script; invalid ones raise."""
    problems = check(conn, script)
    if problems:
        raise ScriptError(problems)
    body = json.dumps(model.to_dict(script), sort_keys=True)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    row = conn.execute(
        "SELECT id FROM scripts WHERE name = ? COLLATE NOCASE", (script.name,)
    ).fetchone()
    if row is not None:
        if not replace:
            raise ScriptError(
                [Problem("script_exists", f"a script named {script.name!r} exists (use --replace)")]
            )
        conn.execute(
            "UPDATE scripts SET body = ?, updated_at = ? WHERE id = ?", (body, now, row["id"])
        )
        return int(row["id"])
    cur = conn.execute(
        "INSERT INTO scripts (name, body, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (script.name, body, now, now),
    )
    return int(cur.lastrowid or 0)


def get(conn: sqlite3.Connection, ref: int | str) -> StoredScript | None:
    """A script by id or by name."""
    if isinstance(ref, int) or str(ref).isdigit():
        row = conn.execute("SELECT * FROM scripts WHERE id = ?", (int(ref),)).fetchone()
    else:
        row = conn.execute("SELECT * FROM scripts WHERE name = ? COLLATE NOCASE", (ref,)).fetchone()
    if row is None:
        return None
    script = model.from_dict(json.loads(row["body"]))
    return StoredScript(id=int(row["id"]), script=script, updated_at=str(row["updated_at"]))


def list_all(conn: sqlite3.Connection) -> list[dict[str, object]]:
    rows = conn.execute("SELECT id, name, body, updated_at FROM scripts ORDER BY id")
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "blocks": len(json.loads(r["body"])["blocks"]),
            "updated_at": r["updated_at"],
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
