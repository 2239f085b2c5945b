"""The call screen: the volunteer's live state, their current contact and script, answers,
the report and the outcome, with live updates over a websocket fed by the engine's bus.

Everything works on the signed-in volunteer's own session (``volunteer_ops``); a contact is
only ever returned while it is on that volunteer's current call.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiohttp import WSMsgType, web

from controller.engine import modes
from controller.engine import volunteer_ops as ops
from controller.engine.engine import Engine
from controller.engine.plugin import engine_of
from controller.errors import PhonebankError
from controller.model.banks import DialingMode
from controller.model.volunteers import VolunteerError
from controller.store import banks as bank_store
from controller.store import users as user_store
from controller.store import web_sessions
from web.access import Access, access
from web.keys import DB, LIVE_SOCKETS, SESSIONS
from web.middleware import hold_sign_in, socket_origin_refused, still_signed_in
from web.render import render
from web.sessions import SIGNED_OUT_CLOSE
from web.views import callscreen_data as data
from web.views.volunteer import _user, refusal

Draft = dict[str, Any]
SEQUENCE = itertools.count(1)  # orders screens: a page never draws an older one over a newer
DRAFTS = web.AppKey("callscreen_drafts", dict[int, Draft])


def _engine(request: web.Request) -> Engine:
    engine = engine_of(request.app)
    if engine is None:
        raise web.HTTPServiceUnavailable(
            text='{"error": "engine_unavailable", "message": "Calling is not available now."}',
            content_type="application/json",
        )
    return engine


def payload(request: web.Request, engine: Engine, user_id: int) -> dict[str, Any]:
    """The whole call screen for this volunteer, as JSON (sent on every change)."""
    user = _user(request)
    state = ops.live_state(engine, user_id)
    db = request.app[DB]
    out: dict[str, Any] = {"live": state, "contact": None, "bank": None, "report": None}
    out["seq"] = next(SEQUENCE)
    if state["bank_id"] is None:
        return out
    waiting = state["state"] == "not_dialed_in"  # how their "call me" goes, while it matters
    callme = engine.callme_guard.last.get(user_id) if waiting else None
    mine = callme is not None and callme.get("bank_id") == state["bank_id"]  # not another bank's
    state["callme"] = callme if mine else None
    with db.read() as conn:
        bank = bank_store.get(conn, int(state["bank_id"]))
    out["bank"] = data.bank_card(bank)
    out["report"] = data.report_options(db, bank)
    out["outcomes"] = data.outcomes()
    show = state["call"] or state["preview"]
    ids = ops.call_contact_ids(engine, user_id)
    if show is not None and ids:
        out["contact"] = data.contact_view(db, bank, user, ids, str(show["e164"]))
    call_id = state["call"]["call_id"] if state["call"] else None
    draft = request.app[DRAFTS].get(user_id)
    out["draft"] = draft if draft and draft.get("call_id") == call_id else None
    return out


@access(Access.CALLER)
async def call_page(request: web.Request) -> web.StreamResponse:
    user = _user(request)
    engine = engine_of(request.app)
    live = ops.live_state(engine, user.id) if engine is not None else {"bank_id": None}
    dialin = None
    if live["bank_id"] is not None:
        from web.views.volunteer import dialin_info

        dialin = dialin_info(request, user)
    return render(request, "volunteer/call.html", {"joined": live["bank_id"], "dialin": dialin})


@access(Access.CALLER)
async def state(request: web.Request) -> web.StreamResponse:
    user = _user(request)
    return web.json_response(payload(request, _engine(request), user.id))


def _relevant(message: dict[str, Any], engine: Engine, user_id: int, seen: dict[str, str]) -> bool:
    """Whether a bus message changes this volunteer's screen (``seen``: last call, bank mode)."""
    topic = message.get("topic")
    if topic in ("volunteer", "callme"):
        return bool(message.get("volunteer_id") == user_id)
    session = ops.session_of(engine, user_id)
    if session is None:
        return False
    if topic == "bank":
        return bool(message.get("bank_id") == session.bank_id)
    if topic == "figures" and message.get("bank_id") == session.bank_id:
        return str(message.get("state")) != seen.get("bank_mode")  # e.g. resumed
    if topic in ("call", "pacing") and ops.power_dial_news(engine, user_id, message):
        return True  # a call of their bank placed or ended, numbers (not) callable
    if topic in ("call", "hangtime"):
        return message.get("call_id") in (session.call_id, seen.get("call"))
    return False


async def _leave_if_no_longer_calling(request: web.Request, engine: Engine, user_id: int) -> None:
    """A volunteer left with no live sign-in (signed out everywhere, password reset, account
    locked) or no longer allowed to make calls leaves the bank, line closed, as when ending
    their session; one still signed in on another browser, and still a caller, stays."""
    manager, db = request.app[SESSIONS], request.app[DB]
    record = user_store.get_user(db, _user(request).username)
    caller = record is not None and record["can_make_calls"] and not record["disabled"]
    if not caller or not web_sessions.for_user(db, user_id, manager.clock(), manager.lifetime):
        await ops.end_session(engine, user_id)


@access(Access.CALLER)
async def socket(request: web.Request) -> web.StreamResponse:
    """Live updates: the full call screen on connect and after every change of this
    volunteer's state, call or bank."""
    refused = socket_origin_refused(request)
    if refused is not None:
        return refused
    user, engine = _user(request), _engine(request)
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    request.app[LIVE_SOCKETS].add(ws)  # closed if the app shuts down while it is open
    queue = engine.bus.subscribe()
    seen: dict[str, str] = {}
    voicemail: dict[str, Any] = {}  # what became of their last "Leave voicemail message"

    async def signed_out() -> None:
        await _leave_if_no_longer_calling(request, engine, user.id)
        await ws.close(code=SIGNED_OUT_CLOSE, message=b"signed out")

    async def push() -> None:
        if not still_signed_in(request):  # signed out, revoked or locked since it opened
            await signed_out()
            return
        body = payload(request, engine, user.id)
        if body["live"].get("call"):
            seen["call"] = body["live"]["call"]["call_id"]
        seen["bank_mode"] = str(body["live"].get("bank_mode"))
        body["voicemail"] = voicemail or None
        await ws.send_json({"type": "state", **body})

    async def pump() -> None:
        while True:
            message = await queue.get()
            if message.get("topic") == "voicemail" and message.get("volunteer_id") == user.id:
                voicemail.update(call_id=message.get("call_id"), state=message.get("state"))
                await push()
            elif _relevant(message, engine, user.id, seen):
                await push()

    tasks = [
        asyncio.ensure_future(pump()),
        asyncio.ensure_future(hold_sign_in(request, signed_out)),
    ]
    try:
        await push()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT and msg.data == "refresh":
                await push()
    finally:
        engine.bus.unsubscribe(queue)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # whatever they raised
    return ws


async def _act(request: web.Request, step: str) -> web.StreamResponse:
    user, engine = _user(request), _engine(request)
    try:
        if step == "ready":
            ops.ready(engine, user.id)
        elif step == "pause":
            ops.pause(engine, user.id)
        elif step == "hangup":
            await ops.hang_up(engine, user.id)
        elif step == "end":
            await ops.end_session(engine, user.id)
            request.app[DRAFTS].pop(user.id, None)
        elif step == "next":
            _next(engine, user.id)
        elif step == "dial":
            modes.preview_call(engine, user.id)
        elif step == "voicemail":
            await modes.drop_voicemail(engine, user.id)
    except PhonebankError as exc:  # AttemptError, AmiError too: a sentence, never a 500
        return refusal(exc)
    return web.json_response(payload(request, engine, user.id))


def _next(engine: Engine, user_id: int) -> None:
    """Personal phone and preview: hand out the next contact (ready first if needed)."""
    runner = ops.runner_of(engine, user_id)
    if runner is None:
        raise VolunteerError("not_joined", "join a phone bank first")
    ops.ready(engine, user_id)
    if runner.bank.dialing_mode is DialingMode.PERSONAL:
        found = modes.personal_next(engine, user_id)
    else:
        found = modes.preview_next(engine, user_id)
    if found is None:
        raise VolunteerError("list_done", "There is nobody left to call in this phone bank.")


def _action(step: str) -> Any:
    @access(Access.CALLER)
    async def handler(request: web.Request) -> web.StreamResponse:
        return await _act(request, step)

    handler.__name__ = f"call_{step}"
    return handler


def setup(app: web.Application) -> None:
    app[DRAFTS] = {}
    app.router.add_get("/call", call_page, name="callscreen")
    app.router.add_get("/api/call/state", state, name="api_call_state")
    app.router.add_get("/api/call/ws", socket, name="api_call_ws")
    for step in ("ready", "pause", "hangup", "end", "next", "dial", "voicemail"):
        app.router.add_post(f"/api/call/{step}", _action(step), name=f"api_call_{step}")
