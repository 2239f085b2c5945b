"""``phonebank sync``: CRM sync to NGP VAN (and the signed webhook) through the outbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app
from controller.store import outbox
from controller.store.sync_settings import (
    SyncConfigError,
    delete_instruction,
    get_van_settings,
    get_webhook_settings,
    list_instructions,
    save_van_settings,
    save_webhook_settings,
    set_instruction,
)
from controller.sync.errors import SyncError
from controller.sync.export import write_bulk_csv
from controller.sync.service import build_workers, run_workers
from controller.sync.van import check_credentials


@click.group("sync")
def sync() -> None:
    """Sync call attempts and outcomes to NGP VAN and the outcome webhook.

    Every attempt and outcome is written to a durable outbox in the same transaction that
    records it; the sync workers (started by `phonebank run`, or `phonebank sync run`)
    send the rows, retrying temporary errors. See docs/crm-sync.md.
    """


@sync.command("status")
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show the VAN and webhook settings (never the API key) and the outbox counts."""
    with app.db.read() as conn:
        data: dict[str, Any] = {
            "van": get_van_settings(conn).public(),
            "webhook": {"url": get_webhook_settings(conn).url or "(off)"},
            "outbox": outbox.status_counts(conn),
            "failed": [
                {"id": r.id, "target": r.target, "code": r.error_code, "error": r.error_text}
                for r in outbox.list_rows(conn, status="failed", limit=10)
            ],
        }
    lines = [f"VAN: {data['van']['application_name'] or '(not configured)'}"]
    lines.append(f"  API key {data['van']['api_key']}, mode {data['van']['mode_name']}")
    lines.append(f"  {data['van']['base_url']}")
    lines.append(f"Webhook: {data['webhook']['url']}")
    for target, counts in data["outbox"].items():
        listing = ", ".join(f"{k} {v}" for k, v in counts.items())
        lines.append(f"Outbox {target}: {listing}")
    lines += [
        f"  failed #{f['id']} ({f['target']}) {f['code']}: {f['error']}" for f in data["failed"]
    ]
    emit(data, as_json, "\n".join(lines))


@sync.command("configure")
@click.option("--app-name", help="VAN API application name (the user name of the API key).")
@click.option("--api-key-stdin", is_flag=True, help="Read the VAN API key from standard input.")
@click.option("--api-key-env", metavar="VAR", help="Read the VAN API key from this variable.")
@click.option("--mode", type=click.IntRange(0, 1), help="0 = VoterFile, 1 = MyCampaign.")
@click.option("--base-url", help="VAN API base URL (default https://api.securevan.com/v4).")
@click.option("--webhook-url", help="URL receiving a signed POST per outcome ('' = off).")
@json_option
@pass_app
def configure(app: AppContext, as_json: bool, **opts: Any) -> None:
    """Store the VAN connection and webhook settings. The key is never printed."""
    api_key = None
    if opts["api_key_stdin"]:
        api_key = sys.stdin.readline().strip()
    elif opts["api_key_env"]:
        api_key = os.environ.get(opts["api_key_env"], "")
    try:
        with app.db.write() as conn:
            van = save_van_settings(
                conn,
                application_name=opts["app_name"],
                api_key=api_key,
                mode=opts["mode"],
                base_url=opts["base_url"],
            )
            if opts["webhook_url"] is not None:
                save_webhook_settings(conn, opts["webhook_url"])
            hook = get_webhook_settings(conn)
    except SyncConfigError as exc:
        fail(str(exc), exc.code, as_json)
        return
    data = {"van": van.public(), "webhook": {"url": hook.url or "(off)"}}
    emit(
        data, as_json, f"Saved. VAN key {data['van']['api_key']}; webhook {data['webhook']['url']}"
    )


@sync.command("test")
@click.option("--timeout", default=15.0, show_default=True, help="Seconds to wait for VAN.")
@json_option
@pass_app
def test(app: AppContext, timeout: float, as_json: bool) -> None:
    """Check the VAN credentials (echo) and list VAN's result codes."""
    with app.db.read() as conn:
        van = get_van_settings(conn)
    try:
        report = asyncio.run(check_credentials(van, timeout=timeout))
    except SyncError as exc:
        fail(f"VAN check failed: {exc.code}: {exc.text}", exc.code, as_json)
        return
    counts = report["lookups"]
    text = (
        f"VAN accepted the credentials ({van.public()['mode_name']}). "
        f"{counts['resultCodes']} result codes, {counts['contactTypes']} contact types, "
        f"{counts['inputTypes']} input types."
    )
    emit({"ok": True, **report}, as_json, text)


@sync.command("retry")
@click.option("--id", "ids", type=int, multiple=True, help="Outbox row id (repeatable).")
@click.option("--target", type=click.Choice(outbox.TARGETS), help="Only this target.")
@json_option
@pass_app
def retry(app: AppContext, ids: tuple[int, ...], target: str | None, as_json: bool) -> None:
    """Put failed rows back in line (all failed rows unless --id is given)."""
    with app.db.write() as conn:
        count = outbox.retry(conn, ids=list(ids) if ids else None, target=target)
    emit({"requeued": count}, as_json, f"{count} row(s) queued again.")


@sync.command("list")
@click.option("--status", type=click.Choice(outbox.STATUSES), help="Only rows in this state.")
@click.option("--target", type=click.Choice(outbox.TARGETS), help="Only this target.")
@click.option("--limit", default=50, show_default=True)
@json_option
@pass_app
def list_(
    app: AppContext, status: str | None, target: str | None, limit: int, as_json: bool
) -> None:
    """List outbox rows with their state and last error."""
    with app.db.read() as conn:
        rows = outbox.list_rows(conn, target=target, status=status, limit=limit)
    text = "\n".join(
        f"#{r.id} {r.target} {r.status} tries={r.attempts}"
        f"{' in-doubt' if r.in_doubt else ''} {r.source_kind}:{r.source_id}"
        f"{f' [{r.error_code}] {r.error_text}' if r.error_code else ''}"
        for r in rows
    )
    emit([r.as_dict() for r in rows], as_json, text or "No rows.")


@sync.command("run")
@click.option("--until-idle", is_flag=True, help="Stop once nothing is pending.")
@click.option("--timeout", default=30.0, show_default=True, help="HTTP timeout, seconds.")
@click.option("--lease-seconds", type=float, help="Claim lease (default 4 x timeout + 10).")
@pass_app
def run(app: AppContext, until_idle: bool, timeout: float, lease_seconds: float | None) -> None:
    """Run the sync workers in the foreground (SIGTERM or Ctrl-C stops them)."""
    workers = build_workers(app.settings, app.db, timeout=timeout, lease_seconds=lease_seconds)
    if not workers:
        fail("nothing to sync to: configure VAN or a webhook first", "not_configured")
    asyncio.run(_run(workers, until_idle))


async def _run(workers: list[Any], until_idle: bool) -> None:
    if until_idle:
        for worker in workers:
            await worker.run_until_idle()
            await worker.close()
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_workers(workers, stop)


@sync.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--status",
    "statuses",
    type=click.Choice(outbox.STATUSES),
    multiple=True,
    help="Only rows in these states (repeatable; default all).",
)
@json_option
@pass_app
def export(app: AppContext, path: Path, statuses: tuple[str, ...], as_json: bool) -> None:
    """Write canvass results as a CSV for VAN's bulk upload."""
    with app.db.read() as conn:
        rows = [
            r
            for r in outbox.list_rows(conn, target="van", limit=10_000_000)
            if not statuses or r.status in statuses
        ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        count = write_bulk_csv(rows, fh)
    emit({"path": str(path), "rows": count}, as_json, f"Wrote {count} row(s) to {path}.")


@sync.command("instructions")
@json_option
@pass_app
def instructions(app: AppContext, as_json: bool) -> None:
    """List the sync instructions: what each field value records in VAN."""
    with app.db.read() as conn:
        items = list_instructions(conn)
    lines = [f"{i.field_name} = {i.value}: {_describe(i.as_dict())}" for i in items]
    emit([i.as_dict() for i in items], as_json, "\n".join(lines) or "No instructions.")


def _describe(i: dict[str, Any]) -> str:
    what = {
        "result_code": f"result code {i['result_code']!r}",
        "survey_response": f"survey question {i['survey_question_id']}"
        f" -> response {i['survey_response_id']}",
        "activist_code": f"activist code {i['activist_code_id']} ({i['activist_action']})",
    }[i["van_kind"]]
    off = "" if i["enabled"] else " [disabled]"
    return f"{what}, contact type {i['contact_type']!r}, input type {i['input_type']!r}{off}"


@sync.command("map")
@click.argument("field")
@click.argument("value")
@click.option("--result-code", help="VAN result code name (e.g. 'Not Home').")
@click.option("--survey-question", "survey_question_id", type=int, help="Survey question id.")
@click.option("--survey-response", "survey_response_id", type=int, help="Survey response id.")
@click.option("--activist-code", "activist_code_id", type=int, help="Activist code id.")
@click.option("--remove", is_flag=True, help="Remove the activist code instead of applying.")
@click.option("--contact-type", default="Phone", show_default=True, help="VAN contact type.")
@click.option("--input-type", default="API", show_default=True, help="VAN input type.")
@click.option("--disable", is_flag=True, help="Keep the instruction but send nothing.")
@json_option
@pass_app
def map_value(app: AppContext, field: str, value: str, as_json: bool, **opts: Any) -> None:
    """Set what FIELD = VALUE records in VAN (VALUE '*' matches any value).

    Give exactly one of --result-code, --survey-question with --survey-response, or
    --activist-code. Example: phonebank sync map "Call Outcome" Busy --result-code "Not Home"
    """
    kinds = {
        "result_code": opts["result_code"],
        "survey_response": opts["survey_question_id"] or opts["survey_response_id"],
        "activist_code": opts["activist_code_id"],
    }
    chosen = [k for k, v in kinds.items() if v]
    if len(chosen) != 1:
        fail(
            "give exactly one of --result-code, --survey-question/--survey-response, "
            "--activist-code",
            "one_van_type",
            as_json,
        )
        return
    spec = {
        k: opts[k]
        for k in (
            "result_code",
            "survey_question_id",
            "survey_response_id",
            "activist_code_id",
            "contact_type",
            "input_type",
        )
    }
    spec["activist_action"] = "Remove" if opts["remove"] else "Apply"
    spec["enabled"] = not opts["disable"]
    try:
        with app.db.write() as conn:
            item = set_instruction(conn, field, value, chosen[0], **spec)
    except SyncConfigError as exc:
        fail(str(exc), exc.code, as_json)
        return
    emit(item.as_dict(), as_json, f"{item.field_name} = {item.value}: {_describe(item.as_dict())}")


@sync.command("unmap")
@click.argument("field")
@click.argument("value")
@json_option
@pass_app
def unmap_value(app: AppContext, field: str, value: str, as_json: bool) -> None:
    """Delete the instruction for FIELD = VALUE (that value is then not synced)."""
    try:
        with app.db.write() as conn:
            removed = delete_instruction(conn, field, value)
    except SyncConfigError as exc:
        fail(str(exc), exc.code, as_json)
        return
    if not removed:
        fail(f"no instruction for {field} = {value}", "no_instruction", as_json)
    emit({"removed": True}, as_json, f"Removed the instruction for {field} = {value}.")


COMMANDS = [sync]
