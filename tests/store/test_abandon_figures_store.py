"""The abandon rate an organizer reads is the one the cap holds: over the rolling 30 days
(the headline, the chart, the results page and the CLI agree), a share of the calls a live
person answered (a machine that reached a volunteer with the machine check off, or a
personal-phone number filed No Answer, is no live answer). Real SQLite file; attempts are
written as the engine stores them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.store import admin_stats, results
from controller.store.db import Database
from controller.store.engine_log import abandon_counts
from tests.store.test_queue_store import make_bank

NOW = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


def attempts(db: Database, bank_id: int, at: datetime, results_: list[str]) -> list[int]:
    ids = []
    with db.write() as conn:
        for n, result in enumerate(results_):
            started = (at + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            cur = conn.execute(
                "INSERT INTO call_attempts (bank_id, e164, call_id, started_at, result)"
                " VALUES (?, '+16175550100', ?, ?, ?)",
                (bank_id, f"pb{bank_id}c-{at.timestamp():.0f}-{n}", started, result),
            )
            ids.append(int(cur.lastrowid or 0))
    return ids


def filed(db: Database, bank_id: int, attempt_id: int, outcome: str, volunteer: int = 7) -> None:
    with db.write() as conn:
        conn.execute(
            "INSERT INTO dispositions (attempt_id, bank_id, outcome, volunteer_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (attempt_id, bank_id, outcome, volunteer, NOW.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )


def test_given_drops_older_than_30_days_when_figures_read_then_every_view_leaves_them_out(
    db: Database,
) -> None:
    bank = make_bank(db, contacts=1)
    attempts(db, bank, NOW - timedelta(days=40), ["dropped"] * 5 + ["bridged"] * 5)
    attempts(db, bank, NOW - timedelta(minutes=10), ["dropped"] + ["bridged"] * 99)

    with db.read() as conn:
        counted = abandon_counts(conn, bank, NOW.timestamp())
        chart = admin_stats.series(conn, bank)
        page = results.call_figures(conn, bank, NOW.timestamp())

    assert counted == (100, 1)
    assert chart[-1]["abandon_pct"] == 1.0 and page["abandon_rate_pct"] == 1.0
    assert page["dropped"] == 6  # the bank's own total stays all-time


def test_given_answers_filed_as_nobody_when_counted_then_they_are_no_live_answers(
    db: Database,
) -> None:
    bank = make_bank(db, contacts=1)
    machine, personal, talk, _drop = attempts(
        db, bank, NOW - timedelta(minutes=5), ["bridged", "human", "bridged", "dropped"]
    )
    filed(db, bank, machine, "answering_machine")  # the machine check was off
    filed(db, bank, personal, "no_answer")  # dialed from the volunteer's own phone
    filed(db, bank, talk, "refused")

    with db.read() as conn:
        assert abandon_counts(conn, bank, NOW.timestamp()) == (2, 1)
        assert results.call_figures(conn, bank, NOW.timestamp())["people"] == 2


def test_given_many_reports_when_last_outcomes_read_then_each_volunteer_s_latest(
    db: Database,
) -> None:
    bank = make_bank(db, contacts=1)
    ids = attempts(db, bank, NOW - timedelta(minutes=5), ["bridged"] * 4)
    for attempt_id, outcome, volunteer in zip(
        ids, ["refused", "not_home", "moved", "completed"], [7, 8, 7, 8], strict=True
    ):
        filed(db, bank, attempt_id, outcome, volunteer)

    with db.read() as conn:
        assert admin_stats.last_outcomes(conn, bank) == {7: "moved", 8: "completed"}
