"""Request pipeline: session -> access check -> CSRF check -> handler; security headers.

``session_middleware`` loads the signed session (or starts an anonymous one), resolves the
user (a signed-in cookie counts only while its ``web_sessions`` record is live), enforces
the route's declared access, checks the CSRF token on state-changing requests, and
re-issues the cookie when it changed or its idle clock needs a push (a signed-in session's
record gets the same push: one write a minute at most, none for anonymous visitors).
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from aiohttp import web

from controller.store import web_sessions
from web.access import USER_KEY, Access, Handler, allowed, is_api, route_access
from web.identity import signed_in_user
from web.keys import DB, SESSION_KEY, SESSIONS
from web.render import render
from web.sessions import COOKIE_NAME, Session

MAX_UPLOAD_BYTES = 64 * 1024**2  # the largest request body the app reads (a contact file)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "_csrf"
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def error(request: web.Request, status: int, code: str, message: str) -> web.Response:
    """A refusal as JSON for the API and as a page for browsers."""
    if is_api(request) or (request.method in UNSAFE_METHODS and _is_json(request)):
        return web.json_response({"error": code, "message": message}, status=status)
    return render(request, "error.html", {"code": code, "message": message}, status=status)


def _is_json(request: web.Request) -> bool:
    return request.content_type == "application/json" or CSRF_HEADER in request.headers


def _refuse(request: web.Request, level: Access) -> web.StreamResponse | None:
    user = request.get(USER_KEY)
    if allowed(level, user):
        return None
    if user is None:
        if is_api(request) or request.method != "GET":
            return error(request, 401, "login_required", "Please sign in first.")
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='')}")
    return error(request, 403, "forbidden", "Your account does not have access to this page.")


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        field = form.get(CSRF_FIELD)
        token = field if isinstance(field, str) else None
    return token is not None and hmac.compare_digest(token.encode(), session.csrf.encode())


def _origin_ok(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # older clients: the CSRF token alone decides
    return urlsplit(origin).netloc == request.host


def socket_origin_refused(request: web.Request) -> web.Response | None:
    """A 403 for a WebSocket opened by a page of another origin (another port or host of
    the same site: the cookie's SameSite does not keep those out); None when it may open.
    Browsers always send ``Origin`` on a WebSocket handshake."""
    if _origin_ok(request):
        return None
    return web.json_response(
        {"error": "bad_origin", "message": "This socket is for this site's pages only."},
        status=403,
    )


def _load_session(request: web.Request) -> tuple[Session, bool]:
    """The request's session, and whether it came valid from the cookie (else it is new)."""
    manager = request.app[SESSIONS]
    session = manager.decode(request.cookies.get(COOKIE_NAME))
    if session is None:
        return manager.new(), False
    if session.user_id is not None:
        user = signed_in_user(request.app[DB], manager, session)
        if user is None:
            return manager.new(), False
        request[USER_KEY] = user
    return session, True


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/static/"):
        return await handler(request)
    session, valid = _load_session(request)
    request[SESSION_KEY] = session
    loaded = session if valid else None
    try:
        response = await _guarded(request, handler, session)
    except web.HTTPRequestEntityTooLarge:
        response = _too_large(request)
    except web.HTTPException as exc:
        await _store(request, exc, loaded)
        raise
    await _store(request, response, loaded)
    return response


# Where a file too big for the web pages can be taken in instead, by the page it came to.
BIG_FILE_COMMANDS = (
    ("/admin/contacts/dnc/", "a bigger Do Not Call file", "phonebank dnc import FILE"),
    ("/script/", "a bigger script", "phonebank script import FILE"),
    ("/admin/contacts/", "a bigger contact file", "phonebank contacts import FILE"),
)


def _too_large(request: web.Request) -> web.Response:
    limit = MAX_UPLOAD_BYTES // 1024**2
    advice = next(
        (f" Import {what} on the appliance with `{command}`."
         for part, what, command in BIG_FILE_COMMANDS if part in request.path),
        "",
    )  # fmt: skip
    return error(
        request,
        413,
        "upload_too_large",
        f"This upload is larger than {limit} MB, the most the web pages take.{advice}",
    )


async def _guarded(request: web.Request, handler: Handler, session: Session) -> web.StreamResponse:
    refusal = _refuse(request, route_access(request))
    if refusal is not None:
        return refusal
    if request.method in UNSAFE_METHODS:
        if not _origin_ok(request):
            return error(request, 403, "bad_origin", "This request came from another site.")
        if not await _csrf_ok(request, session):
            return error(
                request,
                403,
                "csrf_failed",
                "This form has expired or did not come from this site. Reload and try again.",
            )
    return await handler(request)


async def _store(
    request: web.Request, response: web.StreamResponse, loaded: Session | None
) -> None:
    """Write the cookie unless the valid session it carried is unchanged and recently seen.

    ``loaded`` is the session the cookie carried, or None when it was missing, forged,
    expired, revoked or its user gone: then the new session must reach the browser. When a
    signed-in session's cookie is refreshed, its record's last-seen time moves with it.
    """
    if response.prepared:
        return
    manager = request.app[SESSIONS]
    session = request[SESSION_KEY]
    if session is loaded and loaded is not None and not manager.needs_refresh(loaded):
        return
    touched = manager.touch(session)
    if session is loaded and session.authenticated:
        db = request.app[DB]
        await asyncio.to_thread(web_sessions.touch, db, session.sid, touched.seen, manager.lifetime)
    manager.set_cookie(response, touched, secure=request.secure)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: hardening headers on every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "microphone=(self), camera=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/static/") and "v" in request.query:
        headers["Cache-Control"] = "public, max-age=31536000, immutable"


def still_signed_in(request: web.Request) -> bool:
    """Whether the sign-in a long-lived connection (websocket) was opened with still holds:
    not signed out or revoked since, not expired, the account still enabled, and still
    allowed on the route (a manager made a volunteer loses the dashboard, a volunteer no
    longer allowed to make calls the call screen)."""
    session = request.get(SESSION_KEY)
    if session is None or not session.authenticated:
        return False
    user = signed_in_user(request.app[DB], request.app[SESSIONS], session)
    return user is not None and allowed(route_access(request), user)


async def hold_sign_in(request: web.Request, on_ended: Callable[[], Awaitable[None]]) -> None:
    """Run beside a live page's socket: every ``keepalive_seconds`` push the sign-in's record
    (someone on an open call screen or dashboard is at work, even when nothing changes for
    hours), or, once the sign-in has ended (signed out, revoked, locked, expired), await
    ``on_ended`` (which closes the socket with ``SIGNED_OUT_CLOSE``) and return."""
    manager, db = request.app[SESSIONS], request.app[DB]
    session = request[SESSION_KEY]
    while True:
        await asyncio.sleep(manager.keepalive_seconds)
        alive = still_signed_in(request) and await asyncio.to_thread(
            web_sessions.touch, db, session.sid, manager.clock(), manager.lifetime
        )
        if not alive:
            await on_ended()
            return
