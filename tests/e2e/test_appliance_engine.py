"""The engine inside the appliance process: banks changed in the store drive it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from asterisk.conftest import isolated_overrides
from e2e_helpers import make_bank, set_state, wait_until

from controller.commands.run import Appliance, run_appliance
from controller.config import load_settings
from controller.engine.plugin import engine_of, engine_plugin
from controller.store.db import open_database

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(120)]


async def test_given_the_appliance_with_the_engine_when_a_bank_starts_and_pauses_in_the_store_then_the_runner_follows(  # noqa: E501
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = load_settings(home, isolated_overrides())
    db = open_database(settings.db_path)
    stop = asyncio.Event()
    up: list[Appliance] = []
    task = asyncio.ensure_future(
        run_appliance(settings, db, plugins=[engine_plugin], serve_fastagi=False,
                      on_ready=up.append, stop=stop)
    )  # fmt: skip
    try:
        await wait_until(lambda: bool(up) or task.done(), 60, "the appliance is up")
        engine = engine_of(up[0].app)
        assert engine is not None
        bank_id = make_bank(db, 4, dialing_mode="power")
        set_state(db, bank_id, "start")
        await wait_until(lambda: bank_id in engine.runners, 10, "the engine runs the bank")
        set_state(db, bank_id, "pause")
        await wait_until(lambda: engine.runners[bank_id].mode == "paused", 10, "it pauses")
        set_state(db, bank_id, "stop")
        await engine.wait_stopped(bank_id, 30)
        assert engine.ami.connected and engine.fastagi.port == settings.pbx.fastagi_port
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        db.close()
    assert engine.runners[bank_id].mode == "stopped"
