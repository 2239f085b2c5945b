"""A sync worker process killed between VAN's acceptance and our commit, then restarted.

This is the one at-least-once window (docs/crm-sync.md): the killed worker's claimed row is
sent again once its lease runs out, and flagged ``in_doubt``; every row whose acceptance was
committed before the kill is never posted again.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import add_contact, queue_outcome, van_worker
from van_server import VanServer

from controller.commands.common import AppContext
from controller.commands.sync import sync
from controller.config import PROJECT_ROOT
from controller.store import outbox
from controller.store.db import Database
from controller.store.sync_settings import VanSettings


def _rows(db: Database) -> list[outbox.OutboxRow]:
    with db.read() as conn:
        return outbox.list_rows(conn, target="van")


async def _start_worker(home: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "--home",
        str(home),
        "sync",
        "run",
        "--timeout",
        "2",
        "--lease-seconds",
        "2",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_given_worker_killed_after_van_accepted_when_restarted_then_only_that_row_repeats(
    db: Database, home: Path, van: VanServer, van_settings: VanSettings
) -> None:
    for n in range(3):
        contact_id, _ = add_contact(db, str(1001 + n))
        queue_outcome(db, contact_id, "Refused", source_id=n)
    van.plan(("ok",), ("accept_and_hang", 120.0))
    proc = await _start_worker(home)
    await asyncio.wait_for(van.wait_accepted(2), 60)
    proc.send_signal(signal.SIGKILL)
    assert await proc.wait() == -signal.SIGKILL
    first, second, third = _rows(db)
    assert (first.status, second.status, third.status) == ("sent", "sending", "pending")

    await van_worker(db, van_settings).run_until_idle()

    assert [len(van.posts_for(v)) for v in (1001, 1002, 1003)] == [1, 2, 1]
    assert van.posts_for(1002)[0] == van.posts_for(1002)[1]
    rows = _rows(db)
    assert [r.status for r in rows] == ["sent", "sent", "sent"]
    assert [r.in_doubt for r in rows] == [False, True, False]
    assert [r.attempts for r in rows] == [1, 2, 1]
    report = CliRunner().invoke(sync, ["status", "--json"], obj=AppContext(home=home))
    assert json.loads(report.output)["outbox"]["van"]["in_doubt"] == 1


async def test_given_worker_stopped_cleanly_when_restarted_then_nothing_posted_twice(
    db: Database, home: Path, van: VanServer, van_settings: VanSettings
) -> None:
    for n in range(4):
        contact_id, _ = add_contact(db, str(2001 + n))
        queue_outcome(db, contact_id, "Moved", source_id=n)
    proc = await _start_worker(home)
    await asyncio.wait_for(van.wait_accepted(4), 60)
    while any(r.status != "sent" for r in _rows(db)):
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert await proc.wait() == 0
    await van_worker(db, van_settings).run_until_idle()
    assert [len(van.posts_for(2001 + n)) for n in range(4)] == [1, 1, 1, 1]
    assert not any(r.in_doubt for r in _rows(db))


async def test_given_van_keeping_a_post_but_answering_too_late_when_retried_then_flagged_in_doubt(
    db: Database, van: VanServer, van_settings: VanSettings
) -> None:
    contact_id, _ = add_contact(db, "3001")
    queue_outcome(db, contact_id, "Refused", source_id=1)
    other_id, _ = add_contact(db, "3002")
    queue_outcome(db, other_id, "Moved", source_id=2)
    van.plan(("accept_and_hang", 3.0))  # VAN records the first post, answers after the timeout

    await van_worker(db, van_settings, timeout=1.0).run_until_idle()

    assert [len(van.posts_for(v)) for v in (3001, 3002)] == [2, 1]  # sent again: at least once
    first, second = _rows(db)
    assert (first.status, first.attempts, first.in_doubt) == ("sent", 2, True)
    assert (second.status, second.in_doubt) == ("sent", False)
