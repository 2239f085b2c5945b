"""Sign in and sign out.

Signing in records the session (``controller/store/web_sessions.py``) and prunes old
records; signing out revokes it, so a copy of the cookie stops working at once.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from aiohttp import web

from controller.store import users as user_store
from controller.store import web_sessions
from controller.store.db import Database
from web.access import Access, access, current_user
from web.identity import CurrentUser, check_password
from web.keys import DB, LOGIN_LIMITER, SESSION_KEY, SESSIONS, SETTINGS
from web.ratelimit import client_address
from web.render import render
from web.sessions import Session, SessionManager, browser_label


def safe_next(value: str | None) -> str:
    """Only same-site paths are followed after login (no ``//host`` or ``scheme:``, and no
    blank or control character, which browsers drop: ``/\t/host`` would become ``//host``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return "/"
    parts = urlsplit(value)
    return value if not (parts.scheme or parts.netloc) else "/"


def home_for(user: CurrentUser) -> str:
    """Where a user lands after signing in: organizers on the admin pages, volunteers on
    the feed of phone banks open to them (bank -> join -> call screen), others on their
    account page."""
    if user.is_staff:
        return "/admin"
    return "/banks" if user.can_make_calls else "/account"


@access(Access.PUBLIC)
async def login_page(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    if user is not None:
        raise web.HTTPFound(home_for(user))
    notice = "You have signed out." if "bye" in request.query else ""
    return render(
        request,
        "login.html",
        {"next": safe_next(request.query.get("next")), "error": "", "notice": notice},
    )


@access(Access.PUBLIC)
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    limiter = request.app[LOGIN_LIMITER]
    address = client_address(request, request.app[SETTINGS].web.trusted_proxies)
    stamp = await asyncio.to_thread(user_store.password_stamp, request.app[DB], username)
    limiter.check_stamp(username, stamp)  # a password set since (any process) lifts pauses
    if not username or not password:
        return _login_error(request, username, target, "Enter your username and password.", 400)
    wait, at = limiter.begin(address, username)  # counted from now: guesses sent at once too
    if wait:
        minutes = max(1, (wait + 59) // 60)
        message = f"Too many failed sign-ins. Try again in {minutes} minute(s)."
        return _login_error(request, username, target, message, 429)
    user = await asyncio.to_thread(check_password, request.app[DB], username, password)
    limiter.settle(address, username, at, user is not None, stamp)
    if user is None:
        return _login_error(request, username, target, "Wrong username or password.", 401)
    manager = request.app[SESSIONS]
    session = manager.new(user_id=user.id, username=user.username)
    label = browser_label(request.headers.get("User-Agent", ""))
    previous = request[SESSION_KEY]
    await asyncio.to_thread(_record_sign_in, request.app[DB], manager, session, previous, label)
    request[SESSION_KEY] = session
    raise web.HTTPSeeOther(target if target != "/" else home_for(user))


def _record_sign_in(
    db: Database, manager: SessionManager, session: Session, previous: Session, label: str
) -> None:
    """Record the new sign-in, end the one this browser had (if any), prune old records."""
    now = manager.clock()
    assert session.user_id is not None
    with db.write():  # one transaction
        if previous.sid:
            web_sessions.revoke(db, previous.sid, now, web_sessions.SIGNED_IN_AGAIN)
        web_sessions.open_session(db, session.sid, session.user_id, now, label)
        web_sessions.prune(db, now, manager.lifetime)


def _login_error(
    request: web.Request, username: str, target: str, message: str, status: int
) -> web.Response:
    context = {"next": target, "error": message, "notice": "", "username": username}
    return render(request, "login.html", context, status=status)


@access(Access.USER)
async def logout(request: web.Request) -> web.StreamResponse:
    manager = request.app[SESSIONS]
    sid = request[SESSION_KEY].sid
    await asyncio.to_thread(web_sessions.revoke, request.app[DB], sid, manager.clock())
    request[SESSION_KEY] = manager.new()
    raise web.HTTPSeeOther("/login?bye=1")


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_page, name="login")
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout, name="logout")
