"""The script editor (second page of the bank editor), its JSON API, and the saved scripts.

The page is drawn by ``admin-script.js`` from the bank's script; saving sends the whole
script, which the store validates with the same rules as ``phonebank script``; problems come
back with the block at fault so the page shows each next to its block. The page also lists
every saved script with the banks using it; one no bank uses can be deleted there.
"""

from __future__ import annotations

import json
from typing import Any, cast

from aiohttp import web

from controller.model import scripts as script_model
from controller.model.scripts import Problem, ScriptError
from controller.store import scripts as script_store
from web.access import Access, access
from web.keys import DB
from web.render import render
from web.views.admin_common import (
    DOMAIN_ERRORS,
    bank_id_of,
    error_json,
    form_data,
    load_bank,
    sentence,
)

STARTER = {
    "blocks": [
        {"id": "intro", "title": "Introduction",
         "text": "Hi {{ contact.first_name }}, this is {{ volunteer.first_name }}.",
         "responses": [{"label": "Talk", "next": None}]},
    ]
}  # fmt: skip


def _script_of(conn: Any, bank_id: int, script_id: int | None, title: str) -> dict[str, Any]:
    found = script_store.get(conn, script_id) if script_id is not None else None
    if found is None:  # a new script: suggest a name no other script has
        return {"name": script_store.free_name(conn, f"{title} script", bank_id), **STARTER}
    return {"id": found.id, "name": found.script.name, **script_model.to_dict(found.script)}


@access(Access.STAFF)
async def script_page(request: web.Request) -> web.StreamResponse:
    return script_view(request)


def script_view(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    bank = load_bank(request)
    with request.app[DB].read() as conn:
        script = _script_of(conn, bank_id_of(request), bank.settings.script_id, bank.settings.title)
        fields = script_store.field_options(conn)
        sid = bank.settings.script_id
        others = [b for b in script_store.banks_using(conn, sid) if b[0] != bank.id] if sid else []
        saved = _saved_scripts(conn)
    data = {
        "script": script,
        "fields": fields,
        "variables": {k: sorted(v) for k, v in script_model.VARIABLES.items()},
    }
    shared = script_store.bank_list(others) if others else ""
    context = {"bank": bank, "editor_data": json.dumps(data), "error": error, "notice": notice,
               "shared_with": shared, "saved_scripts": saved}  # fmt: skip
    return render(request, "admin/script.html", context, 400 if error else 200)


def _saved_scripts(conn: Any) -> list[dict[str, Any]]:
    """Every saved script with the banks using it (``bank 3 (draft)``; empty when none)."""
    rows = script_store.list_all(conn)
    for row in rows:
        banks = cast(list[tuple[int, str]], row["bank_states"])
        row["used_by"] = script_store.bank_list(banks, states=True) if banks else ""
    return rows


@access(Access.STAFF)
async def delete_script(request: web.Request) -> web.StreamResponse:
    """Delete a saved script no bank uses (``phonebank script delete``; box ticked to confirm).

    Refused (``script_in_use``) while any bank uses it, naming each bank and its state.
    """
    load_bank(request)  # the page it is shown on (404 before anything is deleted)
    form = await form_data(request)
    if form.get("confirm") != "yes":
        return script_view(request, error="Deleting a script is final: tick the box to confirm.")
    try:
        with request.app[DB].write() as conn:
            gone = script_store.delete(conn, request.match_info["script_id"])
    except ScriptError as exc:
        return script_view(request, error=sentence(exc.message))
    return script_view(request, notice=f"Script {gone.script.name!r} deleted.")


@access(Access.STAFF)
async def save_script(request: web.Request) -> web.StreamResponse:
    """Validate and save the script as this bank's own (see ``scripts.save_for_bank``).

    Another bank's script is never changed: when this bank shares its script, or the name
    typed belongs to another script, the bank gets its own copy and ``notice`` says so.
    """
    bank_id = bank_id_of(request)
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        return error_json(ScriptError([Problem("bad_json", "the request is not JSON")]))
    try:
        script = script_model.from_dict(body)
        with request.app[DB].write() as conn:
            saved = script_store.save_for_bank(conn, bank_id, script)
    except DOMAIN_ERRORS as exc:
        return error_json(exc)
    notice = sentence(saved.note) if saved.note else ""
    return web.json_response({"ok": True, "script_id": saved.script_id, "bank_id": bank_id,
                              "name": saved.name, "notice": notice})  # fmt: skip


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/script", script_page, name="admin_script")
    app.router.add_post("/api/admin/banks/{bank_id:\\d+}/script", save_script)
    app.router.add_post(
        "/admin/banks/{bank_id:\\d+}/scripts/{script_id:\\d+}/delete", delete_script
    )
