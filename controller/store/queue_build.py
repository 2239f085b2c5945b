"""Building a bank's dialing queue from its contact list, in one transaction or in steps.

:func:`build` does it all in the caller's transaction (small lists, the demo, a bank whose
queue is already built). :func:`controller.store.queue_build_steps.start_in_steps` builds a
big list's queue in short transactions of its own before the bank starts, so the writer is
never held for long; both give the same queue.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from controller.model import compliance
from controller.model.banks import Household
from controller.model.outcomes import OUTCOMES, Policy
from controller.model.queue import LANE_FRESH, TYPE_BONUS, fresh_sort_key, zone_for
from controller.store import banks as bank_store

COMPLETE_CODES = tuple(o.code for o in OUTCOMES.values() if o.policy is Policy.COMPLETE)


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
    entries whose zone is not a single known one. Entries left by an unfinished build in
    steps (:mod:`controller.store.queue_build`) are replaced.
    """
    bank = bank_store.get(conn, bank_id)
    if is_built(conn, bank_id):
        return 0
    conn.execute("DELETE FROM queue_entries WHERE bank_id = ?", (bank_id,))
    fill(conn, "queue_build", int(bank.settings.list_id or 0))
    each = bank.settings.household is Household.EACH_CONTACT
    added = insert_range(conn, bank_id, each, "queue_build", "", LAST_NUMBER)
    conn.execute("DROP TABLE temp.queue_build")
    finish(conn, bank_id)
    return added


LAST_NUMBER = "~"  # sorts after every number


def is_built(conn: sqlite3.Connection, bank_id: int) -> bool:
    row = conn.execute("SELECT queue_built_at FROM banks WHERE id = ?", (bank_id,)).fetchone()
    return bool(row and row[0])


def fill(conn: sqlite3.Connection, table: str, list_id: int) -> None:
    """The list's eligible numbers in ``temp.<table>``, one row per contact and number."""
    complete = ",".join(f"'{c}'" for c in COMPLETE_CODES)
    conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(
        f"CREATE TEMP TABLE {table}"
        " (e164 TEXT, contact_id INTEGER, phone_id INTEGER, zone TEXT, sort_key REAL,"
        " PRIMARY KEY (e164, contact_id)) WITHOUT ROWID"
    )
    conn.execute(
        f"INSERT INTO temp.{table} SELECT p.e164, p.contact_id, p.id,"
        f" coalesce(c.time_zone, ''), {_sort_key_sql()}"
        + _ELIGIBLE.format(complete=complete)
        + " ORDER BY p.e164, p.contact_id",
        {"list": list_id},
    )


def insert_range(
    conn: sqlite3.Connection, bank_id: int, each: bool, table: str, after: str, upto: str
) -> int:
    """Entries and members of the numbers in ``temp.<table>`` after ``after`` up to ``upto``:
    a number's zone is its contacts' one zone when they agree on a known one, else
    :data:`UNKNOWN_ZONE` (fixed by :func:`finish`)."""
    cur = conn.execute(
        "INSERT INTO queue_entries (bank_id, e164, phone_id, contact_id, zone, lane, sort_key)"
        f" SELECT ?, e164, min(phone_id), {'contact_id' if each else 'NULL'},"
        " CASE WHEN min(zone) = max(zone) AND max(zone) != '' THEN max(zone)"
        f" ELSE '{UNKNOWN_ZONE}' END, {LANE_FRESH}, min(sort_key) FROM temp.{table}"
        f" WHERE e164 > ? AND e164 <= ? GROUP BY e164{', contact_id' if each else ''}",
        (bank_id, after, upto),
    )
    conn.execute(
        "INSERT OR IGNORE INTO queue_members (entry_id, contact_id, phone_id)"
        f" SELECT q.id, b.contact_id, b.phone_id FROM temp.{table} AS b"
        " JOIN queue_entries AS q ON q.bank_id = ? AND q.e164 = b.e164"
        f" AND ifnull(q.contact_id, 0) = {'b.contact_id' if each else '0'}"
        " WHERE b.e164 > ? AND b.e164 <= ?",
        (bank_id, after, upto),
    )
    return cur.rowcount


def finish(conn: sqlite3.Connection, bank_id: int) -> None:
    """Zone keys of the mixed entries, the bank's zone list, and the queue marked built."""
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
