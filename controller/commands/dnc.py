"""``phonebank dnc``: the Do Not Call list (numbers no bank ever dials)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app, plural
from controller.model import dnc_notices as notices
from controller.model.phones import PhoneError
from controller.store import dnc as store


@click.group("dnc")
def dnc() -> None:
    """Manage the Do Not Call list. Numbers on it are skipped by every phone bank."""


@dnc.command("add")
@click.argument("number")
@click.option("--reason", default="", help="Why (e.g. 'asked on call', 'lawyer letter').")
@json_option
@pass_app
def add(app: AppContext, number: str, reason: str, as_json: bool) -> None:
    """Add NUMBER (any usual US format, or +country...) to the list."""
    try:
        e164, new = store.add(app.db, number, reason)
    except PhoneError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"e164": e164, "added": new}, as_json, notices.added(e164, new))


@dnc.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", default="", help="Reason stored with each number whose row gives none.")
@click.option("--source", default="import", show_default=True, help="Where the list came from.")
@json_option
@pass_app
def import_(app: AppContext, file: Path, reason: str, source: str, as_json: bool) -> None:
    """Add the numbers in FILE: one per line, or a CSV with the number first on each row
    and, optionally, that number's reason second.

    Bad numbers are listed with their line and skipped; a number repeated in the file is
    added once. A file that is not UTF-8 text or has no number is refused.
    """
    try:
        report = store.import_file(app.db, file, reason, source)
    except PhoneError as exc:
        fail(exc.message, exc.code, as_json)
        return
    lines = [notices.imported(report.added, report.already, report.repeated)]
    lines += [f"  line {e['line']}: {e['reason']}" for e in report.errors]
    emit(asdict(report), as_json, "\n".join(lines))


@dnc.command("list")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1),
              help="How many numbers to show.")  # fmt: skip
@click.option("--offset", default=0, type=click.IntRange(0),
              help="Skip this many first (with --limit: one page after another).")  # fmt: skip
@json_option
@pass_app
def list_(app: AppContext, limit: int, offset: int, as_json: bool) -> None:
    """Show the numbers on the list, newest first (a page of --limit, from --offset)."""
    rows = store.entries(app.db, limit, offset)
    text = "\n".join(
        f"{r['e164']:<16} {r['created_at']}  {r['source']}  {r['reason']}".rstrip() for r in rows
    )
    total = store.count(app.db)
    if rows and (offset > 0 or offset + len(rows) < total):
        more = f"; --offset {offset + len(rows)} for the next" if offset + len(rows) < total else ""
        text += f"\n({offset + 1:,}-{offset + len(rows):,} of {plural(total, 'number')}{more})"
    elif not rows and total:
        text = f"No numbers from --offset {offset}: the list has {plural(total, 'number')}."
    emit(rows, as_json, text or "The Do Not Call list is empty.")


@dnc.command("remove")
@click.argument("number")
@json_option
@pass_app
def remove(app: AppContext, number: str, as_json: bool) -> None:
    """Take NUMBER off the list."""
    try:
        e164, found = store.remove(app.db, number)
    except PhoneError as exc:
        fail(exc.message, exc.code, as_json)
        return
    if not found:
        fail(notices.listed(e164, False), "not_on_dnc", as_json)
    emit({"e164": e164, "removed": True}, as_json, notices.removed(e164))


@dnc.command("check")
@click.argument("number")
@json_option
@pass_app
def check(app: AppContext, number: str, as_json: bool) -> None:
    """Say whether NUMBER is on the list."""
    try:
        e164, listed = store.lookup(app.db, number)
    except PhoneError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"e164": e164, "on_dnc": listed}, as_json, notices.listed(e164, listed))


COMMANDS = [dnc]
