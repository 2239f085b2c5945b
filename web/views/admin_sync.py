"""CRM sync on an admin page: outbox counts, failed rows with VAN's reasons, retry, the VAN
settings (the API key is write-only), a connection test, and the instruction mapping.

Same store functions as ``phonebank sync``; a running sync service (``sync_of``) is nudged
after a retry and reloaded after new settings.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controller.store import fields as field_store
from controller.store import outbox
from controller.store.sync_settings import (
    VAN_MODES,
    SyncConfigError,
    delete_instruction,
    get_van_settings,
    get_webhook_settings,
    list_instructions,
    save_van_settings,
    set_instruction,
)
from controller.sync.errors import SyncError
from controller.sync.plugin import sync_of
from controller.sync.van import check_credentials, describe_lookups
from web.access import Access, access
from web.keys import DB
from web.params import parse_id
from web.render import render
from web.views.admin_common import form_data, sentence

KIND_LABELS = {
    "result_code": "Result code",
    "survey_response": "Survey response",
    "activist_code": "Activist code",
}
SHOWN_ROWS = 50


def sync_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    with request.app[DB].read() as conn:
        context: dict[str, Any] = {
            "van": get_van_settings(conn).public(),
            "webhook": get_webhook_settings(conn).url,
            "counts": outbox.status_counts(conn),
            "failed": outbox.list_rows(conn, status="failed", limit=SHOWN_ROWS),
            "pending": outbox.list_rows(conn, status="pending", limit=SHOWN_ROWS),
            "instructions": list_instructions(conn),
        }
    context.update(
        fields=field_store.all_fields(request.app[DB]),
        modes=VAN_MODES,
        kinds=KIND_LABELS,
        running=sync_of(request.app) is not None,
        error=error,
        notice=notice,
    )
    return render(request, "admin/sync.html", context, 400 if error else 200)


@access(Access.ADMIN)
async def show(request: web.Request) -> web.StreamResponse:
    return sync_page(request)


@access(Access.ADMIN)
async def retry(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    raw = form.get("id", "").strip()
    row_id = parse_id(raw)
    if raw and row_id is None:
        return sync_page(request, error=f"Not an outbox row number: {raw!r}.")
    with request.app[DB].write() as conn:
        count = outbox.retry(conn, ids=[row_id] if row_id is not None else None)
    service = sync_of(request.app)
    if service is not None:
        service.notify()
    return sync_page(request, notice=f"{count} row(s) queued again.")


def _van_changes(form: dict[str, str]) -> dict[str, Any]:
    mode = form.get("mode", "").strip()
    if mode and mode not in ("0", "1"):
        raise SyncConfigError("bad_mode", "mode must be 0 (VoterFile) or 1 (MyCampaign)")
    return {
        "application_name": form.get("application_name", "").strip() or None,
        "api_key": form.get("api_key", "").strip() or None,  # blank keeps the stored key
        "mode": int(mode) if mode else None,
        "base_url": form.get("base_url", "").strip() or None,
    }


@access(Access.ADMIN)
async def save_settings(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    try:
        changes = _van_changes(form)
        with request.app[DB].write() as conn:
            save_van_settings(conn, **changes)
    except SyncConfigError as exc:
        return sync_page(request, error=sentence(exc.message))
    service = sync_of(request.app)
    if service is not None:
        await service.reload()
    return sync_page(request, notice="VAN settings saved.")


@access(Access.ADMIN)
async def test_connection(request: web.Request) -> web.StreamResponse:
    with request.app[DB].read() as conn:
        van = get_van_settings(conn)
    if not van.configured:
        return sync_page(request, error="Set the application name and API key first.")
    try:
        report = await check_credentials(van)
    except SyncError as exc:
        return sync_page(request, error=f"VAN check failed: {exc.code}: {exc.text}")
    lookups = "; ".join(describe_lookups(report))
    return sync_page(
        request, notice=f"VAN accepted the credentials ({van.public()['mode_name']}). {lookups}."
    )


def _optional_int(form: dict[str, str], name: str, label: str) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise SyncConfigError("bad_number", f"{label} must be a number (got {raw!r})")
    return value


def _instruction_spec(form: dict[str, str]) -> dict[str, Any]:
    return {
        "result_code": form.get("result_code", "").strip() or None,
        "survey_question_id": _optional_int(form, "survey_question_id", "Survey question id"),
        "survey_response_id": _optional_int(form, "survey_response_id", "Survey response id"),
        "activist_code_id": _optional_int(form, "activist_code_id", "Activist code id"),
        "activist_action": "Remove" if form.get("remove") == "on" else "Apply",
        "contact_type": form.get("contact_type", "").strip() or "Phone",
        "input_type": form.get("input_type", "").strip() or "API",
        "enabled": form.get("disable") != "on",
    }


@access(Access.ADMIN)
async def map_value(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    kind = form.get("van_kind", "")
    try:
        spec = _instruction_spec(form)
        with request.app[DB].write() as conn:
            item = set_instruction(conn, form.get("field", ""), form.get("value", ""), kind, **spec)
    except SyncConfigError as exc:
        return sync_page(request, error=sentence(exc.message))
    return sync_page(request, notice=f"{item.field_name} = {item.value} saved.")


@access(Access.ADMIN)
async def unmap_value(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    field, value = form.get("field", ""), form.get("value", "")
    try:
        with request.app[DB].write() as conn:
            removed = delete_instruction(conn, field, value)
    except SyncConfigError as exc:
        return sync_page(request, error=sentence(exc.message))
    if not removed:
        return sync_page(request, error=f"No instruction for {field} = {value}.")
    return sync_page(request, notice=f"{field} = {value} is no longer synced.")


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/sync", show, name="admin_sync")
    app.router.add_post("/admin/sync/retry", retry)
    app.router.add_post("/admin/sync/settings", save_settings)
    app.router.add_post("/admin/sync/test", test_connection)
    app.router.add_post("/admin/sync/map", map_value)
    app.router.add_post("/admin/sync/unmap", unmap_value)
