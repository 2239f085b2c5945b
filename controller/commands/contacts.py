"""``phonebank contacts`` and ``phonebank lists``: import contact CSVs, browse contacts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app, plural
from controller.commands.params import ID
from controller.model.csv_import import TARGETS, CsvError, parse_mapping
from controller.store import contacts as store
from controller.store import lists as list_store

SHOW_ERRORS = 25
PROGRESS_MIN_BYTES = 2_000_000


@click.group("contacts")
def contacts() -> None:
    """Import contact lists (NGP VAN exports or any CSV) and look at contacts."""


@contacts.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--list",
    "list_ref",
    required=True,
    metavar="LIST",
    help="List to add to: an existing list's id or name, or a new name to create it (a new"
    " name cannot be digits only).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Say which field a column holds, e.g. --map Mobile=cell_phone (repeatable). FIELD is"
    f" one of: {', '.join(TARGETS)}; 'skip' to drop the column; 'extra:NAME' to keep it as a"
    " custom column called NAME.",
)
@json_option
@pass_app
def import_(
    app: AppContext, file: Path, list_ref: str, maps: tuple[str, ...], as_json: bool
) -> None:
    """Import contacts from a CSV FILE into a list.

    NGP VAN export columns are recognised by name: VanID (or Voter File VANID), FirstName,
    LastName, Address, City, State, Zip5 and, for each of Cell, Home, Work, OptIn and plain
    Phone: {T}Phone, {T}PhoneDialingPrefix, {T}PhoneCountryCode, {T}PhoneId, {T}PhoneAccuracy.
    Other columns are kept with each contact as custom columns. Numbers are stored in E.164;
    time zones come from state and ZIP, else from the number.

    Rows that cannot be used (bad number, no number, wrong number of fields, bad encoding)
    are listed with their line and skipped; the rest are imported. People already in the
    list (same VAN id, else same name and number) are skipped, so re-importing a file
    changes nothing.
    """
    try:
        mapping = parse_mapping(maps)
        if not file.is_file():
            raise CsvError("no_such_file", f"no such file: {file}")
        size = file.stat().st_size
        if as_json or size < PROGRESS_MIN_BYTES:
            report = store.import_csv(app.db, file, list_ref, mapping)
        else:
            bar: Any = click.progressbar(length=size, label="Importing", file=sys.stderr)
            with bar:
                report = store.import_csv(app.db, file, list_ref, mapping, bar.update)
    except CsvError as exc:
        fail(exc.message, exc.code, as_json)
        return
    data = report.as_dict()
    emit(data, as_json, _import_text(data))


def _import_text(data: dict[str, Any]) -> str:
    lines = [
        f"List {data['list_name']!r}: {plural(data['imported'], 'contact')} imported"
        f" ({plural(data['phones'], 'number')}), {data['duplicates']:,} already there,"
        f" {plural(len(data['errors']), 'row')} skipped."
    ]
    if data["list_dropped"]:
        lines.append(f"Nothing was imported, so the list {data['list_name']!r} was not created.")
    note = store.started_note(data["started_banks"])
    if note:
        lines.append(note)
    lines += [f"Note: {text}." for text in data["notes"]]
    for error in data["errors"][:SHOW_ERRORS]:
        lines.append(f"  line {error['line']}: {error['reason']}")
    if len(data["errors"]) > SHOW_ERRORS:
        lines.append(f"  ... and {len(data['errors']) - SHOW_ERRORS:,} more (see --json)")
    return "\n".join(lines)


def _list_ref(app: AppContext, ref: str, as_json: bool) -> list_store.ListRef:
    """The list ``ref`` means (its id or its name), resolved once: the store then acts on
    its id; exits 1 if none."""
    try:
        with app.db.read() as conn:
            return list_store.resolve(conn, ref)
    except list_store.ListError as exc:
        fail(exc.message, exc.code, as_json)
        raise  # not reached: fail() exits


@contacts.command("list")
@click.option("--list", "list_ref", metavar="LIST", help="Only contacts of this list (id or name).")
@click.option(
    "--search",
    default="",
    help="Part of a name, a VAN id or part of a number (punctuation such as (617) 555-0200"
    " is ignored).",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000),
              help="How many contacts to show.")  # fmt: skip
@click.option("--offset", default=0, type=click.IntRange(0),
              help="Skip this many first (with --limit: one page after another).")  # fmt: skip
@json_option
@pass_app
def list_(
    app: AppContext, list_ref: str | None, search: str, limit: int, offset: int, as_json: bool
) -> None:
    """List contacts (id, name, first number, time zone)."""
    list_id = None if list_ref is None else _list_ref(app, list_ref, as_json).id
    rows = store.contact_rows(app.db, list_id, search, limit, offset)
    text = "\n".join(
        f"{r['id']:>8}  {r['first_name']} {r['last_name']}  {r['phone'] or '-'}"
        f"  {r['time_zone'] or '?'}  [{r['list']}]"
        for r in rows
    )
    emit(rows, as_json, text or "No contacts.")


@contacts.command("show")
@click.argument("contact_id", type=ID)
@json_option
@pass_app
def show(app: AppContext, contact_id: int, as_json: bool) -> None:
    """Show one contact: numbers, household, custom columns, field values and tags."""
    data = store.contact_detail(app.db, contact_id)
    if data is None:
        fail(f"no contact with id {contact_id}", "no_such_contact", as_json)
        return
    emit(data, as_json, _show_text(data))


def _show_text(data: dict[str, Any]) -> str:
    lines = [
        f"#{data['id']} {data['first_name']} {data['last_name']} (list {data['list']!r},"
        f" VAN id {data['van_id'] or '-'})",
        "  " + ", ".join(x for x in (data["address"], data["city"], _state_zip(data)) if x),
        f"  time zone: {data['time_zone'] or 'unknown'}",
    ]
    for p in data["phones"]:
        flag = " WRONG NUMBER" if p["wrong_number"] else ""
        lines.append(f"  {p['type']:<6} {p['e164']}{flag}")
    for h in data["household"]:
        lines.append(f"  shares {h['e164']} with #{h['id']} {h['first_name']} {h['last_name']}")
    lines += [f"  {k}: {v}" for k, v in {**data["extra"], **data["fields"]}.items()]
    if data["tags"]:
        lines.append(f"  tags: {', '.join(data['tags'])}")
    return "\n".join(lines)


def _state_zip(data: dict[str, Any]) -> str:
    return f"{data['state']} {data['zip5']}".strip()


@contacts.command("wrong-number")
@click.argument("contact_id", type=ID)
@click.argument("number")
@click.option(
    "--undo",
    is_flag=True,
    help="Take the mark back (refused when NUMBER is not marked for them); says what is not"
    " restored, such as a started bank's queue built without them.",
)
@json_option
@pass_app
def wrong_number(app: AppContext, contact_id: int, number: str, undo: bool, as_json: bool) -> None:
    """Mark NUMBER as wrong for one contact (others sharing it keep it), or take the mark
    back with --undo.

    The mark keeps the number out of the queues built from then on (banks started later);
    a bank already started keeps the person in its queue.
    """
    from controller.model.phones import PhoneError, to_e164

    try:
        e164 = to_e164(number)
        if undo:
            result = store.unmark_wrong_number(app.db, contact_id, e164)
    except (PhoneError, store.WrongNumberError) as exc:
        fail(exc.message, exc.code, as_json)
        return
    if undo:
        text = f"{e164} is no longer marked as a wrong number for contact {contact_id}."
        note = store.unmark_note(result)
        emit(result, as_json, f"{text} {note}" if note else text)
        return
    if not store.mark_wrong_number(app.db, contact_id, e164):
        if store.contact_detail(app.db, contact_id) is None:
            fail(f"no contact with id {contact_id}", "no_such_contact", as_json)
        fail(f"contact {contact_id} has no number {e164}", "no_such_phone", as_json)
    emit({"contact_id": contact_id, "e164": e164, "wrong_number": True}, as_json,
         f"{e164} marked as a wrong number for contact {contact_id}.")  # fmt: skip


@contacts.command("delete-list")
@click.argument("list_ref", metavar="LIST")
@click.option("--yes", is_flag=True, help="Confirm: the list's contacts are deleted too.")
@json_option
@pass_app
def delete_list(app: AppContext, list_ref: str, yes: bool, as_json: bool) -> None:
    """Delete the contact list LIST (its id or its name) with its contacts (needs --yes).

    Refused while any bank uses the list, even a stopped one.
    """
    if not yes:
        fail("deleting a list deletes its contacts; add --yes to confirm", "confirm_required",
             as_json)  # fmt: skip
    ref = _list_ref(app, list_ref, as_json)
    try:
        removed = store.delete_list(app.db, ref)
    except store.ListError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"deleted": ref.name, "contacts": removed}, as_json,
         f"List {ref.name!r} deleted with its {plural(removed, 'contact')}.")  # fmt: skip


@click.command("lists")
@json_option
@pass_app
def lists(app: AppContext, as_json: bool) -> None:
    """List the contact lists with their numbers of contacts and phones."""
    rows = store.all_lists(app.db)
    text = "\n".join(
        f"{r['id']:>4}  {r['name']}: {plural(r['contacts'], 'contact')},"
        f" {plural(r['phones'], 'number')}"
        for r in rows
    )
    emit(rows, as_json, text or "No lists yet: import one with `phonebank contacts import`.")


COMMANDS = [contacts, lists]
