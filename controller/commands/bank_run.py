"""``phonebank bank publish/start/pause/resume/stop/delete``: moving a bank through its life.

Each step is one domain rule applied in one write (``store.update``), except ``start``,
which builds the dialing queue in steps (``queue_build_steps.start_in_steps``) so a running
appliance goes on meanwhile. Domain refusals become a clear message and exit 1, with nothing
written (:func:`clear_errors`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click

from controller.commands.common import (
    AppContext,
    cli_actor,
    emit,
    fail,
    json_option,
    not_dialing_note,
    pass_app,
    plural,
)
from controller.commands.params import ID
from controller.model import banks as model
from controller.model.banks import Bank, BankError, SettingTypeError
from controller.model.scripts import ScriptError
from controller.store import banks as store
from controller.store import lists, queue
from controller.store import queue_build_steps as steps
from controller.store.queue_build_steps import start_in_steps
from controller.store.results import ResultsError
from controller.store.start_progress import queue_unit


@contextmanager
def clear_errors(as_json: bool) -> Iterator[None]:
    """Turn domain errors into a clear message and exit 1 (nothing was written).

    A setting value of the wrong type also names, under ``--json``, the ``setting`` and the
    ``expected`` type (``{"error": "setting_type", "setting": "max_attempts", ...}``).
    """
    try:
        yield
    except SettingTypeError as exc:
        if as_json:
            about = {"setting": exc.setting, "expected": exc.expected}
            click.echo(json.dumps({"error": exc.code, "message": exc.message, **about}), err=True)
            sys.exit(1)
        fail(exc.message, exc.code)
    except (BankError, ScriptError, ResultsError) as exc:
        fail(str(exc), getattr(exc, "code", "error"), as_json)


@click.command("publish")
@click.argument("bank_id", type=ID)
@click.option(
    "--private",
    "user_lists",
    multiple=True,
    type=ID,
    metavar="USER_LIST_ID",
    help="Only members of these user lists see it (repeatable; `phonebank users lists` shows"
    " their ids); default public. On a bank already published: its new lists.",
)
@click.option(
    "--public",
    "public",
    is_flag=True,
    help="Every volunteer sees it, for good (a public bank never becomes private again)."
    " Needed to make a published private bank public.",
)
@json_option
@pass_app
def publish(
    app: AppContext, bank_id: int, user_lists: tuple[int, ...], public: bool, as_json: bool
) -> None:
    """Publish BANK_ID so volunteers can see it (public unless --private).

    On a bank already published (or running, or paused) it changes who sees it, and only
    when asked: --private with its new user lists, or --public (final). A plain
    `bank publish` of such a bank is refused (already_published) and changes nothing.
    """
    if public and user_lists:
        fail("give --public or --private, not both", "public_or_private", as_json)
    ids = tuple(dict.fromkeys(user_lists))  # a list given twice counts once
    visibility = "private" if ids else "public"
    asked = public or bool(ids)
    _step(app, bank_id, lambda b: _publish(b, visibility, ids, asked), as_json, _published)


def _publish(bank: Bank, visibility: str, ids: tuple[int, ...], asked: bool) -> Bank:
    """``model.publish``; a bank already published changes who sees it only when asked."""
    seen = model.is_published(bank)
    if seen and bank.visibility == "public" and visibility == "public":
        raise BankError(
            "already_published",
            f"bank {bank.id} is already published and public: every volunteer sees it, and a"
            " public bank never becomes private again",
        )
    if seen and not asked:
        raise BankError(
            "already_published",
            f"bank {bank.id} is already published ({_who(bank)}); to change who sees it, give"
            f" its user lists (`bank publish {bank.id} --private USER_LIST_ID ...`) or make it"
            f" public for good (`bank publish {bank.id} --public`)",
        )
    return model.publish(bank, visibility, ids)


def _who(bank: Bank) -> str:
    """``public: every volunteer sees it`` / ``private to user lists 1 and 3``."""
    if bank.visibility == "public":
        return "public: every volunteer sees it"
    ids = [str(i) for i in bank.user_list_ids]
    many = len(ids) > 1
    names = ", ".join(ids[:-1]) + " and " + ids[-1] if many else "".join(ids)
    return f"private to user list{'s' if many else ''} {names}"


def _published(before: Bank, after: Bank) -> str:
    """What a publish did: the bank's state, who sees it now, and that public is final."""
    final = " A public bank never becomes private again." if after.visibility == "public" else ""
    if before.state is model.State.DRAFT:
        return f"Bank {after.id} is now published ({_who(after)}).{final}"
    if before.visibility == "private" and after.visibility == "public":
        final = " This is final: it can never become private again."
        return (
            f"Bank {after.id} ({after.state.value}) is now public: every volunteer sees it.{final}"
        )
    return f"Bank {after.id} ({after.state.value}) is now {_who(after)}."


def _step(
    app: AppContext,
    bank_id: int,
    step: Callable[[Bank], Bank],
    as_json: bool,
    said: Callable[[Bank, Bank], str] | None = None,
) -> None:
    """Apply ``step`` and print the bank (``said(before, after)`` or its new state)."""
    with clear_errors(as_json):
        with app.db.write() as conn:
            before = store.get(conn, bank_id)
            b = store.update(conn, bank_id, step, cli_actor())
        text = said(before, b) if said else f"Bank {b.id} is now {b.state.value}."
        emit(store.to_dict(b), as_json, text)


def _will_start(before: Bank, after: Bank) -> str:
    at = after.scheduled_start
    if at is None:
        return f"Bank {after.id} is now {after.state.value}."
    return f"Bank {after.id} will start at {model.when_text(at)}."


@click.command("start")
@click.argument("bank_id", type=ID)
@click.option("--at", "at", help="Schedule the start instead (ISO date-time with offset).")
@json_option
@pass_app
def start(app: AppContext, bank_id: int, at: str | None, as_json: bool) -> None:
    """Start BANK_ID now (inside its campaign window) or schedule it with --at.

    --at takes a future time inside the campaign window, e.g. 2026-12-03T09:00:00-05:00
    (start_in_past otherwise); the dialer starts the bank then. `bank unschedule` cancels it.

    The first start freezes the contact list and builds the dialing queue (in short
    transactions, so a running appliance goes on meanwhile); a second start meanwhile is
    refused (already_starting), and `bank status` shows how far the queue has got.
    A bank of made-up (demo) contacts is refused (made_up_numbers) while the simulated
    carrier is off: a real trunk would call them.
    """
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
            if when.tzinfo is None:
                raise ValueError("no offset")
        except ValueError:
            fail(f"--at {at!r}: use an ISO date-time with offset", "at_format", as_json)
            return
        now = datetime.now(UTC)
        _step(app, bank_id, lambda b: model.schedule(b, when, now), as_json, _will_start)
        return
    _start_now(app, bank_id, as_json)


def _start_now(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Start BANK_ID now, building its queue in steps (told on stderr when it takes more
    than one), and say how many numbers (or calls) are queued."""
    with clear_errors(as_json):
        with app.db.read() as conn:
            unit = queue_unit(store.get(conn, bank_id).settings.household)
            lists.check_dialable(conn, bank_id, app.settings.simulated_network)

        def told(total: int) -> None:
            if not as_json:
                click.echo(
                    f"Starting: building the queue of {plural(total, unit[:-1], unit)}...", err=True
                )

        now = datetime.now(UTC)
        b = start_in_steps(app.db, bank_id, now, cli_actor(), steps.STEP, wait=False, on_steps=told)
        with app.db.read() as conn:
            counts = queue.counts(conn, bank_id)
        data = {**store.to_dict(b), "queue": counts}
        unit = queue_unit(b.settings.household)
        queued = plural(counts["ready"], unit[:-1], unit)  # "1 number", "2 calls"
        note = not_dialing_note(app)
        data["appliance_running"] = not note
        emit(data, as_json, f"Bank {b.id} is running; {queued} queued.{note}")


@click.command("unschedule")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def unschedule(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Cancel the scheduled start of BANK_ID (set by `bank start --at`); it stays published."""
    _step(app, bank_id, model.unschedule, as_json, _no_longer)


def _no_longer(before: Bank, after: Bank) -> str:
    at = before.scheduled_start
    was = f" (it was to start at {model.when_text(at)})" if at else ""
    return f"Bank {after.id} will no longer start by itself{was}."


@click.command("pause")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def pause(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Pause (archive) a running BANK_ID; `resume` continues it."""
    _step(app, bank_id, model.pause, as_json)


@click.command("resume")
@click.argument("bank_id", type=ID)
@json_option
@pass_app
def resume(app: AppContext, bank_id: int, as_json: bool) -> None:
    """Resume a paused BANK_ID (refused, made_up_numbers, for a bank of made-up demo
    contacts while the simulated carrier is off)."""
    with clear_errors(as_json), app.db.read() as conn:
        lists.check_dialable(conn, bank_id, app.settings.simulated_network)
    _step(app, bank_id, model.resume, as_json)


@click.command("stop")
@click.argument("bank_id", type=ID)
@click.option("--yes", is_flag=True, help="Confirm: a stopped bank never restarts.")
@json_option
@pass_app
def stop(app: AppContext, bank_id: int, yes: bool, as_json: bool) -> None:
    """Stop BANK_ID for good (needs --yes)."""
    if not yes:
        fail("stopping is final; add --yes to confirm", "confirm_required", as_json)
    _step(app, bank_id, model.stop, as_json)


@click.command("delete")
@click.argument("bank_id", type=ID)
@click.option("--yes", is_flag=True, help="Confirm: the bank's settings are gone for good.")
@json_option
@pass_app
def delete(app: AppContext, bank_id: int, yes: bool, as_json: bool) -> None:
    """Delete BANK_ID, a bank that never started (a draft, or published and not started;
    needs --yes). Its contact list and script stay. A bank that has started keeps its calls
    and results for good: stop it instead."""
    if not yes:
        fail("deleting a bank is final; add --yes to confirm", "confirm_required", as_json)
    with clear_errors(as_json):
        gone = store.delete(app.db, bank_id)
    emit({"id": bank_id, "deleted": True}, as_json,
         f"Bank {bank_id} ({gone.settings.title}) deleted.")  # fmt: skip


LIFECYCLE = [publish, start, unschedule, pause, resume, stop, delete]  # on the bank group
