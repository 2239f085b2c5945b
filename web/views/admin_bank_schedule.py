"""Scheduling a bank's start from its page (the same rule as ``phonebank bank start --at``),
and deleting a bank that never started (``phonebank bank delete``).

A published bank that has not started yet gets a start time (ISO date-time with offset)
in the future and inside its campaign window; the dialer starts it when the time comes.
**Cancel the scheduled start** takes it back (``phonebank bank unschedule``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web

from controller.model import banks as model
from controller.store import banks as store
from web.access import Access, access
from web.keys import DB
from web.views.admin_bank_steps import plain_message
from web.views.admin_banks import actor_of, bank_page, changed
from web.views.admin_common import DOMAIN_ERRORS, bank_id_of, form_data, load_bank

AT_EXAMPLE = "2026-11-24T18:00-05:00"


def parse_at(text: str) -> datetime:
    """An ISO date-time with its UTC offset, as ``--at`` takes it."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise model.BankError(
            "at_format", f"{text!r}: use an ISO date-time with offset, e.g. {AT_EXAMPLE}"
        )
    return when


@access(Access.STAFF)
async def schedule_start(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    bank_id = bank_id_of(request)
    try:
        when = parse_at(form.get("at", ""))
        with request.app[DB].write() as conn:
            now = datetime.now(UTC)
            store.update(conn, bank_id, lambda b: model.schedule(b, when, now), actor_of(request))
    except DOMAIN_ERRORS as exc:
        return bank_page(request, error=plain_message("schedule", exc, load_bank(request)))
    changed(request, bank_id, "schedule")


@access(Access.STAFF)
async def unschedule(request: web.Request) -> web.StreamResponse:
    bank_id = bank_id_of(request)
    try:
        with request.app[DB].write() as conn:
            store.update(conn, bank_id, model.unschedule, actor_of(request))
    except DOMAIN_ERRORS as exc:
        return bank_page(request, error=plain_message("unschedule", exc, load_bank(request)))
    changed(request, bank_id, "unschedule")


@access(Access.STAFF)
async def delete_bank(request: web.Request) -> web.StreamResponse:
    """Delete a bank that never started (``phonebank bank delete``; needs the box ticked)."""
    form = await form_data(request)
    bank_id = bank_id_of(request)
    if form.get("confirm") != "yes":
        return bank_page(request, error="Deleting is final: tick the box to confirm.")
    try:
        # in a worker thread: while a start holds the bank's lock it waits a moment first
        await asyncio.to_thread(store.delete, request.app[DB], bank_id)
    except DOMAIN_ERRORS as exc:
        return bank_page(request, error=plain_message("delete", exc, load_bank(request)))
    raise web.HTTPSeeOther(f"/admin/banks?deleted={bank_id}")


def setup(app: web.Application) -> None:
    app.router.add_post("/admin/banks/{bank_id:\\d+}/schedule", schedule_start)
    app.router.add_post("/admin/banks/{bank_id:\\d+}/unschedule", unschedule)
    app.router.add_post("/admin/banks/{bank_id:\\d+}/delete", delete_bank)
