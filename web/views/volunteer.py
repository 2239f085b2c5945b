"""The volunteer's way in: the feed of phone banks open to them, one bank's page (read the
script before it starts), and joining it by browser phone, dial-in (DID + PIN) or "call me".

Engagement is recorded as the volunteer goes: ``seen`` when a bank's page is opened,
``started`` when they join it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from controller.engine import modes
from controller.engine import volunteer_ops as ops
from controller.engine.plugin import engine_of
from controller.errors import PhonebankError
from controller.model.volunteers import Session, VolunteerError, VState
from controller.store import results
from controller.store import users as user_store
from controller.telephony.ami import AmiError
from web.access import Access, access, current_user
from web.identity import CurrentUser
from web.keys import DB, SETTINGS
from web.params import id_or_404
from web.render import render
from web.views import callscreen_data as data

JOIN_VIA = ("browser", "dialin", "callme")


PHONE_TROUBLE = "The phone system did not answer. Try again in a moment."
NOT_OPEN = (
    "This phone bank is not open to you (it ended, or your organizer has not opened it to you)."
)


def error(code: str, message: str, status: int = 409) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def refusal(exc: PhonebankError) -> web.Response:
    """A refusal as JSON: its code and its words; the phone system's own failures (its
    text is for the log, not the volunteer) as ``phone_system`` with a plain sentence."""
    if isinstance(exc, AmiError):
        return error("phone_system", PHONE_TROUBLE, 503)
    return error(exc.code, exc.message or str(exc))


def _user(request: web.Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guaranteed by Access.CALLER
    return user


def _bank_id(request: web.Request) -> int:
    return id_or_404(request.match_info.get("bank_id", ""))


def _record(request: web.Request, bank_id: int, event: str, user_id: int) -> None:
    engine = engine_of(request.app)
    now = engine.clock() if engine is not None else time.time()
    with request.app[DB].write() as conn:
        results.record_event(conn, bank_id, event, user_id, now)


@access(Access.CALLER)
async def feed_page(request: web.Request) -> web.StreamResponse:
    user = _user(request)
    context = {"banks": data.feed(request.app[DB], user.id), "joined": _joined(request, user)}
    return render(request, "volunteer/feed.html", context)


def _joined(request: web.Request, user: CurrentUser) -> int | None:
    """The bank this volunteer is calling in now (their line is in it), if any. A session
    they ended (or whose line is gone) is not: they may join again, here or elsewhere."""
    session = _session(request, user)
    return session.bank_id if session is not None and session.connected else None


def _session(request: web.Request, user: CurrentUser) -> Session | None:
    engine = engine_of(request.app)
    return ops.session_of(engine, user.id) if engine is not None else None


def _session_bank(request: web.Request, user: CurrentUser) -> int | None:
    session = _session(request, user)
    return session.bank_id if session is not None else None


def _connecting(request: web.Request, user: CurrentUser, bank_id: int) -> bool:
    """Whether they joined ``bank_id`` and their phone is not connected yet (the browser
    phone not connected, the dial-in not made, the "call me" ringing or not answered)."""
    session = _session(request, user)
    return (
        session is not None and session.bank_id == bank_id and session.state is VState.NOT_DIALED_IN
    )


def dialin_info(request: web.Request, user: CurrentUser) -> dict[str, str]:
    dids = request.app[SETTINGS].trunk.dids
    record = user_store.get_user(request.app[DB], user.username) or {}
    return {"did": dids[0] if dids else "", "pin": str(record.get("pin") or "")}


@access(Access.CALLER)
async def bank_page(request: web.Request) -> web.StreamResponse:
    user, bank_id = _user(request), _bank_id(request)
    bank = data.visible_bank(request.app[DB], user.id, bank_id)
    if bank is None:
        refused = {"code": "not_visible", "message": NOT_OPEN}
        return render(request, "error.html", refused, status=404)
    _record(request, bank_id, "seen", user.id)
    context = {
        "bank": data.bank_card(bank, data.is_starting(request.app[DB], bank)),
        "script": data.script_blocks(request.app[DB], bank, user, None),
        "dialin": dialin_info(request, user),
        "joined": _joined(request, user) == bank_id,
        "connecting": _connecting(request, user, bank_id),
        "owes": _owes_report(request, user, bank_id),
    }
    return render(request, "volunteer/bank.html", context)


def _owes_report(request: web.Request, user: CurrentUser, bank_id: int) -> bool:
    """Whether they still owe this bank the report of their last call (their line gone)."""
    engine = engine_of(request.app)
    runner = engine.runners.get(bank_id) if engine is not None else None
    return runner is not None and user.id in runner.wrapups


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def normalize_number(raw: str) -> str | None:
    digits = re.sub(r"[^\d+]", "", raw or "")
    if digits.startswith("+"):
        return digits if len(digits) >= 8 else None
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return None


@access(Access.CALLER)
async def join(request: web.Request) -> web.StreamResponse:
    """Open the volunteer's session in a running bank (browser phone, dial-in or call me)."""
    user, bank_id = _user(request), _bank_id(request)
    body = await _body(request)
    via = str(body.get("via") or "browser")
    if via not in JOIN_VIA:
        return error("bad_via", f"Join with one of: {', '.join(JOIN_VIA)}.", 400)
    bank = data.visible_bank(request.app[DB], user.id, bank_id)
    if bank is None:
        return error("not_visible", NOT_OPEN, 404)
    engine = engine_of(request.app)
    if engine is None:
        return error("engine_unavailable", "Calling is not available right now.", 503)
    if bank.state.value == "paused" and _session_bank(request, user) != bank_id:
        return error("bank_paused", data.PAUSED)
    number = normalize_number(str(body.get("number") or "")) if via == "callme" else None
    if via == "callme" and number is None:
        return error("bad_number", "Enter your phone number with its area code.", 400)
    try:
        if via == "callme":
            assert number is not None
            await modes.call_me(engine, bank_id, user.id, number)
        else:
            engine.enroll(bank_id, user.id, auto_ready=via == "dialin")
    except VolunteerError as exc:
        return error(exc.code, _join_message(exc))
    except PhonebankError as exc:
        return refusal(exc)
    _record(request, bank_id, "started", user.id)
    return web.json_response({"ok": True, "bank_id": bank_id, "via": via, "call_url": "/call"})


def _join_message(exc: VolunteerError) -> str:
    if exc.code == "bank_not_running":
        return data.NOT_STARTED
    if exc.code == "in_other_bank":
        return "You are already calling in another phone bank. Leave it first."
    return str(exc)


def setup(app: web.Application) -> None:
    app.router.add_get("/banks", feed_page, name="volunteer_feed")
    app.router.add_get("/banks/{bank_id}", bank_page, name="volunteer_bank")
    app.router.add_post("/api/banks/{bank_id}/join", join, name="api_volunteer_join")
