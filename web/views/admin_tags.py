"""Fields and tags page, the changes beyond adding: tags on contacts, values, deletions.

Same store functions as ``phonebank tags apply|remove`` and ``phonebank fields set|remove``,
so the refusals read the same (a built-in field, an unknown contact ...). Deleting asks for
a confirmation box, as stopping a bank does.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from controller.model.fields import FieldError
from controller.store import fields as store
from controller.store.db import Database
from web.access import Access, access
from web.keys import DB
from web.params import parse_id
from web.views.admin_common import delete_named, form_data, sentence, toggle_tag
from web.views.admin_fields import fields_page

CONFIRM = "Tick the box to confirm the deletion."


def _contact_id(text: str) -> int:
    number = parse_id(text)
    if number is None:
        raise FieldError("bad_contact_id", f"contact id {text!r} is not a number")
    return number


@access(Access.STAFF)
async def apply_tag(request: web.Request) -> web.StreamResponse:
    """Put a tag on one contact (created if new), or take it off (``off`` ticked)."""
    form = await form_data(request)
    try:
        contact_id = _contact_id(form.get("contact_id", ""))
        notice = toggle_tag(
            request.app[DB], contact_id, form.get("name", ""), form.get("off") == "on"
        )
    except FieldError as exc:
        return fields_page(request, error=sentence(exc.message))
    return fields_page(request, notice=notice)


async def _remove(
    request: web.Request, remove: Callable[[Database, str], object], done: str
) -> web.StreamResponse:
    """Delete the named tag or field once the confirmation box is ticked."""
    return await delete_named(
        request, fields_page, remove, confirm=CONFIRM, done=done, refusal=FieldError
    )


@access(Access.STAFF)
async def remove_tag(request: web.Request) -> web.StreamResponse:
    return await _remove(request, store.remove_tag, "Tag {} removed.")


@access(Access.STAFF)
async def remove_field(request: web.Request) -> web.StreamResponse:
    return await _remove(request, store.remove_field, "Field {} removed.")


@access(Access.STAFF)
async def set_value(request: web.Request) -> web.StreamResponse:
    """Record a value for a field on one contact, checked against the field's kind."""
    form = await form_data(request)
    name = form.get("name", "")
    try:
        contact_id = _contact_id(form.get("contact_id", ""))
        stored = store.set_value(
            request.app[DB], contact_id, name, form.get("value", ""), by_hand=True
        )
    except FieldError as exc:
        return fields_page(request, error=sentence(exc.message))
    return fields_page(request, notice=f"Contact {contact_id}: {name} = {stored}")


def setup(app: web.Application) -> None:
    app.router.add_post("/admin/fields/tags/apply", apply_tag)
    app.router.add_post("/admin/fields/tags/remove", remove_tag)
    app.router.add_post("/admin/fields/remove", remove_field)
    app.router.add_post("/admin/fields/values", set_value)
