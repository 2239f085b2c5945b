"""The front door: sends each user to their screen; the admin landing page (the account
page is ``account.py``)."""

from __future__ import annotations

from aiohttp import web

from web.access import Access, access, current_user
from web.keys import SESSION_KEY
from web.render import render
from web.views.auth import home_for


@access(Access.PUBLIC)
async def index(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    raise web.HTTPFound("/login" if user is None else home_for(user))


@access(Access.STAFF)
async def admin_home(request: web.Request) -> web.StreamResponse:
    return render(request, "admin/index.html")


@access(Access.USER)
async def session_info(request: web.Request) -> web.StreamResponse:
    """The signed-in user, for scripts (and the CSRF token they send back in a header)."""
    user = current_user(request)
    assert user is not None  # guaranteed by Access.USER
    return web.json_response(
        {
            "user": {
                "id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "can_make_calls": user.can_make_calls,
            },
            "csrf_token": request[SESSION_KEY].csrf,
        }
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/", index, name="index")
    app.router.add_get("/admin", admin_home, name="admin")
    app.router.add_get("/api/session", session_info, name="api_session")
