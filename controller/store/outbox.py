"""The durable sync outbox: rows written with the facts they report, sent by a worker.

Life of a row: ``pending`` -> ``sending`` (claimed by one worker under a time lease, the
attempt counted) -> ``sent`` (right after the target accepted it) or back to ``pending``
with a later ``next_attempt_at`` (temporary error) or ``failed`` (the target refused it;
its own error code and text are kept). ``skipped`` rows (e.g. no VanID) never leave.

A claim whose lease ran out while ``sending`` means the worker died mid-send; such a row is
claimed again and flagged ``in_doubt`` (the target may already have it). See
docs/crm-sync.md for that window.

Enqueueing for calls lives in :mod:`controller.store.outbox_enqueue`.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TARGETS = ("van", "webhook")
STATUSES = ("pending", "sending", "sent", "failed", "skipped")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    target: str
    dedupe_key: str
    source_kind: str
    source_id: int | None
    contact_id: int | None
    bank_id: int | None
    instruction_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: float
    in_doubt: bool
    error_code: str | None
    error_text: str | None
    created_at: str
    sent_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _row(r: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        target=r["target"],
        dedupe_key=r["dedupe_key"],
        source_kind=r["source_kind"],
        source_id=r["source_id"],
        contact_id=r["contact_id"],
        bank_id=r["bank_id"],
        instruction_id=r["instruction_id"],
        payload=json.loads(r["payload"]),
        status=r["status"],
        attempts=r["attempts"],
        next_attempt_at=r["next_attempt_at"],
        in_doubt=bool(r["in_doubt"]),
        error_code=r["error_code"],
        error_text=r["error_text"],
        created_at=r["created_at"],
        sent_at=r["sent_at"],
    )


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def enqueue(
    conn: sqlite3.Connection,
    *,
    target: str,
    dedupe_key: str,
    source_kind: str,
    payload: dict[str, Any],
    source_id: int | None = None,
    contact_id: int | None = None,
    bank_id: int | None = None,
    instruction_id: int | None = None,
    skip: tuple[str, str] | None = None,
    not_before: float = 0.0,
) -> int | None:
    """Insert one row (inside the caller's transaction); None if already queued.

    ``skip`` = (code, reason) stores the row as ``skipped`` so the reason stays visible;
    ``not_before`` (epoch seconds) holds a pending row back until then.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown sync target {target!r}")
    status, code, text = ("skipped", *skip) if skip else ("pending", None, None)
    cur = conn.execute(
        "INSERT INTO sync_outbox (target, dedupe_key, source_kind, source_id, contact_id,"
        " bank_id, instruction_id, payload, status, error_code, error_text, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (target, dedupe_key) DO NOTHING",
        (
            target,
            dedupe_key,
            source_kind,
            source_id,
            contact_id,
            bank_id,
            instruction_id,
            json.dumps(payload, sort_keys=True),
            status,
            code,
            text,
            not_before,
        ),
    )
    return cur.lastrowid if cur.rowcount else None


def claim_due(
    conn: sqlite3.Connection,
    target: str,
    owner: str,
    now: float,
    lease_seconds: float,
    limit: int = 10,
) -> list[OutboxRow]:
    """Claim up to ``limit`` due rows for ``owner`` (oldest first) and count the attempt."""
    rows = conn.execute(
        "UPDATE sync_outbox SET"
        " in_doubt = CASE WHEN status = 'sending' THEN 1 ELSE in_doubt END,"
        " status = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM sync_outbox WHERE target = ? AND"
        " ((status = 'pending' AND next_attempt_at <= ?)"
        " OR (status = 'sending' AND lease_until < ?)) ORDER BY id LIMIT ?)"
        " RETURNING *",
        (owner, now + lease_seconds, target, now, now, limit),
    ).fetchall()
    return sorted((_row(r) for r in rows), key=lambda r: r.id)


def _finish(conn: sqlite3.Connection, row_id: int, owner: str, sets: str, args: tuple) -> bool:
    cur = conn.execute(
        f"UPDATE sync_outbox SET {sets}, lease_owner = NULL, lease_until = NULL"
        " WHERE id = ? AND status = 'sending' AND lease_owner = ?",
        (*args, row_id, owner),
    )
    return cur.rowcount == 1


def mark_sent(conn: sqlite3.Connection, row_id: int, owner: str) -> bool:
    """Record acceptance by the target; False if the lease was lost meanwhile."""
    return _finish(
        conn,
        row_id,
        owner,
        "status = 'sent', sent_at = ?, error_code = NULL, error_text = NULL",
        (utc_now_iso(),),
    )


def schedule_retry(
    conn: sqlite3.Connection,
    row_id: int,
    owner: str,
    next_at: float,
    code: str,
    text: str,
    in_doubt: bool = False,
) -> bool:
    """Back in line at ``next_at``; ``in_doubt``: the target may have the message already."""
    return _finish(
        conn,
        row_id,
        owner,
        "status = 'pending', next_attempt_at = ?, error_code = ?, error_text = ?,"
        " in_doubt = max(in_doubt, ?)",
        (next_at, code, text, int(in_doubt)),
    )


def mark_failed(
    conn: sqlite3.Connection, row_id: int, owner: str, code: str, text: str, in_doubt: bool = False
) -> bool:
    return _finish(
        conn,
        row_id,
        owner,
        "status = 'failed', error_code = ?, error_text = ?, in_doubt = max(in_doubt, ?)",
        (code, text, int(in_doubt)),
    )


def retry(conn: sqlite3.Connection, ids: list[int] | None = None, target: str | None = None) -> int:
    """Put failed rows back in line (all failed ones, or the given ids); return the count.

    The try count starts again, so a row retried by hand gets a full round of retries.
    """
    sql = (
        "UPDATE sync_outbox SET status = 'pending', next_attempt_at = 0, attempts = 0"
        " WHERE status = 'failed'"
    )
    args: list[Any] = []
    if ids is not None:
        sql += f" AND id IN ({', '.join('?' for _ in ids)})"
        args.extend(ids)
    if target is not None:
        sql += " AND target = ?"
        args.append(target)
    return conn.execute(sql, args).rowcount


def get_row(conn: sqlite3.Connection, row_id: int) -> OutboxRow | None:
    r = conn.execute("SELECT * FROM sync_outbox WHERE id = ?", (row_id,)).fetchone()
    return _row(r) if r else None


def list_rows(
    conn: sqlite3.Connection,
    target: str | None = None,
    status: str | None = None,
    limit: int = 100,
    in_doubt: bool = False,
) -> list[OutboxRow]:
    """Rows oldest first; ``in_doubt`` keeps only the rows flagged in doubt."""
    sql, args = "SELECT * FROM sync_outbox WHERE 1 = 1", []
    if target is not None:
        sql += " AND target = ?"
        args.append(target)
    if status is not None:
        sql += " AND status = ?"
        args.append(status)
    if in_doubt:
        sql += " AND in_doubt = 1"
    sql += " ORDER BY id LIMIT ?"
    return [_row(r) for r in conn.execute(sql, (*args, limit)).fetchall()]


def status_counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Rows per target and status, plus ``in_doubt`` per target."""
    counts = {t: dict.fromkeys((*STATUSES, "in_doubt"), 0) for t in TARGETS}
    for r in conn.execute(
        "SELECT target, status, count(*) AS n, sum(in_doubt) AS d"
        " FROM sync_outbox GROUP BY target, status"
    ):
        counts[r["target"]][r["status"]] = r["n"]
        counts[r["target"]]["in_doubt"] += r["d"] or 0
    return counts


def next_wakeup(conn: sqlite3.Connection, target: str) -> float | None:
    """When the earliest pending row falls due or the earliest lease runs out."""
    r = conn.execute(
        "SELECT min(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END)"
        " FROM sync_outbox WHERE target = ? AND status IN ('pending', 'sending')",
        (target,),
    ).fetchone()
    return None if r[0] is None else float(r[0])
