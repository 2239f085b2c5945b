"""The account page: who you are, where you are signed in, your password.

Lists the user's live sessions (when signed in, last seen, browser, "this browser") with
"Sign out other browsers", and changes the password (the current one asked first), which
signs out every other browser of the account, as any password change does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from controller.model.users import UserError
from controller.store import users as user_store
from controller.store import web_sessions
from web.access import Access, access, current_user
from web.identity import CurrentUser, check_password
from web.keys import DB, LOGIN_LIMITER, SESSION_KEY, SESSIONS, SETTINGS
from web.ratelimit import client_address
from web.render import render
from web.views.admin_common import form_data, sentence


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _sessions(request: web.Request, user: CurrentUser) -> list[dict[str, Any]]:
    manager = request.app[SESSIONS]
    mine = web_sessions.hash_id(request[SESSION_KEY].sid)
    rows = web_sessions.for_user(request.app[DB], user.id, manager.clock(), manager.lifetime)
    return [
        {
            "created": _when(r["created"]),
            "last_seen": _when(r["last_seen"]),
            "browser": r["user_agent"] or "unknown browser",
            "current": r["id_hash"] == mine,
        }
        for r in sorted(rows, key=lambda r: r["id_hash"] != mine)  # this browser first
    ]


def _me(request: web.Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guaranteed by Access.USER
    return user


def account_page(
    request: web.Request, notice: str = "", error: str = "", status: int = 200
) -> web.Response:
    user = _me(request)
    context = {"sessions": _sessions(request, user), "notice": notice, "error": error}
    return render(request, "account.html", context, status=status)


@access(Access.USER)
async def account(request: web.Request) -> web.StreamResponse:
    return account_page(request)


@access(Access.USER)
async def sign_out_others(request: web.Request) -> web.StreamResponse:
    """End every session of this account but the one asking."""
    user = _me(request)
    manager = request.app[SESSIONS]
    reason = web_sessions.SIGNED_OUT_ELSEWHERE
    sid = request[SESSION_KEY].sid
    args = (request.app[DB], user.id, manager.clock(), reason, sid, manager.lifetime)
    count = await asyncio.to_thread(web_sessions.revoke_user, *args)
    return account_page(request, notice=f"Signed out of {count} other browser(s).")


@access(Access.USER)
async def change_password(request: web.Request) -> web.StreamResponse:
    """A new password, after the current one; other browsers are signed out."""
    user = _me(request)
    form = await form_data(request)
    new = form.get("password", "")
    if new != form.get("password2", ""):
        return account_page(request, error="The two new passwords differ.", status=400)
    db = request.app[DB]
    limiter = request.app[LOGIN_LIMITER]
    address = client_address(request, request.app[SETTINGS].web.trusted_proxies)
    stamp = await asyncio.to_thread(user_store.password_stamp, db, user.username)
    limiter.check_stamp(user.username, stamp)
    wait, at = limiter.begin(address, user.username)  # counted from now (see LoginLimiter)
    if wait:
        return account_page(request, error="Too many wrong passwords: try later.", status=429)
    right = await asyncio.to_thread(check_password, db, user.username, form.get("current", ""))
    limiter.settle(address, user.username, at, right is not None, stamp)
    if right is None:
        return account_page(request, error="Your current password is not right.", status=400)
    args = (db, user.username, new, request[SESSION_KEY].sid, request.app[SESSIONS].lifetime)
    try:
        count = await asyncio.to_thread(user_store.set_password, *args)
    except UserError as exc:
        return account_page(request, error=sentence(exc.message), status=400)
    notice = f"Password changed; signed out of {count} other browser(s)."
    return account_page(request, notice=notice)


def setup(app: web.Application) -> None:
    app.router.add_get("/account", account, name="account")
    app.router.add_post("/account/signout-others", sign_out_others, name="account_signout")
    app.router.add_post("/account/password", change_password, name="account_password")
