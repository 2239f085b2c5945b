"""A demo appliance runs every bank on the real clock: an ordinary bank beside the demo's
dials only within its own calling hours, and every call is stored at the real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from asterisk.conftest import isolated_overrides

from controller.commands.run import Appliance, run_appliance
from controller.config import load_settings
from controller.demo import demo_plugins, prepare
from controller.engine.admin_ops import sim_switch
from controller.engine.plugin import engine_of
from controller.model import banks as bank_model
from controller.store import banks as bank_store
from controller.store.db import Database, open_database


def _zone_at_seven(now: datetime) -> str:
    """A zone where it is 07:xx now: an hour before any bank may call."""
    for hours in range(-12, 15):
        name = f"Etc/GMT{'-' if hours >= 0 else '+'}{abs(hours)}"
        if now.astimezone(ZoneInfo(name)).hour == 7:
            return name
    raise AssertionError("no zone at 07:00")


def _early_bank(db: Database, script_id: int, zone: str) -> int:
    with db.write() as conn:
        list_id = bank_store.seed_synthetic_list(conn, "Early risers", 40)
        conn.execute("UPDATE contacts SET time_zone = ? WHERE list_id = ?", (zone, list_id))
        bank = bank_store.create(
            conn,
            {"title": "Organizer's own bank", "description": "x", "list_id": list_id,
             "script_id": script_id, "dialing_mode": "predictive",
             "calling_hours": "08:00-21:00"},
        )  # fmt: skip
        assert bank.id is not None
        bank_store.update(conn, bank.id, lambda b: bank_model.publish(b, "public"))
        bank_store.start(conn, bank.id, datetime.now(UTC))
        return bank.id


@pytest.mark.pbx
@pytest.mark.timeout(180)
async def test_given_a_demo_appliance_when_an_ordinary_bank_is_outside_its_hours_then_it_never_dials_and_calls_are_stored_at_real_times(  # noqa: E501
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = load_settings(home, isolated_overrides(ring_timeout=15))
    db = open_database(settings.db_path)
    demo = prepare(settings, db)
    with db.read() as conn:
        script_id = bank_store.get(conn, demo.bank_id).settings.script_id
    assert script_id is not None
    early = _early_bank(db, script_id, _zone_at_seven(datetime.now(UTC)))
    began = datetime.now(UTC)
    stop = asyncio.Event()
    up: list[Appliance] = []
    task = asyncio.ensure_future(
        run_appliance(settings, db, plugins=demo_plugins(demo), serve_fastagi=False,
                      on_ready=up.append, stop=stop)
    )  # fmt: skip
    try:
        while not up and not task.done():
            await asyncio.sleep(0.2)
        engine = engine_of(up[0].app)
        assert engine is not None
        assert await sim_switch(engine).switch_on(early, 2) == 2
        while engine.runners[demo.bank_id].figures.completed < 2:
            await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 90)
    ended = datetime.now(UTC)
    with db.read() as conn:
        per_bank = dict(
            conn.execute("SELECT bank_id, count(*) FROM call_attempts GROUP BY bank_id").fetchall()
        )
        stamps = [r[0] for r in conn.execute("SELECT started_at FROM call_attempts")]
    db.close()
    assert per_bank.get(early, 0) == 0
    assert per_bank.get(demo.bank_id, 0) >= 2
    slack = timedelta(seconds=5)
    for stamp in stamps:
        assert began - slack <= datetime.fromisoformat(stamp) <= ended + slack, stamp
