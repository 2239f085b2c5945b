"""``phonebank fields`` and ``phonebank tags``: custom fields, values and tags."""

from __future__ import annotations

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app, plural
from controller.commands.params import ID
from controller.model.fields import FIELD_KINDS, FieldError, validate_field
from controller.store import fields as store


@click.group("fields")
def fields() -> None:
    """Custom fields: answers collected on calls and facts kept per contact.

    Two are built in and protected: 'Last Called At' and 'Call Outcome'.
    """


@fields.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(FIELD_KINDS), default="text", show_default=True,
              help="What the field holds (choice: one of --option).")  # fmt: skip
@click.option("--option", "options", multiple=True, help="A choice (repeat; for --kind choice).")
@click.option("--default", "is_default", is_flag=True, help="Include in new phone banks.")
@json_option
@pass_app
def add(
    app: AppContext, name: str, kind: str, options: tuple[str, ...], is_default: bool, as_json: bool
) -> None:
    """Create the custom field NAME."""
    try:
        created = store.add_field(app.db, validate_field(name, kind, options, is_default))
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit(created, as_json, f"Field {created['name']!r} ({created['kind']}) created.")


@fields.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List the fields (built-ins first)."""
    rows = store.all_fields(app.db)
    text = "\n".join(
        f"{r['name']} ({r['kind']}{', built in' if r['builtin'] else ''}"
        f"{', default' if r['is_default'] else ''})"
        + (f": {' | '.join(r['options'])}" if r["options"] else "")
        for r in rows
    )
    emit(rows, as_json, text)


@fields.command("remove")
@click.argument("name")
@json_option
@pass_app
def remove(app: AppContext, name: str, as_json: bool) -> None:
    """Delete the custom field NAME and every value recorded for it.

    Refused while a saved script has a block linked to it (field_in_use, naming the scripts).
    """
    try:
        store.remove_field(app.db, name)
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
    emit({"removed": name}, as_json, f"Field {name!r} removed.")


@fields.command("set")
@click.argument("contact_id", type=ID)
@click.argument("name")
@click.argument("value")
@json_option
@pass_app
def set_(app: AppContext, contact_id: int, name: str, value: str, as_json: bool) -> None:
    """Record VALUE for field NAME on contact CONTACT_ID (checked against the field's kind)."""
    try:
        stored = store.set_value(app.db, contact_id, name, value, by_hand=True)
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"contact_id": contact_id, "field": name, "value": stored}, as_json,
         f"Contact {contact_id}: {name} = {stored}")  # fmt: skip


@click.group("tags")
def tags() -> None:
    """Tags: labels on contacts, like 'needs ride' or 'volunteer prospect'."""


@tags.command("add")
@click.argument("name")
@json_option
@pass_app
def tag_add(app: AppContext, name: str, as_json: bool) -> None:
    """Create the tag NAME."""
    try:
        tag_id, new = store.add_tag(app.db, name)
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
        return
    if not new:
        fail(f"there is already a tag called {name!r}", "tag_exists", as_json)
    emit({"id": tag_id, "name": name.strip()}, as_json, f"Tag {name.strip()!r} created.")


@tags.command("list")
@json_option
@pass_app
def tag_list(app: AppContext, as_json: bool) -> None:
    """List tags with how many contacts carry each."""
    rows = store.all_tags(app.db)
    text = "\n".join(f"{r['name']}: {plural(r['contacts'], 'contact')}" for r in rows)
    emit(rows, as_json, text or "No tags yet.")


@tags.command("remove")
@click.argument("name")
@json_option
@pass_app
def tag_remove(app: AppContext, name: str, as_json: bool) -> None:
    """Delete the tag NAME (and take it off every contact)."""
    try:
        store.remove_tag(app.db, name)
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
    emit({"removed": name}, as_json, f"Tag {name!r} removed.")


@tags.command("apply")
@click.argument("contact_id", type=ID)
@click.argument("name")
@click.option("--off", is_flag=True, help="Take the tag off instead.")
@json_option
@pass_app
def tag_apply(app: AppContext, contact_id: int, name: str, off: bool, as_json: bool) -> None:
    """Put tag NAME on contact CONTACT_ID (created if new), or take it off with --off."""
    try:
        if off:
            changed = store.untag_contact(app.db, contact_id, name)
        else:
            changed = store.tag_contact(app.db, contact_id, name)
    except FieldError as exc:
        fail(exc.message, exc.code, as_json)
        return
    verb = "removed from" if off else "applied to"
    text = f"Tag {name!r} {verb} contact {contact_id}." if changed else "Nothing to change."
    emit({"contact_id": contact_id, "tag": name, "changed": changed}, as_json, text)


COMMANDS = [fields, tags]
