"""A bank's script as a file: download it as YAML or JSON, or upload one to use.

Same loader and rules as ``phonebank script export`` and ``phonebank script import``: an
uploaded script with any problem (dangling branch, unreachable block, unknown variable or
field, a name already taken unless replacing) is not saved and every problem is listed.
Replacing never changes a script that a started or stopped bank other than this one uses
(``script_in_use``); drafts and published banks sharing it follow, and the notice names them.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
from pathlib import Path

import yaml
from aiohttp import web

from controller.commands import script as script_cmd
from controller.model import scripts as script_model
from controller.model.scripts import ScriptError
from controller.store import banks as bank_store
from controller.store import scripts as script_store
from web.access import Access, access
from web.keys import DB, SETTINGS
from web.views.admin_common import DOMAIN_ERRORS, bank_id_of, load_bank, sentence
from web.views.admin_script import script_view


@access(Access.STAFF)
async def download(request: web.Request) -> web.StreamResponse:
    fmt = request.match_info["fmt"]
    if fmt not in ("yaml", "json"):
        raise web.HTTPNotFound()
    bank = load_bank(request)
    with request.app[DB].read() as conn:
        sid = bank.settings.script_id
        found = script_store.get(conn, sid) if sid is not None else None
    if found is None:
        raise web.HTTPNotFound(text="This bank has no script yet.")
    data = script_model.to_dict(found.script)
    if fmt == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    name = f"script-{found.id}.{fmt}"
    return web.Response(
        text=text, content_type="application/json" if fmt == "json" else "application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


def _problems(exc: ScriptError) -> str:
    text = "; ".join(p.text for p in exc.problems)
    return "The script was not saved: " + text.replace("(use --replace)", "(tick replace)") + "."


async def _saved_upload(request: web.Request) -> tuple[Path, bool, str] | None:
    form = await request.post()  # already read (and bounded) by the CSRF check
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        return None
    suffix = ".json" if upload.filename.lower().endswith(".json") else ".yaml"
    folder = request.app[SETTINGS].runtime_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"script-{secrets.token_hex(8)}{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    return path, form.get("replace") == "on", Path(upload.filename or "").name or "The file"


@access(Access.STAFF)
async def upload(request: web.Request) -> web.StreamResponse:
    """Validate and save the uploaded script, and make it the bank's script."""
    bank_id = bank_id_of(request)
    saved = await _saved_upload(request)
    if saved is None:
        return script_view(request, error="Choose a YAML or JSON script file.")
    path, replace, name = saved
    try:
        loaded = await asyncio.get_running_loop().run_in_executor(
            None, script_cmd._load, path, name
        )  # parsing a file is not done on the loop the calls run on
        with request.app[DB].write() as conn:
            if bank_store.get(conn, bank_id).state.value == "stopped":
                raise script_store.bank_stopped()
            script_id = script_store.save(conn, loaded, replace=replace, bank_id=bank_id)
            bank_store.edit(conn, bank_id, {"script_id": script_id})
            others = [b for b in script_store.banks_using(conn, script_id) if b[0] != bank_id]
    except ScriptError as exc:
        return script_view(request, error=_problems(exc))
    except DOMAIN_ERRORS as exc:
        return script_view(request, error=sentence(str(exc)))
    finally:
        path.unlink(missing_ok=True)
    notice = f"Saved script {loaded.name!r} ({len(loaded.blocks)} blocks) for this bank."
    if others:
        notice += f" It is also the script of {script_store.bank_list(others)}: theirs changed too."
    return script_view(request, notice=notice)


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks/{bank_id:\\d+}/script.{fmt}", download)
    app.router.add_post("/admin/banks/{bank_id:\\d+}/script/import", upload)
