"""What the dialer engine records beside attempts: hangtimes, volunteer sessions, stop-now
requests; its pacing decisions are in :mod:`controller.store.pacing_log` (re-exported here).

Also the read side the engine paces on: the bank's abandon ledger over the rolling 30-day
window and the attempt of a call id.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from controller.model.outcomes import OUTCOMES
from controller.store.pacing_log import count_decisions as count_decisions
from controller.store.pacing_log import decision_rows as decision_rows
from controller.store.pacing_log import decisions as decisions
from controller.store.pacing_log import last_decision_id as last_decision_id
from controller.store.pacing_log import record_decision as record_decision
from controller.store.queue import members_to_call

ABANDON_WINDOW = timedelta(days=30)
LIVE_RESULTS = ("bridged", "dropped", "completed", "human")
# Outcomes that say no person answered: a call that reached a volunteer but was filed so (a
# machine with the machine check off, a personal-phone number that rang out) is no live answer.
NOBODY = tuple(o.code for o in OUTCOMES.values() if not o.picked_up)


def live_answer(alias: str = "call_attempts") -> str:
    """SQL: the attempt ``alias`` reached a live person (what the abandon rate is a share
    of): a conversation or a drop, unless an outcome filed for it says nobody answered."""
    results = ", ".join(f"'{r}'" for r in LIVE_RESULTS)
    nobody = ", ".join(f"'{o}'" for o in NOBODY)
    return (
        f"({alias}.result IN ({results}) AND NOT EXISTS (SELECT 1 FROM dispositions AS nd"
        f" WHERE nd.attempt_id = {alias}.id AND nd.outcome IN ({nobody})))"
    )


def window_start(now: float) -> str:
    """The start of the rolling 30-day abandon window ending at ``now``, as stored."""
    return (datetime.fromtimestamp(now, UTC) - ABANDON_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_hangtime(
    conn: sqlite3.Connection,
    attempt_id: int,
    bank_id: int,
    volunteer_id: int | None,
    answer_to_connect: float | None,
    verdict_to_connect: float | None,
    at: float,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO call_hangtimes (attempt_id, bank_id, volunteer_id,"
        " answer_to_connect, verdict_to_connect, at) VALUES (?, ?, ?, ?, ?, ?)",
        (attempt_id, bank_id, volunteer_id, answer_to_connect, verdict_to_connect, at),
    )


def hangtimes(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM call_hangtimes WHERE bank_id = ? ORDER BY at", (bank_id,)
    ).fetchall()
    return [dict(r) for r in rows]


def abandon_counts(conn: sqlite3.Connection, bank_id: int, now: float) -> tuple[int, int]:
    """(live humans, dropped) over the last 30 days: calls that reached a person."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(result = 'dropped'), 0) FROM call_attempts"
        f" WHERE bank_id = ? AND started_at >= ? AND {live_answer()}",
        (bank_id, window_start(now)),
    ).fetchone()
    return int(row[0]), int(row[1])


def attempt_id_of(conn: sqlite3.Connection, call_id: str) -> int | None:
    row = conn.execute("SELECT id FROM call_attempts WHERE call_id = ?", (call_id,)).fetchone()
    return int(row[0]) if row else None


def open_attempts(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    """Attempts of the bank that never got an end (a crash between dial and hang-up), with
    what is known of them: answered, the machine verdict, whether the callee reached a
    volunteer's room (``connected``: a hangtime was stored), whether it already has an
    outcome (``has_outcome``: a report filed before its end was stored)."""
    rows = conn.execute(
        "SELECT a.id, a.call_id, a.entry_id, a.volunteer_id, a.answered_at, a.amd_status,"
        " EXISTS (SELECT 1 FROM call_hangtimes AS h WHERE h.attempt_id = a.id) AS connected,"
        " EXISTS (SELECT 1 FROM dispositions AS d WHERE d.attempt_id = a.id) AS has_outcome"
        " FROM call_attempts AS a WHERE a.bank_id = ? AND a.ended_at IS NULL",
        (bank_id,),
    ).fetchall()
    return [dict(r) for r in rows]


# Ended conversations with no outcome at all, that are still their entry's latest attempt.
_UNREPORTED = (
    "SELECT a.id, a.bank_id FROM call_attempts AS a WHERE a.result = 'bridged'"
    " AND a.ended_at IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM dispositions AS d WHERE d.attempt_id = a.id)"
    " AND NOT EXISTS (SELECT 1 FROM call_attempts AS b WHERE b.entry_id = a.entry_id"
    " AND b.id > a.id)"
)


def owed_reports(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    """The bank's ended conversations whose report was never filed, oldest first, with the
    volunteer who owes it (None if unknown) and when the call ended."""
    rows = conn.execute(
        "SELECT id, call_id, entry_id, volunteer_id, started_at, answered_at, ended_at"
        f" FROM call_attempts WHERE id IN (SELECT id FROM ({_UNREPORTED} AND a.bank_id = ?))"
        " ORDER BY id",
        (bank_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def bank_running(conn: sqlite3.Connection, bank_id: int) -> bool:
    row = conn.execute("SELECT state FROM banks WHERE id = ?", (bank_id,)).fetchone()
    return row is not None and row[0] == "running"


def banks_to_recover(conn: sqlite3.Connection) -> list[int]:
    """Banks with attempts never ended, numbers claimed and never dialed, or conversations
    never reported: what an engine that stopped mid-call left behind."""
    rows = conn.execute(
        "SELECT bank_id FROM call_attempts WHERE ended_at IS NULL"
        " UNION SELECT bank_id FROM queue_entries WHERE state = 'claimed'"
        f" UNION SELECT bank_id FROM ({_UNREPORTED}) ORDER BY 1"
    )
    return [int(r[0]) for r in rows]


def attempt_contacts(conn: sqlite3.Connection, attempt_id: int) -> list[int]:
    """Everyone a call reached: its entry's household (still to be called), else its
    contact."""
    row = conn.execute(
        "SELECT entry_id, contact_id FROM call_attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    if row is None:
        return []
    members = members_to_call(conn, row["entry_id"])
    return members or ([int(row["contact_id"])] if row["contact_id"] is not None else [])


def open_session(
    conn: sqlite3.Connection, bank_id: int, volunteer_id: int, conference: str, via: str, at: float
) -> int:
    cur = conn.execute(
        "INSERT INTO volunteer_sessions (bank_id, volunteer_id, conference, via, joined_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (bank_id, volunteer_id, conference, via, at),
    )
    return int(cur.lastrowid or 0)


def close_session(
    conn: sqlite3.Connection,
    session_id: int,
    left_at: float,
    calls_assigned: int,
    call_time: float,
    active_time: float,
) -> None:
    conn.execute(
        "UPDATE volunteer_sessions SET left_at = ?, calls_assigned = ?, call_time = ?,"
        " active_time = ? WHERE id = ?",
        (left_at, calls_assigned, call_time, active_time, session_id),
    )


def checkpoint_sessions(
    conn: sqlite3.Connection, rows: list[tuple[int, int, float, float]], at: float
) -> None:
    """The running totals of open sessions: (session id, calls assigned, call time, active
    time) each, as of ``at``."""
    conn.executemany(
        "UPDATE volunteer_sessions SET calls_assigned = ?, call_time = ?, active_time = ?,"
        " seen_at = ? WHERE id = ? AND left_at IS NULL",
        [(calls, call, active, at, sid) for sid, calls, call, active in rows],
    )


def close_left_open(conn: sqlite3.Connection) -> int:
    """Close the sessions an engine that stopped without closing them left open: ended when
    their totals were last written (or when they began), with those totals."""
    return conn.execute(
        "UPDATE volunteer_sessions SET left_at = coalesce(seen_at, joined_at) WHERE left_at IS NULL"
    ).rowcount


def closed_totals(conn: sqlite3.Connection, bank_id: int) -> dict[int, tuple[int, float, float]]:
    """Per volunteer of ``bank_id``: (calls assigned, call time, active time) of their
    sessions that have ended (a session still open counts in memory, see the pool)."""
    rows = conn.execute(
        "SELECT volunteer_id, SUM(calls_assigned), SUM(call_time), SUM(active_time)"
        " FROM volunteer_sessions WHERE bank_id = ? AND left_at IS NOT NULL"
        " GROUP BY volunteer_id",
        (bank_id,),
    ).fetchall()
    return {int(r[0]): (int(r[1] or 0), float(r[2] or 0.0), float(r[3] or 0.0)) for r in rows}


def sessions(conn: sqlite3.Connection, bank_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM volunteer_sessions WHERE bank_id = ? ORDER BY id", (bank_id,)
    ).fetchall()
    return [dict(r) for r in rows]


def remaining(conn: sqlite3.Connection, bank_id: int) -> int:
    """Numbers of the bank still to dial (ready now or waiting for a retry)."""
    row = conn.execute(
        "SELECT count(*) FROM queue_entries WHERE bank_id = ? AND state IN ('ready', 'claimed')",
        (bank_id,),
    ).fetchone()
    return int(row[0])


def request_stop_now(conn: sqlite3.Connection, bank_id: int, actor: str = "") -> None:
    """Ask the engine to end the bank's live calls at once (the bank must be stopping)."""
    conn.execute(
        "INSERT OR REPLACE INTO engine_stop_now (bank_id, requested_at, actor) VALUES (?, ?, ?)",
        (bank_id, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), actor),
    )


def stop_now_requests(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT bank_id FROM engine_stop_now ORDER BY 1")]


def clear_stop_now(conn: sqlite3.Connection, bank_id: int) -> None:
    conn.execute("DELETE FROM engine_stop_now WHERE bank_id = ?", (bank_id,))


def summary(conn: sqlite3.Connection, bank_id: int) -> dict[str, Any]:
    """The engine's stored figures of a bank (for ``phonebank engine status``)."""
    row = conn.execute(
        "SELECT count(*) AS attempts, coalesce(sum(result = 'bridged'), 0) AS bridged,"
        " coalesce(sum(result = 'dropped'), 0) AS dropped,"
        " coalesce(sum(ended_at IS NULL), 0) AS in_progress FROM call_attempts WHERE bank_id = ?",
        (bank_id,),
    ).fetchone()
    answer, verdict = (_hangtimes(conn, bank_id, c) for c in ("answer", "verdict"))
    return {
        **dict(row),
        "remaining": remaining(conn, bank_id),
        "decisions": count_decisions(conn, bank_id),
        "volunteer_sessions": len(sessions(conn, bank_id)),
        "hangtime_p50": quantile(answer, 0.50),
        "hangtime_p95": quantile(answer, 0.95),
        "verdict_hangtime_p50": quantile(verdict, 0.50),
        "verdict_hangtime_p95": quantile(verdict, 0.95),
    }


def _hangtimes(conn: sqlite3.Connection, bank_id: int, kind: str) -> list[float]:
    """The bank's latest :data:`RECENT_HANGTIMES` hangtimes of one kind (``answer``: callee
    answer -> connected; ``verdict``: machine check -> connected), ascending."""
    column = {"answer": "answer_to_connect", "verdict": "verdict_to_connect"}[kind]
    rows = conn.execute(
        f"SELECT {column} FROM call_hangtimes WHERE bank_id = ? AND {column} IS NOT NULL"
        " ORDER BY at DESC LIMIT ?",
        (bank_id, RECENT_HANGTIMES),
    )
    return sorted(float(r[0]) for r in rows)


RECENT_HANGTIMES = 1000  # the percentiles cover the latest connected calls


def quantile(ordered: list[float], q: float) -> float | None:
    """The ``q`` quantile of an ascending list by nearest rank (the value at rank
    ceil(q x n)), rounded to the millisecond; None when empty. The page and the CLI both
    use it, so the same calls give the same figure."""
    if not ordered:
        return None
    rank = min(len(ordered), max(1, math.ceil(q * len(ordered) - 1e-9)))
    return round(ordered[rank - 1], 3)
