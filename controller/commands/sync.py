"""``phonebank sync``: CRM sync to NGP VAN (and the signed webhook) through the outbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from controller.commands.common import (
    AppContext,
    emit,
    fail,
    json_option,
    pass_app,
    write_file,
)
from controller.commands.params import ID
from controller.commands.sync_map import MAP_COMMANDS
from controller.store import outbox
from controller.store.sync_settings import (
    SyncConfigError,
    get_van_settings,
    get_webhook_settings,
    save_van_settings,
    save_webhook_settings,
)
from controller.sync.errors import SyncError
from controller.sync.export import write_bulk_csv
from controller.sync.service import build_workers, run_workers
from controller.sync.van import check_credentials, describe_lookups
from controller.sync.worker import OutboxWorker

IN_DOUBT = "in_doubt"


SECONDS = click.FloatRange(min=0, min_open=True)  # 0 would mean "wait for ever"


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
    api_key = _read_api_key(opts["api_key_stdin"], opts["api_key_env"], as_json)
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


def _read_api_key(from_stdin: bool, env_var: str | None, as_json: bool) -> str | None:
    """The key from standard input or the variable (None when neither is asked for)."""
    if from_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            fail("no API key on standard input: type or pipe the key", "empty_api_key", as_json)
        return key
    if not env_var:
        return None
    if env_var not in os.environ:
        message = f"the variable {env_var} is not set: export it with the API key first"
        fail(message, "api_key_env_unset", as_json)
    key = os.environ[env_var].strip()
    if not key:
        fail(
            f"the variable {env_var} is empty: it should hold the API key", "empty_api_key", as_json
        )
    return key


@sync.command("test")
@click.option("--timeout", default=15.0, show_default=True, type=SECONDS,
              help="Seconds to wait for VAN.")  # fmt: skip
@json_option
@pass_app
def test(app: AppContext, timeout: float, as_json: bool) -> None:
    """Check the VAN credentials (echo) and list VAN's result codes, contact types and input
    types (the names `sync map` may use)."""
    with app.db.read() as conn:
        van = get_van_settings(conn)
    try:
        report = asyncio.run(check_credentials(van, timeout=timeout))
    except SyncError as exc:
        fail(f"VAN check failed: {exc.code}: {exc.text}", exc.code, as_json)
        return
    lines = [
        f"VAN accepted the credentials ({van.public()['mode_name']}).",
        *describe_lookups(report),
    ]
    emit({"ok": True, **report}, as_json, "\n".join(lines))


@sync.command("retry")
@click.option("--id", "ids", type=ID, multiple=True, help="Outbox row id (repeatable).")
@click.option("--target", type=click.Choice(outbox.TARGETS), help="Only this target.")
@json_option
@pass_app
def retry(app: AppContext, ids: tuple[int, ...], target: str | None, as_json: bool) -> None:
    """Put failed rows back in line (all failed rows unless --id is given)."""
    with app.db.write() as conn:
        count = outbox.retry(conn, ids=list(ids) if ids else None, target=target)
    emit({"requeued": count}, as_json, f"{count} row(s) queued again.")


@sync.command("list")
@click.option(
    "--status",
    type=click.Choice((*outbox.STATUSES, IN_DOUBT)),
    help="Only rows in this state (in_doubt: the rows that may have reached VAN twice).",
)
@click.option("--target", type=click.Choice(outbox.TARGETS), help="Only this target.")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1, 100_000),
    help="At most this many rows (1 to 100,000).",
)  # fmt: skip
@json_option
@pass_app
def list_(
    app: AppContext, status: str | None, target: str | None, limit: int, as_json: bool
) -> None:
    """List outbox rows with their state and last error."""
    with app.db.read() as conn:
        rows = outbox.list_rows(
            conn,
            target=target,
            status=None if status == IN_DOUBT else status,
            limit=limit,
            in_doubt=status == IN_DOUBT,
        )
    text = "\n".join(
        f"#{r.id} {r.target} {r.status} tries={r.attempts}"
        f"{' in-doubt' if r.in_doubt else ''} {r.source_kind}:{r.source_id}"
        f"{f' [{r.error_code}] {r.error_text}' if r.error_code else ''}"
        for r in rows
    )
    emit([r.as_dict() for r in rows], as_json, text or "No rows.")


@sync.command("run")
@click.option("--until-idle", is_flag=True, help="Stop once nothing is pending.")
@click.option("--timeout", default=30.0, show_default=True, type=SECONDS,
              help="HTTP timeout, seconds.")  # fmt: skip
@click.option("--lease-seconds", type=SECONDS,
              help="Claim lease (default 4 x timeout + 10; at least the timeout).")  # fmt: skip
@json_option
@pass_app
def run(
    app: AppContext, until_idle: bool, timeout: float, lease_seconds: float | None, as_json: bool
) -> None:
    """Run the sync workers in the foreground (SIGTERM or Ctrl-C stops them), then say
    what was sent."""
    if lease_seconds is not None and lease_seconds < timeout:
        message = f"--lease-seconds ({lease_seconds:g}) must be at least --timeout ({timeout:g}):"
        message += " a row still being sent would be taken over and posted twice"
        fail(message, "bad_lease", as_json)
    workers = build_workers(app.settings, app.db, timeout=timeout, lease_seconds=lease_seconds)
    if not workers:
        fail("nothing to sync to: configure VAN or a webhook first", "not_configured", as_json)
    asyncio.run(_run(workers, until_idle))
    summary = {w.target: _stats(w) for w in workers}
    with app.db.read() as conn:
        counts = outbox.status_counts(conn)
    emit({"workers": summary, "outbox": counts}, as_json, _run_text(summary, counts))


def _stats(worker: OutboxWorker) -> dict[str, Any]:
    s = worker.stats
    return {"sent": s.sent, "retried": s.retried, "failed": s.failed, "last_error": s.last_error}


def _run_text(summary: dict[str, dict[str, Any]], counts: dict[str, dict[str, int]]) -> str:
    names = {"van": "NGP VAN", "webhook": "Webhook"}
    if not any(s["sent"] or s["retried"] or s["failed"] for s in summary.values()):
        waiting = {t: counts[t]["pending"] for t in summary if counts[t]["pending"]}
        later = "; ".join(f"{names[t]}: {n} row(s) wait for a retry" for t, n in waiting.items())
        return f"Nothing was sent. {later}" if later else "Nothing was waiting to be sent."
    lines = []
    for target, s in summary.items():
        line = f"{names[target]}: sent {s['sent']}, failed {s['failed']}, retries {s['retried']}"
        if s["last_error"]:
            line += f" (last error: {s['last_error']})"
        lines.append(line)
    return "\n".join(lines)


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
    help="Only rows in these states (repeatable; default all but skipped: rows VAN must not"
    " get, such as a Canvassed a survey answer already implies).",
)
@json_option
@pass_app
def export(app: AppContext, path: Path, statuses: tuple[str, ...], as_json: bool) -> None:
    """Write canvass results as a CSV for VAN's bulk upload."""
    with app.db.read() as conn:
        rows = [
            r
            for r in outbox.list_rows(conn, target="van", limit=10_000_000)
            if r.status in statuses or (not statuses and r.status != "skipped")
        ]
    count = write_file(path, lambda fh: write_bulk_csv(rows, fh), as_json)
    emit({"path": str(path), "rows": count}, as_json, f"Wrote {count} row(s) to {path}.")


for _command in MAP_COMMANDS:
    sync.add_command(_command)

COMMANDS = [sync]
