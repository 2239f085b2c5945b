"""The script editor (second page of the bank editor) and its JSON API.

The page is drawn by ``admin-script.js`` from the bank's script; saving sends the whole
script, which the store validates with the same rules as ``phonebank script``; problems come
back with the block at fault so the page shows each next to its block.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from controller.model import scripts as script_model
from controller.model.scripts import Problem, ScriptError
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from web.access import Access, access
from web.keys import DB
from web.render import render
from web.views.admin_common import DOMAIN_ERRORS, bank_id_of, error_json, load_bank

STARTER = {
    "blocks": [
        {"id": "intro", "title": "Introduction",
         "text": "Hi {{ contact.first_name }}, this is {{ volunteer.first_name }}.",
         "responses": [{"label": "Talk", "next": None}]},
    ]
}  # fmt: skip


def _script_of(conn: Any, script_id: int | None, title: str) -> dict[str, Any]:
    found = script_store.get(conn, script_id) if script_id is not None else None
    if found is None:
        return {"name": f"{title} script", **STARTER}
    return {"id": found.id, "name": found.script.name, **script_model.to_dict(found.script)}


@access(Access.STAFF)
async def script_page(request: web.Request) -> web.StreamResponse:
    return script_view(request)


def script_view(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    bank = load_bank(request)
    with request.app[DB].read() as conn:
        script = _script_of(conn, bank.settings.script_id, bank.settings.title)
        fields = script_store.field_options(conn)
    data = {
        "script": script,
        "fields": fields,
        "variables": {k: sorted(v) for k, v in script_model.VARIABLES.items()},
    }
    context = {"bank": bank, "editor_data": json.dumps(data), "error": error, "notice": notice}
    return render(request, "admin/script.html", context, 400 if error else 200)


@access(Access.STAFF)
async def save_script(request: web.Request) -> web.StreamResponse:
    """Validate and save the script, and make it the bank's script."""
    bank_id = bank_id_of(request)
    try:
        body = await request.json()
    except ValueError:
        return error_json(ScriptError([Problem("bad_json", "the request is not JSON")]))
    try:
        script = script_model.from_dict(body)
        with request.app[DB].write() as conn:
            script_id = script_store.save(conn, script, replace=True)
            bank_store.edit(conn, bank_id, {"script_id": script_id})
    except DOMAIN_ERRORS as exc:
        return error_json(exc)
    return web.json_response({"ok": True, "script_id": script_id, "bank_id": bank_id})


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/script", script_page, name="admin_script")
    app.router.add_post("/api/admin/banks/{bank_id:\\d+}/script", save_script)
