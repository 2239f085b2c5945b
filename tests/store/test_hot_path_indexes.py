"""The reads a call's end makes in the writer transaction use an index, not a scan of every
attempt or of the whole CRM outbox (which keeps its sent rows): the query plans of the real
schema, built by the migrations."""

from __future__ import annotations

import pytest

from controller.store.db import Database

READS = {
    "a number's network failures": (
        "SELECT count(*) FROM call_attempts WHERE entry_id = ? AND result = ?", (1, "x")),
    "a contact's previous call": (
        "SELECT started_at FROM call_attempts WHERE id != ? AND (contact_id = ? OR entry_id IN"
        " (SELECT entry_id FROM queue_members WHERE contact_id = ?))", (1, 1, 1)),
    "an attempt's queued CRM rows": (
        "DELETE FROM sync_outbox WHERE source_kind = 'attempt' AND source_id = ?", (1,)),
}  # fmt: skip


@pytest.mark.parametrize("read", sorted(READS))
def test_given_the_migrated_schema_when_a_call_end_reads_then_it_searches_an_index(
    db: Database, read: str
) -> None:
    sql, args = READS[read]
    with db.read() as conn:
        plan = [str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
    assert not any(step.startswith("SCAN") for step in plan), plan
    assert any("USING INDEX" in step or "USING COVERING INDEX" in step for step in plan), plan
