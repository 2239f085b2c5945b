"""Admin pages for phone banks: list, settings (new and edit), and the lifecycle steps.

Every change goes through the same store and model functions as ``phonebank bank``, so the
rules and messages are the same ("a stopped bank cannot be restarted", ...).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, NoReturn

from aiohttp import web

from controller.commands import bank as bank_cmd
from controller.engine.plugin import engine_of
from controller.model import banks as model
from controller.model.banks import Bank
from controller.store import banks as store
from controller.store import contacts as contact_store
from controller.store import lists as contact_lists
from controller.store import queue, start_progress
from controller.store import queue_build_steps as steps
from controller.store import scripts as script_store
from controller.store import users as user_store
from controller.store.queue_build_steps import start_in_steps
from web.access import Access, access, current_user
from web.keys import DB, SETTINGS
from web.params import parse_id
from web.render import render
from web.views.admin_bank_steps import plain_message, step_of
from web.views.admin_common import (
    DOMAIN_ERRORS,
    app_context,
    bank_id_of,
    form_data,
    load_bank,
)


def actor_of(request: web.Request) -> str:
    """Who acts, for a bank's history: the signed-in user, on the web."""
    user = current_user(request)
    return f"{user.username} on the web" if user is not None else "web"


LOG = logging.getLogger(__name__)
FORM_FIELDS = ("title", "description", "list_id", "script_id", "dialing_mode", "calling_hours",
               "window_start", "window_end", "max_attempts", "retry_delay_min",
               "abandon_cap_pct", "household", "disclaimer", "folders", "caller_ids", "image",
               "preferred_area_codes", "start_button_label", "voicemail_message",
               "contact_details", "report_tags", "report_fields",
               "suppress_other_bank_hours")  # fmt: skip
# Optional settings a blank box clears when editing (other blank boxes keep their value).
CLEARABLE = {"window_start": None, "window_end": None, "disclaimer": "", "folders": (),
             "caller_ids": (), "image": "", "preferred_area_codes": (), "voicemail_message": "",
             "contact_details": (), "report_tags": (), "report_fields": (),
             "suppress_other_bank_hours": None}  # fmt: skip
DONE = {"publish": "Published.", "start": "Started: dialing begins as volunteers join.",
        "pause": "Paused.", "resume": "Resumed.", "stop": "Stopped for good.",
        "schedule": "Start scheduled: the bank starts by itself at that time.",
        "unschedule": "Scheduled start cancelled: the bank stays published.",
        "visibility": "Visibility saved.",
        "starting": "Starting: the dialing queue is being built; the bank runs by itself once"
                    " it is ready.",
        "stop-now": "Stopped for good; its live calls are being ended."}  # fmt: skip


def _choices(request: web.Request) -> dict[str, Any]:
    db = request.app[DB]
    with db.read() as conn:
        scripts = script_store.list_all(conn)
    return {
        "lists": contact_store.all_lists(db),
        "scripts": scripts,
        "modes": [m.value for m in model.DialingMode],
        "households": [h.value for h in model.Household],
        "user_lists": user_store.all_user_lists(db),
    }


def _changes(request: web.Request, form: dict[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    editing = bool(form.get("amd_present"))  # new banks start with detection on
    for name in FORM_FIELDS:
        value = form.get(name, "").strip()
        if value == "":
            continue
        options[name] = value  # parsed by the setting's type, with the CLI's messages
    if editing:
        options["amd"] = form.get("amd") == "on"
    if form.get("prevent_frequent_present"):
        options["prevent_frequent"] = form.get("prevent_frequent") == "on"
    changes = bank_cmd._changes(app_context(request), options, ())
    if editing:
        cleared = {k: v for k, v in CLEARABLE.items() if k in form and not form[k].strip()}
        changes.update(cleared)
    return changes


@access(Access.STAFF)
async def banks_page(request: web.Request) -> web.StreamResponse:
    db = request.app[DB]
    with db.read() as conn:
        banks = store.list_all(conn)
        starts = start_progress.read_all(conn, db.path, banks)
    folders = sorted({f for b in banks for f in b.settings.folders})
    folder = request.query.get("folder", "")
    if folder:
        banks = [b for b in banks if folder in b.settings.folders]
    states = [s.value for s in model.State]
    state = request.query.get("state", "") if request.query.get("state") in states else ""
    if state:  # as ``bank list --state``
        banks = [b for b in banks if b.state.value == state]
    deleted = parse_id(request.query.get("deleted", ""))
    context = {"banks": banks, "folders": folders, "folder": folder, "states": states,
               "state": state, "starts": starts,
               "deleted": f"Bank {deleted} deleted." if deleted is not None else ""}  # fmt: skip
    return render(request, "admin/banks.html", context)


def _form_values(bank: Bank | None, form: dict[str, str] | None) -> dict[str, Any]:
    if form is not None:
        return form
    if bank is None:
        return {"calling_hours": "09:00-20:00", "dialing_mode": "predictive", "amd": True}
    values = model.settings_to_dict(bank.settings)
    return {k: _shown(v) for k, v in values.items()}


def _shown(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _settings_page(
    request: web.Request, bank: Bank | None, form: dict[str, str] | None = None, error: str = ""
) -> web.Response:
    context = {"bank": bank, "values": _form_values(bank, form), "error": error}
    status = 400 if error else 200
    return render(request, "admin/bank_settings.html", {**context, **_choices(request)}, status)


@access(Access.STAFF)
async def new_bank(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        return _settings_page(request, None)
    form = await form_data(request)
    try:
        changes = _changes(request, form)
        with request.app[DB].write() as conn:
            bank = store.create(conn, changes, actor_of(request))
    except DOMAIN_ERRORS as exc:
        return _settings_page(request, None, form, str(exc))
    raise web.HTTPSeeOther(f"/admin/banks/{bank.id}/script")


@access(Access.STAFF)
async def edit_bank(request: web.Request) -> web.StreamResponse:
    bank = load_bank(request)
    if request.method == "GET":
        return _settings_page(request, bank)
    form = await form_data(request)
    try:
        changes = _changes(request, {**form, "amd_present": "1"})
        with request.app[DB].write() as conn:
            store.edit(conn, bank_id_of(request), changes)
    except DOMAIN_ERRORS as exc:
        return _settings_page(request, bank, form, str(exc))
    raise web.HTTPSeeOther(f"/admin/banks/{bank.id}/script")


def bank_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    bank = load_bank(request)
    assert bank.id is not None
    db = request.app[DB]
    with db.read() as conn:
        counts = queue.counts(conn, bank.id)
        history = store.history(conn, bank.id)
        starting = start_progress.read(conn, db.path, bank)
    lists = user_store.all_user_lists(db)
    context = {"bank": bank, "queue": counts, "left": bank_cmd.left_undialed(counts),
               "history": history, "error": error, "notice": notice, "user_lists": lists,
               "start": starting}  # fmt: skip
    return render(request, "admin/bank.html", context, 400 if error else 200)


@access(Access.STAFF)
async def show_bank(request: web.Request) -> web.StreamResponse:
    done = request.query.get("done", "")
    return bank_page(request, notice=DONE.get(done, ""))


@access(Access.STAFF)
async def bank_action(request: web.Request) -> web.StreamResponse:
    """Publish, start, pause, resume or stop (stop needs the confirmation box)."""
    action = request.path.rsplit("/", 1)[-1]
    bank_id = bank_id_of(request)
    post = await request.post()
    form = await form_data(request)
    parsed = [parse_id(v) for v in post.getall("user_list", [])]
    lists = sorted({v for v in parsed if v is not None})  # a list ticked twice counts once
    if None in parsed:
        return bank_page(request, error="Pick user lists from the list shown.")
    if action == "stop" and form.get("confirm") != "yes":
        return bank_page(request, error="Stopping is final: tick the box to confirm.")
    try:
        if action in ("start", "resume"):
            with request.app[DB].read() as conn:
                contact_lists.check_dialable(conn, bank_id, request.app[SETTINGS].simulated_network)
        if action == "start" and not await _start(request, bank_id):
            action = "starting"
        elif action != "start":
            with request.app[DB].write() as conn:
                store.update(conn, bank_id, step_of(action, lists), actor_of(request))
    except DOMAIN_ERRORS as exc:
        return bank_page(request, error=plain_message(action, exc, load_bank(request)))
    changed(request, bank_id, action)


async def _start(request: web.Request, bank_id: int) -> bool:
    """Start off the event loop; True once started, False while a big list's queue is still
    being built (the page then shows how far it has got).

    The build runs in short transactions, so the other pages, call screens and the engine's
    writes go on meanwhile; the answer waits for it unless it takes more than one step. A
    second start while one is building is refused (``already_starting``)."""
    loop = asyncio.get_running_loop()
    stepping = asyncio.Event()

    def told_steps(_total: int) -> None:
        loop.call_soon_threadsafe(stepping.set)

    actor = actor_of(request)

    def run() -> None:
        now = datetime.now(UTC)
        start_in_steps(request.app[DB], bank_id, now, actor, steps.STEP, False, told_steps)

    build = loop.run_in_executor(None, run)
    told: asyncio.Future[Any] = asyncio.ensure_future(stepping.wait())
    await asyncio.wait({build, told}, return_when=asyncio.FIRST_COMPLETED)
    told.cancel()
    if build.done():
        build.result()  # a refused start raises here
        return True
    _BUILDS.add(build)
    build.add_done_callback(lambda done: _built(request.app, bank_id, done))
    return False


_BUILDS: set[asyncio.Future[None]] = set()  # starts still building after their page answered


def _built(app: web.Application, bank_id: int, build: asyncio.Future[None]) -> None:
    """A start that went on after its page answered has ended: the engine acts now."""
    _BUILDS.discard(build)
    if not build.cancelled() and build.exception() is not None:
        LOG.error("bank %s: start failed: %s", bank_id, build.exception())
    engine = engine_of(app)
    if engine is not None:
        engine.poke()


def changed(request: web.Request, bank_id: int, done: str) -> NoReturn:
    """After a stored bank step: wake the engine so it acts now, then show the bank page
    with the step's notice."""
    engine = engine_of(request.app)
    if engine is not None:
        engine.poke()
    raise web.HTTPSeeOther(f"/admin/banks/{bank_id}?done={done}")


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/banks", banks_page, name="admin_banks")
    app.router.add_get("/admin/banks/new", new_bank, name="admin_bank_new")
    app.router.add_post("/admin/banks/new", new_bank)
    app.router.add_get("/admin/banks/{bank_id:\\d+}", show_bank, name="admin_bank")
    app.router.add_get("/admin/banks/{bank_id:\\d+}/settings", edit_bank)
    app.router.add_post("/admin/banks/{bank_id:\\d+}/settings", edit_bank)
    for action in ("publish", "visibility", "start", "pause", "resume", "stop"):
        app.router.add_post(f"/admin/banks/{{bank_id:\\d+}}/{action}", bank_action)
