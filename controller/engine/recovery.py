"""What a previous engine process left open when it stopped mid-call."""

from __future__ import annotations

from controller.store import attempts, engine_log, queue
from controller.store.db import Database


def recover(db: Database, bank_id: int, now: float) -> int:
    """Close what a previous engine process left open for this bank (it stopped mid-call):
    claims never dialed go back to the queue; attempts never ended get an end (a call that
    was never answered: No Answer; an answered one: Dropped), so their numbers come back by
    the retry rules. Returns the attempts closed."""
    with db.write() as conn:
        queue.release_stale(conn, bank_id, now)
        open_ = engine_log.open_attempts(conn, bank_id)
        for row in open_:
            result = "dropped" if row["answered_at"] else "no_answer"
            attempts.record_end(conn, int(row["id"]), now, result, "engine_restart")
    return len(open_)
