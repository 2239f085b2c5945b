"""Replaying a bank's stored pacing decisions: a bank's day is run offline by the engine's own
runner on a real SQLite file (``replay_day``), then its stored decisions are read back in
batches and decided again."""

from __future__ import annotations

import pytest

from controller.config import Settings
from controller.engine.dialing import EngineConfig, strategy_for
from controller.model.banks import BankSettings, DialingMode
from controller.pacing.decision import Strategy
from controller.pacing.replay import Plan, Replayer, ReplayError, make_plan, read_row, replay
from controller.pacing.snapshot import VolunteerState
from controller.pacing.strategies import TSR_MIN_RING, cancellable
from controller.store import banks, engine_log
from controller.store.db import Database
from tests.unit.pacing.replay_day import BUSY_DAY, run_day


def engine_strategy(mode: DialingMode) -> Strategy | None:
    return strategy_for(mode, EngineConfig())


def replayer(db: Database, bank_id: int, *sets: str, strategy: str | None = None) -> Replayer:
    with db.read() as conn:
        bank = banks.get(conn, bank_id)
    return Replayer(make_plan(bank.settings, sets, strategy), engine_strategy)


@pytest.mark.parametrize("mode", ["predictive", "power"])
async def test_given_a_day_of_stored_decisions_when_replayed_unchanged_then_every_one_identical(
    db: Database, settings: Settings, mode: str
) -> None:
    bank_id = await run_day(db, settings, mode, seconds=400.0, events=BUSY_DAY)
    with db.read() as conn:
        stored = engine_log.count_decisions(conn, bank_id)
        reasons = {r["reason"] for r in engine_log.decision_rows(conn, bank_id)}
        summary = replay(engine_log.decision_rows(conn, bank_id, batch=7), replayer(db, bank_id))
    assert stored >= 40 and len(reasons) >= 2, (stored, reasons)  # a day with some variety
    assert summary.stored_dials > 0 and summary.unreadable == 0
    assert (summary.replayed, summary.identical, summary.figures_differ) == (stored, stored, 0)
    assert summary.replayed_dials == summary.stored_dials and summary.differences == []
    assert summary.dialed_more == summary.dialed_fewer == summary.cancels_differ == 0


async def test_given_a_predictive_day_when_replayed_with_less_boldness_then_fewer_numbers_listed(
    db: Database, settings: Settings
) -> None:
    bank_id = await run_day(db, settings, seconds=400.0, events=BUSY_DAY)
    with db.read() as conn:
        summary = replay(
            engine_log.decision_rows(conn, bank_id), replayer(db, bank_id, "marginal=0.5"), 5
        )
        by_id = {int(r["id"]): read_row(r) for r in engine_log.decision_rows(conn, bank_id)}
    assert summary.replayed_dials < summary.stored_dials
    assert summary.dialed_fewer > 0 and summary.dialed_more == 0
    assert len(summary.differences) == min(5, summary.replayed - summary.identical)
    for d in summary.differences:
        snapshot = by_id[d.id].inputs
        assert snapshot is not None and d.at == snapshot.now
        assert d.replayed[0] < d.stored[0]
        assert (d.waiting, d.in_flight) == (
            snapshot.count(VolunteerState.WAITING),
            len(snapshot.calls),
        )


async def test_given_a_predictive_day_when_replayed_as_progressive_then_never_over_one_per_ready(
    db: Database, settings: Settings
) -> None:
    bank_id = await run_day(db, settings, seconds=400.0, events=BUSY_DAY)
    again = replayer(db, bank_id, strategy="progressive")
    with db.read() as conn:
        rows = list(engine_log.decision_rows(conn, bank_id))
        summary = replay(engine_log.decision_rows(conn, bank_id), again)
    over_one_to_one = 0
    for row in rows:
        stored, decision = again.decide(row)
        snapshot = stored.inputs
        assert snapshot is not None and decision.strategy == "progressive"
        waiting, in_flight = snapshot.count(VolunteerState.WAITING), len(snapshot.calls)
        assert in_flight + decision.dial <= max(waiting, in_flight)
        if in_flight > waiting:  # takes back what it may of the calls over 1:1
            over_one_to_one += 1
            may = len(cancellable(snapshot, 0.0 if not waiting else TSR_MIN_RING))
            assert len(decision.cancel) == min(in_flight - waiting, may) and not decision.dial
    assert over_one_to_one > 0  # the stored predictive decisions dialed ahead
    assert summary.replayed_dials < summary.stored_dials
    assert summary.strategies == {"progressive": len(rows)}


async def test_given_a_row_that_cannot_be_read_when_replayed_then_counted_reported_and_others_go_on(
    db: Database, settings: Settings
) -> None:
    bank_id = await run_day(db, settings, seconds=120.0)
    with db.write() as conn:
        first, second = (r[0] for r in conn.execute(
            "SELECT id FROM pacing_decisions WHERE bank_id = ? ORDER BY id LIMIT 2", (bank_id,)
        ))  # fmt: skip
        conn.execute("UPDATE pacing_decisions SET inputs = '{\"now\": ' WHERE id = ?", (first,))
        conn.execute("UPDATE pacing_decisions SET inputs = '{}' WHERE id = ?", (second,))
        total = engine_log.count_decisions(conn, bank_id)
    with db.read() as conn:
        summary = replay(engine_log.decision_rows(conn, bank_id), replayer(db, bank_id))
    assert (summary.unreadable, summary.replayed, summary.identical) == (2, total - 2, total - 2)
    (bad_id, why), (empty_id, nothing) = summary.problems
    assert (bad_id, empty_id) == (first, second)
    assert "inputs is not valid JSON" in why and "without the snapshot" in nothing


@pytest.mark.parametrize(
    ("sets", "strategy", "ratio", "code"),
    [
        (["boldness=1"], None, None, "unknown_setting"),
        (["marginal"], None, None, "set_format"),
        (["marginal=abc"], None, None, "bad_value"),
        (["marginal=-1"], None, None, "bad_value"),
        (["marginal=0"], None, None, "bad_tuning"),
        (["min_boost=3"], None, None, "bad_tuning"),
        (["abandon_cap_pct=5"], None, None, "abandon_cap_range"),
        (["abandon_cap_pct=0"], None, None, "abandon_cap_range"),
        ([], "ratio", None, "ratio_strategy"),
        ([], None, 2.0, "ratio_strategy"),
        ([], "ratio", 60.0, "bad_ratio"),
        (["marginal=1"], "progressive", None, "not_for_strategy"),
    ],
)
def test_given_a_bad_override_when_planning_a_replay_then_refused_with_its_code(
    sets: list[str], strategy: str | None, ratio: float | None, code: str
) -> None:
    with pytest.raises(ReplayError) as refused:
        make_plan(BankSettings(), sets, strategy, ratio)
    assert refused.value.code == code and str(refused.value)


def test_given_good_overrides_when_planning_then_tunables_cap_and_strategy_kept() -> None:
    plan = make_plan(BankSettings(), ["marginal=1.5", "abandon_cap_pct=2", "max-burst=2"])
    assert plan == Plan({"marginal": 1.5, "max_burst": 2.0}, 0.02, None, None)
    ratio = Replayer(make_plan(BankSettings(), [], "ratio", 2.5), engine_strategy)
    assert ratio.strategy("predictive").name == "fixed_ratio"


async def test_given_decisions_stored_after_the_count_when_read_to_its_bound_then_rows_match_it(
    db: Database, settings: Settings
) -> None:
    bank_id = await run_day(db, settings, seconds=120.0)
    with db.read() as conn:
        last_id = engine_log.last_decision_id(conn, bank_id)
        counted = engine_log.count_decisions(conn, bank_id, last_id=last_id)
    with db.write() as conn:  # a running engine goes on deciding meanwhile
        conn.execute(
            "INSERT INTO pacing_decisions (bank_id, at, strategy, dial, dialed, cancel, ratio,"
            " reason, figures, inputs) SELECT bank_id, at + 1, strategy, dial, dialed, cancel,"
            " ratio, reason, figures, inputs FROM pacing_decisions WHERE bank_id = ?",
            (bank_id,),
        )
    progress: list[int] = []
    with db.read() as conn:
        rows = engine_log.decision_rows(conn, bank_id, batch=7, last_id=last_id)
        summary = replay(rows, replayer(db, bank_id), on_progress=progress.append)
        assert engine_log.count_decisions(conn, bank_id) == 2 * counted > 0
    assert summary.replayed == counted and progress == list(range(1, counted + 1))
