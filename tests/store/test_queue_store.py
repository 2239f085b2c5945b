from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from controller.model import banks as bank_model
from controller.model.banks import BankError
from controller.store import banks, queue
from controller.store.attempts import record_attempt
from controller.store.db import Database

NOW_DT = datetime(2026, 5, 1, 22, 0, tzinfo=UTC)  # 12:00-18:00 in every US zone seeded
NOW = NOW_DT.timestamp()
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'


def make_bank(
    db: Database, contacts: int = 12, household_every: int = 0, start: bool = True, **kw: object
) -> int:
    """A published (and started) bank over a synthetic list; returns its id."""
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"list{n}", contacts, household_every, seed=n)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (f"s{list_id}", SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        base = {"title": "T", "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, {**base, **kw}).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        if start:
            banks.start(conn, bank_id, NOW_DT)
        return bank_id


def claim_all(db: Database, bank_id: int, now: float = NOW) -> list[queue.Claim]:
    return queue.claim_next(db, bank_id, now, 10_000)


def test_given_started_bank_when_claiming_then_best_accuracy_first_each_number_once(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=30)
    first = queue.claim_next(db, bank_id, NOW, 5)
    rest = claim_all(db, bank_id)
    numbers = [c.e164 for c in first + rest]
    assert len(numbers) == len(set(numbers)) == 30
    with db.read() as conn:
        acc = {r[0]: r[1] for r in conn.execute("SELECT e164, accuracy FROM phones")}
    scores = [acc[n] for n in numbers]
    assert scores == sorted(scores, reverse=True)
    assert claim_all(db, bank_id) == []


def test_given_household_sharing_a_number_when_claimed_then_one_dial_with_all_members(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=9, household_every=3)
    claims = claim_all(db, bank_id)
    assert len(claims) == 6
    shared = [c for c in claims if len(c.members) == 2]
    assert len(shared) == 3


def test_given_each_contact_mode_when_claimed_then_shared_number_dialed_per_contact(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=9, household_every=3, household="each_contact")
    claimed: list[queue.Claim] = []
    while batch := claim_all(db, bank_id):  # one entry per number at a time
        assert len({c.e164 for c in batch}) == len(batch)
        claimed += batch
        with db.write() as conn:
            for c in batch:
                conn.execute("UPDATE queue_entries SET state = 'done' WHERE id = ?", (c.entry_id,))
    assert len(claimed) == 9
    assert len({c.contact_id for c in claimed}) == 9


def test_given_dnc_number_added_after_start_when_claiming_then_skipped_and_closed(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=5)
    with db.write() as conn:
        e164 = conn.execute("SELECT e164 FROM queue_entries ORDER BY sort_key LIMIT 1").fetchone()[
            0
        ]
        conn.execute("INSERT INTO dnc (e164) VALUES (?)", (e164,))
    claims = claim_all(db, bank_id)
    assert e164 not in [c.e164 for c in claims] and len(claims) == 4
    with db.read() as conn:
        reason = conn.execute("SELECT done_reason FROM queue_entries WHERE e164 = ?", (e164,))
        assert reason.fetchone()[0] == "dnc"


def test_given_dnc_before_start_when_queue_built_then_number_never_queued(db: Database) -> None:
    bank_id = make_bank(db, contacts=4, start=False)
    with db.write() as conn:
        conn.execute("INSERT INTO dnc (e164) SELECT e164 FROM phones LIMIT 1")
        banks.start(conn, bank_id, NOW_DT)
    assert len(claim_all(db, bank_id)) == 3


def test_given_early_morning_in_hawaii_when_claiming_then_only_open_zones_dialed(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=60)
    at = datetime(2026, 5, 1, 17, 30, tzinfo=UTC).timestamp()  # 13:30 NY, 07:30 Honolulu
    zones = {c.zone for c in claim_all(db, bank_id, at)}
    assert "Pacific/Honolulu" not in zones and "America/New_York" in zones
    late = claim_all(db, bank_id, NOW)
    assert {c.zone for c in late} == {"Pacific/Honolulu"}


def test_given_bank_not_running_when_claiming_then_nothing_handed_out(db: Database) -> None:
    bank_id = make_bank(db, contacts=3, start=False)
    assert claim_all(db, bank_id) == []
    with db.write() as conn:
        banks.start(conn, bank_id, NOW_DT)
        banks.update(conn, bank_id, bank_model.pause)
    assert claim_all(db, bank_id) == []


def test_given_two_dialers_in_threads_when_claiming_together_then_no_number_twice(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=200)
    got: list[list[queue.Claim]] = [[], []]

    def dialer(slot: int) -> None:
        while claims := queue.claim_next(db, bank_id, NOW, 3):
            got[slot].extend(claims)

    threads = [threading.Thread(target=dialer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [c.entry_id for c in got[0] + got[1]]
    assert len(ids) == len(set(ids)) == 200


def test_given_claimed_but_never_dialed_when_released_then_claimable_again(db: Database) -> None:
    bank_id = make_bank(db, contacts=3)
    [claim] = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        assert queue.release_stale(conn, bank_id, NOW + 60) == 1
    again = queue.claim_next(db, bank_id, NOW, 1)
    assert again[0].entry_id == claim.entry_id


def test_given_dialed_claim_when_stale_release_runs_then_kept(db: Database) -> None:
    bank_id = make_bank(db, contacts=1)
    [claim] = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        record_attempt(conn, claim, "call-1", NOW)
        assert queue.release_stale(conn, bank_id, NOW + 60) == 0
        assert queue.counts(conn, bank_id)["dialing"] == 1


def test_given_started_bank_when_list_changed_then_refused_and_queue_unchanged(
    db: Database,
) -> None:
    bank_id = make_bank(db, contacts=2)
    with pytest.raises(BankError) as err, db.write() as conn:
        banks.edit(conn, bank_id, {"list_id": 999})
    assert err.value.code == "list_frozen"


def test_given_any_hour_over_three_days_when_claiming_then_only_zones_inside_hours(
    db: Database,
) -> None:
    from controller.model.compliance import local_time

    bank_id = make_bank(db, contacts=600)
    start = datetime(2026, 3, 7, 0, 0, tzinfo=UTC).timestamp()  # spans the US DST change
    handed = 0
    for step in range(0, 72 * 60, 47):
        now = start + step * 60
        for claim in queue.claim_next(db, bank_id, now, 2):
            wall = local_time(claim.zone, now)
            assert 9 <= wall.hour < 20, (claim.zone, wall)
            handed += 1
    assert handed > 50


def _custom_list(
    db: Database, people: list[tuple[str | None, list[tuple[str, float, int]]]]
) -> int:
    """A list of contacts given as (time zone, [(e164, accuracy, position), ...])."""
    with db.write() as conn:
        list_id = banks.seed_synthetic_list(conn, "custom", 0)
        for i, (zone, phones) in enumerate(people):
            cid = conn.execute(
                "INSERT INTO contacts (list_id, first_name, time_zone, dedupe_key)"
                " VALUES (?, ?, ?, ?)",
                (list_id, f"P{i}", zone, f"k{i}"),
            ).lastrowid
            for e164, acc, pos in phones:
                conn.execute(
                    "INSERT INTO phones (contact_id, e164, accuracy, position) VALUES (?, ?, ?, ?)",
                    (cid, e164, acc, pos),
                )
    return list_id


def test_given_missing_or_mixed_zones_when_built_then_number_area_code_and_strict_key(
    db: Database,
) -> None:
    list_id = _custom_list(db, [
        (None, [("+13105550100", 50, 0)]),                   # LA area code, no zone
        ("America/New_York", [("+12125550100", 50, 0)]),      # shared by two zones
        ("America/Chicago", [("+12125550100", 40, 0)]),
        ("Not/AZone", [("+18085550100", 50, 0)]),             # invalid name: number decides
    ])  # fmt: skip
    bank_id = make_bank(db, contacts=0, list_id=list_id)
    with db.read() as conn:
        zones = dict(conn.execute("SELECT e164, zone FROM queue_entries WHERE bank_id = ?",
                                  (bank_id,)).fetchall())  # fmt: skip
    assert zones == {
        "+13105550100": "America/Los_Angeles",
        "+12125550100": "America/Chicago|America/New_York",
        "+18085550100": "Pacific/Honolulu",
    }


def test_given_second_numbers_when_claimed_then_after_every_first_number(db: Database) -> None:
    list_id = _custom_list(db, [
        ("America/New_York", [("+12125550101", 90, 0), ("+12125550102", 99, 1)]),
        ("America/New_York", [("+12125550103", 10, 0)]),
    ])  # fmt: skip
    bank_id = make_bank(db, contacts=0, list_id=list_id)
    order = [c.e164 for c in claim_all(db, bank_id)]
    assert order == ["+12125550101", "+12125550103", "+12125550102"]


def test_given_claim_query_when_planned_then_zone_is_an_index_seek_not_a_scan(
    db: Database,
) -> None:
    with db.read() as conn:
        plan = " ".join(
            str(r[3])
            for r in conn.execute(
                f"EXPLAIN QUERY PLAN {queue._LANE_SQL}", (1, "z", 1, 0.0, -1.0, 0, 5)
            )
        )
    assert "USING INDEX queue_ready (bank_id=? AND zone=? AND lane=? AND sort_key>? AND" in plan
    assert "SCAN" not in plan
