"""Results of a bank: volunteer engagement, status figures, and streamed CSV exports.

Exports are generators of rows (the header first) read straight off a cursor, so memory
stays constant whatever the size of the bank.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from controller.errors import PhonebankError
from controller.store.engine_log import abandon_counts, live_answer


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


ENGAGEMENT_EVENTS = ("sent", "seen", "started", "completed", "performed", "reported")


class ResultsError(PhonebankError):
    """An engagement event or export that is refused."""


def record_event(
    conn: sqlite3.Connection, bank_id: int, event: str, user_id: int | None, now: float
) -> int:
    """Record one engagement event (a bank sent to / seen / started ... by a volunteer)."""
    if event not in ENGAGEMENT_EVENTS:
        known = ", ".join(ENGAGEMENT_EVENTS)
        raise ResultsError("unknown_event", f"unknown engagement event {event!r} ({known})")
    cur = conn.execute(
        "INSERT INTO bank_engagement (bank_id, user_id, event, at) VALUES (?, ?, ?, ?)",
        (bank_id, user_id, event, iso(now)),
    )
    return int(cur.lastrowid or 0)


def engagement(conn: sqlite3.Connection, bank_id: int) -> dict[str, dict[str, int]]:
    """Per event: how many times, and how many distinct volunteers."""
    out = {e: {"events": 0, "volunteers": 0} for e in ENGAGEMENT_EVENTS}
    for r in conn.execute(
        "SELECT event, count(*) AS n, count(DISTINCT user_id) AS v FROM bank_engagement"
        " WHERE bank_id = ? GROUP BY event",
        (bank_id,),
    ):
        out[r["event"]] = {"events": int(r["n"]), "volunteers": int(r["v"])}
    return out


def outcome_counts(conn: sqlite3.Connection, bank_id: int) -> dict[str, int]:
    rows = conn.execute(
        "SELECT outcome, count(*) FROM dispositions WHERE bank_id = ? GROUP BY outcome ORDER BY 1",
        (bank_id,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


def call_figures(
    conn: sqlite3.Connection, bank_id: int, now: float | None = None
) -> dict[str, Any]:
    """The bank's calls so far: attempts, answered (machines too), ``people`` (answered by a
    person, what the abandon rate is a share of, as the dialer counts it), dropped, bridged;
    ``abandon_rate_pct``: over the rolling 30 days up to ``now``, as the cap counts it."""
    row = conn.execute(
        "SELECT count(*) AS attempts, count(answered_at) AS answered,"
        f" sum({live_answer()}) AS people,"
        " sum(result = 'dropped') AS dropped, sum(result IN ('human', 'bridged')) AS bridged,"
        " count(DISTINCT contact_id) AS contacts FROM call_attempts WHERE bank_id = ?",
        (bank_id,),
    ).fetchone()
    figures: dict[str, Any] = {k: int(row[k] or 0) for k in row.keys()}  # noqa: SIM118
    people, dropped = abandon_counts(conn, bank_id, time.time() if now is None else now)
    figures["abandon_rate_pct"] = round(100.0 * dropped / people, 2) if people else 0
    return figures


ATTEMPT_COLUMNS = ("attempt_id", "bank_id", "call_id", "contact_id", "van_id", "first_name",
                   "last_name", "phone", "caller_id", "volunteer_id", "started_at", "answered_at",
                   "ended_at", "result", "cause", "amd_status", "outcomes", "notes")  # fmt: skip


def export_attempts(conn: sqlite3.Connection, bank_id: int) -> Iterator[list[Any]]:
    """Every dial attempt of the bank, with the outcomes recorded for it and the notes of
    its report (once for a household's call)."""
    yield list(ATTEMPT_COLUMNS)
    rows = conn.execute(
        "SELECT a.id, a.bank_id, a.call_id, a.contact_id, c.van_id, c.first_name, c.last_name,"
        " a.e164, a.caller_id, a.volunteer_id, a.started_at, a.answered_at, a.ended_at,"
        " a.result, a.cause, a.amd_status,"
        " (SELECT group_concat(d.outcome, ';') FROM dispositions AS d WHERE d.attempt_id = a.id),"
        " (SELECT group_concat(n.notes, ' / ') FROM (SELECT DISTINCT d.notes FROM dispositions"
        " AS d WHERE d.attempt_id = a.id AND d.notes != '') AS n)"
        " FROM call_attempts AS a LEFT JOIN contacts AS c ON c.id = a.contact_id"
        " WHERE a.bank_id = ? ORDER BY a.id",
        (bank_id,),
    )
    for row in rows:
        yield [_cell(v) for v in row]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def answer_columns(conn: sqlite3.Connection, bank_id: int) -> list[tuple[str, str]]:
    """The script blocks answered in the bank, one export column each: (block id, column
    title). The title is the block's latest question, with the block's id beside it when
    two blocks share a title (asked before and after a persuasion step)."""
    rows = conn.execute(
        "SELECT block_id, (SELECT s.question FROM script_answers AS s WHERE s.bank_id = :bank"
        " AND s.block_id = a.block_id ORDER BY s.id DESC LIMIT 1) FROM script_answers AS a"
        " WHERE a.bank_id = :bank GROUP BY block_id",
        {"bank": bank_id},
    ).fetchall()
    titles = [str(r[1]) for r in rows]
    columns = [
        (str(r[0]), f"{r[1]} ({r[0]})" if titles.count(str(r[1])) > 1 else str(r[1])) for r in rows
    ]
    return sorted(columns, key=lambda c: (c[1], c[0]))


CONTACT_COLUMNS = ("contact_id", "van_id", "first_name", "last_name", "state", "zip5",
                   "phones", "attempts", "last_called_at", "last_outcome")  # fmt: skip


def export_contacts(conn: sqlite3.Connection, bank_id: int) -> Iterator[list[Any]]:
    """Every contact of the bank's list with attempts, last outcome and script answers."""
    list_row = conn.execute("SELECT list_id FROM banks WHERE id = ?", (bank_id,)).fetchone()
    if list_row is None:
        raise ResultsError("unknown_bank", f"there is no bank {bank_id}")
    columns = answer_columns(conn, bank_id)
    yield [*CONTACT_COLUMNS, *(title for _, title in columns)]
    rows = conn.execute(
        "SELECT c.id, c.van_id, c.first_name, c.last_name, c.state, c.zip5,"
        " (SELECT group_concat(e164, ';') FROM phones WHERE contact_id = c.id),"
        " (SELECT count(*) FROM call_attempts AS a WHERE a.bank_id = :bank AND a.e164 IN"
        "   (SELECT e164 FROM phones WHERE contact_id = c.id)),"
        " (SELECT max(a.started_at) FROM call_attempts AS a WHERE a.bank_id = :bank AND a.e164"
        "   IN (SELECT e164 FROM phones WHERE contact_id = c.id)),"
        " (SELECT d.outcome FROM dispositions AS d WHERE d.bank_id = :bank"
        "   AND d.contact_id = c.id ORDER BY d.id DESC LIMIT 1),"
        " (SELECT json_group_object(block_id, answer) FROM (SELECT block_id, answer"
        "   FROM script_answers WHERE bank_id = :bank AND contact_id = c.id ORDER BY id))"
        " FROM contacts AS c WHERE c.list_id = :list ORDER BY c.id",
        {"bank": bank_id, "list": list_row["list_id"]},
    )
    for row in rows:
        answers = json.loads(row[-1] or "{}")
        yield [*(_cell(v) for v in list(row)[:-1]), *(answers.get(b, "") for b, _ in columns)]


VOLUNTEER_COLUMNS = ("volunteer_id", "username", "display_name", "calls", "talk_seconds",
                     "dispositions", "completed", "engagement")  # fmt: skip


def export_volunteers(conn: sqlite3.Connection, bank_id: int) -> Iterator[list[Any]]:
    """Per volunteer: calls taken, talk time, outcomes filed, completed conversations."""
    yield list(VOLUNTEER_COLUMNS)
    rows = conn.execute(
        "WITH v(id) AS (SELECT volunteer_id FROM call_attempts WHERE bank_id = :bank"
        "  AND volunteer_id IS NOT NULL UNION SELECT volunteer_id FROM dispositions"
        "  WHERE bank_id = :bank AND volunteer_id IS NOT NULL)"
        " SELECT v.id, u.username, u.display_name,"
        " (SELECT count(*) FROM call_attempts WHERE bank_id = :bank AND volunteer_id = v.id),"
        " (SELECT coalesce(sum(CAST(round((julianday(ended_at) - julianday(answered_at))"
        "   * 86400) AS INTEGER)), 0) FROM call_attempts WHERE bank_id = :bank"
        "   AND volunteer_id = v.id AND answered_at IS NOT NULL AND ended_at IS NOT NULL),"
        " (SELECT count(*) FROM dispositions WHERE bank_id = :bank AND volunteer_id = v.id),"
        " (SELECT count(*) FROM dispositions WHERE bank_id = :bank AND volunteer_id = v.id"
        "   AND outcome = 'completed'),"
        " (SELECT group_concat(event, ';') FROM (SELECT DISTINCT event FROM bank_engagement"
        "   WHERE bank_id = :bank AND user_id = v.id ORDER BY event))"
        " FROM v LEFT JOIN users AS u ON u.id = v.id ORDER BY v.id",
        {"bank": bank_id},
    )
    for row in rows:
        yield [_cell(v) for v in row]


Export = Callable[[sqlite3.Connection, int], Iterator[list[Any]]]
EXPORTS: dict[str, Export] = {"attempts": export_attempts, "contacts": export_contacts,
           "volunteers": export_volunteers}  # fmt: skip
