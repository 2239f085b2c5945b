"""``phonebank users``: people, roles, the "make calls" permission, PINs, passwords, teams."""

from __future__ import annotations

import sys
from typing import Any

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app, plural
from controller.model.users import ROLES, UserError
from controller.store import users as store


def _line(u: dict[str, Any]) -> str:
    calls = "calls" if u["can_make_calls"] else "no calls"
    off = ", disabled" if u["disabled"] else ""
    return f"{u['username']:<20} {u['role']:<9} {calls:<8} PIN {u['pin']}  {u['display_name']}{off}"


@click.group("users")
def users() -> None:
    """Manage users: admins, managers and volunteers.

    Admins can do everything; managers run phone banks, contacts and results, see users and,
    on the web, add volunteers and set their PINs, locks, names and whether they may call;
    volunteers make calls (when allowed to). Every user has a dial-in PIN of 6 to 12 digits.
    """


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="volunteer", show_default=True,
              help="What the user may do (docs/users.md).")  # fmt: skip
@click.option("--name", "display_name", default="", help="Name shown to others.")
@click.option("--password-stdin", is_flag=True, help="Read a password from standard input.")
@click.option("--no-calls", is_flag=True, help="Not allowed to make calls.")
@json_option
@pass_app
def add(
    app: AppContext,
    username: str,
    role: str,
    display_name: str,
    password_stdin: bool,
    no_calls: bool,
    as_json: bool,
) -> None:
    """Create USERNAME with a fresh dial-in PIN (printed)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = store.create_user(app.db, username, role, display_name, password, not no_calls)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit(user, as_json, f"User {user['username']} ({user['role']}) created, PIN {user['pin']}.")


@users.command("list")
@click.option("--role", type=click.Choice(ROLES), help="Only this role.")
@click.option("--team", help="Only members of this user list.")
@json_option
@pass_app
def list_(app: AppContext, role: str | None, team: str | None, as_json: bool) -> None:
    """List users with role, calling permission and PIN."""
    try:
        rows = store.all_users(app.db, role, team)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    none = "No users match." if role or team else "No users yet."
    emit(rows, as_json, "\n".join(map(_line, rows)) or none)


@users.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), help="A new role.")
@click.option("--name", "display_name", help="A new name shown to others.")
@click.option("--calls/--no-calls", "can_make_calls", default=None, help="Allowed to call?")
@click.option("--disable/--enable", "disabled", default=None, help="Lock or unlock the account.")
@json_option
@pass_app
def set_(
    app: AppContext,
    username: str,
    role: str | None,
    display_name: str | None,
    can_make_calls: bool | None,
    disabled: bool | None,
    as_json: bool,
) -> None:
    """Change a user's role, name, calling permission, or lock the account."""
    try:
        user = store.update_user(app.db, username, role, display_name, can_make_calls, disabled)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit(user, as_json, _line(user))


@users.command("pin")
@click.argument("username")
@click.option("--set", "pin", metavar="DIGITS", help="Use this PIN (6 to 12 digits) instead.")
@json_option
@pass_app
def pin(app: AppContext, username: str, pin: str | None, as_json: bool) -> None:
    """Give USERNAME a new random dial-in PIN (or the one given with --set)."""
    try:
        new = store.set_pin(app.db, username, pin)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit({"username": username, "pin": new}, as_json, f"New PIN for {username}: {new}")


@users.command("passwd")
@click.argument("username")
@click.password_option(
    "--password",
    help="New password (asked for twice when not given; typed here it stays in the shell's"
    " history, so prefer the prompt).",
)
@json_option
@pass_app
def passwd(app: AppContext, username: str, password: str, as_json: bool) -> None:
    """Set USERNAME's web password (8+ characters); signs them out of every browser."""
    try:
        count = store.set_password(app.db, username, password)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    data = {"username": username, "password_set": True, "signed_out": count}
    emit(data, as_json, f"Password set for {username}. Signed out of {count} browser(s).")


@users.command("signout")
@click.argument("username")
@json_option
@pass_app
def signout(app: AppContext, username: str, as_json: bool) -> None:
    """Sign USERNAME out of every browser (a lost laptop, a shared computer)."""
    try:
        name, count = store.sign_out_everywhere(app.db, username)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit(
        {"username": name, "signed_out": count},
        as_json,
        f"{name} signed out of {count} browser(s).",
    )


@users.group("lists", invoke_without_command=True)
@json_option
@click.pass_context
def lists(ctx: click.Context, as_json: bool) -> None:
    """User lists (teams): show them with their ids (`bank publish --private ID`), or manage
    them with the subcommands."""
    if ctx.invoked_subcommand is None:
        app = ctx.ensure_object(AppContext)
        rows = store.all_user_lists(app.db)
        text = "\n".join(
            f"{r['id']}\t{r['name']}: {', '.join(r['members']) or '(empty)'}" for r in rows
        )
        emit(rows, as_json, text or "No user lists yet.")


@lists.command("create")
@click.argument("name")
@json_option
@pass_app
def lists_create(app: AppContext, name: str, as_json: bool) -> None:
    """Create the user list NAME."""
    try:
        created = store.create_user_list(app.db, name)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    emit(created, as_json, f"User list {created['name']!r} created.")


@lists.command("delete")
@click.argument("name")
@json_option
@pass_app
def lists_delete(app: AppContext, name: str, as_json: bool) -> None:
    """Delete the user list NAME (its users stay)."""
    try:
        store.delete_user_list(app.db, name)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
    emit({"deleted": name}, as_json, f"User list {name!r} deleted.")


@lists.command("add")
@click.argument("name")
@click.argument("usernames", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take the users out of the list instead.")
@json_option
@pass_app
def lists_add(
    app: AppContext, name: str, usernames: tuple[str, ...], remove: bool, as_json: bool
) -> None:
    """Add USERNAMES to the user list NAME (or take them out with --remove)."""
    try:
        changed = store.set_members(app.db, name, list(usernames), add=not remove)
    except UserError as exc:
        fail(exc.message, exc.code, as_json)
        return
    verb = "removed from" if remove else "added to"
    emit({"list": name, "changed": changed}, as_json, f"{plural(changed, 'user')} {verb} {name!r}.")


COMMANDS = [users]
