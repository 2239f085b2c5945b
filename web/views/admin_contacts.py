"""Contacts: lists, CSV upload with a column-mapping step, import progress, rejected rows; DNC.

Upload -> the file is kept under ``<runtime>/uploads/`` -> the mapping page shows each
column with the field it is taken for (the same guesses as ``phonebank contacts import``)
-> the import runs in a thread through the same importer, the page polls its progress, and
the rejected rows can be downloaded as CSV.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from controller.commands.common import plural
from controller.commands.export import safe_row
from controller.model import dnc_notices
from controller.model.csv_import import TARGETS, CsvError, ImportPlan, check_header, guess_mapping
from controller.model.phones import PhoneError
from controller.store import contact_import
from controller.store import contacts as contact_store
from controller.store import dnc as dnc_store
from controller.store import lists as list_store
from web.access import Access, access
from web.keys import DB, SETTINGS
from web.params import json_object, parse_id, refuse_json
from web.render import render
from web.views.admin_common import form_data, sentence


@dataclass
class ImportJob:
    list_name: str
    total: int
    done_chars: int = 0
    finished: bool = False
    report: dict[str, Any] | None = None
    error: str = ""
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    finished_at: float = 0.0  # when its report (and rejected rows) were ready


log = logging.getLogger(__name__)

DNC_PAGE = 50
NO_PHONE = (
    "No column is a phone number: choose phone (or cell_phone, home_phone ...) for the"
    " column that holds the numbers, then Import."
)
JOBS = web.AppKey("admin_import_jobs", dict[str, ImportJob])


def _upload_dir(request: web.Request) -> Path:
    folder = request.app[SETTINGS].runtime_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


ABANDONED_AFTER = 24 * 3600  # s: an upload whose mapping was never imported


def forget_abandoned(folder: Path, now: float) -> int:
    """Delete uploads left at the mapping step for a day (their contacts' data is not kept
    longer than the import needs); how many went."""
    gone = 0
    for path in folder.glob("*.csv"):
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime > ABANDONED_AFTER:
                path.unlink()
                gone += 1
    return gone


def _upload_path(request: web.Request, token: str) -> Path:
    if not token.isalnum():
        raise web.HTTPNotFound()
    path = _upload_dir(request) / f"{token}.csv"
    if not path.exists():
        raise web.HTTPNotFound()
    return path


def contacts_page(
    request: web.Request, error: str = "", notice: str = "", dnc_report: Any = None
) -> web.Response:
    db = request.app[DB]
    text = request.query.get("dnc_offset", "")
    dnc_offset = parse_id(text) or 0  # newest first, a page at a time
    context = {
        "dnc_report": dnc_report,
        "lists": contact_store.all_lists(db),
        "dnc_count": dnc_store.count(db),
        "dnc": dnc_store.entries(db, limit=DNC_PAGE, offset=dnc_offset),
        "dnc_offset": dnc_offset,
        "dnc_page": DNC_PAGE,
        "error": error,
        "notice": notice,
    }
    return render(request, "admin/contacts.html", context, 400 if error else 200)


@access(Access.STAFF)
async def contacts(request: web.Request) -> web.StreamResponse:
    return contacts_page(request)


async def _save_upload(request: web.Request) -> tuple[str, str]:
    """Keep the uploaded file under the runtime folder; (token, list name)."""
    form = await request.post()  # already read (and bounded) by the CSRF check
    upload = form.get("file")
    list_name = str(form.get("list") or "").strip()
    if not isinstance(upload, web.FileField):
        raise CsvError("empty_file", "choose a CSV file to upload")
    if list_name:  # else named on the mapping page
        list_store.check_target(request.app[DB], list_name)  # e.g. a new name of digits only
    token = secrets.token_hex(8)
    folder = _upload_dir(request)
    forget_abandoned(folder, time.time())
    path = folder / f"{token}.csv"
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out)
    if path.stat().st_size == 0:
        path.unlink()
        raise CsvError("empty_file", "the file is empty")
    return token, list_name


@access(Access.STAFF)
async def upload(request: web.Request) -> web.StreamResponse:
    try:
        token, list_name = await _save_upload(request)
    except CsvError as exc:
        return contacts_page(request, error=str(exc))
    raise web.HTTPSeeOther(f"/admin/contacts/map/{token}?" + urlencode({"list": list_name}))


def _header(path: Path) -> list[str]:
    """The file's header, once it is known the file can be read to the end."""
    header = contact_import.read_header(path)
    check_header(header)  # a column named twice cannot be mapped by name: fix the file
    contact_import.check_quotes(path)  # refused now rather than after the mapping
    return header


def mapping_problem(header: list[str], mapping: dict[str, str]) -> tuple[str, list[str]]:
    """Why the importer would refuse ``mapping`` ("" if it would not), in the page's words
    (no CLI flags), and its notes (look-alike columns kept as extra)."""
    try:
        plan = ImportPlan.from_header(header, mapping)
    except CsvError as exc:
        if exc.code == "no_phone_column":
            return NO_PHONE, []
        return sentence(exc.message), []
    return "", plan.notes


@access(Access.STAFF)
async def mapping_page(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    path = _upload_path(request, token)
    try:
        header = await asyncio.get_running_loop().run_in_executor(None, _header, path)
    except CsvError as exc:
        path.unlink(missing_ok=True)  # refused: its contacts' data is not kept
        return contacts_page(request, error=str(exc))
    guesses = guess_mapping(header)  # what the importer does with no mapping given
    problem, notes = mapping_problem(header, {})
    columns = [{"name": h, "guess": guesses[h]} for h in header]
    context = {"token": token, "columns": columns, "targets": TARGETS, "error": problem,
               "list_name": request.query.get("list", ""),
               "notice": " ".join(sentence(n) for n in notes)}  # fmt: skip
    return render(request, "admin/contacts_map.html", context)


def _run_import(db: Any, path: Path, job: ImportJob, mapping: dict[str, str]) -> None:
    def progress(chars: int) -> None:
        job.done_chars += chars

    try:
        report = contact_import.import_csv(db, path, job.list_name, mapping, progress)
        job.report = report.as_dict()
        job.errors = [(e.line, e.code, e.reason) for e in report.errors]
    except CsvError as exc:
        job.error = str(exc)
    except Exception as exc:  # the store or a reader failed: the page must hear of it
        log.exception("contact import into %r failed", job.list_name)
        job.error = (
            f"the import stopped ({exc}). The contacts read before it are in the list; import"
            " the file again into the same list to add only what is missing"
        )
    finally:
        job.finished_at = time.time()
        job.finished = True
        path.unlink(missing_ok=True)


def forget_old_jobs(jobs: dict[str, ImportJob], now: float) -> None:
    """Forget imports finished more than :data:`ABANDONED_AFTER` ago (their report and
    rejected rows were downloadable for a day), so the table does not grow for ever."""
    for job_id, job in list(jobs.items()):
        if job.finished and now - job.finished_at > ABANDONED_AFTER:
            del jobs[job_id]


@access(Access.STAFF)
async def start_import(request: web.Request) -> web.StreamResponse:
    """``{"token", "list", "mapping": {column: field}}`` -> ``{"job": id}``."""
    body = await json_object(request)
    path = _upload_path(request, str(body.get("token", "")))
    given_list = body.get("list") or ""
    if not isinstance(given_list, str):  # true would import into a new list named "True"
        raise refuse_json("bad_list", "The list must be a name (text).")
    list_name = given_list.strip()
    if not list_name:
        return web.json_response({"error": "list_required", "message": "name the list"}, status=400)
    try:
        list_store.check_target(request.app[DB], list_name)
    except CsvError as exc:
        return web.json_response({"error": exc.code, "message": exc.message}, status=400)
    given = body.get("mapping") or {}
    if not isinstance(given, dict):
        raise refuse_json("bad_mapping", "The mapping must be an object of column: field.")
    mapping = {str(k): str(v) for k, v in given.items()}
    try:  # a mapping the importer refuses is told now; the upload stays for another try
        header = await asyncio.get_running_loop().run_in_executor(
            None, contact_import.read_header, path
        )
        problem = mapping_problem(header, mapping)[0]
    except CsvError as exc:
        problem = exc.message
    if problem:
        return web.json_response({"error": "bad_mapping", "message": problem}, status=400)
    job = ImportJob(list_name, max(1, path.stat().st_size))
    job_id = secrets.token_hex(8)
    forget_old_jobs(request.app[JOBS], time.time())
    request.app[JOBS][job_id] = job
    asyncio.get_running_loop().run_in_executor(
        None, _run_import, request.app[DB], path, job, mapping
    )
    return web.json_response({"job": job_id})


def _job(request: web.Request) -> ImportJob:
    job = request.app[JOBS].get(request.match_info["job"])
    if job is None:
        raise web.HTTPNotFound()
    return job


@access(Access.STAFF)
async def import_status(request: web.Request) -> web.StreamResponse:
    job = _job(request)
    percent = 100 if job.finished else min(99, round(100 * job.done_chars / job.total))
    return web.json_response({"finished": job.finished, "percent": percent, "report": job.report,
                              "summary": _summary(job.report), "error": job.error})  # fmt: skip


def _summary(report: dict[str, Any] | None) -> str:
    """The import result as the page shows it (the same counts as ``contacts import``, and
    the same note when a started bank uses the list)."""
    if report is None:
        return ""
    counts = (
        f"Imported {plural(report['imported'], 'contact')} ({plural(report['phones'], 'phone')})"
        f" into “{report['list_name']}”; {plural(report['duplicates'], 'duplicate')} merged;"
        f" {plural(len(report['errors']), 'row')} rejected."
    )
    notes = [contact_import.started_note(report.get("started_banks", []))]
    notes += [sentence(n) for n in report.get("notes", [])]
    return " ".join([counts, *filter(None, notes)])


@access(Access.STAFF)
async def rejects(request: web.Request) -> web.StreamResponse:
    """The rejected rows of an import as CSV (line, code, reason)."""
    job = _job(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "code", "reason"])
    writer.writerows(safe_row(row) for row in job.errors)  # reasons quote the file
    return web.Response(
        text=out.getvalue(), content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="rejected-rows.csv"'},
    )  # fmt: skip


@access(Access.STAFF)
async def dnc_add(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    try:
        e164, new = dnc_store.add(request.app[DB], form.get("number", ""), form.get("reason", ""))
    except PhoneError as exc:
        return contacts_page(request, error=f"Do Not Call: {exc}")
    return contacts_page(request, notice=dnc_notices.added(e164, new))


def setup(app: web.Application) -> None:
    app[JOBS] = {}
    app.router.add_get("/admin/contacts", contacts, name="admin_contacts")
    app.router.add_post("/admin/contacts/upload", upload)
    app.router.add_get("/admin/contacts/map/{token}", mapping_page)
    app.router.add_post("/api/admin/contacts/import", start_import)
    app.router.add_get("/api/admin/imports/{job}", import_status)
    app.router.add_get("/admin/imports/{job}/rejects.csv", rejects)
    app.router.add_post("/admin/contacts/dnc", dnc_add)
