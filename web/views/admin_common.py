"""Shared bits of the admin pages: domain errors as plain messages, bank lookups, and the
form steps several pages take alike (deleting a named thing behind a confirmation box,
putting a tag on a contact or taking it off)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from controller.commands.common import AppContext
from controller.errors import PhonebankError
from controller.model.banks import Bank, BankError
from controller.model.scripts import ScriptError
from controller.model.users import UserError
from controller.store import banks as bank_store
from controller.store import fields as field_store
from controller.store.db import Database
from controller.store.results import ResultsError
from web.keys import DB, SETTINGS
from web.params import id_or_404

DOMAIN_ERRORS = (BankError, ScriptError, ResultsError, UserError)


def app_context(request: web.Request) -> AppContext:
    """The CLI's context over the web app's settings and database (to share its helpers)."""
    return AppContext(_settings=request.app[SETTINGS], _db=request.app[DB])


def bank_id_of(request: web.Request) -> int:
    return id_or_404(request.match_info.get("bank_id"))


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


class Page(Protocol):
    """An admin page shown again after a form, with an error (status 400) or a notice."""

    def __call__(self, request: web.Request, error: str = "", notice: str = "") -> web.Response: ...


async def delete_named(
    request: web.Request,
    page: Page,
    delete: Callable[[Database, str], object],
    *,
    confirm: str,
    done: str,
    refusal: type[PhonebankError],
) -> web.Response:
    """Delete what the form's ``name`` names once its confirmation box is ticked. ``page``
    shows ``confirm`` if it is not, the store's ``refusal`` as a sentence, or ``done`` with
    the quoted name in its ``{}``."""
    form = await form_data(request)
    if form.get("confirm") != "yes":
        return page(request, error=confirm)
    name = form.get("name", "")
    try:
        delete(request.app[DB], name)
    except refusal as exc:
        return page(request, error=sentence(exc.message))
    return page(request, notice=done.format(repr(name)))


def toggle_tag(db: Database, contact_id: int, name: str, off: bool) -> str:
    """Put tag ``name`` on a contact (created if new), or take it off when ``off``, as
    ``phonebank tags apply`` does (raising its FieldError); the notice to show."""
    if off:
        changed = field_store.untag_contact(db, contact_id, name)
    else:
        changed = field_store.tag_contact(db, contact_id, name)
    if not changed:
        return "Nothing to change."
    verb = "removed from" if off else "applied to"
    return f"Tag {name.strip()!r} {verb} contact {contact_id}."
