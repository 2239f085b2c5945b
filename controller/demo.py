"""The demo ``phonebank run`` starts with: two logins, a running bank, simulated volunteers.

- Logins: an admin (``demo-admin``) and a volunteer (``demo-volunteer``). Their passwords
  are generated at the first run, stored hashed in the database and in clear only in
  ``<home>/demo-logins.toml`` (mode 0600), from which each run prints them once.
- The demo bank: 2000 made-up contacts over six US zones, a branched script, the
  predictive dialer, published to everyone and started. The simulated phone network answers
  with a mix of people, answering machines, busy and unanswered numbers.
- Simulated volunteers take calls at once; the dashboard's button switches them off and on.

Calling hours are the contacts' own and the clock is the real one, for the demo bank as for
every other bank. So that someone is always within calling hours, a quarter of the demo's
made-up contacts are Americans living abroad (London and Tokyo) with US cell numbers.

The demo runs only on the simulated phone network: with the carrier off (a real trunk), the
demo is not prepared and a demo bank left running is paused (:func:`demo_off`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import tomllib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from controller.config import Settings
from controller.engine.admin_ops import sim_switch
from controller.engine.plugin import engine_of, engine_plugin
from controller.model import banks as bank_model
from controller.model import scripts as script_model
from controller.model.banks import State
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from controller.store import users as user_store
from controller.store.db import Database
from controller.sync.plugin import sync_plugin

if TYPE_CHECKING:
    from controller.commands.run import Appliance

log = logging.getLogger(__name__)

LOGIN_FILE = "demo-logins.toml"
ADMIN, VOLUNTEER = "demo-admin", "demo-volunteer"
BANK_TITLE = "Demo: get out the vote"
CONTACTS = 2000
SIMULATED = 5
CARRIER_MIX = {  # close to what phone banks meet: most calls find no one
    "human:3:90": 0.3,
    "machine:4": 0.25,
    "noanswer": 0.3,
    "busy": 0.1,
    "disconnected": 0.05,
}
ABROAD = ("Europe/London", "Asia/Tokyo")  # with the US zones, someone is always 08:00-21:00
CARRIER_OFF = (
    "The demo is off: it runs only on the simulated phone network, which is not in use (the"
    " carrier is off or the trunk points elsewhere): a real trunk would dial its made-up numbers."
)

SCRIPT = {
    "name": "Demo get-out-the-vote",
    "blocks": [
        {
            "id": "intro",
            "title": "Introduction",
            "text": "Hi {{ contact.first_name }}, this is {{ volunteer.first_name }} with"
            " {{ bank.title }}. Do you have a minute to talk about the election?",
            "responses": [
                {"label": "Yes", "next": "support"},
                {"label": "Not now", "next": "thanks"},
            ],
        },
        {
            "id": "support",
            "title": "Support",
            "text": "Can we count on your vote on election day?",
            "responses": [
                {"label": "Strong yes", "next": "volunteer"},
                {"label": "Leaning yes", "next": "volunteer"},
                {"label": "Undecided", "next": "thanks"},
                {"label": "No", "next": "thanks"},
            ],
        },
        {
            "id": "volunteer",
            "title": "Volunteer",
            "text": "Would you like to join a phone bank yourself?",
            "responses": [{"label": "Yes", "next": "thanks"}, {"label": "No", "next": "thanks"}],
        },
        {
            "id": "thanks",
            "title": "Thanks",
            "text": "Thank you for your time, {{ contact.first_name }}. Goodbye!",
            "responses": [],
        },
    ],
}


@dataclass(frozen=True)
class Demo:
    logins: dict[str, str]  # username -> password
    bank_id: int


def login_file(settings: Settings) -> Path:
    return settings.home / LOGIN_FILE


def stored_logins(settings: Settings, db: Database) -> dict[str, str] | None:
    """The demo logins when the demo has made them (its file and both accounts), else None."""
    path = login_file(settings)
    if not path.exists():
        return None
    stored = tomllib.loads(path.read_text())
    logins = {str(k): str(v) for k, v in stored.get("logins", {}).items()}
    if all(user_store.get_user(db, name) for name in logins) and len(logins) == 2:
        return logins
    return None


def demo_logins(settings: Settings, db: Database) -> dict[str, str]:
    """The demo logins (created with fresh passwords at the first run)."""
    found = stored_logins(settings, db)
    if found is not None:
        return found
    path = login_file(settings)
    logins = {ADMIN: secrets.token_urlsafe(12), VOLUNTEER: secrets.token_urlsafe(12)}
    for name, role, label in ((ADMIN, "admin", "Demo Admin"), (VOLUNTEER, "volunteer", "Demo")):
        if user_store.get_user(db, name) is None:
            user_store.create_user(db, name, role, label, password=logins[name])
        else:
            user_store.set_password(db, name, logins[name])
    body = "[logins]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in logins.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
    os.chmod(path, 0o600)
    return logins


def ensure_demo_bank(db: Database, now: datetime) -> int:
    """The demo bank: created, published and started when there is none; one the demo paused
    (carrier off) is resumed, one an organizer paused stays paused."""
    with db.read() as conn:
        for bank in bank_store.list_all(conn):
            if bank.settings.title == BANK_TITLE and bank.state is not State.STOPPED:
                assert bank.id is not None
                if bank.state is State.RUNNING:
                    return bank.id
                break
        else:
            bank = None
    with db.write() as conn:
        if bank is None:
            bank = _create_bank(conn, now)
        assert bank.id is not None
        if bank.state is State.PUBLISHED:
            bank_store.start(conn, bank.id, now, "demo")
        elif bank.state is State.PAUSED and _paused_by_demo(conn, bank.id):
            bank_store.update(conn, bank.id, bank_model.resume, "demo")  # not the organizer's
        return bank.id


def _paused_by_demo(conn: sqlite3.Connection, bank_id: int) -> bool:
    """True when the demo itself paused the bank (the carrier was off), not an organizer."""
    changes = bank_store.history(conn, bank_id)
    return bool(changes) and changes[-1]["to_state"] == "paused" and changes[-1]["actor"] == "demo"


def _create_bank(conn: sqlite3.Connection, now: datetime) -> bank_model.Bank:
    stamp = now.strftime("%Y%m%d%H%M%S")
    list_id = bank_store.seed_synthetic_list(conn, f"Demo contacts {stamp}", CONTACTS, 9)
    for slot, zone in enumerate(ABROAD):  # every 8th contact in London, every 8th in Tokyo
        conn.execute(
            "UPDATE contacts SET time_zone = ? WHERE list_id = ? AND id % 8 = ?",
            (zone, list_id, slot * 4),
        )
    script = script_model.from_dict({**SCRIPT, "name": f"{SCRIPT['name']} {stamp}"})
    script_id = script_store.save(conn, script)
    changes = {
        "title": BANK_TITLE,
        "description": "Remind supporters to vote and recruit volunteers (demo data).",
        "list_id": list_id,
        "script_id": script_id,
        "dialing_mode": "predictive",
        "calling_hours": "08:00-21:00",
        "retry_delay_min": 10,
    }
    bank = bank_store.create(conn, changes, "demo")
    assert bank.id is not None
    return bank_store.update(conn, bank.id, lambda b: bank_model.publish(b, "public"), "demo")


def prepare(settings: Settings, db: Database, now: datetime | None = None) -> Demo:
    """Logins and the running demo bank, ready before the appliance starts."""
    now = now or datetime.now(UTC)
    logins = demo_logins(settings, db)
    return Demo(logins, ensure_demo_bank(db, now))


def demo_off(db: Database) -> list[int]:
    """Pause every running demo bank (the demo is off); returns the banks paused."""
    with db.read() as conn:
        running = [b.id for b in bank_store.list_all(conn) if _is_running_demo(b)]
    with db.write() as conn:
        for bank_id in running:
            assert bank_id is not None
            bank_store.update(conn, bank_id, bank_model.pause, "demo")
    return [b for b in running if b is not None]


def _is_running_demo(bank: bank_model.Bank) -> bool:
    return bank.settings.title == BANK_TITLE and bank.state is State.RUNNING


def demo_plugin(
    demo: Demo, simulated: int = SIMULATED
) -> Callable[[Appliance], AbstractAsyncContextManager[None]]:
    """A ``run_appliance`` plug-in: the carrier's answer mix and the simulated volunteers."""

    @asynccontextmanager
    async def plugin(appliance: Appliance) -> AsyncIterator[None]:
        if appliance.settings.carrier.enabled:
            await _set_mix(appliance.settings)
        engine = engine_of(appliance.app)
        switch = sim_switch(engine) if engine is not None else None
        if switch is not None and simulated:
            with contextlib.suppress(Exception):
                await switch.switch_on(demo.bank_id, simulated)
        try:
            yield
        finally:
            if switch is not None:
                await switch.close()

    return plugin


async def _set_mix(settings: Settings) -> None:
    from controller.telephony.carrier import Carrier

    try:
        async with Carrier(settings) as carrier:
            await carrier.set_mix(CARRIER_MIX, seed=5)
    except Exception:  # the demo still runs; unanswered numbers just ring out
        log.exception("demo: cannot set the simulated network's answer mix")


def banner(demo: Demo, url: str) -> str:
    lines = [f"Demo logins (from {LOGIN_FILE} in the home, 0600):"]
    lines += [f"  {name:16} {password}" for name, password in demo.logins.items()]
    lines.append(f"  Dashboard: {url}admin/banks/{demo.bank_id}/live")
    lines.append(f"  Take calls as {VOLUNTEER}: {url}banks/{demo.bank_id}")
    return "\n".join(lines)


def prepare_demo(settings: Settings, db: Database) -> Demo | None:
    """``prepare`` for ``phonebank run``; None (and any running demo bank paused) when the
    simulated network is not in use (carrier off, or the trunk elsewhere), since the demo's
    made-up numbers must never reach a real trunk."""
    if not settings.simulated_network:
        demo_off(db)
        return None
    return prepare(settings, db)


def demo_plugins(demo: Demo | None) -> list[Callable[[Appliance], Any]]:
    """The plug-ins of ``phonebank run``: CRM sync, the engine (on the real clock), the demo.

    Sync comes first so it stops last: outcomes saved while the engine winds down still go.
    """
    if demo is None:
        return [sync_plugin, engine_plugin]
    return [sync_plugin, engine_plugin, demo_plugin(demo)]
