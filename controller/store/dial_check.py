"""The rules checked again just before a number held for a while is dialed.

A preview volunteer may look at a contact for minutes before pressing Call; meanwhile the
contact's calling hours may have ended, the number may have gone on the Do Not Call list,
or another call may have reached the person (re-call protection) or another bank called
them (a bank that skips numbers other banks called; a call the phone network never carried
does not count). :func:`check_before_dial` names every
reason the held number may not be dialed now and, when there is one, gives the hold up the
way the claim query would have treated the number:

- Do Not Call: the entry is closed (``done_reason`` ``dnc``), as the claim query does;
- outside calling hours: the entry goes back to its place in the queue;
- re-call protection or another bank's call: back in the queue, due when the hold ends.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from controller.model import compliance
from controller.model.compliance import RECALL_BLOCK, CallFacts, CallRules
from controller.model.outcomes import NETWORK_TROUBLE, OUTCOMES
from controller.store import banks as bank_store
from controller.store import queue
from controller.store.db import Database
from controller.store.queue import Claim

PICKED_UP = tuple(o.code for o in OUTCOMES.values() if o.picked_up)
# Each reason in words, for the volunteer whose held contact was not called.
WHY = {
    "dnc": "This number is now on the Do Not Call list, so it was not called.",
    "outside_calling_hours": "It is now outside calling hours where this person lives, so"
    " they were not called; they stay on the list for later.",
    "recently_reached": "Someone reached this number in the last 6 hours, so it was not"
    " called again now; it stays on the list for later.",
    "called_by_other_bank": "Another phone bank called this number recently, so it was not"
    " called now; it stays on the list for later.",
}


def _epoch(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def _facts(conn: sqlite3.Connection, claim: Claim) -> CallFacts:
    marks = ",".join("?" * len(PICKED_UP))
    pickup = conn.execute(
        "SELECT max(d.created_at) FROM dispositions AS d JOIN call_attempts AS a"
        f" ON a.id = d.attempt_id WHERE a.e164 = ? AND d.outcome IN ({marks})",
        (claim.e164, *PICKED_UP),
    ).fetchone()[0]
    other = conn.execute(  # a call the phone network never carried called nobody
        "SELECT max(started_at) FROM call_attempts WHERE e164 = ? AND bank_id != ?"
        " AND (result IS NULL OR result != ?)",
        (claim.e164, claim.bank_id, NETWORK_TROUBLE),
    ).fetchone()[0]
    return CallFacts(claim.e164, claim.zone, _epoch(pickup), _epoch(other))


def check_before_dial(conn: sqlite3.Connection, claim: Claim, now: float) -> list[str]:
    """The reasons (``dnc``, ``outside_calling_hours``, ``recently_reached``,
    ``called_by_other_bank``) the claimed number may not be dialed now; empty means it may.
    With a reason, the claim is given up (see the module's description)."""
    settings = bank_store.get(conn, claim.bank_id).settings
    rules = CallRules(settings.hours, settings.prevent_frequent, settings.suppress_other_bank_hours)
    facts = _facts(conn, claim)
    listed = conn.execute("SELECT 1 FROM dnc WHERE e164 = ?", (claim.e164,)).fetchone()
    reasons = compliance.may_call(facts, now, {claim.e164} if listed else set(), rules)
    if "dnc" in reasons:
        conn.execute(
            "UPDATE queue_entries SET state = 'done', done_reason = 'dnc'"
            " WHERE id = ? AND state = 'claimed'",
            (claim.entry_id,),
        )
    elif reasons:
        _back_in_queue(conn, claim, _due(facts, reasons, rules))
    return reasons


NEXT_TRIES = 20  # numbers held back skipped in one request before giving up for now


def next_callable(db: Database, bank_id: int, now: float) -> Claim | None:
    """Claim the bank's next number the calling rules allow now (for a volunteer to look
    at or dial from their own phone); a number held back goes back to the queue, due when
    its hold ends, and the next one is tried. None: nothing callable now."""
    for _ in range(NEXT_TRIES):
        claims = queue.claim_next(db, bank_id, now, 1)
        if not claims:
            return None
        with db.write() as conn:
            if not check_before_dial(conn, claims[0], now):
                return claims[0]
    return None


def _due(facts: CallFacts, reasons: list[str], rules: CallRules) -> float | None:
    """When a number held back by re-call protection may be called again (None: at once)."""
    due: list[float] = []
    if "recently_reached" in reasons and facts.last_pickup is not None:
        due.append(facts.last_pickup + RECALL_BLOCK.total_seconds())
    hours = rules.suppress_other_bank_hours
    if "called_by_other_bank" in reasons and facts.last_other_bank_call is not None and hours:
        due.append(facts.last_other_bank_call + hours * 3600)
    return max(due) if due else None


def _back_in_queue(conn: sqlite3.Connection, claim: Claim, due: float | None) -> None:
    args: tuple[float, ...] = ()
    if due is None:
        sql = "state = 'ready', claimed_at = NULL"
    else:  # the waiting lane, due when the hold ends (as the holds in outcome_effects.py do)
        sql = "state = 'ready', claimed_at = NULL, lane = 0, sort_key = CASE WHEN lane = 0"
        sql += " THEN max(sort_key, ?) ELSE ? END"
        args = (due, due)
    conn.execute(
        f"UPDATE queue_entries SET {sql} WHERE id = ? AND state = 'claimed'",
        (*args, claim.entry_id),
    )
