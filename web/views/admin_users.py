"""Users and roles, dial-in PINs, and user lists (teams that private banks are published to).

Admins manage every account. Managers see them all and manage volunteers: they add
volunteer accounts, set or reset a volunteer's PIN, lock, unlock or rename one and turn
its calling on or off (``staff_refusal``: anything beyond volunteers is a 403 with its
code). Same store functions as ``phonebank users``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controller.commands.common import plural
from controller.model.users import ROLES, UserError
from controller.store import users as user_store
from web.access import Access, access, allowed, current_user
from web.keys import DB
from web.middleware import error as refuse
from web.render import render
from web.views.admin_common import DOMAIN_ERRORS, form_data, sentence


def users_page(request: web.Request, error: str = "", notice: str = "") -> web.Response:
    """The users (only one role or user list when the query names them, as ``users list``)."""
    db = request.app[DB]
    role = request.query.get("role") if request.query.get("role") in ROLES else None
    team = request.query.get("team") or None
    try:
        shown = user_store.all_users(db, role, team)
    except UserError as exc:  # a user list that does not exist (any more)
        shown, team, error = user_store.all_users(db, role), None, error or exc.message
    everyone = user_store.all_users(db) if role or team else None
    context = {
        "users": shown,
        "editable": _editable(request, everyone or shown),
        "role_filter": role or "",
        "team_filter": team or "",
        "user_lists": user_store.all_user_lists(db),
        "roles": ROLES,
        "error": error,
        "notice": notice,
    }
    return render(request, "admin/users.html", context, 400 if error else 200)


@access(Access.STAFF)
async def users(request: web.Request) -> web.StreamResponse:
    return users_page(request)


def _editable(request: web.Request, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The accounts the signed-in user may change: any for an admin, volunteers' for a
    manager."""
    admin = _is_admin(request)
    return [u for u in users if admin or u["role"] == "volunteer"]


def staff_refusal(
    request: web.Request, role: str | None = None, username: str | None = None
) -> web.Response | None:
    """A manager's refusal (403) to give a ``role`` other than volunteer or to change the
    account ``username`` of an admin or a manager; None when allowed (admins: always)."""
    if _is_admin(request):
        return None
    if role and role.strip().lower() != "volunteer":
        message = "Managers add volunteers only: ask an admin to make an admin or a manager."
        return refuse(request, 403, "volunteers_only", message)
    target = user_store.get_user(request.app[DB], username) if username else None
    if target is not None and target["role"] != "volunteer":
        message = (
            f"{target['username']} is {'an admin' if target['role'] == 'admin' else 'a manager'}:"
            " managers change volunteers' accounts only, so ask an admin."
        )
        return refuse(request, 403, "not_a_volunteer", message)
    return None


def _is_admin(request: web.Request) -> bool:
    return allowed(Access.ADMIN, current_user(request))


@access(Access.STAFF)
async def create_user(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    refusal = staff_refusal(request, role=form.get("role", "volunteer"))
    if refusal is not None:
        return refusal
    try:
        user = user_store.create_user(
            request.app[DB],
            form.get("username", ""),
            form.get("role", "volunteer"),
            form.get("display_name", ""),
            password=form.get("password") or None,
            can_make_calls=form.get("no_calls") != "on",
        )
    except DOMAIN_ERRORS as exc:
        return users_page(request, error=sentence(str(exc)))
    return users_page(request, notice=f"Created {user['username']} (PIN {user['pin']}).")


@access(Access.STAFF)
async def new_pin(request: web.Request) -> web.StreamResponse:
    form = await form_data(request)
    refusal = staff_refusal(request, username=form.get("username", ""))
    if refusal is None and form.get("pin", "").strip() and not _is_admin(request):
        # A chosen PIN that clashes would tell a manager it is an admin's or a manager's.
        message = "Managers give random PINs: leave the PIN blank, or ask an admin."
        refusal = refuse(request, 403, "random_pins_only", message)
    if refusal is not None:
        return refusal
    try:
        pin = user_store.set_pin(request.app[DB], form.get("username", ""), form.get("pin") or None)
    except DOMAIN_ERRORS as exc:
        return users_page(request, error=sentence(str(exc)))
    return users_page(request, notice=f"New PIN for {form.get('username')}: {pin}.")


@access(Access.ADMIN)
async def user_list(request: web.Request) -> web.StreamResponse:
    """Create a user list and/or add members (comma-separated usernames)."""
    form = await form_data(request)
    db = request.app[DB]
    name = form.get("name", "").strip()
    members = [m.strip() for m in form.get("members", "").split(",") if m.strip()]
    try:
        if name in {str(lst["name"]) for lst in user_store.all_user_lists(db)}:
            added = user_store.set_members(db, name, members) if members else 0
        else:  # list and members in one transaction: an unknown member creates nothing
            user_store.create_user_list(db, name, members)
            added = len({m.lower() for m in members})
    except DOMAIN_ERRORS as exc:
        return users_page(request, error=sentence(str(exc)))
    return users_page(request, notice=f"User list {name}: {plural(added, 'member')} added.")


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/users", users, name="admin_users")
    app.router.add_post("/admin/users", create_user)
    app.router.add_post("/admin/users/pin", new_pin)
    app.router.add_post("/admin/users/lists", user_list)
