"""The dialing queue: built once when a bank first starts, claimed from atomically.

:func:`claim_next` hands out the next numbers of a bank: due retries first, then the
best accuracy, skipping do-not-call numbers, zones outside calling hours (an index seek per
open zone, never a scan), numbers held back by re-call protection, finished contacts, and
numbers claimed or being dialed anywhere (one entry per number at a time, across banks).
Claims run inside the single writer transaction, so two dialers never get one number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from controller.model import compliance
from controller.model.queue import LANE_FRESH, LANE_WAITING, Candidate, merge_candidates
from controller.store.db import Database
from controller.store.queue_build import build as build  # re-exported: the queue's entry point


@dataclass(frozen=True)
class Member:
    contact_id: int
    phone_id: int


@dataclass(frozen=True)
class Claim:
    entry_id: int
    bank_id: int
    e164: str
    zone: str
    attempts: int
    members: tuple[Member, ...]

    @property
    def contact_id(self) -> int:
        """The primary contact (the only one unless a household shares the number)."""
        return self.members[0].contact_id

    @property
    def phone_id(self) -> int:
        return self.members[0].phone_id


def _open_zones(conn: sqlite3.Connection, bank_id: int, now: float) -> list[str]:
    row = conn.execute(
        "SELECT json_extract(settings, '$.calling_hours') FROM banks WHERE id = ?", (bank_id,)
    ).fetchone()
    hours = compliance.CallingHours.parse(row[0]) if row and row[0] else compliance.CallingHours()
    rows = conn.execute("SELECT zone FROM queue_zones WHERE bank_id = ?", (bank_id,))
    return compliance.zones_open([str(r[0]) for r in rows], now, hours)


_LANE_SQL = (
    "SELECT q.id, q.lane, q.sort_key, q.e164,"
    " EXISTS (SELECT 1 FROM dnc WHERE dnc.e164 = q.e164) AS dnc,"
    " EXISTS (SELECT 1 FROM queue_entries AS o WHERE o.e164 = q.e164"
    " AND o.state IN ('claimed', 'dialing')) AS taken"
    " FROM queue_entries AS q WHERE q.bank_id = ? AND q.zone = ? AND q.state = 'ready'"
    " AND q.lane = ? AND q.sort_key <= ? AND (q.sort_key, q.id) > (?, ?)"
    " ORDER BY q.sort_key, q.id LIMIT ?"
)


def _candidates(
    conn: sqlite3.Connection, bank_id: int, zone: str, now: float, n: int, numbers: dict[int, str]
) -> list[Candidate]:
    """Up to ``n`` claimable entries of one zone, in claim order (DNC ones are closed).

    A number claimed or being dialed anywhere (this bank or another) is skipped, and so is
    a second entry for a number already picked here (a household called per contact): a
    number is never dialed twice at the same time. ``numbers`` gets each pick's number."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for lane, bound in ((LANE_WAITING, now), (LANE_FRESH, float("inf"))):
        after: tuple[float, int] = (float("-inf"), 0)
        while len(out) < n:
            want = n - len(out)
            rows = conn.execute(_LANE_SQL, (bank_id, zone, lane, bound, *after, want)).fetchall()
            dnc = [r["id"] for r in rows if r["dnc"]]
            for r in rows:
                if r["dnc"] or r["taken"] or r["e164"] in seen:
                    continue
                seen.add(r["e164"])
                numbers[int(r["id"])] = str(r["e164"])
                out.append(Candidate(r["lane"], r["sort_key"], r["id"]))
            if dnc:
                conn.executemany(
                    "UPDATE queue_entries SET state = 'done', done_reason = 'dnc' WHERE id = ?",
                    [(i,) for i in dnc],
                )
            if len(rows) < want:
                break
            after = (float(rows[-1]["sort_key"]), int(rows[-1]["id"]))
    return out


def _one_per_number(chosen: list[Candidate], numbers: dict[int, str]) -> list[Candidate]:
    """The candidates in order, without a second entry for a number (zones may share one)."""
    seen: set[str] = set()
    out = []
    for c in chosen:
        if numbers[c.entry_id] not in seen:
            seen.add(numbers[c.entry_id])
            out.append(c)
    return out


def claim_in(conn: sqlite3.Connection, bank_id: int, now: float, n: int) -> list[Claim]:
    """:func:`claim_next` on an open writer transaction."""
    row = conn.execute("SELECT state FROM banks WHERE id = ?", (bank_id,)).fetchone()
    if row is None or row["state"] != "running" or n <= 0:
        return []
    numbers: dict[int, str] = {}
    zones = _open_zones(conn, bank_id, now)
    per_zone = [_candidates(conn, bank_id, z, now, n, numbers) for z in zones]
    chosen = _one_per_number(merge_candidates(per_zone, n), numbers)
    conn.executemany(
        "UPDATE queue_entries SET state = 'claimed', claimed_at = ? WHERE id = ?",
        [(now, c.entry_id) for c in chosen],
    )
    return [_claim(conn, c.entry_id) for c in chosen]


def claim_next(db: Database, bank_id: int, now: float, n: int = 1) -> list[Claim]:
    """Atomically hand out up to ``n`` numbers of a running bank to dial now."""
    with db.write() as conn:
        return claim_in(conn, bank_id, now, n)


def claim_of(conn: sqlite3.Connection, entry_id: int) -> Claim:
    """The claim of an entry as it stands (its members still to be called)."""
    return _claim(conn, entry_id)


def _claim(conn: sqlite3.Connection, entry_id: int) -> Claim:
    e = conn.execute("SELECT * FROM queue_entries WHERE id = ?", (entry_id,)).fetchone()
    members = conn.execute(
        "SELECT contact_id, phone_id FROM queue_members WHERE entry_id = ? AND finished = 0"
        " ORDER BY contact_id",
        (entry_id,),
    ).fetchall()
    return Claim(
        entry_id=entry_id,
        bank_id=int(e["bank_id"]),
        e164=str(e["e164"]),
        zone=str(e["zone"]),
        attempts=int(e["attempts"]),
        members=tuple(Member(int(m["contact_id"]), int(m["phone_id"])) for m in members),
    )


def release(conn: sqlite3.Connection, entry_id: int) -> None:
    """Give a claimed, never dialed number back to the queue, in its old place."""
    conn.execute(
        "UPDATE queue_entries SET state = 'ready', claimed_at = NULL"
        " WHERE id = ? AND state = 'claimed'",
        (entry_id,),
    )


def close(conn: sqlite3.Connection, entry_id: int, reason: str) -> None:
    """Close a claimed number that will not be dialed (``reason``: the entry's done reason)."""
    conn.execute(
        "UPDATE queue_entries SET state = 'done', done_reason = ?"
        " WHERE id = ? AND state = 'claimed'",
        (reason, entry_id),
    )


def release_stale(conn: sqlite3.Connection, bank_id: int, older_than: float) -> int:
    """Release claims made before ``older_than`` that were never dialed."""
    cur = conn.execute(
        "UPDATE queue_entries SET state = 'ready', claimed_at = NULL WHERE bank_id = ?"
        " AND state = 'claimed' AND claimed_at < ?",
        (bank_id, older_than),
    )
    return cur.rowcount


def counts(conn: sqlite3.Connection, bank_id: int) -> dict[str, int]:
    """Entries per state (``waiting`` = ready but held back until a later time)."""
    out = {"ready": 0, "claimed": 0, "dialing": 0, "done": 0}
    for r in conn.execute(
        "SELECT state, count(*) AS n FROM queue_entries WHERE bank_id = ? GROUP BY state",
        (bank_id,),
    ):
        out[r["state"]] = int(r["n"])
    out["waiting"] = int(
        conn.execute(
            "SELECT count(*) FROM queue_entries WHERE bank_id = ? AND state = 'ready' AND lane = 0",
            (bank_id,),
        ).fetchone()[0]
    )
    return out


def members_of(conn: sqlite3.Connection, entry_id: int | None) -> list[int]:
    if entry_id is None:
        return []
    rows = conn.execute(
        "SELECT contact_id FROM queue_members WHERE entry_id = ? ORDER BY contact_id", (entry_id,)
    )
    return [int(r[0]) for r in rows]


def members_to_call(conn: sqlite3.Connection, entry_id: int | None) -> list[int]:
    """The members of a shared number still to be called (not finished): whom a call to it
    is for, and whom an automatic outcome, Last Called At or a sync concerns."""
    if entry_id is None:
        return []
    rows = conn.execute(
        "SELECT contact_id FROM queue_members WHERE entry_id = ? AND finished = 0"
        " ORDER BY contact_id",
        (entry_id,),
    )
    return [int(r[0]) for r in rows]


def naive_claim(conn: sqlite3.Connection, bank_id: int, now: float, n: int) -> list[int]:
    """Benchmark baseline: the same claim done by scanning the table (no index, one query).

    Kept only so ``bench/selection.py`` can print it beside :func:`claim_in`.
    """
    zones = _open_zones(conn, bank_id, now)
    marks = ",".join("?" * len(zones))
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT q.id FROM queue_entries AS q NOT INDEXED WHERE q.bank_id = ?"
            f" AND q.state = 'ready' AND q.zone IN ({marks}) AND (q.lane = 1 OR q.sort_key <= ?)"
            " AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.e164 = q.e164)"
            " ORDER BY q.lane, q.sort_key LIMIT ?",
            (bank_id, *zones, now, n),
        )
    ]
    conn.executemany(
        "UPDATE queue_entries SET state = 'claimed', claimed_at = ? WHERE id = ?",
        [(now, i) for i in ids],
    )
    return ids
