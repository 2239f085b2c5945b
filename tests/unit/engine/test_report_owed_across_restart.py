"""A report a volunteer still owes when the appliance restarts is still theirs to file: a
conversation that ended (or was cut by the restart) less than the report grace ago keeps
its number waiting for the report; when the volunteer is back in the bank, the call screen
shows the call and takes the outcome they pick (a Do Not Call request is not lost). One
they never come back to is *Not Recorded* once the grace has passed since the call ended;
an older one is *Not Recorded* at the start, as before. Engine on a real SQLite file, no
PBX (nothing is dialed)."""

from __future__ import annotations

import time
from dataclasses import replace

from test_dialin_chosen_bank import engine  # noqa: F401 - the engine on NOW, as a fixture
from test_recovery_by_store import connected, dialed, ends, started_bank
from test_runner_pacing import NOW

from controller.config import Settings
from controller.engine import volunteer_ops as ops
from controller.engine.dialing import EngineConfig
from controller.engine.engine import REPORT_GRACE, Engine
from controller.engine.recovery import recover_all
from controller.store import attempts, queue
from controller.store.db import Database

VOLUNTEER = 7


def talked(db: Database, bank_id: int, call_id: str, ended_at: float | None) -> int:
    """A conversation with the volunteer, ended at ``ended_at`` (None: cut by the restart)."""
    (claim,) = queue.claim_next(db, bank_id, NOW - 2 * REPORT_GRACE, 1)
    attempt_id = dialed(db, claim, call_id, "HUMAN")
    connected(db, attempt_id, bank_id)
    with db.write() as conn:
        attempts.record_bridge(conn, attempt_id, VOLUNTEER, NOW - 100)
        if ended_at is not None:
            attempts.record_end(conn, attempt_id, ended_at, "bridged", "16")
    return attempt_id


async def test_given_a_report_owed_at_a_restart_when_the_volunteer_comes_back_then_they_file_it(
    engine: Engine,  # noqa: F811 - the fixture
    db: Database,
) -> None:
    bank_id = started_bank(db, "one")
    owed = talked(db, bank_id, "pb1c-owed", ended_at=NOW - 60)
    cut = talked(db, bank_id, "pb1c-cut", ended_at=None)  # mid-conversation at the restart

    recover_all(db, NOW, owed_grace=REPORT_GRACE)
    engine.reconcile()

    assert ends(db)[cut] == ("bridged", [""])  # no outcome filed for it
    assert ends(db)[owed] == ("bridged", ["not_recorded"])  # one report at a time: the latest
    runner = engine.runners[bank_id]
    assert runner.wrapups[VOLUNTEER].attempt_id == cut  # the latest of theirs
    engine.enroll(bank_id, VOLUNTEER)  # "Start with this browser": the phone is on its way
    engine.expire_reports()  # a reconcile before their line is in the room
    assert runner.wrapups[VOLUNTEER].attempt_id == cut
    engine.pool.join_without_leg(VOLUNTEER)
    live = ops.live_state(engine, VOLUNTEER)
    assert live["call"] is not None and live["call"]["needs_outcome"]
    ops.file(engine, VOLUNTEER, "do_not_call")

    assert ends(db)[cut] == ("bridged", ["do_not_call"])
    assert VOLUNTEER not in runner.wrapups


async def test_given_a_report_owed_at_a_restart_when_nobody_comes_back_then_not_recorded_after_the_grace(  # noqa: E501
    engine: Engine,  # noqa: F811 - the fixture
    db: Database,
) -> None:
    bank_id = started_bank(db, "one")
    recent = talked(db, bank_id, "pb1c-recent", ended_at=NOW - 60)
    old = talked(db, bank_id, "pb1c-old", ended_at=NOW - REPORT_GRACE - 60)

    recover_all(db, NOW, owed_grace=REPORT_GRACE)
    engine.reconcile()
    assert ends(db)[old] == ("bridged", ["not_recorded"])  # too old to be filed now
    engine.expire_reports()
    assert ends(db)[recent] == ("bridged", [""])  # still within the grace

    engine.clock = lambda: NOW + REPORT_GRACE  # type: ignore[method-assign]  # nobody back
    engine.expire_reports()
    assert ends(db)[recent] == ("bridged", ["not_recorded"])
    assert VOLUNTEER not in engine.runners[bank_id].wrapups


async def test_given_a_report_owed_in_a_made_up_bank_off_the_simulated_network_when_the_engine_holds_it_then_not_recorded(  # noqa: E501
    db: Database, settings: Settings
) -> None:
    """The engine pauses a bank of made-up numbers off the simulated network, so no runner
    will take the report back: it is Not Recorded, and its number does not stay dialing."""
    bank_id = started_bank(db, "demo")  # a synthetic list: made-up numbers
    owed = talked(db, bank_id, "pb1c-owed", ended_at=NOW - 60)
    real_trunk = replace(settings, carrier=replace(settings.carrier, enabled=False))
    held = Engine(real_trunk, db, EngineConfig(tick=3600), clock_offset=NOW - time.time())

    recover_all(db, NOW, owed_grace=REPORT_GRACE)
    held.reconcile()

    assert bank_id not in held.runners
    assert ends(db)[owed] == ("bridged", ["not_recorded"])


async def test_given_a_report_owed_at_a_restart_when_the_volunteer_opens_the_call_screen_then_they_file_it_without_joining(  # noqa: E501
    engine: Engine,  # noqa: F811 - the fixture
    db: Database,
) -> None:
    """The bank's page sends a volunteer who owes a report to the call screen: it shows the
    call and takes the outcome before they join again (as before a restart)."""
    bank_id = started_bank(db, "one")
    owed = talked(db, bank_id, "pb1c-owed", ended_at=NOW - 60)

    recover_all(db, NOW, owed_grace=REPORT_GRACE)
    engine.reconcile()
    live = ops.live_state(engine, VOLUNTEER)

    assert live["state"] == "disconnected" and live["bank_id"] == bank_id
    assert live["call"] is not None and live["call"]["needs_outcome"]
    ops.file(engine, VOLUNTEER, "refused")
    assert ends(db)[owed] == ("bridged", ["refused"])
