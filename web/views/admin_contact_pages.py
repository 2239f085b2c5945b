"""Finding contacts and looking at one: numbers, household, values, tags; Wrong Number and
taking it back. Deleting a contact list no bank uses.

Same store functions as ``phonebank contacts list|show|wrong-number|delete-list`` and
``tags apply``, so the search, the refusals and the messages are the same.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from controller.commands.common import plural
from controller.model.fields import FieldError
from controller.model.phones import PhoneError, to_e164
from controller.store import contacts as contact_store
from controller.store import fields as field_store
from controller.store import lists as list_store
from controller.store.db import Database
from web.access import Access, access
from web.keys import DB
from web.params import id_or_404, parse_id
from web.render import render
from web.views.admin_common import form_data, sentence, toggle_tag
from web.views.admin_contacts import contacts_page

PAGE = 50


def _contact_id(request: web.Request) -> int:
    return id_or_404(request.match_info["contact_id"])  # e.g. 20 digits: no such contact


def _offset(text: str) -> int:
    return parse_id(text) or 0  # "²" or beyond the store's range: the first page


@access(Access.STAFF)
async def browse(request: web.Request) -> web.StreamResponse:
    """Contacts of one list (``list``: its id or its name, as ``contacts list --list``) or
    of every list, matching ``search``, a page at a time; the page's links name the list
    by id."""
    query = request.query
    text = query.get("list", "").strip()
    search = query.get("search", "").strip()
    offset = _offset(query.get("offset", ""))
    db = request.app[DB]
    chosen, error = _find_list(db, text) if text else (None, "")
    rows: list[dict[str, Any]] = []
    if not error:
        list_id = chosen.id if chosen else None
        rows = contact_store.contact_rows(db, list_id, search, PAGE + 1, offset)
    more = {"list": chosen.id if chosen else "", "search": search, "offset": offset + PAGE}
    context = {"rows": rows[:PAGE], "lists": contact_store.all_lists(db),
               "list_id": chosen.id if chosen else None, "search": search, "offset": offset,
               "error": error, "notice": "",
               "next_query": urlencode(more) if len(rows) > PAGE else ""}  # fmt: skip
    return render(request, "admin/contacts_browse.html", context, 400 if error else 200)


def _find_list(db: Database, text: str) -> tuple[list_store.ListRef | None, str]:
    """The list ``text`` means (id or name, the one rule), else None and the error to show."""
    with db.read() as conn:
        found = list_store.find(conn, text)
    return found, "" if found else f"No list called {text!r}."


def contact_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    db = request.app[DB]
    contact = contact_store.contact_detail(db, _contact_id(request))
    if contact is None:
        raise web.HTTPNotFound()
    context = {"contact": contact, "values": {**contact["extra"], **contact["fields"]},
               "all_tags": field_store.all_tags(db), "error": error, "notice": notice}  # fmt: skip
    return render(request, "admin/contact.html", context, 400 if error else 200)


@access(Access.STAFF)
async def show_contact(request: web.Request) -> web.StreamResponse:
    return contact_page(request)


@access(Access.STAFF)
async def wrong_number(request: web.Request) -> web.StreamResponse:
    """Wrong Number for this person only (housemates sharing the number keep it)."""
    contact_id = _contact_id(request)
    form = await form_data(request)
    try:
        e164 = to_e164(form.get("number", ""))
    except PhoneError as exc:
        return contact_page(request, error=sentence(exc.message))
    if not contact_store.mark_wrong_number(request.app[DB], contact_id, e164):
        return contact_page(request, error=f"Contact {contact_id} has no number {e164}.")
    return contact_page(request, notice=f"{e164} marked as a wrong number for this contact.")


@access(Access.STAFF)
async def not_wrong_number(request: web.Request) -> web.StreamResponse:
    """Take a Wrong Number mark back (``contacts wrong-number --undo``), saying what a
    started bank keeps."""
    contact_id = _contact_id(request)
    form = await form_data(request)
    try:
        e164 = to_e164(form.get("number", ""))
        result = contact_store.unmark_wrong_number(request.app[DB], contact_id, e164)
    except (PhoneError, contact_store.WrongNumberError) as exc:
        return contact_page(request, error=sentence(exc.message))
    note = contact_store.unmark_note(result)
    text = f"{e164} is no longer marked as a wrong number for this contact."
    return contact_page(request, notice=f"{text} {note}" if note else text)


@access(Access.STAFF)
async def contact_tag(request: web.Request) -> web.StreamResponse:
    """Put a tag on this contact (created if new) or take it off (``off`` ticked)."""
    contact_id = _contact_id(request)
    form = await form_data(request)
    name, off = form.get("name", "").strip(), form.get("off") == "on"
    try:
        notice = toggle_tag(request.app[DB], contact_id, name, off)
    except FieldError as exc:
        return contact_page(request, error=sentence(exc.message))
    return contact_page(request, notice=notice)


@access(Access.STAFF)
async def delete_list(request: web.Request) -> web.StreamResponse:
    """Delete a contact list no bank uses, with its contacts (``contacts delete-list``).

    ``list`` names it by id or name, as the CLI's LIST (the page sends the id; ``name`` is
    read the same way when ``list`` is not given)."""
    form = await form_data(request)
    text = (form.get("list") or form.get("name") or "").strip()
    if form.get("confirm") != "yes":
        return contacts_page(request, error="Tick the box to confirm deleting the list.")
    chosen, error = _find_list(request.app[DB], text)
    if chosen is None:
        return contacts_page(request, error=error)
    try:
        removed = await asyncio.get_running_loop().run_in_executor(
            None, contact_store.delete_list, request.app[DB], chosen
        )  # a large list takes a while: the other pages go on meanwhile
    except contact_store.ListError as exc:
        return contacts_page(request, error=sentence(exc.message))
    return contacts_page(
        request, notice=f"List {chosen.name!r} deleted with its {plural(removed, 'contact')}."
    )


def setup(app: web.Application) -> None:
    app.router.add_post("/admin/contacts/lists/delete", delete_list)
    app.router.add_get("/admin/contacts/browse", browse)
    app.router.add_get("/admin/contacts/{contact_id:\\d+}", show_contact)
    app.router.add_post("/admin/contacts/{contact_id:\\d+}/wrong-number", wrong_number)
    app.router.add_post("/admin/contacts/{contact_id:\\d+}/not-wrong-number", not_wrong_number)
    app.router.add_post("/admin/contacts/{contact_id:\\d+}/tags", contact_tag)
