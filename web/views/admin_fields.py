"""Custom fields (answers kept per contact, linkable to script blocks) and tags.

Same store and validation as ``phonebank fields`` / ``phonebank tags``.
"""

from __future__ import annotations

from aiohttp import web

from controller.model.fields import FIELD_KINDS, FieldError, validate_field
from controller.store import fields as store
from web.access import Access, access
from web.keys import DB
from web.render import render
from web.views.admin_common import form_data


def fields_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    db = request.app[DB]
    links = store.script_links(db)
    fields = [{**f, "scripts": links.get(f["name"].casefold(), [])} for f in store.all_fields(db)]
    context = {
        "fields": fields,
        "tags": store.all_tags(db),
        "kinds": FIELD_KINDS,
        "error": error,
        "notice": notice,
    }
    return render(request, "admin/fields.html", context, 400 if error else 200)


@access(Access.STAFF)
async def fields(request: web.Request) -> web.StreamResponse:
    return fields_page(request)


@access(Access.STAFF)
async def add_field(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    options = [o.strip() for o in form.get("options", "").split(",") if o.strip()]
    try:
        spec = validate_field(
            form.get("name", ""), form.get("kind", "text"), options, form.get("is_default") == "on"
        )
        created = store.add_field(request.app[DB], spec)
    except FieldError as exc:
        return fields_page(request, error=exc.message)
    return fields_page(request, notice=f"Field {created['name']} created.")


@access(Access.STAFF)
async def add_tag(request: web.Request) -> web.StreamResponse:
    name = (await form_data(request)).get("name", "").strip()
    try:
        _, new = store.add_tag(request.app[DB], name)
    except FieldError as exc:
        return fields_page(request, error=exc.message)
    if not new:  # refused as ``tags add`` refuses it
        return fields_page(request, error=f"There is already a tag called {name!r}.")
    return fields_page(request, notice=f"Tag {name!r} created.")


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/fields", fields, name="admin_fields")
    app.router.add_post("/admin/fields", add_field)
    app.router.add_post("/admin/fields/tags", add_tag)
