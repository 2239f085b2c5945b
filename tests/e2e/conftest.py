"""End-to-end harness: the engine on the real PBX pair, a real SQLite file, simulated callees
and simulated volunteers, in compressed time (short ring timeout, short talk times)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo, ami, carrier, pbx_pair  # noqa: F401 - shared fixtures
from e2e_helpers import AT, FAST, Env

from controller.engine.engine import Engine
from controller.engine.simvol import SimProfile, SimulatedVolunteers
from controller.store.db import open_database


@pytest.fixture
async def env(pbx_pair: PbxPairInfo, tmp_path: Path) -> AsyncIterator[Env]:  # noqa: F811
    db = open_database(tmp_path / "engine.db")
    offset = AT.timestamp() - datetime.now(UTC).timestamp()
    engine = Engine(pbx_pair.settings, db, FAST, clock_offset=offset)
    await engine.start()
    sims = SimulatedVolunteers(engine, SimProfile(talk=(1.5, 3.0), wrap=(0.2, 0.6), seed=7))
    try:
        yield Env(pbx_pair, db, engine, sims)
    finally:
        await sims.close()
        for bank_id in list(engine.runners):
            engine.stop_bank(bank_id, hard=True)
        for bank_id in list(engine.runners):
            with contextlib.suppress(TimeoutError):
                await engine.wait_stopped(bank_id, 30)
        await engine.close()
        db.close()
