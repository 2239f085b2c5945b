"""Phones follow sign-ins: a volunteer who may no longer make calls, or is no longer signed
in anywhere, loses their browser phone and their place in the bank within seconds.

Every ``SWEEP_SECONDS`` the app looks at the browser-phone accounts it issued and at the
volunteers in a bank from a browser. Those who are locked, no longer allowed to make calls,
or have no live sign-in left (they signed out, were signed out everywhere, their password
was reset, their sign-in expired) have their account taken back (:meth:`BrowserPhones.revoke`:
the relayed socket closes, the PBX forgets the password they were given) and leave their
bank, line closed, as with "End my session". A volunteer who dialed in by phone keeps their
place: a PIN is their sign-in there. Run by the app's ``cleanup_ctx``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web

from controller.engine import volunteer_ops
from controller.model.volunteers import VState
from controller.store import web_sessions
from web.keys import DB, PHONES, SESSIONS

if TYPE_CHECKING:
    from controller.engine.engine import Engine

log = logging.getLogger(__name__)
SWEEP_SECONDS = 2.0


def _engine(app: web.Application) -> Engine | None:
    from controller.engine.plugin import engine_of  # the plug-in imports the web app

    return engine_of(app)


def _browser_volunteers(app: web.Application) -> list[int]:
    engine = _engine(app)
    if engine is None:
        return []
    pending = engine.callme_guard.pending  # a "call me" asked for on the web, still ringing
    return [
        vid
        for vid, s in engine.pool.sessions.items()
        if s.state is not VState.DISCONNECTED and vid not in engine.simulated
        and (s.via == "browser" or (s.state is VState.NOT_DIALED_IN and vid in pending))
    ]  # fmt: skip


async def sweep(app: web.Application) -> list[int]:
    """Take back the phones and bank places of those who may no longer have them; returns
    their user ids."""
    phones, manager, engine = app[PHONES], app[SESSIONS], _engine(app)
    in_bank = _browser_volunteers(app)
    holders = sorted({a.user_id for a in phones.accounts.all()} | set(in_bank))
    keep = await asyncio.to_thread(
        web_sessions.signed_in_callers, app[DB], holders, manager.clock(), manager.lifetime
    )
    gone = [uid for uid in holders if uid not in keep]
    for uid in gone:  # first: the PBX reload below takes a while, the list would grow stale
        if engine is not None and uid in in_bank:
            log.info("volunteer %s is no longer signed in as a caller: leaving the bank", uid)
            await volunteer_ops.end_session(engine, uid)
    if gone:
        await phones.revoke(gone)
    return gone


async def watch_ctx(app: web.Application) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await sweep(app)
            except Exception:
                log.exception("phone watch: sweep failed")

    task = asyncio.ensure_future(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
