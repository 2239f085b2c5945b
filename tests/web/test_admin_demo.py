"""The demo ``phonebank run`` starts with: logins, a running bank, simulated volunteers."""

from __future__ import annotations

import asyncio
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asterisk.conftest import isolated_overrides

from controller.commands.run import Appliance, run_appliance
from controller.config import Settings, load_settings
from controller.demo import (
    ADMIN,
    CONTACTS,
    VOLUNTEER,
    demo_plugins,
    login_file,
    prepare,
    prepare_demo,
)
from controller.engine.admin_ops import sim_switch
from controller.engine.plugin import engine_of, engine_plugin
from controller.model import banks as bank_model
from controller.model.compliance import zones_open
from controller.store import banks as bank_store
from controller.store import users as user_store
from controller.store.db import Database, open_database


def test_given_a_fresh_home_when_preparing_the_demo_then_logins_are_private_hashed_and_the_bank_runs(  # noqa: E501
    settings: Settings, db: Database
) -> None:
    demo = prepare(settings, db, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    path = login_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(demo.logins) == {ADMIN, VOLUNTEER}
    for name, password in demo.logins.items():
        assert password not in path.parent.joinpath("phonebank.db").read_bytes().decode("latin-1")
        assert user_store.authenticate(db, name, password) is not None
    assert user_store.get_user(db, ADMIN)["role"] == "admin"  # type: ignore[index]
    with db.read() as conn:
        bank = bank_store.get(conn, demo.bank_id)
        contacts = conn.execute(
            "SELECT count(*) FROM contacts WHERE list_id = ?", (bank.settings.list_id,)
        ).fetchone()[0]
    assert bank.state.value == "running" and bank.visibility == "public"
    assert bank.settings.script_id is not None and contacts == CONTACTS


def test_given_a_prepared_demo_when_run_again_then_the_same_logins_and_bank_are_reused(
    settings: Settings, db: Database
) -> None:
    first = prepare(settings, db, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    second = prepare(settings, db, datetime(2026, 5, 1, 19, 0, tzinfo=UTC))
    assert second.logins == first.logins and second.bank_id == first.bank_id
    with db.read() as conn:
        assert len(bank_store.list_all(conn)) == 1


def test_given_any_hour_of_a_winter_or_summer_day_when_the_demo_runs_then_someone_is_in_hours(
    settings: Settings, db: Database
) -> None:
    demo = prepare(settings, db, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    with db.read() as conn:
        bank = bank_store.get(conn, demo.bank_id)
        zones = {
            z for (z,) in conn.execute(
                "SELECT DISTINCT time_zone FROM contacts WHERE list_id = ?",
                (bank.settings.list_id,),
            )
        }  # fmt: skip
    hours = bank.settings.hours
    for day in (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)):
        for quarter in range(96):
            now = day + timedelta(minutes=15 * quarter)
            assert zones_open(zones, now, hours), f"no demo contact in calling hours at {now}"


@pytest.mark.pbx
@pytest.mark.timeout(180)
async def test_given_the_demo_when_the_appliance_runs_then_simulated_volunteers_take_calls_and_answer_the_script(  # noqa: E501
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = load_settings(home, isolated_overrides(ring_timeout=15))
    db = open_database(settings.db_path)
    demo = prepare(settings, db)
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
        assert sim_switch(engine).running(demo.bank_id) == 5
        while engine.runners[demo.bank_id].figures.completed < 2:
            await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 90)
    with db.read() as conn:
        filed = conn.execute(
            "SELECT count(*) FROM dispositions WHERE bank_id = ? AND volunteer_id IS NOT NULL",
            (demo.bank_id,),
        ).fetchone()[0]
        answers = conn.execute(
            "SELECT a.block_id, a.answer FROM script_answers AS a"
            " JOIN call_attempts AS c ON c.id = a.attempt_id AND c.contact_id = a.contact_id"
            " WHERE a.bank_id = ? AND a.volunteer_id = c.volunteer_id ORDER BY a.id",
            (demo.bank_id,),
        ).fetchall()
    db.close()
    assert filed >= 2
    assert answers and answers[0]["block_id"] == "intro"  # each walk starts at the first block
    assert {a["answer"] for a in answers if a["block_id"] == "intro"} <= {"Yes", "Not now"}


def test_given_a_running_demo_when_the_carrier_is_off_then_no_demo_and_its_bank_is_paused(
    settings: Settings, db: Database
) -> None:
    demo = prepare(settings, db, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    real_trunk = replace(settings, carrier=replace(settings.carrier, enabled=False))
    assert prepare_demo(real_trunk, db) is None
    with db.read() as conn:
        assert bank_store.get(conn, demo.bank_id).state.value == "paused"
    assert demo_plugins(None)[-1] is engine_plugin  # no simulated volunteers


def test_given_a_demo_bank_an_organizer_paused_when_the_demo_starts_again_then_it_stays_paused(
    settings: Settings, db: Database
) -> None:
    demo = prepare(settings, db, datetime(2026, 5, 1, 18, 0, tzinfo=UTC))
    with db.write() as conn:
        bank_store.update(conn, demo.bank_id, bank_model.pause, "web")
    again = prepare(settings, db, datetime(2026, 5, 1, 19, 0, tzinfo=UTC))
    with db.read() as conn:
        assert again.bank_id == demo.bank_id
        assert bank_store.get(conn, demo.bank_id).state.value == "paused"
    real_trunk = replace(settings, carrier=replace(settings.carrier, enabled=False))
    with db.write() as conn:
        bank_store.update(conn, demo.bank_id, bank_model.resume, "web")
    assert prepare_demo(real_trunk, db) is None  # the demo pauses it...
    prepare(settings, db, datetime(2026, 5, 1, 20, 0, tzinfo=UTC))  # ...and resumes it
    with db.read() as conn:
        assert bank_store.get(conn, demo.bank_id).state.value == "running"
