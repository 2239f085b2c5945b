"""The call screen's requests about the current call: a clicked script answer, the report
with the outcome, Wrong Number for one household member (and taking it back), the draft of
the report typed so far, and the current contact (refused for anyone else).

Each works only on the signed-in volunteer's current call (``volunteer_ops``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from aiohttp import web

from controller.engine import volunteer_ops as ops
from controller.engine.engine import Engine
from controller.ids import parse_id
from controller.model.fields import is_builtin
from controller.model.outcomes import OutcomeError
from controller.model.scripts import ScriptError
from controller.model.volunteers import VolunteerError
from controller.store import banks as bank_store
from controller.store import contacts as contact_store
from controller.store import fields as field_store
from controller.store import scripts as script_store
from controller.store.attempts import AttemptError
from controller.store.db import Database
from controller.store.fields import FieldError
from web.access import Access, access
from web.keys import DB
from web.views import callscreen_data as data
from web.views.callscreen import DRAFTS, _engine, payload
from web.views.volunteer import _body, _user, error


def _call_or_refuse(engine: Engine, user_id: int, body: dict[str, Any]) -> Any:
    call = ops.current_call(engine, user_id)
    if call is None or call.connected_at is None:
        raise VolunteerError("no_call", "You are not on a call.")
    _same_call(call, body)
    return call


def _same_call(call: Any, body: dict[str, Any]) -> None:
    """A screen names the call it shows (``call_id``): one showing an earlier call (a stale
    tab, a late socket) may not answer or report on this one."""
    named = str(body.get("call_id") or "")
    if named and named != call.call_id:
        raise VolunteerError(
            "stale_call", "This screen shows a call that is over: reload the page to see yours."
        )


@access(Access.CALLER)
async def answer(request: web.Request) -> web.StreamResponse:
    """A clicked script response, saved at once (field-linked blocks set the field)."""
    user, engine = _user(request), _engine(request)
    body = await _body(request)
    try:
        call = _call_or_refuse(engine, user.id, body)
        contact_id = _member(call, body.get("contact_id"), request.app[DB])
        with request.app[DB].write() as conn:
            answer_id = script_store.save_answer(
                conn, bank_id=call.claim.bank_id, contact_id=contact_id,
                block_id=str(body.get("block_id") or ""), answer=str(body.get("answer") or ""),
                now=engine.clock(), attempt_id=call.attempt_id, volunteer_id=user.id,
            )  # fmt: skip
    except VolunteerError as exc:
        return error(exc.code, str(exc))
    except ScriptError as exc:
        problem = exc.problems[0] if exc.problems else None
        return error(problem.code if problem else "bad_answer", str(exc), 400)
    return web.json_response({"ok": True, "answer_id": answer_id})


def _member(call: Any, raw: Any, db: Database | None = None) -> int:
    """The person ``raw`` names on the call; unnamed, the one at the top of the screen, or
    (given ``db``) the first one not marked a wrong number."""
    members = [m.contact_id for m in call.claim.members]
    if raw in (None, "") and db is not None:
        with db.read() as conn:
            return contact_store.reachable(conn, members, call.claim.e164)[0]
    if raw in (None, ""):
        return int(members[0])
    contact_id = parse_id(raw)
    if contact_id is None or contact_id not in members:
        raise VolunteerError("not_in_call", "That person is not on this call.")
    return contact_id


@access(Access.CALLER)
async def outcome(request: web.Request) -> web.StreamResponse:
    """The report (tags, fields, notes) and the outcome, filed together: all of it is checked
    before anything is written, then stored in one transaction (or nothing is)."""
    user, engine = _user(request), _engine(request)
    body = await _body(request)
    runner = ops.runner_of(engine, user.id)
    call = runner.wrapups.get(user.id) if runner is not None else None
    if call is None:
        return error("nothing_to_report", "There is no call to report on.")
    try:
        _same_call(call, body)
        target = _member(call, body.get("contact_id"), request.app[DB])
        named = None if body.get("contact_id") in (None, "") else target
        code = str(body.get("outcome") or "")
        ops.check_filing(engine, user.id, code, named)
        report = _checked_report(request.app[DB], call.claim.bank_id, target, body)
        ops.file(engine, user.id, code, str(body.get("notes") or ""), named, report)
    except VolunteerError as exc:
        return error(exc.code, str(exc))
    except (AttemptError, FieldError, OutcomeError) as exc:
        return error(exc.code, str(exc), 400)
    request.app[DRAFTS].pop(user.id, None)
    return web.json_response(payload(request, engine, user.id))


def _checked_report(
    db: Database, bank_id: int, contact_id: int, body: dict[str, Any]
) -> Callable[[sqlite3.Connection], None]:
    """Check the report's field values and tags (``FieldError`` naming the field), writing
    nothing; returns what writes them on the outcome's transaction. Fields the bank does
    not ask, and tags it does not offer, are left out, as blank values are."""
    given_tags, values = body.get("tags") or [], body.get("fields") or {}
    if not isinstance(given_tags, list) or not isinstance(values, dict):
        raise FieldError("bad_report", "tags must be a list and fields an object")
    with db.read() as conn:
        bank = bank_store.get(conn, bank_id)
    tags = [str(t) for t in given_tags if str(t) in bank.settings.report_tags]
    # built-ins are the dialer's; names match as the store's field names do (any case)
    asked = {n.casefold() for n in bank.settings.report_fields if not is_builtin(n)}
    checked: list[tuple[int, str]] = []
    for name, value in values.items():
        if str(name).casefold() in asked and str(value).strip():
            try:
                checked.append(field_store.check_value(db, name, str(value), by_hand=True))
            except FieldError as exc:
                raise FieldError(exc.code, f"{name}: {exc.message}") from exc

    def write(conn: sqlite3.Connection) -> None:
        for field_id, stored in checked:
            field_store.write_value(conn, contact_id, field_id, stored, bank_id)
        for tag in tags:
            field_store.apply_tag(conn, contact_id, tag, bank_id)

    return write


def _household_member(engine: Engine, user_id: int, raw: Any) -> tuple[int, str]:
    """A person of the volunteer's current call (or the call whose report is due) and the
    number it reached them at."""
    call = ops.current_call(engine, user_id)
    if call is None:
        raise VolunteerError("no_call", "You are not on a call.")
    return _member(call, raw), call.claim.e164


@access(Access.CALLER)
async def wrong_number(request: web.Request) -> web.StreamResponse:
    """Wrong Number for one household member (the others keep the number)."""
    user, engine = _user(request), _engine(request)
    body = await _body(request)
    try:
        contact_id, e164 = _household_member(engine, user.id, body.get("contact_id"))
    except VolunteerError as exc:
        return error(exc.code, str(exc))
    contact_store.mark_wrong_number(request.app[DB], contact_id, e164)
    return web.json_response({"ok": True, "contact_id": contact_id, "wrong_number": True})


@access(Access.CALLER)
async def undo_wrong_number(request: web.Request) -> web.StreamResponse:
    """Take back Wrong Number for one person of the call, while the call or its report is
    still open. Within a call the mark only set the flag, so that is all there is to undo;
    ``banks_kept`` says a bank started meanwhile (or a Wrong Number outcome filed before)
    keeps its queue as it was (the organizer's contact page names them)."""
    user, engine = _user(request), _engine(request)
    body = await _body(request)
    try:
        contact_id, e164 = _household_member(engine, user.id, body.get("contact_id"))
        result = contact_store.unmark_wrong_number(request.app[DB], contact_id, e164)
    except VolunteerError as exc:
        return error(exc.code, str(exc))
    except contact_store.WrongNumberError as exc:
        text = "This person is not marked as a wrong number." if exc.code == "not_marked" else ""
        return error(exc.code, text or str(exc))
    kept = bool(result["closed"] or result["left_out"])
    return web.json_response(
        {"ok": True, "contact_id": contact_id, "wrong_number": False, "banks_kept": kept}
    )


@access(Access.CALLER)
async def contact(request: web.Request) -> web.StreamResponse:
    """One contact, only while they are on this volunteer's current call."""
    user, engine = _user(request), _engine(request)
    contact_id = parse_id(request.match_info["contact_id"])
    ids = ops.call_contact_ids(engine, user.id)
    if contact_id is None or contact_id not in ids:
        return error("not_your_call", "That contact is not on your current call.", 404)
    state = ops.live_state(engine, user.id)
    with request.app[DB].read() as conn:
        bank = bank_store.get(conn, int(state["bank_id"]))
    shown = state["call"] or state["preview"] or {}
    view = data.contact_view(request.app[DB], bank, user, [contact_id], str(shown.get("e164", "")))
    return web.json_response(view)


DRAFT_MAX = 64_000  # characters of a kept draft: far more than notes and answers need


@access(Access.CALLER)
async def save_draft(request: web.Request) -> web.StreamResponse:
    """Keep the script position and the report typed so far on the server (per call)."""
    user = _user(request)
    body = await _body(request)
    keep = {k: body.get(k) for k in ("call_id", "path", "notes", "tags", "fields")}
    if len(json.dumps(keep)) > DRAFT_MAX:
        return error("draft_too_big", "This report is too long to keep: shorten the notes.", 413)
    request.app[DRAFTS][user.id] = keep
    return web.json_response({"ok": True})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/call/answer", answer, name="api_call_answer")
    app.router.add_post("/api/call/outcome", outcome, name="api_call_outcome")
    app.router.add_post("/api/call/wrong-number", wrong_number, name="api_call_wrong_number")
    app.router.add_post(
        "/api/call/wrong-number/undo", undo_wrong_number, name="api_call_wrong_number_undo"
    )
    app.router.add_post("/api/call/draft", save_draft, name="api_call_draft")
    app.router.add_get("/api/call/contacts/{contact_id}", contact, name="api_call_contact")
