"""Do Not Call on the contacts page: bulk upload with a per-line report, and taking a number off.

Same store functions as ``phonebank dnc import|remove|check``: a file holds
one number per line, or a CSV with the number first on each row; bad lines are reported
with their line number and skipped.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil

from aiohttp import web

from controller.model import dnc_notices as notices
from controller.model.phones import PhoneError
from controller.store import dnc as dnc_store
from web.access import Access, access
from web.keys import DB
from web.views.admin_common import form_data
from web.views.admin_contacts import _upload_dir, contacts_page

SOURCE = "web upload"


@access(Access.STAFF)
async def dnc_import(request: web.Request) -> web.StreamResponse:
    form = await request.post()  # already read (and bounded) by the CSRF check
    upload = form.get("file")
    reason = str(form.get("reason") or "").strip()
    if not isinstance(upload, web.FileField):
        return contacts_page(request, error="Do Not Call upload: choose a file of numbers.")
    path = _upload_dir(request) / f"dnc-{secrets.token_hex(8)}.csv"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        report = await asyncio.get_running_loop().run_in_executor(
            None, dnc_store.import_file, request.app[DB], path, reason, SOURCE
        )  # a long file must not hold up the other pages
    except PhoneError as exc:
        return contacts_page(request, error=f"Do Not Call upload: {exc.message}.")
    finally:
        path.unlink(missing_ok=True)
    notice = notices.imported(report.added, report.already, report.repeated)
    if report.errors:
        notice += " " + notices.skipped(len(report.errors))
    return contacts_page(request, notice=notice, dnc_report=report)


@access(Access.STAFF)
async def dnc_remove(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    if form.get("confirm") != "yes":
        return contacts_page(request, error="Tick the box to confirm taking the number off.")
    try:
        e164, found = dnc_store.remove(request.app[DB], form.get("number", ""))
    except PhoneError as exc:
        return contacts_page(request, error=f"Do Not Call: {exc.message}")
    if not found:
        return contacts_page(request, error=notices.listed(e164, False))
    return contacts_page(request, notice=notices.removed(e164))


@access(Access.STAFF)
async def dnc_check(request: web.Request) -> web.StreamResponse:
    """Whether a number is on the list (``dnc check``); changes nothing."""
    try:
        e164, listed = dnc_store.lookup(request.app[DB], request.query.get("number", ""))
    except PhoneError as exc:
        return contacts_page(request, error=f"Do Not Call: {exc.message}")
    return contacts_page(request, notice=notices.listed(e164, listed))


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/contacts/dnc/check", dnc_check)
    app.router.add_post("/admin/contacts/dnc/import", dnc_import)
    app.router.add_post("/admin/contacts/dnc/remove", dnc_remove)
