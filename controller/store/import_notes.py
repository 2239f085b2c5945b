"""Notes an import adds to its report on values it kept or left out, so a typo is seen:
a State that is no US state, a ZIP that is no ZIP."""

from __future__ import annotations

from controller.model.timezones import STATE_ZONES
from controller.store.db import Database


def state_notes(db: Database, list_id: int) -> list[str]:
    """A note on the list's contacts whose State is no US state (a typo, a country): their
    calling hours follow their phone number's time zone instead."""
    known = sorted(STATE_ZONES)
    marks = ",".join("?" * len(known))
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT state, count(*) FROM contacts WHERE list_id = ? AND state != ''"
            f" AND upper(state) NOT IN ({marks}) GROUP BY state ORDER BY 2 DESC, 1",
            (list_id, *known),
        ).fetchall()
    if not rows:
        return []
    total = sum(int(r[1]) for r in rows)
    shown = ", ".join(repr(str(r[0])) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    who = "1 contact in this list has" if total == 1 else f"{total} contacts in this list have"
    return [
        f"{who} a State that is no US state ({shown}): their calling hours follow the time"
        " zone of their phone number"
    ]


def zip_note(rows: int, examples: list[str]) -> list[str]:
    """A note on the ``rows`` whose ZIP is no ZIP (letters, too many digits; ``examples``:
    the first different ones as written, five shown): it was left out, so their calling
    hours follow their State, or else their phone number."""
    if not rows:
        return []
    shown = ", ".join(repr(z) for z in examples[:5]) + (", ..." if len(examples) > 5 else "")
    who = "1 row of this file has" if rows == 1 else f"{rows} rows of this file have"
    return [
        f"{who} a ZIP that is no ZIP ({shown}): it was left out, and their calling hours"
        " follow their State (or else their phone number)"
    ]
