from __future__ import annotations

import json
import tracemalloc

import pytest
from test_queue_store import NOW, make_bank

from controller.model import scripts as script_model
from controller.store import admin_stats, queue, results, scripts
from controller.store.attempts import (
    mark_answered,
    record_attempt,
    record_bridge,
    record_disposition,
    record_end,
)
from controller.store.db import Database
from controller.store.results import ResultsError

DOC = {"name": "Q", "blocks": [{"id": "q", "title": "Support?", "field": "Support"}]}


def run_calls(db: Database) -> int:
    bank_id = make_bank(db, contacts=3)
    with db.write() as conn:
        conn.execute("INSERT INTO users (id, username, display_name) VALUES (7, 'ann', 'Ann')")
        conn.execute("INSERT INTO custom_fields (name, kind, options) VALUES ('Support',"
                     " 'choice', ?)", (json.dumps(["Yes", "No"]),))  # fmt: skip
        sid = scripts.save(conn, script_model.from_dict(DOC))
        conn.execute("UPDATE banks SET script_id = ? WHERE id = ?", (sid, bank_id))
    a, b, _ = queue.claim_next(db, bank_id, NOW, 3)
    with db.write() as conn:
        first = record_attempt(conn, a, "x1", NOW)
        mark_answered(conn, first, NOW + 5, "HUMAN")
        record_bridge(conn, first, 7)
        scripts.save_answer(conn, bank_id=bank_id, contact_id=a.contact_id, block_id="q",
                            answer="Yes", now=NOW + 30, attempt_id=first,
                            volunteer_id=7)  # fmt: skip
        record_end(conn, first, NOW + 65, "bridged")
        record_disposition(conn, first, "completed", None, 7, "great", NOW + 70)
        second = record_attempt(conn, b, "x2", NOW)
        record_end(conn, second, NOW + 20, "busy")
        for event in ("sent", "seen", "seen", "started", "performed", "reported"):
            results.record_event(conn, bank_id, event, 7, NOW)
        results.record_event(conn, bank_id, "seen", 8, NOW)
    return bank_id


def test_given_calls_when_attempts_exported_then_one_row_each_with_outcomes(db: Database) -> None:
    bank_id = run_calls(db)
    with db.read() as conn:
        rows = list(results.export_attempts(conn, bank_id))
    header, *body = rows
    assert header[0] == "attempt_id" and len(body) == 2
    got = {r[header.index("call_id")]: r[header.index("outcomes")] for r in body}
    assert got == {"x1": "completed", "x2": "busy"}


def test_given_answers_when_contacts_exported_then_outcome_and_answer_columns(db: Database) -> None:
    bank_id = run_calls(db)
    with db.read() as conn:
        header, *body = list(results.export_contacts(conn, bank_id))
    assert header[-1] == "Support?" and len(body) == 3
    done = [r for r in body if r[header.index("last_outcome")] == "completed"]
    assert len(done) == 1 and done[0][-1] == "Yes" and done[0][header.index("attempts")] == 1
    untouched = [r for r in body if r[header.index("attempts")] == 0]
    assert len(untouched) == 1 and untouched[0][-1] == ""


def test_given_volunteer_calls_when_exported_then_totals_and_talk_time(db: Database) -> None:
    bank_id = run_calls(db)
    with db.read() as conn:
        header, *body = list(results.export_volunteers(conn, bank_id))
    row = dict(zip(header, body[0], strict=True))
    assert (row["username"], row["calls"], row["talk_seconds"]) == ("ann", 1, 60)
    assert (row["dispositions"], row["completed"]) == (1, 1)
    assert row["engagement"] == "performed;reported;seen;sent;started"


def test_given_events_when_engagement_read_then_counts_and_distinct_volunteers(
    db: Database,
) -> None:
    bank_id = run_calls(db)
    with db.write() as conn:
        eng = results.engagement(conn, bank_id)
        with pytest.raises(ResultsError) as err:
            results.record_event(conn, bank_id, "liked", 7, NOW)
        assert err.value.code == "unknown_event"
        figures = results.call_figures(conn, bank_id)
        outcomes = results.outcome_counts(conn, bank_id)
    assert eng["seen"] == {"events": 3, "volunteers": 2}
    assert eng["completed"] == {"events": 0, "volunteers": 0}
    assert (figures["attempts"], figures["answered"], figures["bridged"]) == (2, 1, 1)
    assert outcomes == {"busy": 1, "completed": 1}


def test_given_big_list_when_contacts_streamed_then_memory_stays_small(db: Database) -> None:
    bank_id = make_bank(db, contacts=20_000, start=False)
    with db.read() as conn:
        rows = results.export_contacts(conn, bank_id)
        next(rows)
        tracemalloc.start()
        count = sum(1 for _ in rows)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 1_000_000  # a list of all rows would need tens of MB


def test_given_unknown_bank_when_contacts_exported_then_clear_error(db: Database) -> None:
    with db.read() as conn, pytest.raises(ResultsError) as err:
        next(results.export_contacts(conn, 404))
    assert err.value.code == "unknown_bank"


def test_given_reported_call_without_bridge_record_when_exported_then_counted_for_reporter(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=1)
    [claim] = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        conn.execute("INSERT INTO users (id, username) VALUES (9, 'cy')")
        attempt = record_attempt(conn, claim, "p1", NOW)
        record_end(conn, attempt, NOW + 40, "bridged")
        record_disposition(conn, attempt, "refused", None, 9, "", NOW + 45)
        header, *body = list(results.export_volunteers(conn, bank_id))
        assert results.engagement(conn, bank_id)["reported"] == {"events": 1, "volunteers": 1}
    row = dict(zip(header, body[0], strict=True))
    assert (row["username"], row["calls"], row["dispositions"]) == ("cy", 1, 1)


def test_given_a_machine_a_conversation_and_a_drop_when_figures_read_then_the_abandon_rate_is_of_people_only(  # noqa: E501
    db: Database,
) -> None:
    """The abandon rate the Results page, `bank status` and the dashboard's chart show is
    drops / calls a person answered, as the dialer counts it: a machine is not in it."""
    bank_id = make_bank(db, contacts=3)
    machine, talk, drop = queue.claim_next(db, bank_id, NOW, 3)
    with db.write() as conn:
        for n, (entry, verdict, result) in enumerate(
            [
                (machine, "MACHINE", "machine"),
                (talk, "HUMAN", "bridged"),
                (drop, "HUMAN", "dropped"),
            ]
        ):
            attempt = record_attempt(conn, entry, f"y{n}", NOW)
            mark_answered(conn, attempt, NOW + 5, verdict)
            record_end(conn, attempt, NOW + 20, result)
        figures = results.call_figures(conn, bank_id, NOW + 60)
        (bucket,) = admin_stats.series(conn, bank_id)
    assert (figures["answered"], figures["people"], figures["dropped"]) == (3, 2, 1)
    assert figures["abandon_rate_pct"] == 50.0 == bucket["abandon_pct"]


def test_given_two_blocks_with_one_title_when_contacts_exported_then_each_has_its_column(
    db: Database,
) -> None:
    """A script may ask "Support?" before and after a persuasion step: two blocks, one
    title. Each keeps its own column (named with its block when titles meet), no answer
    lost; a block's latest answer is its cell."""
    bank_id = run_calls(db)
    with db.write() as conn:
        contact_id = conn.execute("SELECT min(id) FROM contacts").fetchone()[0]
        for block, answer in (("before", "Lean no"), ("after", "Maybe"), ("after", "Yes")):
            conn.execute(
                "INSERT INTO script_answers (bank_id, contact_id, block_id, question, answer,"
                " created_at) VALUES (?, ?, ?, 'Support?', ?, '2026-05-01T22:00:00Z')",
                (bank_id, contact_id, block, answer),
            )
    with db.read() as conn:
        header, *body = list(results.export_contacts(conn, bank_id))
    row = dict(zip(header, next(r for r in body if r[0] == contact_id), strict=True))
    assert [h for h in header if h.startswith("Support?")] == [
        "Support? (after)", "Support? (before)", "Support? (q)",
    ]  # fmt: skip
    assert (row["Support? (before)"], row["Support? (after)"]) == ("Lean no", "Yes")
