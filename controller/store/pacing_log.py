"""The pacing decisions the dialer engine records: one row per decision, written as it
paces and read back for the decision log, its export and replay.

Readers that walk a running bank's rows bound them by :func:`last_decision_id`, so a count
and the rows read after it cover the same decisions while the engine goes on adding rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

_NO_ID_BOUND = 2**63 - 1  # SQLite's largest integer


def record_decision(
    conn: sqlite3.Connection, bank_id: int, at: float, decision: Mapping[str, Any], dialed: int
) -> int:
    """Store one pacing decision (``Decision.to_dict()``) and how many dials it produced."""
    cur = conn.execute(
        "INSERT INTO pacing_decisions (bank_id, at, strategy, dial, dialed, cancel, ratio,"
        " reason, figures, inputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            bank_id,
            at,
            str(decision["strategy"]),
            int(decision["dial"]),
            dialed,
            json.dumps(list(decision.get("cancel", []))),
            float(decision.get("ratio", 0.0)),
            str(decision.get("reason", "")),
            json.dumps(decision.get("figures", {}), sort_keys=True),
            json.dumps(decision.get("inputs") or {}, sort_keys=True),
        ),
    )
    return int(cur.lastrowid or 0)


def decisions(
    conn: sqlite3.Connection, bank_id: int, limit: int | None = None
) -> list[dict[str, Any]]:
    """A bank's pacing decisions, oldest first (only the latest ``limit`` when given)."""
    rows = conn.execute(
        "SELECT * FROM (SELECT * FROM pacing_decisions WHERE bank_id = ? ORDER BY id DESC"
        " LIMIT ?) ORDER BY id",
        (bank_id, -1 if limit is None else limit),
    ).fetchall()
    out = []
    for r in rows:
        item = dict(r)
        for key in ("cancel", "figures", "inputs"):
            item[key] = json.loads(item[key])
        out.append(item)
    return out


def last_decision_id(conn: sqlite3.Connection, bank_id: int) -> int:
    """The id of the bank's latest stored pacing decision (0 when there is none): a bound
    that keeps a count and the rows read after it to the same decisions while a running
    engine goes on adding rows."""
    row = conn.execute(
        "SELECT coalesce(max(id), 0) FROM pacing_decisions WHERE bank_id = ?", (bank_id,)
    ).fetchone()
    return int(row[0])


def decision_rows(
    conn: sqlite3.Connection,
    bank_id: int,
    since: float | None = None,
    until: float | None = None,
    batch: int = 500,
    last_id: int | None = None,
) -> Iterator[dict[str, Any]]:
    """A bank's stored pacing decisions as raw rows (JSON columns left as text), oldest
    first, ``since <= at < until``, fetched ``batch`` rows at a time: a whole day of
    decisions is never in memory at once. Only rows stored before the first fetch are read
    (a running engine goes on adding rows meanwhile), or those up to ``last_id`` when given."""
    if last_id is None:
        last_id = last_decision_id(conn, bank_id)
    after = (float("-inf") if since is None else since, -1)
    end = float("inf") if until is None else until
    while True:
        rows = conn.execute(
            "SELECT * FROM pacing_decisions WHERE bank_id = ? AND at >= ? AND (at > ? OR id > ?)"
            " AND at < ? AND id <= ? ORDER BY at, id LIMIT ?",
            (bank_id, after[0], after[0], after[1], end, last_id, batch),
        ).fetchall()
        for r in rows:
            yield dict(r)
        if len(rows) < batch:
            return
        after = (float(rows[-1]["at"]), int(rows[-1]["id"]))


def count_decisions(
    conn: sqlite3.Connection,
    bank_id: int,
    since: float | None = None,
    until: float | None = None,
    last_id: int | None = None,
) -> int:
    """How many pacing decisions of the bank were stored with ``since <= at < until`` (and
    ``id <= last_id`` when given): the same range :func:`decision_rows` reads."""
    row = conn.execute(
        "SELECT count(*) FROM pacing_decisions WHERE bank_id = ? AND at >= ? AND at < ?"
        " AND id <= ?",
        (bank_id, float("-inf") if since is None else since,
         float("inf") if until is None else until, _NO_ID_BOUND if last_id is None else last_id),
    ).fetchone()  # fmt: skip
    return int(row[0])


def prune_decisions(conn: sqlite3.Connection, before: float, batch: int) -> int:
    """Delete up to ``batch`` of the decisions made before ``before`` (every bank's), oldest
    rows first; returns how many. With nothing that old it reads the whole table: the engine
    asks at most once an hour then (``Engine.prune_decisions``)."""
    cur = conn.execute(
        "DELETE FROM pacing_decisions WHERE id IN (SELECT id FROM pacing_decisions"
        " WHERE at < ? ORDER BY id LIMIT ?)",
        (before, batch),
    )
    return cur.rowcount
