"""End-to-end harness: the engine on the real PBX pair, a real SQLite file, simulated callees
and simulated volunteers, in compressed time (short ring timeout, short talk times)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asterisk.conftest import PbxPairInfo, ami, carrier, pbx_pair  # noqa: F401 - shared fixtures
from e2e_helpers import FAST, Env, running_engine

from controller.engine.simvol import SimProfile


@pytest.fixture
async def env(pbx_pair: PbxPairInfo, tmp_path: Path) -> AsyncIterator[Env]:  # noqa: F811
    profile = SimProfile(talk=(1.5, 3.0), wrap=(0.2, 0.6), seed=7)
    async with running_engine(pbx_pair, tmp_path / "engine.db", FAST, profile) as env:
        yield env
