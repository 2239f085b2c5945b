"""The appliance starts again after personal-phone reports never came: on the real PBX, a
number handed to a personal-phone volunteer who left and never came back is *Not Recorded*
once, and an attempt an earlier version left open with its *Not Recorded* already filed
only gets its end; the engine starts both times and the bank runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo
from e2e_helpers import AT, FAST, make_bank, running_engine, set_state, wait_until

from controller.engine import modes
from controller.engine.dialing import new_call_id
from controller.engine.engine import REPORT_GRACE
from controller.engine.recovery import NOT_RECORDED, PERSONAL_KIND
from controller.engine.simvol import SimProfile
from controller.store import attempts, queue
from controller.store.db import Database, open_database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]
NOW = AT.timestamp()


def left_by_an_earlier_version(db: Database, bank_id: int) -> int:
    """A personal-phone attempt whose report expired: Not Recorded filed, never ended."""
    (claim,) = queue.claim_next(db, bank_id, NOW - 3600, 1)
    with db.write() as conn:
        attempt_id = attempts.record_attempt(
            conn, claim, new_call_id(bank_id, PERSONAL_KIND), NOW - 3600, None, 9
        )
        attempts.record_disposition(conn, attempt_id, NOT_RECORDED, None, None, "", NOW - 2000)
    return attempt_id


def ends(db: Database) -> dict[int, tuple[object, str, list[str]]]:
    with db.read() as conn:
        rows = conn.execute(
            "SELECT a.id, a.ended_at IS NOT NULL AS ended, a.result,"
            " group_concat(d.outcome) AS outcomes FROM call_attempts AS a"
            " LEFT JOIN dispositions AS d ON d.attempt_id = a.id GROUP BY a.id"
        ).fetchall()
    return {
        int(r["id"]): (r["ended"], str(r["result"]), str(r["outcomes"]).split(",")) for r in rows
    }


async def test_given_personal_phone_reports_that_never_came_when_the_appliance_starts_again_then_the_engine_starts(  # noqa: E501
    pbx_pair: PbxPairInfo, tmp_path: Path
) -> None:
    path = tmp_path / "engine.db"
    db = open_database(path)
    bank_id = make_bank(db, 4, dialing_mode="personal")
    set_state(db, bank_id, "start")
    earlier = left_by_an_earlier_version(db, bank_id)
    db.close()

    async with running_engine(pbx_pair, path, FAST, SimProfile()) as env:
        engine = env.engine
        assert bank_id in engine.runners
        engine.enroll(bank_id, 7)
        handed = modes.personal_next(engine, 7)
        assert handed is not None
        engine.pool.leave(7)  # and never comes back
        engine.clock = lambda: NOW + REPORT_GRACE + 600
        runner = engine.runners[bank_id]
        await wait_until(lambda: not runner.wrapups, 10, "the report to expire")

    async with running_engine(pbx_pair, path, FAST, SimProfile()) as env:
        assert env.engine.runners[bank_id].mode == "running"
        stored = ends(env.db)
    assert stored == {
        earlier: (1, "human", [NOT_RECORDED]),
        int(handed["attempt_id"]): (1, "human", [NOT_RECORDED]),
    }
