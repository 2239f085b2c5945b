"""Users page, the changes beyond adding: role, name, calling, locking, password, user lists.

A manager may change volunteers' accounts here (name, calling, locking; not their role), as
the Users page offers; the rest is for admins.

Same store functions as ``phonebank users set|passwd|pin`` and ``phonebank users lists``,
so the rules and messages are the same. Accounts are not deleted (their calls and reports
stay attributed): locking one signs it out everywhere, as ``users set --disable`` does.
Setting a password signs the user out of every browser (but the admin's own, when it is
their own password); "Sign out everywhere" does just that, as ``users signout``.
Locking an account and deleting a user list ask for a confirmation box.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from controller.commands.common import plural
from controller.model.users import UserError
from controller.store import users as user_store
from web.access import Access, access, current_user
from web.keys import DB, LOGIN_LIMITER, SESSION_KEY, SESSIONS
from web.views.admin_common import delete_named, form_data, sentence
from web.views.admin_users import staff_refusal, users_page

CONFIRM_LOCK = "Locking signs the user out everywhere: tick the box to confirm."
CONFIRM_DELETE = "Tick the box to confirm deleting the user list."
CHOICES = {"": None, "yes": True, "no": False}


def _changes(form: dict[str, str]) -> dict[str, Any]:
    """The ``users set`` options from the form; blank means unchanged."""
    return {
        "role": form.get("role") or None,
        "display_name": form.get("display_name") or None,
        "can_make_calls": CHOICES.get(form.get("calls", "").strip().lower()),
        "disabled": CHOICES.get(form.get("disabled", "").strip().lower()),
    }


def _odd_choice(form: dict[str, str]) -> str:
    """A refusal for a yes/no choice the form cannot mean (it would read as "unchanged")."""
    for name, label in (("calls", "Make calls"), ("disabled", "Account")):
        if form.get(name, "").strip().lower() not in CHOICES:
            return f"{label}: choose one of the list (or keep), not {form[name]!r}."
    return ""


def _refusal(request: web.Request, form: dict[str, str], changes: dict[str, Any]) -> str:
    if changes["disabled"] and form.get("confirm") != "yes":
        return CONFIRM_LOCK
    me = current_user(request)
    mine = me is not None and me.username == form.get("username", "").strip().lower()
    if mine and (changes["disabled"] or changes["role"] not in (None, "admin")):
        return "You cannot lock or demote your own account here: another admin can."
    return ""


@access(Access.STAFF)
async def set_user(request: web.Request) -> web.StreamResponse:
    """Change an account; a manager only a volunteer's, and not its role (``staff_refusal``)."""
    form = await form_data(request)
    changes = _changes(form)
    forbidden = staff_refusal(request, changes["role"], form.get("username", ""))
    if forbidden is not None:
        return forbidden
    refusal = _odd_choice(form) or _refusal(request, form, changes)
    if refusal:
        return users_page(request, error=refusal)
    try:
        user = user_store.update_user(request.app[DB], form.get("username", ""), **changes)
    except UserError as exc:
        return users_page(request, error=sentence(exc.message))
    state = "locked" if user["disabled"] else "active"
    calls = "may call" if user["can_make_calls"] else "may not call"
    return users_page(request, notice=f"{user['username']}: {user['role']}, {calls}, {state}.")


@access(Access.ADMIN)
async def set_password(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    username = form.get("username", "")
    me = current_user(request)
    mine = me is not None and me.username == username.strip().lower()
    keep = request[SESSION_KEY].sid if mine else None  # your own browser stays signed in
    lifetime = request.app[SESSIONS].lifetime
    args = (request.app[DB], username, form.get("password", ""), keep, lifetime)
    try:
        count = await asyncio.to_thread(user_store.set_password, *args)
    except UserError as exc:
        return users_page(request, error=sentence(exc.message))
    request.app[LOGIN_LIMITER].forget(username)  # its sign-in pauses are lifted too
    notice = f"Password set for {username}. Signed out of {count} browser(s)."
    return users_page(request, notice=notice)


@access(Access.ADMIN)
async def sign_out_everywhere(request: web.Request) -> web.StreamResponse:
    """End every session of the user (``phonebank users signout``); yours too if it is you."""
    form = await form_data(request)
    db = request.app[DB]
    args = (db, form.get("username", ""), request.app[SESSIONS].lifetime)
    try:
        name, count = await asyncio.to_thread(user_store.sign_out_everywhere, *args)
    except UserError as exc:
        return users_page(request, error=sentence(exc.message))
    return users_page(request, notice=f"{name}: signed out of {count} browser(s).")


@access(Access.ADMIN)
async def delete_list(request: web.Request) -> web.StreamResponse:
    return await delete_named(
        request,
        users_page,
        user_store.delete_user_list,
        confirm=CONFIRM_DELETE,
        done="User list {} deleted.",
        refusal=UserError,
    )


@access(Access.ADMIN)
async def remove_members(request: web.Request) -> web.StreamResponse:
    """Take users out of a list (``users lists add --remove``); all must exist."""
    form = await form_data(request)
    name = form.get("name", "")
    members = [m.strip() for m in form.get("members", "").split(",") if m.strip()]
    if not members:
        return users_page(request, error="Name the users to take out (comma-separated).")
    try:
        changed = user_store.set_members(request.app[DB], name, members, add=False)
    except UserError as exc:
        return users_page(request, error=sentence(exc.message))
    return users_page(request, notice=f"{plural(changed, 'user')} removed from {name!r}.")


def setup(app: web.Application) -> None:
    app.router.add_post("/admin/users/set", set_user)
    app.router.add_post("/admin/users/password", set_password)
    app.router.add_post("/admin/users/signout", sign_out_everywhere)
    app.router.add_post("/admin/users/lists/delete", delete_list)
    app.router.add_post("/admin/users/lists/remove", remove_members)
