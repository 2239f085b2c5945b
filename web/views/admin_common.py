"""Shared bits of the admin pages: domain errors as plain messages, bank lookups."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controller.commands.common import AppContext
from controller.model.banks import Bank, BankError
from controller.model.scripts import ScriptError
from controller.model.users import UserError
from controller.store import banks as bank_store
from controller.store.results import ResultsError
from web.keys import DB, SETTINGS

DOMAIN_ERRORS = (BankError, ScriptError, ResultsError, UserError)


def app_context(request: web.Request) -> AppContext:
    """The CLI's context over the web app's settings and database (to share its helpers)."""
    return AppContext(_settings=request.app[SETTINGS], _db=request.app[DB])


def bank_id_of(request: web.Request) -> int:
    try:
        return int(request.match_info["bank_id"])
    except (KeyError, ValueError):
        raise web.HTTPNotFound() from None


def load_bank(request: web.Request) -> Bank:
    try:
        with request.app[DB].read() as conn:
            return bank_store.get(conn, bank_id_of(request))
    except BankError:
        raise web.HTTPNotFound() from None


def error_json(exc: Exception, status: int = 400) -> web.Response:
    data: dict[str, Any] = {"error": getattr(exc, "code", "error"), "message": str(exc)}
    if isinstance(exc, ScriptError):
        data["problems"] = [
            {"code": p.code, "message": p.message, "block": p.block} for p in exc.problems
        ]
    return web.json_response(data, status=status)


def sentence(message: str) -> str:
    """A domain message as the pages show it: capitalized, ending with a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


async def form_data(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf"}
