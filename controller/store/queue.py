"""The dialing queue: built once when a bank first starts, claimed from atomically.

:func:`claim_next` hands out the next numbers of a bank: due retries first, then the
best accuracy, skipping do-not-call numbers, zones outside calling hours (an index seek per
open zone, never a scan), numbers held back by re-call protection, and finished contacts.
Claims run inside the single writer transaction, so two dialers never get one number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from controller.model import compliance
from controller.model.banks import Household
from controller.model.outcomes import OUTCOMES, Policy
from controller.model.queue import (
    LANE_FRESH,
    LANE_WAITING,
    TYPE_BONUS,
    Candidate,
    fresh_sort_key,
    merge_candidates,
    zone_for,
)
from controller.store import banks as bank_store
from controller.store.db import Database

COMPLETE_CODES = tuple(o.code for o in OUTCOMES.values() if o.policy is Policy.COMPLETE)


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


@lru_cache(maxsize=65536)
def _zone_cached(contact_zone: str | None, prefix: str) -> str:
    return zone_for(contact_zone, prefix + "5550100")  # a valid number of that area code


def _zone(contact_zone: str | None, e164: str) -> str:
    if contact_zone and compliance.valid_zone(contact_zone):
        return contact_zone
    if e164.startswith("+1") and len(e164) == 12:  # NANP: the area code decides
        return _zone_cached(None, e164[:5])
    return zone_for(None, e164)


_ELIGIBLE = (
    " FROM phones AS p JOIN contacts AS c ON c.id = p.contact_id"
    " WHERE c.list_id = :list AND p.wrong_number = 0"
    " AND NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.e164 = p.e164)"
    " AND NOT EXISTS (SELECT 1 FROM dispositions AS d WHERE d.contact_id = c.id"
    "   AND d.outcome IN ({complete}))"
)
UNKNOWN_ZONE = "?"


def _sort_key_sql() -> str:
    """:func:`fresh_sort_key` (plus a later number's position) as a SQL expression."""
    bonus = " ".join(f"WHEN '{t}' THEN {fresh_sort_key(0, t)}" for t in TYPE_BONUS)
    return f"(CASE p.type {bonus} ELSE 0 END - coalesce(p.accuracy, 0) + 1000 * p.position)"


def build(conn: sqlite3.Connection, bank_id: int) -> int:
    """Fill the bank's queue from its contact list (once); returns the entries added.

    Done in bulk SQL in one pass over the list: the eligible numbers go to a temporary table
    in number order, then one entry per number (per contact and number with
    ``each_contact``) and its members come from that table, then the zone key of the few
    entries whose zone is not a single known one.
    """
    bank = bank_store.get(conn, bank_id)
    if conn.execute("SELECT 1 FROM queue_entries WHERE bank_id = ? LIMIT 1", (bank_id,)).fetchone():
        return 0
    each = bank.settings.household is Household.EACH_CONTACT
    complete = ",".join(f"'{c}'" for c in COMPLETE_CODES)
    conn.execute("DROP TABLE IF EXISTS temp.queue_build")
    conn.execute(
        "CREATE TEMP TABLE queue_build"
        " (e164 TEXT, contact_id INTEGER, phone_id INTEGER, zone TEXT, sort_key REAL,"
        " PRIMARY KEY (e164, contact_id)) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO temp.queue_build SELECT p.e164, p.contact_id, p.id,"
        f" coalesce(c.time_zone, ''), {_sort_key_sql()}"
        + _ELIGIBLE.format(complete=complete)
        + " ORDER BY p.e164, p.contact_id",
        {"list": int(bank.settings.list_id or 0)},
    )
    added = _insert_entries(conn, bank_id, each)
    conn.execute("DROP TABLE temp.queue_build")
    _fix_zones(conn, bank_id)
    conn.execute(
        "INSERT OR IGNORE INTO queue_zones (bank_id, zone)"
        " SELECT DISTINCT bank_id, zone FROM queue_entries WHERE bank_id = ?",
        (bank_id,),
    )
    conn.execute(
        "UPDATE banks SET queue_built_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
        (bank_id,),
    )
    return added


def _insert_entries(conn: sqlite3.Connection, bank_id: int, each: bool) -> int:
    """Entries and members from ``temp.queue_build``: a number's zone is its contacts' one
    zone when they agree on a known one, else :data:`UNKNOWN_ZONE` (fixed afterwards)."""
    cur = conn.execute(
        "INSERT INTO queue_entries (bank_id, e164, phone_id, contact_id, zone, lane, sort_key)"
        f" SELECT ?, e164, min(phone_id), {'contact_id' if each else 'NULL'},"
        " CASE WHEN min(zone) = max(zone) AND max(zone) != '' THEN max(zone)"
        f" ELSE '{UNKNOWN_ZONE}' END, {LANE_FRESH}, min(sort_key) FROM temp.queue_build"
        f" GROUP BY e164{', contact_id' if each else ''}",
        (bank_id,),
    )
    conn.execute(
        "INSERT OR IGNORE INTO queue_members (entry_id, contact_id, phone_id)"
        " SELECT q.id, b.contact_id, b.phone_id FROM temp.queue_build AS b"
        " JOIN queue_entries AS q ON q.bank_id = ? AND q.e164 = b.e164"
        f" AND ifnull(q.contact_id, 0) = {'b.contact_id' if each else '0'}",
        (bank_id,),
    )
    return cur.rowcount


def _fix_zones(conn: sqlite3.Connection, bank_id: int) -> None:
    """Give entries with no single valid zone the key of every zone their members may be in."""
    names = [r[0] for r in conn.execute(
        "SELECT DISTINCT zone FROM queue_entries WHERE bank_id = ?", (bank_id,)
    )]  # fmt: skip
    bad = [z for z in names if z == UNKNOWN_ZONE or not compliance.valid_zone(z)]
    for name in bad:
        rows = conn.execute(
            "SELECT q.id, q.e164, group_concat(coalesce(c.time_zone, ''), '\n') AS zones"
            " FROM queue_entries AS q JOIN queue_members AS m ON m.entry_id = q.id"
            " JOIN contacts AS c ON c.id = m.contact_id WHERE q.bank_id = ? AND q.zone = ?"
            " GROUP BY q.id",
            (bank_id, name),
        ).fetchall()
        conn.executemany(
            "UPDATE queue_entries SET zone = ? WHERE id = ?",
            [
                (compliance.zone_key(_zone(z or None, r["e164"]) for z in r["zones"].split("\n")),
                 r["id"])
                for r in rows
            ],
        )  # fmt: skip


def _open_zones(conn: sqlite3.Connection, bank_id: int, now: float) -> list[str]:
    row = conn.execute(
        "SELECT json_extract(settings, '$.calling_hours') FROM banks WHERE id = ?", (bank_id,)
    ).fetchone()
    hours = compliance.CallingHours.parse(row[0]) if row and row[0] else compliance.CallingHours()
    rows = conn.execute("SELECT zone FROM queue_zones WHERE bank_id = ?", (bank_id,))
    return compliance.zones_open([str(r[0]) for r in rows], now, hours)


_LANE_SQL = (
    "SELECT q.id, q.lane, q.sort_key, EXISTS (SELECT 1 FROM dnc WHERE dnc.e164 = q.e164) AS dnc"
    " FROM queue_entries AS q WHERE q.bank_id = ? AND q.zone = ? AND q.state = 'ready'"
    " AND q.lane = ? AND q.sort_key <= ? ORDER BY q.sort_key LIMIT ?"
)


def _candidates(
    conn: sqlite3.Connection, bank_id: int, zone: str, now: float, n: int
) -> list[Candidate]:
    """Up to ``n`` claimable entries of one zone, in claim order (DNC ones are closed)."""
    out: list[Candidate] = []
    for lane, bound in ((LANE_WAITING, now), (LANE_FRESH, float("inf"))):
        while len(out) < n:
            rows = conn.execute(_LANE_SQL, (bank_id, zone, lane, bound, n - len(out))).fetchall()
            dnc = [r["id"] for r in rows if r["dnc"]]
            out += [Candidate(r["lane"], r["sort_key"], r["id"]) for r in rows if not r["dnc"]]
            if dnc:
                conn.executemany(
                    "UPDATE queue_entries SET state = 'done', done_reason = 'dnc' WHERE id = ?",
                    [(i,) for i in dnc],
                )
            if len(rows) < n or not dnc:
                break
    return out


def claim_in(conn: sqlite3.Connection, bank_id: int, now: float, n: int) -> list[Claim]:
    """:func:`claim_next` on an open writer transaction."""
    row = conn.execute("SELECT state FROM banks WHERE id = ?", (bank_id,)).fetchone()
    if row is None or row["state"] != "running" or n <= 0:
        return []
    per_zone = [_candidates(conn, bank_id, z, now, n) for z in _open_zones(conn, bank_id, now)]
    chosen = merge_candidates(per_zone, n)
    conn.executemany(
        "UPDATE queue_entries SET state = 'claimed', claimed_at = ? WHERE id = ?",
        [(now, c.entry_id) for c in chosen],
    )
    return [_claim(conn, c.entry_id) for c in chosen]


def claim_next(db: Database, bank_id: int, now: float, n: int = 1) -> list[Claim]:
    """Atomically hand out up to ``n`` numbers of a running bank to dial now."""
    with db.write() as conn:
        return claim_in(conn, bank_id, now, n)


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
