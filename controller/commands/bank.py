"""``phonebank bank``: create, edit and run phone banks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from controller.commands import bank_run
from controller.commands.bank_run import clear_errors
from controller.commands.common import (
    AppContext,
    cli_actor,
    emit,
    json_option,
    pass_app,
    plural,
)
from controller.commands.export import export_options, write_export
from controller.commands.params import ID
from controller.model import banks as model
from controller.model.banks import Bank, BankError
from controller.store import banks as store
from controller.store import queue, results, start_progress
from controller.store import scripts as script_store
from controller.store.start_progress import StartProgress

NAMED = ("list_id", "script_id")  # settings --set may give by name as well as by id


def _changes(app: AppContext, options: dict[str, Any], sets: tuple[str, ...]) -> dict[str, Any]:
    """The settings to change: ``--set NAME=VALUE`` texts parsed by the setting's type
    (:func:`model.parse_setting_text`), then the named options; list and script by id or name."""
    changes: dict[str, Any] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep:
            raise BankError("set_format", f"--set {item!r}: use NAME=VALUE")
        key = name.strip().replace("-", "_")
        try:
            changes[key] = model.parse_setting_text(key, value)
        except model.SettingTypeError:
            if key not in NAMED:
                raise
            changes[key] = value.strip()  # a list or script by name: looked up below
    for name, value in options.items():
        if value is None or value == ():
            continue
        changes[name] = value
    if changes.get("caller_ids") is not None:  # the web form gives the text as typed
        numbers = changes["caller_ids"]
        if isinstance(numbers, str):
            numbers = model.parse_setting_text("caller_ids", numbers)
        model.check_caller_ids(numbers, app.settings.trunk.caller_ids)
    with app.db.read() as conn:
        if changes.get("list_id") is not None:
            changes["list_id"] = store.resolve_list(conn, changes["list_id"])
        if changes.get("script_id") is not None:
            found = script_store.get(conn, changes["script_id"])
            if found is None:
                raise BankError("unknown_script", f"there is no script {changes['script_id']!r}")
            changes["script_id"] = found.id
    return changes


def setting_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--title", help="Title volunteers see (needed to create a bank)."),
        click.option("--description", help="What the calls are about (needed to create a bank)."),
        click.option(
            "--list",
            "list_id",
            help="Contact list, id or name (needed to create a bank; frozen once started).",
        ),
        click.option("--script", "script_id", help="Call script (id or name)."),
        click.option(
            "--mode",
            "dialing_mode",
            type=click.Choice([m.value for m in model.DialingMode]),
            help="Dialing mode (a new bank: predictive).",
        ),
        click.option(
            "--hours",
            "calling_hours",
            help="Daily calling hours, contact's local time,"
            " within 08:00-21:00 (a new bank: 09:00-20:00).",
        ),
        click.option("--window-start", help="Campaign start, ISO date-time with offset."),
        click.option("--window-end", help="Campaign end (does not stop a running bank)."),
        click.option(
            "--caller-id",
            "caller_ids",
            multiple=True,
            help="Caller-ID in E.164 (repeatable: a pool, rotated).",
        ),
        click.option("--max-attempts", type=int, help="Tries per number (a new bank: 3)."),
        click.option(
            "--retry-delay",
            "retry_delay_min",
            type=int,
            help="Minutes between tries (a new bank: 30).",
        ),
        click.option(
            "--household",
            type=click.Choice([h.value for h in model.Household]),
            help="one_call: dial a shared number once; each_contact: once per person.",
        ),
        click.option("--abandon-cap", "abandon_cap_pct", type=float, help="Percent, max 3."),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="NAME=VALUE",
            help="Any other setting (repeatable), checked by its type: true/false (yes/no,"
            " on/off, 1/0), whole numbers, numbers, text, lists as JSON or comma-separated"
            " (--set preferred_area_codes=212,646), ISO date-times; NAME= clears a setting that"
            " may be empty. E.g. --set disclaimer='Paid for by ...'."
            f" Names: {', '.join(model.SETTING_NAMES)} (amd: with `bank edit`, once saved).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group("bank")
def bank() -> None:
    """Phone banks: settings, publishing, and running them.

    Lifecycle: draft -> published (public, or private to user lists) -> running ->
    paused (resumable) -> stopped (final).
    """


def _show(b: Bank) -> str:
    s = b.settings
    return (
        f"Bank {b.id}: {s.title} [{b.state.value}]"
        + (f" ({b.visibility})" if b.visibility else "")
        + f"\n  list {s.list_id}, script {s.script_id}, {s.dialing_mode.value} dialing,"
        f" hours {s.calling_hours}, AMD {'on' if s.amd else 'off'}"
        f"\n  {s.max_attempts} tries, {s.retry_delay_min} min apart,"
        f" abandon cap {s.abandon_cap_pct}%, households: {s.household.value}"
        + (f"\n  {_scheduled(b)}" if b.scheduled_start else "")
    )


def _scheduled(b: Bank) -> str:
    at = b.scheduled_start
    return f"scheduled to start at {model.when_text(at)}" if at else ""


@bank.command("create")
@setting_options
@json_option
@pass_app
def create(app: AppContext, sets: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Create a draft bank. Title, description and list are required.

    Answering machine detection starts on; change it with `bank edit` once saved.
    """
    with clear_errors(as_json):
        changes = _changes(app, options, sets)
        with app.db.write() as conn:
            b = store.create(conn, changes, cli_actor())
        emit(store.to_dict(b), as_json, _show(b))


@bank.command("edit")
@click.argument("bank_id", type=ID)
@setting_options
@click.option("--amd/--no-amd", default=None, help="Answering machine detection.")
@json_option
@pass_app
def edit(
    app: AppContext, bank_id: int, sets: tuple[str, ...], amd: bool | None, as_json: bool,
    **options: Any,
) -> None:  # fmt: skip
    """Change settings of BANK_ID (any state but stopped)."""
    with clear_errors(as_json):
        changes = _changes(app, {**options, "amd": amd}, sets)
        with app.db.write() as conn:
            b = store.edit(conn, bank_id, changes)
        emit(store.to_dict(b), as_json, _show(b))


@bank.command("show")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def show(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Show every setting of BANK_ID."""
    with clear_errors(as_json), app.db.read() as conn:
        b = store.get(conn, bank_id)
        starting = start_progress.read(conn, app.db.path, b)
        text = (
            _show(b)
            + _start_line(starting)
            + "\n"
            + "\n".join(f"  {k}: {v}" for k, v in model.settings_to_dict(b.settings).items())
        )
        emit({**store.to_dict(b), **_start_of(starting)}, as_json, text)


def _start_of(starting: StartProgress | None) -> dict[str, Any]:
    """``start``: a start in progress or interrupted (state, queued, total, message)."""
    return {"start": starting.to_dict() if starting else None}


def _start_line(starting: StartProgress | None) -> str:
    return f"\n  {starting.message}" if starting else ""


@bank.command("list")
@click.option("--state", type=click.Choice([s.value for s in model.State]),
              help="Only banks in this state.")  # fmt: skip
@json_option
@pass_app
def list_(app: AppContext, state: str | None, as_json: bool) -> None:
    """List banks (optionally only those in one state)."""
    with app.db.read() as conn:
        found = store.list_all(conn, state)
        starts = start_progress.read_all(conn, app.db.path, found)
    data = [{**store.to_dict(b), **_start_of(starts.get(b.id or 0))} for b in found]
    text = "\n".join(
        f"{b.id}\t{b.state.value}\t{b.settings.title}"
        + (f"\t{starts[b.id].message}" if b.id in starts else "")
        + (f"\t{_scheduled(b)}" if b.scheduled_start else "")
        for b in found
    )
    emit(data, as_json, text or "No banks.")


@bank.command("status")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def status(app: AppContext, bank_id: int, as_json: bool) -> None:
    """State, queue, calls, outcomes and volunteer engagement of BANK_ID."""
    with clear_errors(as_json), app.db.read() as conn:
        b = store.get(conn, bank_id)
        starting = start_progress.read(conn, app.db.path, b)
        data: dict[str, Any] = {
            "bank": store.to_dict(b),
            "queue": queue.counts(conn, bank_id),
            "calls": results.call_figures(conn, bank_id),
            "outcomes": results.outcome_counts(conn, bank_id),
            "engagement": results.engagement(conn, bank_id),
            "history": store.history(conn, bank_id),
            **_start_of(starting),
        }
    c = data["calls"]
    text = (
        f"{_show(b)}{_start_line(starting)}\n  queue: {_queue_text(b, data['queue'])}"
        f"\n  calls: {c['attempts']} attempts, {c['answered']} answered ({c['people']} by a"
        f" person), abandon rate {c['abandon_rate_pct']}% (last 30 days)\n  outcomes: "
        + (", ".join(f"{k} {v}" for k, v in data["outcomes"].items()) or "none yet")
        + f"\n  engagement: {_engagement_text(data['engagement'])}"
    )
    emit(data, as_json, text)


def left_undialed(q: dict[str, int]) -> int:
    """A stopped bank's entries that will never be dialed: ready, claimed or mid-dial."""
    return q["ready"] + q["claimed"] + q["dialing"]


def _queue_text(b: Bank, q: dict[str, int]) -> str:
    """``5 ready (2 waiting), 1 dialing, 3 done``; a stopped bank dials nothing more."""
    if b.state is model.State.STOPPED:
        return f"{left_undialed(q)} left undialed (the bank is stopped), {q['done']} done"
    return f"{q['ready']} ready ({q['waiting']} waiting), {q['dialing']} dialing, {q['done']} done"


def _engagement_text(engagement: dict[str, dict[str, int]]) -> str:
    """``sent 3 (2 volunteers), seen 1 (1 volunteer), started 0, ...``: times, and by whom."""
    parts = []
    for event, n in engagement.items():
        who = f" ({plural(n['volunteers'], 'volunteer')})" if n["events"] else ""
        parts.append(f"{event} {n['events']}{who}")
    return ", ".join(parts)


@bank.command("export")
@click.argument("bank_id", type=ID)
@export_options
@pass_app
def export(app: AppContext, bank_id: int, kind: str, output: str | None, as_json: bool) -> None:
    """Export BANK_ID's results as CSV (same as `phonebank export KIND BANK_ID`)."""
    write_export(app, bank_id, kind, output, as_json)


for _command in bank_run.LIFECYCLE:
    bank.add_command(_command)

COMMANDS = [bank]
