"""Read-only figures for the organizer's pages: chart series and per-volunteer results."""

from __future__ import annotations

import sqlite3
from typing import Any

from controller.store.engine_log import LIVE_RESULTS

BUCKET = 300  # seconds: the dashboard's charts count per 5 minutes
LIVE_PARAMS = {f"live{i}": r for i, r in enumerate(LIVE_RESULTS)}
LIVE_NAMED = ",".join(f":{k}" for k in LIVE_PARAMS)


def last_outcomes(conn: sqlite3.Connection, bank_id: int) -> dict[int, str]:
    """The last outcome each volunteer filed in ``bank_id``."""
    rows = conn.execute(
        "SELECT volunteer_id, outcome FROM dispositions WHERE bank_id = ?"
        " AND volunteer_id IS NOT NULL ORDER BY id",
        (bank_id,),
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def series(conn: sqlite3.Connection, bank_id: int, limit: int = 48) -> list[dict[str, Any]]:
    """Per 5 minutes (last ``limit`` buckets): calls placed, contacts reached (answered by a
    person and connected), dropped calls, and the running abandon rate in percent (of the
    calls a person answered, as the dialer counts it)."""
    rows = conn.execute(
        "SELECT (CAST(strftime('%s', started_at) AS INTEGER) / :b) * :b AS t, count(*) AS calls,"
        " sum(result = 'bridged') AS contacts, sum(result = 'dropped') AS dropped,"
        f" sum(result IN ({LIVE_NAMED})) AS answered FROM call_attempts WHERE bank_id = :bank"
        " GROUP BY t ORDER BY t",
        {"b": BUCKET, "bank": bank_id, **LIVE_PARAMS},
    ).fetchall()
    out: list[dict[str, Any]] = []
    answered = dropped = 0
    for r in rows:
        answered += int(r["answered"] or 0)
        dropped += int(r["dropped"] or 0)
        out.append(
            {
                "t": int(r["t"]),
                "calls": int(r["calls"]),
                "contacts": int(r["contacts"] or 0),
                "dropped": int(r["dropped"] or 0),
                "abandon_pct": round(100.0 * dropped / answered, 2) if answered else 0.0,
            }
        )
    return out[-limit:]


def result_counts(conn: sqlite3.Connection, bank_id: int) -> dict[str, int]:
    """Attempts by call result (bridged, machine, no_answer, busy, dropped, ...)."""
    rows = conn.execute(
        "SELECT coalesce(result, 'in_progress'), count(*) FROM call_attempts WHERE bank_id = ?"
        " GROUP BY 1 ORDER BY 1",
        (bank_id,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


def answer_tallies(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    """How often each answer of each script block was chosen."""
    rows = conn.execute(
        "SELECT block_id, question, answer, count(*) AS n FROM script_answers"
        " WHERE bank_id = ? GROUP BY block_id, question, answer ORDER BY block_id, n DESC",
        (bank_id,),
    )
    return [dict(r) for r in rows]
