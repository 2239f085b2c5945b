"""The appliance starts again after it stopped mid-call: the engine, on the real PBX, closes
what the previous run left open in every bank, paused and stopped ones included, by what was
stored (a conversation is Not Recorded, not a drop; a machine is Answering Machine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo
from e2e_helpers import AT, FAST, make_bank, running_engine, set_state

from controller.engine.simvol import SimProfile
from controller.model import banks as bank_model
from controller.store import attempts, banks, engine_log, queue
from controller.store.db import Database, open_database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]
NOW = AT.timestamp()


def left_open(db: Database, bank_id: int, verdict: str, talked: bool) -> int:
    """An answered call of ``bank_id`` the previous run never ended."""
    (claim,) = queue.claim_next(db, bank_id, NOW, 1)
    with db.write() as conn:
        attempt_id = attempts.record_attempt(conn, claim, f"old-{bank_id}", NOW)
        attempts.mark_answered(conn, attempt_id, NOW + 4, verdict)
        if talked:
            engine_log.record_hangtime(conn, attempt_id, bank_id, None, 0.5, 0.1, NOW + 5)
    return attempt_id


async def test_given_a_paused_and_a_stopped_bank_left_mid_call_when_the_engine_starts_then_both_are_closed_by_what_was_stored(  # noqa: E501
    pbx_pair: PbxPairInfo, tmp_path: Path
) -> None:
    path = tmp_path / "engine.db"
    db = open_database(path)
    paused, stopped = make_bank(db, 4), make_bank(db, 4)
    set_state(db, paused, "start")
    set_state(db, stopped, "start")
    talking = left_open(db, paused, "HUMAN", talked=True)
    machine = left_open(db, stopped, "MACHINE", talked=False)
    with db.write() as conn:
        banks.update(conn, paused, bank_model.pause)
        banks.update(conn, stopped, bank_model.stop)
    db.close()

    async with running_engine(pbx_pair, path, FAST, SimProfile()) as env:
        assert env.engine.runners == {}  # neither bank runs
        with env.db.read() as conn:
            rows = conn.execute(
                "SELECT a.id, a.result, d.outcome, q.state FROM call_attempts AS a"
                " JOIN dispositions AS d ON d.attempt_id = a.id"
                " JOIN queue_entries AS q ON q.id = a.entry_id ORDER BY a.id"
            ).fetchall()
            left = engine_log.banks_to_recover(conn)
    assert [tuple(r) for r in rows] == [
        (talking, "bridged", "not_recorded", "ready"),
        (machine, "machine", "answering_machine", "ready"),
    ]
    assert left == []
