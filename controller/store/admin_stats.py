"""Read-only figures for the organizer's pages: chart series and per-volunteer results."""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from controller.store.engine_log import ABANDON_WINDOW, live_answer

BUCKET = 300  # seconds: the dashboard's charts count per 5 minutes
WINDOW = int(ABANDON_WINDOW.total_seconds())


def last_outcomes(conn: sqlite3.Connection, bank_id: int) -> dict[int, str]:
    """The last outcome each volunteer filed in ``bank_id`` (one row per volunteer read)."""
    rows = conn.execute(
        "SELECT d.volunteer_id, d.outcome FROM dispositions AS d JOIN"
        " (SELECT max(id) AS id FROM dispositions WHERE bank_id = ?"
        " AND volunteer_id IS NOT NULL GROUP BY volunteer_id) AS last ON last.id = d.id",
        (bank_id,),
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def series(conn: sqlite3.Connection, bank_id: int, limit: int = 48) -> list[dict[str, Any]]:
    """Per 5 minutes (last ``limit`` buckets): calls placed, contacts reached (answered by a
    person and connected), dropped calls, and the abandon rate in percent at the end of the
    bucket over the rolling 30 days before it (of the calls a person answered, as the
    dialer and its cap count it)."""
    rows = conn.execute(
        "SELECT (CAST(strftime('%s', started_at) AS INTEGER) / :b) * :b AS t, count(*) AS calls,"
        " sum(result = 'bridged') AS contacts, sum(result = 'dropped') AS dropped,"
        f" sum({live_answer()}) AS answered FROM call_attempts WHERE bank_id = :bank"
        " GROUP BY t ORDER BY t",
        {"b": BUCKET, "bank": bank_id},
    ).fetchall()
    out: list[dict[str, Any]] = []
    window: deque[tuple[int, int, int]] = deque()  # (bucket, answered, dropped) in the window
    answered = dropped = 0
    for r in rows:
        window.append((int(r["t"]), int(r["answered"] or 0), int(r["dropped"] or 0)))
        answered, dropped = answered + window[-1][1], dropped + window[-1][2]
        while window[0][0] <= window[-1][0] - WINDOW:  # ended 30 days before this one ends
            _, gone_answered, gone_dropped = window.popleft()
            answered, dropped = answered - gone_answered, dropped - gone_dropped
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
