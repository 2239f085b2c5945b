"""Helpers of the end-to-end tests (fixtures are in conftest.py).

The engine's clock is shifted to a fixed afternoon (``AT``) so calling hours are the same
whenever the suite runs: at ``AT`` every seeded US zone is open except Honolulu.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asterisk.conftest import PbxPairInfo

from controller.engine.dialing import EngineConfig
from controller.engine.engine import Engine
from controller.engine.simvol import SimProfile, SimulatedVolunteers
from controller.model import banks as bank_model
from controller.store import banks
from controller.store.db import Database, open_database

AT = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # 14:30 New York ... 11:30 LA, 08:30 Honolulu
SCRIPT = '{"name": "s", "blocks": [{"id": "a", "title": "A", "text": "", "responses": []}]}'
FAST = EngineConfig(
    ring_timeout=4, cancel_min_ring=3.0, handoff_wait=2.0, tick=0.3, reconcile_every=0.3,
    disconnect_grace=5.0, max_per_volunteer=3.0,
)  # fmt: skip


def make_bank(db: Database, contacts: int, **settings: Any) -> int:
    """A published bank over a synthetic list (six US zones); not started."""
    with db.write() as conn:
        n = conn.execute("SELECT count(*) FROM lists").fetchone()[0]
        list_id = banks.seed_synthetic_list(conn, f"e2e{n}", contacts, seed=n + 1)
        conn.execute("INSERT INTO scripts (name, body) VALUES (?, ?)", (f"s{list_id}", SCRIPT))
        script_id = conn.execute("SELECT max(id) FROM scripts").fetchone()[0]
        base = {"title": "E2E", "description": "D", "list_id": list_id, "script_id": script_id}
        bank_id = banks.create(conn, {**base, **settings}).id
        assert bank_id is not None
        banks.update(conn, bank_id, lambda b: bank_model.publish(b, "public"))
        return bank_id


def bank_numbers(db: Database, bank_id: int) -> list[str]:
    with db.read() as conn:
        bank = banks.get(conn, bank_id)
        rows = conn.execute(
            "SELECT p.e164 FROM phones AS p JOIN contacts AS c ON c.id = p.contact_id"
            " WHERE c.list_id = ? ORDER BY p.e164",
            (bank.settings.list_id,),
        )
        return [str(r[0]) for r in rows]


def set_state(db: Database, bank_id: int, step: str) -> None:
    with db.write() as conn:
        if step == "start":
            banks.start(conn, bank_id, AT)
        else:
            banks.update(conn, bank_id, getattr(bank_model, step))


async def wait_until(
    check: Callable[[], bool], timeout: float, what: str | Callable[[], str]
) -> None:
    """Wait for ``check``; on timeout the message says what was awaited (``what`` may be a
    function describing the state then)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            text = what() if callable(what) else what
            raise TimeoutError(f"not reached within {timeout} s: {text}")
        await asyncio.sleep(0.2)


@dataclass
class Env:
    pbx: PbxPairInfo
    db: Database
    engine: Engine
    sims: SimulatedVolunteers


@contextlib.asynccontextmanager
async def running_engine(
    pbx_pair: PbxPairInfo, db_path: Path, config: EngineConfig, profile: SimProfile
) -> AsyncIterator[Env]:
    """An engine on the PBX pair and a fresh database, on the fixed afternoon clock; on the
    way out every bank is stopped hard and everything closed."""
    db = open_database(db_path)
    offset = AT.timestamp() - datetime.now(UTC).timestamp()
    engine = Engine(pbx_pair.settings, db, config, clock_offset=offset)
    await engine.start()
    sims = SimulatedVolunteers(engine, profile)
    try:
        yield Env(pbx_pair, db, engine, sims)
    finally:
        await sims.close()
        await stop_all(engine)
        db.close()


async def stop_all(engine: Engine) -> None:
    """Stop every bank of ``engine`` hard, wait for them (30 s each at most), close it."""
    for bank_id in list(engine.runners):
        engine.stop_bank(bank_id, hard=True)
    for bank_id in list(engine.runners):
        with contextlib.suppress(TimeoutError):
            await engine.wait_stopped(bank_id, 30)
    await engine.close()
