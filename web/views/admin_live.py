"""The live dashboard of a bank: a page, a JSON snapshot, and a websocket of updates (also
followed by the bank page and the banks list while a bank is starting: ``start`` says how
far its queue has got).

The websocket listens to the engine's event bus and sends a fresh snapshot (figures,
volunteers table, chart series) at most every ``MIN_GAP`` seconds while the bank changes,
and at least every ``HEARTBEAT`` seconds. The simulated-volunteer switch is a POST.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import WSMsgType, web

from controller.engine.admin_ops import live_snapshot, sim_switch
from controller.engine.plugin import engine_of
from controller.model.banks import Bank
from controller.store import admin_stats, queue, results, start_progress
from controller.store.db import Database
from web.access import Access, access
from web.keys import DB, LIVE_SOCKETS, SETTINGS
from web.middleware import hold_sign_in, socket_origin_refused, still_signed_in
from web.params import json_object, parse_id, refuse_json
from web.render import render
from web.sessions import SIGNED_OUT_CLOSE
from web.views.admin_common import bank_id_of, load_bank

MIN_GAP = 0.5
HEARTBEAT = 3.0
MAX_SIMULATED = 50  # simulated volunteers added at once


async def snapshot(request: web.Request, bank_id: int) -> dict[str, Any]:
    """The bank's live figures from the engine (read on the loop, where it runs) and its
    stored counts (read in a worker thread: counting a big queue while it builds takes tens
    of milliseconds the other pages should not wait for)."""
    bank = load_bank(request)
    data = live_snapshot(engine_of(request.app), bank_id)
    data.update(await asyncio.to_thread(_stored, request.app[DB], bank, bank_id))
    data["bank"] = {"id": bank_id, "state": bank.state.value, "title": bank.settings.title,
                    "abandon_cap_pct": bank.settings.abandon_cap_pct}  # fmt: skip
    return data


def _stored(db: Database, bank: Bank, bank_id: int) -> dict[str, Any]:
    with db.read() as conn:
        starting = start_progress.read(conn, db.path, bank)
        return {
            "start": starting.to_dict() if starting else None,  # a start building or halted
            "series": admin_stats.series(conn, bank_id),
            "results": admin_stats.result_counts(conn, bank_id),
            "outcomes": results.outcome_counts(conn, bank_id),
            "calls": results.call_figures(conn, bank_id),
            "queue": queue.counts(conn, bank_id),
        }


@access(Access.STAFF)
async def live_page(request: web.Request) -> web.StreamResponse:
    bank = load_bank(request)
    context = {"bank": bank, "error": "", "notice": ""}
    return render(request, "admin/live.html", context)


@access(Access.STAFF)
async def live_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(await snapshot(request, bank_id_of(request)))


@access(Access.STAFF)
async def live_socket(request: web.Request) -> web.StreamResponse:
    refused = socket_origin_refused(request)
    if refused is not None:
        return refused
    bank_id = bank_id_of(request)
    load_bank(request)
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    request.app[LIVE_SOCKETS].add(ws)  # closed if the app shuts down while it is open
    engine = engine_of(request.app)
    queue_ = engine.bus.subscribe() if engine is not None else None

    async def signed_out() -> None:
        await ws.close(code=SIGNED_OUT_CLOSE, message=b"signed out")

    reader = asyncio.ensure_future(_drain(ws))
    keeper = asyncio.ensure_future(hold_sign_in(request, signed_out))
    try:
        while not ws.closed and not reader.done():
            if not still_signed_in(request):  # signed out, revoked or locked since it opened
                await signed_out()
                break
            await ws.send_json(await snapshot(request, bank_id))
            await _wait_change(queue_, bank_id)
            await asyncio.sleep(MIN_GAP)
    except (ConnectionResetError, RuntimeError):
        pass
    finally:
        if engine is not None and queue_ is not None:
            engine.bus.unsubscribe(queue_)
        for task in (reader, keeper):
            task.cancel()
        await asyncio.gather(reader, keeper, return_exceptions=True)  # whatever they raised
        await ws.close()
    return ws


async def _drain(ws: web.WebSocketResponse) -> None:
    async for message in ws:
        if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            break


async def _wait_change(queue_: asyncio.Queue[dict[str, Any]] | None, bank_id: int) -> None:
    if queue_ is None:
        await asyncio.sleep(HEARTBEAT)
        return

    async def relevant() -> None:
        while (await queue_.get()).get("bank_id") != bank_id:
            pass
        while not queue_.empty():  # one snapshot covers everything queued
            queue_.get_nowait()

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(relevant(), HEARTBEAT)


@access(Access.STAFF)
async def simulated(request: web.Request) -> web.StreamResponse:
    """``{"on": true, "count": 5}`` enrolls simulated volunteers; ``{"on": false}`` removes them."""
    bank_id = bank_id_of(request)
    load_bank(request)
    body = await json_object(request)
    on = body.get("on")
    if not isinstance(on, bool):  # "false" or "off" would read as on
        raise refuse_json("bad_on", "on must be true or false.")
    count = (parse_id(body.get("count", 5), maximum=MAX_SIMULATED) or 0) if on else 0
    if on and not count:
        raise refuse_json("bad_count", f"count must be a whole number, 1 to {MAX_SIMULATED}.")
    if on and not request.app[SETTINGS].simulated_network:  # real voters would meet them
        return web.json_response(
            {"error": "carrier_off", "message": "Simulated volunteers take calls only on the"
             " simulated phone network, which is not in use: real people would reach them."},
            status=409,
        )  # fmt: skip
    engine = engine_of(request.app)
    if engine is None:
        return web.json_response(
            {"error": "no_engine", "message": "the dialer is not running in this process"},
            status=409,
        )
    switch = sim_switch(engine)
    if on:
        joined = await switch.switch_on(bank_id, count)
        if joined == 0:
            return web.json_response(
                {"error": "bank_not_running", "message": "start the bank first"}, status=409
            )
    else:
        await switch.switch_off(bank_id)
    return web.json_response({"ok": True, "simulated": switch.running(bank_id)})


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/live", live_page, name="admin_live")
    app.router.add_get("/api/admin/banks/{bank_id:\\d+}/live", live_json)
    app.router.add_get("/api/admin/banks/{bank_id:\\d+}/live/ws", live_socket)
    app.router.add_post("/api/admin/banks/{bank_id:\\d+}/simulated", simulated)
