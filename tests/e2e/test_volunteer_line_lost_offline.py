"""On the real PBX: the engine's connection to the PBX goes silent (a TCP proxy stops
forwarding) while one volunteer's line hangs up. When the connection comes back, that
volunteer has left the bank (nobody dials for them) and the other is still waiting; the
volunteer who joins again on a new line is followed on that line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo
from asterisk.test_ami_session import FAST as AMI_FAST
from asterisk.test_ami_session import FreezableProxy
from e2e_helpers import AT, FAST, make_bank, set_state, stop_all, wait_until

from controller.engine.engine import Engine
from controller.engine.simvol import SimulatedVolunteers
from controller.model.volunteers import VState
from controller.store.db import open_database
from controller.telephony.ami import AmiConfig, AmiSession

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]


async def test_given_the_pbx_unreachable_when_a_volunteers_line_hangs_up_meanwhile_then_they_leave_on_reconnect_and_a_new_line_is_followed(  # noqa: E501
    pbx_pair: PbxPairInfo, tmp_path: Path
) -> None:
    proxy = FreezableProxy(pbx_pair.pbx_ami.port)
    await proxy.start()
    db = open_database(tmp_path / "engine.db")
    offset = AT.timestamp() - datetime.now(UTC).timestamp()
    engine = Engine(pbx_pair.settings, db, FAST, clock_offset=offset)
    creds = pbx_pair.pbx_ami
    engine.ami = AmiSession(
        AmiConfig("127.0.0.1", proxy.port, creds.username, creds.secret, **AMI_FAST)
    )
    await engine.start()
    sims = SimulatedVolunteers(engine)
    try:
        bank_id = make_bank(db, 4, dialing_mode="preview")  # nothing is dialed by itself
        set_state(db, bank_id, "start")
        await wait_until(lambda: bank_id in engine.runners, 10, "the runner starts")
        await sims.add(bank_id, 9401)
        await sims.add(bank_id, 9402)
        gone = engine.pool.legs[9401]

        proxy.freeze()
        await wait_until(lambda: not engine.ami.connected, 15, "the silence is noticed")
        pbx_pair.cli("pbx", f"channel request hangup {gone.channel}")
        await asyncio.sleep(1.0)
        assert engine.pool.sessions[9401].state is VState.WAITING  # not heard while away
        proxy.thaw()

        await wait_until(
            lambda: engine.pool.sessions[9401].state is VState.DISCONNECTED, 30,
            "the volunteer whose line is gone leaves at the reconnect",
        )  # fmt: skip
        assert engine.pool.sessions[9402].state is VState.WAITING
        assert [v.id for v in engine.pool.pacing_views(bank_id)] == ["9402"]

        await sims.add(bank_id, 9401)  # joins again: a new line
        again = engine.pool.legs[9401]
        assert again.uniqueid != gone.uniqueid
        await sims.remove(9401)
        await wait_until(
            lambda: engine.pool.sessions[9401].state is VState.DISCONNECTED, 15,
            "the new line's end is theirs",
        )  # fmt: skip
    finally:
        await sims.close()
        await stop_all(engine)
        db.close()
        await proxy.close()
